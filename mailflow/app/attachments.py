"""Keeping a message's attachments: the core decides, the attachment folder keeps."""

from __future__ import annotations

from pathlib import Path

from ..adapters.attachment_dir import keep
from ..core.attachments import DEFAULT_POLICY, AttachmentPolicy, files_to_keep
from ..ports import SavedAttachment


def save_attachments(
    raw: bytes, owner_id: str, root: Path, policy: AttachmentPolicy = DEFAULT_POLICY
) -> list[SavedAttachment]:
    """Keep the message's acceptable attachments under `root/owner_id/`; list every one of them.

    Idempotent: the same message saved again writes nothing and lists the same entries.
    """
    return keep(root, owner_id, files_to_keep(raw, policy))
