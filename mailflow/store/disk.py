"""The store's files and their protocol: the state file, the journal, the packs of reply bodies,
the log of accepted replies, the lock; sessions, commits and rollbacks; the journal's index.

Files beside `store.path` (say `var/mailflow.json`):
- `mailflow.json` (and its `.bak`, the previous version), gzip-compressed JSON: the state of
  the calls — candidatures, ideas, questions, confirmations, staff's changes to groups, the
  replies still to send (without their bytes) — and the journal records of the last commit
  (its tail);
- `mailflow.json.journal/YYYY-MM.jsonl`: the messages handled (ledger), the history, the
  replies sent, what each reply was about; append-only, read once and then incrementally;
- `mailflow.json.pending/`: the bytes of replies waiting to be sent, one pack per commit;
- `mailflow.json.sent`: the replies a server accepted since the last commit (AcceptedLog);
- `mailflow.json.lock`: one writer at a time.

A commit writes the pack of the reply bodies it queues, then the state file (atomic replace)
holding this commit's journal records as its tail, then appends that tail to the journal. A
crash before the state file is replaced changes nothing; after it, the next writer to open the
store appends what the journal lacks. So the journal never misses a commit and never holds one
twice.
"""
from __future__ import annotations

import contextlib
import fcntl
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from tinydb import TinyDB

from ..errors import StoreError
from ..model.values import DeliveryStatus
from ..ports import OutboxItem
from .codecs import (
    lean,
    outbox_from_json,
    outbox_to_json,
)
from .files import AcceptedLog, Bodies, stamp, take_lock
from .index import JournalIndex
from .journal import Journal, Record
from .migrate import needed as migration_needed
from .migrate import split as split_single_file
from .migrate import write as write_migrated
from .schema import check_record
from .statefile import StateStorage
from .tables import Tables

SCHEMA = 2


def _month(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m}.jsonl"


