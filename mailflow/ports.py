"""The small interfaces the service talks to: a mail source, a transport and a clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
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

    def read(self, key: str) -> bytes:
        """The raw bytes of one message, without marking it read."""
        ...

    def ack(self, key: str, folder: Folder) -> None:
        """Move a handled message out of the inbox; a message already moved is not an error."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class Transport(Protocol):
    """Where rendered replies are handed over for delivery."""

    def send(self, message_id: str, recipients: Sequence[str], raw: bytes, label: str) -> None:
        """Deliver once; sending the same Message-ID again must not deliver twice."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
