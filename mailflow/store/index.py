"""What the journal tells, kept in memory so that no lookup reads the disk."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .journal import Record


class JournalIndex:
    """The journal's records as lookups: message keys, hashes, threads, recent replies."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, str | None]] = {}  # message key → (folder, idea of files)
        self.hashes: set[str] = set()  # processed messages' bytes
        self.ids: set[str] = set()  # processed messages' Message-IDs
        self.quarantined: set[str] = set()
        self.sent: dict[str, Mapping[str, Any]] = {}  # our Message-ID → what it was about
        self.threads: dict[tuple[str, str], str] = {}  # (to, thread subject) → our Message-ID
        self.recent: dict[str, deque[datetime]] = defaultdict(deque)  # address → reply times
        self.outbox_seq = 0
        self.batches: set[tuple[int, int]] = set()  # (batch, index) of the last batch only

    def add(self, record: Record) -> None:
        kind = record["t"]
        if kind == "ledger":
            folder = record.get("folder", "processed")
            self.keys[record["key"]] = (folder, record.get("attachments_of"))
            if folder != "processed":
                self.quarantined.add(record["sha256"])
            else:
                self.hashes.add(record["sha256"])
                if record.get("message_id"):
                    self.ids.add(record["message_id"])
        elif kind == "sent":
            self.sent[record["message_id"]] = record
            self.threads[record["to"], record.get("thread", "")] = record["message_id"]
        elif kind == "delivered":
            self.outbox_seq = max(self.outbox_seq, int(record["seq"]))
            if record.get("outcome") not in ("staff-alert", "digest", "staff-question"):
                at = datetime.fromisoformat(record["created_at"])
                for to in record.get("to", ()):
                    self.recent[to].append(at)
