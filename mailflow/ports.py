"""The small interfaces the service talks to: a mail source, a transport and a clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

Folder = Literal["processed", "quarantine"]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the mailbox: its stable arrival key and its size in bytes."""

    key: str
    size: int


class MailSource(Protocol):
    """Where messages arrive, in arrival order, and where handled ones are moved."""

    def pending(self) -> Sequence[Waiting]:
        """Messages still in the inbox, oldest arrival first."""
        ...

    validity: str | None
    """What keys are valid against (IMAP UIDVALIDITY); None where keys never change."""

    def read(self, key: str, limit: int | None = None) -> bytes:
        """The raw bytes of one message (at most `limit` bytes), without marking it read."""
        ...

    def ack(self, key: str, folder: Folder) -> None:
        """Move a handled message out of the inbox; a message already moved is not an error."""
        ...

    def save_sent(self, raw: bytes) -> None:
        """Keep a copy of a sent reply in the mailbox's Sent folder, when one is configured."""
        ...

    def has_sent(self, message_id: str) -> bool:
        """Whether the Sent folder holds a reply with this Message-ID (recovery after a crash)."""
        ...

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Block until new mail may be there, `stop` is set, or time is up; True on new mail."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class Transport(Protocol):
    """Where rendered replies are handed over for delivery."""

    def send(self, message_id: str, recipients: Sequence[str], raw: bytes, label: str) -> dict[str, str]:
        """Hand over for delivery; return the recipients the server refused, with its answer.

        Raise TransportError (permanent or not) when nothing was accepted.
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True)
class AttachmentFile:
    """One attachment of a message, decided: the content to keep under a safe name, or why not."""

    original: str  # the sender's name for it, cleaned for display
    content_type: str  # the type decided when kept; the declared one when refused
    data: bytes  # decoded content (the encoded text when it could not be decoded)
    size: int
    sha256: str
    refused: str  # "" when it may be kept, else why not
    safe_stem: str  # [A-Za-z0-9_-] only
    ext: str


@dataclass(frozen=True)
class SavedAttachment:
    """One attachment of a message: kept on disk at `path`, or refused with the reason."""

    name: str  # safe file name (on disk when kept; what it would have been when refused)
    original: str
    content_type: str
    size: int  # decoded bytes (the encoded ones when the content could not be decoded)
    sha256: str
    path: Path | None  # None when refused
    refused: str = ""  # "" when kept, else why not

    @property
    def kept(self) -> bool:
        """True when the file is on disk."""
        return not self.refused
