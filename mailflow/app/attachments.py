"""Files sent with ideas: the core decides what may be kept, the attachment folder keeps it."""

from __future__ import annotations

import logging
from pathlib import Path

from ..adapters.attachment_dir import describe, kept
from ..adapters.attachment_dir import keep as keep_files
from ..config.settings import Settings
from ..core.read.attachments import DEFAULT_POLICY, AttachmentPolicy, files_to_keep
from ..ports import SavedAttachment

log = logging.getLogger("mailflow.attachments")


def save_attachments(
    raw: bytes, owner_id: str, root: Path, policy: AttachmentPolicy = DEFAULT_POLICY
) -> list[SavedAttachment]:
    """Keep the message's acceptable attachments under `root/owner_id/`; list every one of them.

    Idempotent: the same message saved again writes nothing and lists the same entries.
    """
    return keep_files(root, owner_id, files_to_keep(raw, policy))


def attachments_root(settings: Settings) -> Path:
    """Where the attachments of ideas are kept: `attachments/` beside the store."""
    return settings.store_path.parent / "attachments"


def keep_idea_attachments(settings: Settings, idea_id: str, raw: bytes) -> list[SavedAttachment]:
    """Keep the attachments of a message about an idea under `<store folder>/attachments/<id>/`.

    Call it once the idea is committed, with the raw message; calling it again for the same
    message writes nothing. Refused files (type, size, count) are listed with the reason.
    """
    saved = save_attachments(raw, idea_id, attachments_root(settings))
    for line in describe(saved):
        log.info("idée %s : pièce jointe %s", idea_id, line)
    return saved


def kept_attachments(settings: Settings, idea_id: str) -> list[SavedAttachment]:
    """What was kept (or refused) for an idea, read from its folder's index; never follows a link."""
    return kept(attachments_root(settings), idea_id)
