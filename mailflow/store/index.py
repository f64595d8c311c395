"""What the journal tells, kept in memory so that no lookup reads the disk, and kept small: a
daemon holds it for years of mail."""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict, deque
from dataclasses import replace
from datetime import datetime, timedelta

from ..model import Sent
from .codecs import sent_from_json
from .journal import Record

#: Automatic replies further back than this are no longer counted against the daily cap.
RECENT = timedelta(days=2)
#: Outcomes that are not replies to a member (the cap on replies does not count them).
NOT_REPLIES = ("staff-alert", "digest", "staff-question")


def digest(text: str) -> bytes:
    """A message's hash as bytes (half the memory of its hex), or the text of an odd one."""
    try:
        return bytes.fromhex(text)
    except ValueError:
        return text.encode()


def message_id_key(message_id: str) -> bytes:
    """A Message-ID as 16 bytes: enough to tell a million messages apart, a quarter of its size."""
    return hashlib.blake2b(message_id.encode(), digest_size=16).digest()


class JournalIndex:
    """The journal's records as lookups: message keys, hashes, threads, recent replies."""

    def __init__(self) -> None:
        self.folders: dict[str, str] = {}  # message key → folder it went to
        self.files: dict[str, str] = {}  # message key → idea whose attachments it carries
        self.hashes: set[bytes] = set()  # processed messages' bytes
        self.ids: set[bytes] = set()  # processed messages' Message-IDs
        self.quarantined: set[bytes] = set()
        self.sent: dict[str, Sent] = {}  # our Message-ID → what it was about
        self.threads: dict[tuple[str, str], str] = {}  # (to, thread subject) → our Message-ID
        self.recent: dict[str, deque[datetime]] = defaultdict(deque)  # address → reply times
        self.outbox_seq = 0

    def add(self, record: Record) -> None:
        kind = record["t"]
        if kind == "ledger":
            key = sys.intern(str(record["key"]))
            folder = sys.intern(str(record.get("folder", "processed")))
            self.folders[key] = folder
            if record.get("attachments_of"):
                self.files[key] = str(record["attachments_of"])
            if folder != "processed":
                self.quarantined.add(digest(record["sha256"]))
            else:
                self.hashes.add(digest(record["sha256"]))
                if record.get("message_id"):
                    self.ids.add(message_id_key(record["message_id"]))
        elif kind == "sent":
            # What reading an answer needs; the subject stays in the journal.
            sent = replace(sent_from_json(record), subject="", to=sys.intern(record["to"]))
            self.sent[sent.message_id] = sent
            self.threads[sent.to, sent.thread] = sent.message_id
        elif kind == "delivered":
            self.queued(record)

    def queued(self, record: Record) -> None:
        """A reply queued (or sent): its number, and its time for the daily cap."""
        self.outbox_seq = max(self.outbox_seq, int(record["seq"]))
        if record.get("outcome") not in NOT_REPLIES:
            self.replied(record.get("to", ()), datetime.fromisoformat(record["created_at"]))

    def replied(self, to: list[str] | tuple[str, ...], at: datetime) -> None:
        for address in to:
            times = self.recent[sys.intern(address)]
            while times and times[0] < at - RECENT:
                times.popleft()
            times.append(at)

    def seen(self, sha256: str, message_id: str | None) -> bool:
        return digest(sha256) in self.hashes or bool(message_id and message_id_key(message_id) in self.ids)