class DiskStore:
    """The state on disk. Changes stay in memory until `commit`; `rollback` drops them.

    A read-only store takes no lock and refuses to commit: dry runs and reports use it.
    """

    def __init__(self, path: Path, *, read_only: bool = False, hold_lock: bool = True,
                 wait: float = 0.0) -> None:
        self.path = path
        self.read_only = read_only
        self._lock_handle: Any = None
        self.journal = Journal(path.with_name(path.name + ".journal"), check_record)
        self.bodies = Bodies(path.with_name(path.name + ".pending"))
        self._accepted = AcceptedLog(path.with_name(path.name + ".sent"))
        if not read_only and hold_lock:
            self._lock(wait)
        try:
            self._db = TinyDB(str(path), storage=StateStorage, read_only=read_only)
            storage = self._db.storage
            assert isinstance(storage, StateStorage)
            self._storage = storage
            self.tables = Tables(self._db)
            self._open()
        except BaseException:
            self._unlock()
            raise

    def _open(self) -> None:
        version = self._table("meta").get(doc_id=1) or {}
        if int(version.get("schema", SCHEMA)) > SCHEMA:
            raise StoreError(f"{self.path} : écrit par une version plus récente de mailflow "
                             f"(schéma {version['schema']})")
        self._batch: list[Record] = []  # this commit's journal records, not yet written
        self._bodies: dict[str, bytes] = {}  # bodies of replies queued since the last commit
        self._done: list[OutboxItem] = []  # replies sent or failed since the last commit
        self._rewrites: list[tuple[str, Mapping[str, Any]]] = []  # purge: journal records changed
        self._index: JournalIndex | None = None
        self._logged = False
        self._migrated: tuple[list[Record], dict[str, bytes]] | None = None
        if migration_needed(self._data()):
            self._migrate()
        self._outbox_seq = max((int(d["seq"]) for d in self.tables.all("outbox")), default=0)
        self._stamp = stamp(self.path)
        if not self.read_only and self._lock_handle is not None:
            self._repair_journal()

    def _data(self) -> dict[str, Any]:
        return self._storage.read() or {}

    def _table(self, name: str) -> Any:
        return self._db.table(name)

    def _migrate(self) -> None:
        """A store written before the journal: split it, on disk for a writer (with the lock,
        taken for the time it takes), in memory for a reader."""
        state, records, bodies = split_single_file(self._data())
        self._storage.write(state)
        self._db.clear_cache()
        self.tables.discard()
        if self.read_only:
            self._migrated = (records, bodies)
            return
        took = self._lock_handle is None
        if took:
            self._lock(60.0)
        try:
            write_migrated(self.journal, self.bodies, records, bodies)
            self._storage.flush()
        finally:
            if took:
                self._unlock()

    def _repair_journal(self) -> None:
        """Append the last commit's records that a crash kept out of the journal."""
        tail = [dict(d) for d in self._table("tail").all()]
        if not tail:
            return
        meta = self._table("meta").get(doc_id=1) or {}
        name = str(meta.get("tail_file") or _month(datetime.now(UTC)))
        present = {(r.get("b"), r.get("i")) for r in self.journal.last_records(name, len(tail))}
        missing = [r for r in tail if (r.get("b"), r.get("i")) not in present]
        if missing:
            self.journal.append(name, missing)

    def _journal_view(self) -> Iterator[Record]:
        """The journal as this process sees it: the files, the last commit's records a crash kept
        out of them, a migration not yet written, this commit's records."""
        seen: set[tuple[Any, Any]] = set()
        if self._migrated is not None:
            yield from self._migrated[0]
        for record in self.journal.read():
            seen.add((record.get("b"), record.get("i")))
            yield record
        for doc in self._table("tail").all():
            if (doc.get("b"), doc.get("i")) not in seen:
                yield dict(doc)
        yield from self._batch

    def load_index(self) -> None:
        """Read the journal's index now (a daemon does it at start, before its first job: the
        index, kept for years, then lies in memory apart from each job's passing data)."""
        self._ensure_index()

    def _ensure_index(self) -> JournalIndex:
        """The index of the journal, read once (then kept up to date, commit by commit)."""
        if self._index is None:
            index = JournalIndex(self.journal.record_at)
            for record in self._migrated[0] if self._migrated is not None else ():
                index.add(record)
            seen: set[tuple[Any, Any]] = set()
            for name, offset, record in self.journal.read_placed():
                seen.add((record.get("b"), record.get("i")))
                index.add(record, (name, offset))
            for doc in self._table("tail").all():  # the last commit's, if a crash kept them out
                if (doc.get("b"), doc.get("i")) not in seen:
                    index.add(dict(doc))
            for record in self._batch:
                index.add(record)
            for doc in self.tables.docs("outbox"):  # queued, not yet in the journal
                index.queued(dict(doc))
            index.settle()
            self._index = index
        return self._index

    def clean_leftovers(self) -> list[Path]:
        """Remove what a killed process left half-written beside the store (call with the lock
        held): a copy of the state being written, a backup link, journal rewrites, reply bodies
        no queued reply names."""
        removed: list[Path] = []
        pattern = re.compile(rf"^\.{re.escape(self.path.name)}\.(\d+|bak)\.tmp$")
        with contextlib.suppress(FileNotFoundError):
            for entry in self.path.parent.iterdir():
                if pattern.match(entry.name) and entry.name != self._storage.tmp_name:
                    entry.unlink(missing_ok=True)
                    removed.append(entry)
        for entry in [*self.journal.leftovers(), *self.bodies.leftovers(self._packs_in_use())]:
            entry.unlink(missing_ok=True)
            removed.append(entry)
        return removed

    def _lock(self, wait: float) -> None:
        self._lock_handle = take_lock(self.path.with_name(self.path.name + ".lock"), wait,
                                      f"{self.path} : le fichier des données est occupé par "
                                      "{holder} ; un seul mailflow peut l’écrire à la fois")

    @contextlib.contextmanager
    def session(self, wait: float = 60.0) -> Iterator[Self]:
        """Hold the lock for one job, reading again what another process wrote meanwhile.

        The daemon works in sessions, so staff commands can write the store between its jobs.
        """
        self._lock(wait)
        try:
            self.refresh()
            self._repair_journal()
            yield self
        finally:
            self._unlock()
            self.release()

    def release(self) -> None:
        """Between jobs: let go of the state read (the next job reads it again); what the
        journal tells (the index) stays, so that no job reads years of records again."""
        if not (self._storage.dirty or self.tables.pending() or self._batch or self._bodies):
            self._storage.forget()
            self._db.clear_cache()
            self.tables.discard()
            self.bodies.forget()

    def refresh(self) -> None:
        """Read the store again if another process changed it since this process last did."""
        if stamp(self.path) != self._stamp:
            self._storage.discard()
            self._db.clear_cache()
            self.tables.discard()
            self._stamp = stamp(self.path)
            self._outbox_seq = max((int(d["seq"]) for d in self.tables.all("outbox")),
                                   default=self._outbox_seq)
            self._index = None  # another writer's journal records: read again when needed
            return
        if self._index is not None:
            new = self.journal.read_new()
            if new is None:
                self._index = None
            else:
                for name, offset, record in new:
                    self._index.add(record, (name, offset))

    def _unlock(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def close(self) -> None:
        """Release the lock; uncommitted changes are dropped."""
        self._db.close()
        self._accepted.close()
        self._unlock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def commit(self) -> None:
        """Write every change since the last commit: the bodies' pack, the state file, then the
        journal; the packs whose replies are all sent go."""
        self._absorb_accepted()
        for item in self._done:
            self.tables.delete("outbox", item.id)
            self._record("delivered", outbox_to_json(item))
        delivered, self._done = bool(self._done), []
        if not (self._storage.dirty or self.tables.pending() or self._batch or self._bodies
                or self._rewrites):
            return
        if self.read_only:
            raise StoreError(f"{self.path} : le magasin est ouvert en lecture seule ; rien n’a été écrit")
        if self._bodies:
            self.bodies.write(self._pack_name(), self._bodies)
        if self._rewrites:
            self._apply_rewrites()
        batch = int(self._meta_doc().get("batch", 0)) + 1
        name = _month(datetime.now(UTC))
        records = [{**r, "b": batch, "i": i} for i, r in enumerate(self._batch)]
        tail = self._table("tail")
        tail.truncate()
        if records:
            tail.insert_multiple(records)
        self._set_meta_values({"batch": batch, "tail_file": name})
        self.tables.flush()
        self._storage.flush()
        self._stamp = stamp(self.path)
        offsets = self.journal.append(name, records)
        if self._index is not None:
            self._index.placed(name, records, offsets)
        if delivered:
            self.bodies.keep_only(self._packs_in_use())
        self._batch = []
        self._bodies = {}
        if self._logged:
            self._accepted.clear()  # the journal now says they were sent
            self._logged = False

    @contextlib.contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[Self]:
        """A block of changes written together: committed when the block ends, rolled back (and
        the exception raised again) when anything in it raises, so that nothing half-done ever
        reaches the disk. A dry run's block is rolled back in any case: it writes nothing."""
        try:
            yield self
            if dry_run:
                self.rollback()
            else:
                self.commit()
        except BaseException:
            self.rollback()
            raise

    def _pack_name(self) -> str:
        """The pack of the bodies queued until the next commit (named after that commit)."""
        return f"{int(self._meta_doc().get('batch', 0)) + 1:08d}.json"

    def _packs_in_use(self) -> set[str]:
        return {str(d["body"]) for d in self.tables.docs("outbox") if d.get("body")}

    def rollback(self) -> None:
        """Drop every change since the last commit."""
        self._storage.discard()
        self._db.clear_cache()
        self.tables.discard()
        self._batch, self._bodies, self._done, self._rewrites = [], {}, [], []
        self._outbox_seq = max((int(d["seq"]) for d in self.tables.all("outbox")), default=0)
        self._index = None

    def _record(self, kind: str, record: Mapping[str, Any]) -> None:
        entry = {"t": kind, **(record if kind == "history" else lean(record))}
        self._batch.append(entry)
        if self._index is not None:
            self._index.add(entry)

    def _meta_doc(self) -> Mapping[str, Any]:
        doc: Mapping[str, Any] = self._table("meta").get(doc_id=1) or {}
        return doc

    def meta(self, key: str) -> Any:
        return self._meta_doc().get(key)

    def set_meta(self, key: str, value: Any) -> None:
        self._set_meta_values({key: value})

    def _set_meta_values(self, values: Mapping[str, Any]) -> None:
        table = self._table("meta")
        if table.get(doc_id=1) is None:
            table.insert({"schema": SCHEMA})
        table.update(dict(values), doc_ids=[1])

    def accepted(self, message_id: str, at: datetime) -> None:
        """The server took this reply: say so on disk at once (see AcceptedLog)."""
        if self.read_only:
            return
        self._accepted.append(message_id, at.isoformat())
        self._logged = True

    def _absorb_accepted(self) -> None:
        """Replies the log says a server accepted are sent, whatever the state file says."""
        accepted = self._accepted.read()
        if not accepted:
            return
        self._logged = True
        done = {i.id for i in self._done}
        for doc in self.tables.all("outbox"):
            if doc["id"] in accepted and doc["id"] not in done and doc.get("status") in (
                    "pending", "sending"):
                item = outbox_from_json(doc)
                when = accepted[doc["id"]]
                item.status = DeliveryStatus.SENT
                item.sent_at = datetime.fromisoformat(when) if when else None
                item.next_attempt_at = None
                self._done.append(item)

    def _apply_rewrites(self) -> None:
        keys = {"ledger": "key", "delivered": "id", "sent": "message_id"}
        changed = {(kind, doc[keys[kind]]): doc for kind, doc in self._rewrites if kind in keys}
        histories = [doc["events"] for kind, doc in self._rewrites if kind == "history"]
        events = iter(histories[-1]) if histories else None

        def change(record: Record) -> Record:
            kind = record["t"]
            if kind == "history" and events is not None:
                return {**record, "event": next(events, record["event"])}
            if kind in keys and (kind, record.get(keys[kind])) in changed:
                return {"t": kind, "b": record.get("b"), "i": record.get("i"),
                        **changed[kind, record[keys[kind]]]}
            return record

        self.journal.rewrite(change)
        for doc in self._table("tail").all():  # the last commit's records, in the state too
            self._table("tail").update(change(dict(doc)), doc_ids=[doc.doc_id])
        self._rewrites = []
        self._index = None
