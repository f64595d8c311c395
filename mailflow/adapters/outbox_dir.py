"""A folder of .eml files as the transport: the embedded default and what dry runs show."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import TransportError


class DirTransport:
    """Writes each message once, atomically, named so that `ls` shows the sending order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportError(f"{root}: cannot create the outbox folder: {exc}") from exc

    def path_for(self, message_id: str, label: str) -> Path:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:12]
        return self.root / f"{label}-{digest}.eml"

    def send(self, message_id: str, recipients: Sequence[str], raw: bytes, label: str) -> dict[str, str]:
        target = self.path_for(message_id, label)
        if target.exists():
            return {}  # written before a crash: never twice
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            with tmp.open("wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise TransportError(f"{target}: cannot write: {exc}") from exc
        return {}

    def close(self) -> None:
        pass
