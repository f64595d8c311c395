"""A folder of .eml files as the transport: the embedded default and what dry runs show."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import TransportError
from ..files import open_private, private_dir


class DirTransport:
    """Writes each message once, atomically, named so that `ls` shows the sending order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            private_dir(root)
        except OSError as exc:
            raise TransportError(f"{root} : impossible de créer le dossier d’envoi : {exc}") from exc

    def path_for(self, message_id: str, label: str) -> Path:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:12]
        return self.root / f"{label}-{digest}.eml"

    def send(self, message_id: str, recipients: Sequence[str], raw: bytes, label: str) -> dict[str, str]:
        target = self.path_for(message_id, label)
        if target.exists():
            return {}  # written before a crash: never twice
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise TransportError(f"{target} : écriture impossible : {exc}") from exc
        return {}

    def clean_leftovers(self) -> list[Path]:
        """Remove half-written files a killed process left (only ours: `.NAME.eml.tmp`)."""
        removed = []
        for tmp in self.root.glob(".*.eml.tmp"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
        return removed

    def close(self) -> None:
        pass
