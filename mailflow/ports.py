"""What the application and its adapters exchange: the ports and the values that cross them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from .model.review import Review
from .model.values import DeliveryStatus, Department, Group, Sent, State

Folder = Literal["processed", "quarantine", "archive"]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the mailbox: its stable arrival key, its size in bytes, and when the
    mailbox received it (IMAP INTERNALDATE, the Maildir name's time), where it says."""

    key: str
    size: int
    arrived_at: datetime | None = None


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

    def ack(self, keys: Sequence[str], folder: Folder) -> None:
        """Move handled messages out of the inbox, at once where the server allows it; a message
        already moved is not an error."""
        ...

    def save_sent(self, raws: Sequence[bytes]) -> None:
        """Keep copies of sent replies in the mailbox's Sent folder, when one is configured."""
        ...

    def quarantined(self) -> Sequence[Waiting]:
        """Messages in the quarantine folder, oldest arrival first (keys of that folder)."""
        ...

    def read_quarantined(self, key: str, limit: int | None = None) -> bytes:
        """The raw bytes of one message of the quarantine folder."""
        ...

    def release(self, keys: Sequence[str]) -> None:
        """Put messages of the quarantine folder back in the inbox, their arrival kept."""
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


# --- connecting to servers --------------------------------------------------------------------


@dataclass(frozen=True)
class Auth:
    """How to log in: a password (environment or file) or an XOAUTH2 token (command or file)."""

    method: Literal["password", "xoauth2"]
    user: str
    password_env: str
    password_file: Path | None = None
    token_command: str | None = None
    token_file: Path | None = None


@dataclass(frozen=True)
class Server:
    """A mail server to connect to, from a URL such as imaps://user@host:993/INBOX."""

    scheme: str
    host: str
    port: int
    folder: str
    tls: Literal["implicit", "starttls", "none"]
    ca_file: Path | None
    auth: Auth
    timeout: float


# --- what the store keeps of messages and replies ---------------------------------------------


@dataclass
class OutboxItem:
    """A rendered message waiting to be sent, or sent, with its fixed Message-ID (`raw` is b""
    once it is sent: the bytes are not kept)."""

    id: str
    seq: int
    to: list[str]
    outcome: str
    message_key: str
    created_at: datetime
    raw: bytes
    subject: str = ""
    status: DeliveryStatus = DeliveryStatus.PENDING  # pending → sent, or failed
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    alerted: bool = False  # staff were told it is late
    #: The reply's bytes are kept (as a file beside the store) only until it is sent; what is
    #: kept after is their hash, for the record.
    sha256: str = ""
    group: str | None = None  # the group it is about, when it is about one


@dataclass
class LedgerEntry:
    """The record of one message: where it came from, what it was, what we decided."""

    key: str
    sha256: str
    message_id: str | None
    sender: str | None
    subject: str
    outcome: str
    summary: str
    decided_at: datetime
    folder: str
    #: The idea whose attachments this message carries: kept after the commit, and again by a
    #: replay when the process died before they were all on disk.
    attachments_of: str | None = None
    group: str | None = None  # the group the decision was about, when it was about one


class StatePort(Protocol):
    """The store as the application sees it: the state of the calls, the journal, the outbox.

    Changes stay in memory until a `transaction` ends, which writes them at once (or drops them
    when it fails).
    """

    path: Path

    def state(self, groups: dict[str, Group], departments: dict[str, Department]) -> State:
        """The state, with the configured groups as staff changed them and those they drafted."""
        ...

    def save_state(self, before: State, after: State) -> None:
        """Record what changed between two states (candidatures, ideas, questions, codes)."""
        ...

    def set_group_override(self, group_id: str, changes: Mapping[str, Any], *,
                           at: datetime | None = None, by: str | None = None) -> None: ...
    def reset_group_override(self, group_id: str, fields: Iterable[str]) -> None: ...
    def group_overrides(self) -> dict[str, dict[str, Any]]: ...
    def save_drafted_group(self, group: Group, extra: Mapping[str, Any] | None = None) -> None: ...
    def meta(self, key: str) -> Any: ...
    def set_meta(self, key: str, value: Any) -> None: ...
    def record_history(self, event: Mapping[str, Any]) -> None: ...
    def history(self) -> list[dict[str, Any]]: ...
    def ledger_entry(self, key: str) -> LedgerEntry | None: ...
    def seen_before(self, sha256: str, message_id: str | None) -> bool: ...
    def quarantined_before(self, sha256: str) -> bool: ...
    def decided_any(self) -> bool: ...
    def record(self, entry: LedgerEntry) -> None: ...
    def ledger_since(self, since: datetime) -> list[LedgerEntry]: ...
    def ledger(self) -> list[LedgerEntry]: ...
    def put_back(self, key: str, sha256: str, by: str, at: datetime) -> None: ...
    def next_outbox_seq(self) -> int: ...
    def enqueue(self, item: OutboxItem) -> None: ...
    def outbox(self, *statuses: DeliveryStatus) -> list[OutboxItem]: ...
    def update_outbox(self, item: OutboxItem) -> None: ...
    def rewrite_queued(self, item: OutboxItem) -> None: ...
    def reviews(self) -> list[Review]: ...
    def put_review(self, review: Review) -> None: ...
    def drop_review(self, review_id: str) -> None: ...
    def outbox_docs(self) -> list[dict[str, Any]]: ...
    def sent_records(self) -> list[dict[str, Any]]: ...
    def rewrite_ledger(self, entries: list[LedgerEntry]) -> None: ...
    def rewrite_delivered(self, docs: list[Mapping[str, Any]]) -> None: ...
    def rewrite_sent(self, docs: list[dict[str, Any]]) -> None: ...
    def replace_history(self, events: list[dict[str, Any]]) -> None: ...
    def forget_backup(self) -> None: ...

    def accepted(self, message_id: str, at: datetime) -> None:
        """A server took this reply: written to disk at once, before anything else happens."""
        ...

    def replies_since(self, address: str, since: datetime) -> int: ...
    def remember_sent(self, sent: Sent) -> None: ...
    def sent(self, message_id: str) -> Sent | None: ...
    def sent_in_thread(self, to: str, thread: str) -> Sent | None: ...
    def session(self, wait: float = 60.0) -> Any: ...
    def clean_leftovers(self) -> list[Path]: ...
    def load_index(self) -> None: ...

    def transaction(self, *, dry_run: bool = False) -> AbstractContextManager[Any]:
        """Changes made in the block, committed at its end; rolled back if it raises (or if
        `dry_run`). Every writer goes through it."""
        ...

    def commit(self) -> None:
        """Write every change since the last commit (`transaction` does it for a block, and
        rolls it back if it fails)."""
        ...

    def close(self) -> None: ...
