"""What the journal tells, kept in memory so that no lookup scans the disk, and kept small: a
daemon holds it for years of mail.

Messages handled and our messages' threads are 64-bit fingerprints in sorted arrays (8 to 16 bytes
each); what one of our messages was about stays in the journal, where the index points: it is
read back (one line) only when an answer to that message arrives.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import datetime, timedelta

from ..model.values import Sent
from .codecs import sent_from_json
from .fingerprints import FingerprintMap, FingerprintSet, fingerprint64
from .journal import Record

#: Automatic replies further back than this are no longer counted against the daily cap.
RECENT = timedelta(days=2)
#: Outcomes that are not replies to a member (the cap on replies does not count them).
NOT_REPLIES = ("staff-alert", "digest", "staff-question", "staff-review")
_PROCESSED, _QUARANTINE, _RELEASED = 1, 2, 3
_OFFSET_BITS = 40  # a place: file number above, offset in the file below (a terabyte a month)

Reader = Callable[[str, int], Record | None]


class JournalIndex:
    """The journal's records as lookups: message keys, hashes, threads, recent replies."""

    def __init__(self, read_at: Reader) -> None:
        self._read_at = read_at  # a record from its file and offset
        self._folders = FingerprintMap()  # message key → processed or quarantine
        self.files: dict[str, str] = {}  # message key → idea whose attachments it carries
        self._seen = FingerprintSet()  # processed messages: their bytes' hash and their Message-ID
        self._quarantined = FingerprintSet()  # quarantined messages' hashes
        self._sent = FingerprintMap()  # our Message-ID → where its record is in the journal
        self._loose: dict[int, Record] = {}  # our messages' records not in a journal file yet
        self._threads = FingerprintMap()  # (to, thread subject) → our Message-ID
        self._months: list[str] = []  # journal files by number
        self.recent: dict[str, array[int]] = {}  # address → times of replies (epoch seconds)
        self.outbox_seq = 0

    def add(self, record: Record, place: tuple[str, int] | None = None) -> None:
        """Take one record in; `place` is its file and offset, when it is in the journal."""
        kind = record["t"]
        if kind == "ledger":
            key = str(record["key"])
            folder = record.get("folder", "processed")
            self._folders.put(fingerprint64(key), _PROCESSED if folder == "processed" else _QUARANTINE)
            if record.get("attachments_of"):
                self.files[key] = str(record["attachments_of"])
            if folder != "processed":
                self._quarantined.add(fingerprint64("h", record["sha256"]))
            else:
                self._seen.add(fingerprint64("h", record["sha256"]))
                if record.get("message_id"):
                    self._seen.add(fingerprint64("i", record["message_id"]))
        elif kind == "sent":
            ours = fingerprint64(record["message_id"])
            if place is None:
                self._loose[ours] = record
            else:
                self._sent.put(ours, self._place(*place))
                self._loose.pop(ours, None)
            self._threads.put(fingerprint64(record["to"], record.get("thread", "")), ours)
        elif kind == "delivered":
            self.queued(record)
        elif kind == "released":  # staff put a quarantined message back: it is decided again
            self._folders.put(fingerprint64(str(record["key"])), _RELEASED)

    def placed(self, name: str, records: list[Record], offsets: list[int]) -> None:
        """This commit's records are now in the journal at these places."""
        for record, offset in zip(records, offsets, strict=True):
            if record["t"] == "sent":
                ours = fingerprint64(record["message_id"])
                self._sent.put(ours, self._place(name, offset))
                self._loose.pop(ours, None)

    def _place(self, name: str, offset: int) -> int:
        if name not in self._months:
            self._months.append(name)
        return (self._months.index(name) << _OFFSET_BITS) | offset

    def settle(self) -> None:
        """Sort what was taken in (after reading the journal)."""
        for table in (self._folders, self._seen, self._quarantined, self._sent, self._threads):
            table.settle()

    def queued(self, record: Record) -> None:
        """A reply queued (or sent): its number, and its time for the daily cap."""
        self.outbox_seq = max(self.outbox_seq, int(record["seq"]))
        if record.get("outcome") not in NOT_REPLIES:
            self.replied(record.get("to", ()), datetime.fromisoformat(record["created_at"]))

    def replied(self, to: list[str] | tuple[str, ...], at: datetime) -> None:
        now = int(at.timestamp())
        for address in to:
            times = self.recent.setdefault(address, array("q"))
            old = 0
            while old < len(times) and times[old] < now - RECENT.total_seconds():
                old += 1
            if old:
                del times[:old]
            times.append(now)

    def replies_since(self, address: str, since: datetime) -> int:
        start = since.timestamp()
        return sum(1 for t in self.recent.get(address, ()) if t >= start)

    def folder(self, key: str) -> str | None:
        found = self._folders.get(fingerprint64(key))
        if found is None or found == _RELEASED:
            return None
        return "processed" if found == _PROCESSED else "quarantine"

    def seen(self, sha256: str, message_id: str | None) -> bool:
        return fingerprint64("h", sha256) in self._seen or bool(
            message_id and fingerprint64("i", message_id) in self._seen)

    def decided_any(self) -> bool:
        return len(self._folders) > 0

    def quarantined(self, sha256: str) -> bool:
        return fingerprint64("h", sha256) in self._quarantined

    def about(self, message_id: str) -> Sent | None:
        """Our message with this Message-ID and what it was about, read back from the journal."""
        record = self._record(fingerprint64(message_id))
        return sent_from_json(record) if record is not None and record.get(
            "message_id") == message_id else None

    def in_thread(self, to: str, thread: str) -> Sent | None:
        """Our latest message to this address whose subject has this thread key."""
        ours = self._threads.get(fingerprint64(to, thread))
        record = self._record(ours) if ours is not None else None
        if record is None or record.get("to") != to or record.get("thread", "") != thread:
            return None  # the fingerprints met by chance: not this thread
        return sent_from_json(record)

    def _record(self, ours: int) -> Record | None:
        if ours in self._loose:
            return self._loose[ours]
        place = self._sent.get(ours)
        if place is None:
            return None
        month = self._months[place >> _OFFSET_BITS]
        return self._read_at(month, place & ((1 << _OFFSET_BITS) - 1))
