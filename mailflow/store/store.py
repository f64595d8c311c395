"""The store: the working state in one small TinyDB file, what grows with time in the journal.

Files beside `store.path` (say `var/mailflow.json`):
- `mailflow.json` (and its `.bak`): the state of the calls — candidatures, ideas, questions,
  confirmations, staff's changes to groups, the replies still to send (without their bytes) —
  and the journal records of the last commit (its tail);
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

import base64
import contextlib
import fcntl
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from ..errors import StoreError
from ..model import Department, Group, Sent, State
from ..ports import LedgerEntry, OutboxItem
from . import migrate, schema
from .codecs import (
    candidature_from_json,
    candidature_to_json,
    group_from_json,
    group_to_json,
    idea_from_json,
    idea_to_json,
    lean,
    ledger_from_json,
    ledger_to_json,
    outbox_from_json,
    outbox_to_json,
    pending_from_json,
    pending_to_json,
    question_from_json,
    question_to_json,
    sent_to_json,
    with_overrides,
)
from .files import AcceptedLog, Bodies, link_as, stamp, take_lock
from .index import NOT_REPLIES, JournalIndex
from .journal import Journal, Record
from .statefile import StateStorage
from .tables import Tables

SCHEMA = 2
STATE_TABLES = ("meta", "candidatures", "ideas", "questions", "pending", "groups",
                "drafted_groups", "outbox", "tail")


def _month(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m}.jsonl"


class Store:
    """The state on disk. Changes stay in memory until `commit`; `rollback` drops them.

    A read-only store takes no lock and refuses to commit: dry runs and reports use it.
    """

    def __init__(self, path: Path, *, read_only: bool = False, hold_lock: bool = True,
                 wait: float = 0.0) -> None:
        self.path = path
        self.read_only = read_only
        self._lock_handle: Any = None
        self.journal = Journal(path.with_name(path.name + ".journal"), schema.check_record)
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

    # opening, locking, reading again

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
        if migrate.needed(self._data()):
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
        state, records, bodies = migrate.split(self._data())
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
            migrate.write(self.journal, self.bodies, records, bodies)
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
                                      f"{self.path}: the store is in use by {{holder}}; "
                                      "only one mailflow may write it at a time")

    @contextlib.contextmanager
    def session(self, wait: float = 60.0) -> Iterator[Store]:
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # transactions

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

    # state

    def group_overrides(self) -> dict[str, dict[str, Any]]:
        """What staff changed in each group since the configuration (call, capacity, meeting)."""
        return {d["id"]: dict(d) for d in self.tables.docs("groups")}

    def set_group_override(self, group_id: str, changes: Mapping[str, Any]) -> None:
        current = self.tables.get("groups", group_id) or {"id": group_id}
        self.tables.put("groups", {**current, **changes})

    def state(self, groups: dict[str, Group], departments: dict[str, Department]) -> State:
        """The decision state: configuration, staff's changes to it, and what the store holds."""
        drafted = {k: g for k, g in self.drafted_groups().items() if k not in groups}
        groups = with_overrides({**groups, **drafted}, self.group_overrides())
        cands = tuple(sorted((candidature_from_json(d) for d in self.tables.docs("candidatures")),
                             key=lambda c: c.seq))
        ideas = tuple(sorted((idea_from_json(d) for d in self.tables.docs("ideas")),
                             key=lambda i: i.seq))
        pending = tuple(pending_from_json(d) for d in self.tables.docs("pending"))
        questions = tuple(sorted((question_from_json(d) for d in self.tables.docs("questions")),
                                 key=lambda q: q.seq))
        return State(groups=groups, departments=departments, candidatures=cands, ideas=ideas,
                     next_seq=int(self.meta("next_seq") or 1), pending=pending,
                     questions=questions)

    def save_state(self, before: State, after: State) -> None:
        """Record what changed between two states (candidatures, ideas, questions, sequence)."""
        self._save(before.candidatures, after.candidatures, "candidatures", candidature_to_json)
        self._save(before.ideas, after.ideas, "ideas", idea_to_json)
        self._save(before.questions, after.questions, "questions", question_to_json)
        old_pending = set(before.pending)
        for action in after.pending:
            if action not in old_pending:
                self.tables.put("pending", lean(pending_to_json(action)))
        if after.next_seq != before.next_seq:
            self.set_meta("next_seq", after.next_seq)

    def _save(self, before: Iterable[Any], after: Iterable[Any], table: str, codec: Any) -> None:
        old = {r.id: r for r in before}
        for record in after:
            if old.get(record.id) != record:
                self.tables.put(table, lean(codec(record)))

    # settings the daemon keeps between runs

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

    # history of staff actions

    def record_history(self, event: Mapping[str, Any]) -> None:
        self._record("history", {"event": dict(event)})

    def history(self) -> list[dict[str, Any]]:
        return [dict(r["event"]) for r in self._journal_view() if r["t"] == "history"]

    # ledger: every message handled

    def ledger_entry(self, key: str) -> LedgerEntry | None:
        """The record of a message by its arrival key (what the index keeps of it)."""
        index = self._ensure_index()
        folder = index.folder(key)
        if folder is None:
            return None
        return LedgerEntry(key, "", None, None, "", "", "", datetime.now(UTC), folder,
                           attachments_of=index.files.get(key))

    def seen_before(self, sha256: str, message_id: str | None) -> bool:
        """Whether the same message (same bytes, or same Message-ID) was already decided."""
        return self._ensure_index().seen(sha256, message_id)

    def quarantined_before(self, sha256: str) -> bool:
        """Whether these very bytes were quarantined once: staff put the message back."""
        return self._ensure_index().quarantined(sha256)

    def record(self, entry: LedgerEntry) -> None:
        self._ensure_index()
        self._record("ledger", ledger_to_json(entry))

    def ledger(self) -> list[LedgerEntry]:
        return [ledger_from_json(r) for r in self._journal_view() if r["t"] == "ledger"]

    def ledger_since(self, since: datetime) -> list[LedgerEntry]:
        """The messages decided since that time (the digest's day)."""
        return [e for e in self.ledger() if e.decided_at >= since]

    # outbox: replies to send, and sent

    def next_outbox_seq(self) -> int:
        return max(self._outbox_seq, self._ensure_index().outbox_seq) + 1

    def enqueue(self, item: OutboxItem) -> None:
        """Queue a reply: its bytes go into the commit's pack, its record into the state."""
        self.tables.put("outbox", {**outbox_to_json(item), "body": self._pack_name()})
        self._bodies[item.id] = item.raw
        self._outbox_seq = max(self._outbox_seq, item.seq)
        if item.outcome not in NOT_REPLIES:
            self._ensure_index().replied(item.to, item.created_at)

    def outbox(self, *statuses: str) -> list[OutboxItem]:
        """Replies in sending order: those queued (with their bytes) and those sent or failed
        (without), all of them or those in the given states."""
        items: list[OutboxItem] = []
        for doc in self.tables.docs("outbox"):
            if not statuses or doc.get("status") in statuses:
                item = outbox_from_json(doc)
                migrated = self._migrated[1] if self._migrated is not None else {}
                item.raw = (self._bodies.get(item.id) or migrated.get(item.id)
                            or (self.bodies.read(str(doc["body"]), item.id) if doc.get("body") else b""))
                items.append(item)
        if not statuses or {"sent", "failed"} & set(statuses):
            queued = {i.id for i in items}
            for record in self._journal_view():
                if record["t"] == "delivered" and record["id"] not in queued and (
                        not statuses or record.get("status") in statuses):
                    items.append(outbox_from_json(record))
        return sorted(items, key=lambda i: i.seq)

    def update_outbox(self, item: OutboxItem) -> None:
        """A queued reply's new state; once sent or failed it leaves the state for the journal."""
        doc = self.tables.get("outbox", item.id)
        body = {"body": doc["body"]} if doc and doc.get("body") else {}
        if item.status in ("sent", "failed"):
            self._done = [i for i in self._done if i.id != item.id] + [item]
        self.tables.put("outbox", {**outbox_to_json(item), **body})

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
                item.status = "sent"
                item.sent_at = datetime.fromisoformat(when) if when else None
                item.next_attempt_at = None
                self._done.append(item)

    def replies_since(self, address: str, since: datetime) -> int:
        """How many automatic replies went (or will go) to this address since that time."""
        return self._ensure_index().replies_since(address, since)

    # what each message we sent was about (conversations)

    def remember_sent(self, sent: Sent) -> None:
        """Keep what a message we send is about, so that answers to it are read in that light."""
        self._ensure_index()
        self._record("sent", sent_to_json(sent))

    def sent(self, message_id: str) -> Sent | None:
        """Our message with this Message-ID, and what it was about."""
        return self._ensure_index().about(message_id)

    def sent_in_thread(self, to: str, thread: str) -> Sent | None:
        """Our latest message to this address whose subject has this thread key."""
        return self._ensure_index().in_thread(to, thread)

    def sent_records(self) -> list[dict[str, Any]]:
        """What every message we sent was about, as the store writes it (for the purge)."""
        return [{k: v for k, v in r.items() if k not in ("t", "b", "i")}
                for r in self._journal_view() if r["t"] == "sent"]

    # records: what `mailflow privacy purge` rewrites (applied to the journal at the commit)

    def rewrite_ledger(self, entries: list[LedgerEntry]) -> None:
        self._rewrites += [("ledger", ledger_to_json(e)) for e in entries]

    def rewrite_delivered(self, docs: list[Mapping[str, Any]]) -> None:
        self._rewrites += [("delivered", d) for d in docs]

    def rewrite_sent(self, docs: list[dict[str, Any]]) -> None:
        self._rewrites += [("sent", d) for d in docs]

    def replace_history(self, events: list[dict[str, Any]]) -> None:
        """The history rewritten as a whole, order kept (e.g. with addresses anonymised)."""
        self._rewrites.append(("history", {"events": events}))

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

    def forget_backup(self) -> None:
        """Make the `.bak` a copy of the committed store, so data just purged is not kept there."""
        bak = self.path.with_name(self.path.name + ".bak")
        if self.read_only or not bak.exists():
            return
        try:
            link_as(self.path, bak)
        except OSError as exc:
            raise StoreError(f"{bak} : impossible de remplacer la copie de sauvegarde : {exc} ; "
                             f"elle garde les données d’avant la purge, supprimez-la") from exc

    # groups drafted from ideas (`mailflow ideas draft`), merged into the configured ones by `state`

    def drafted_groups(self) -> dict[str, Group]:
        """Groups staff drafted from validated ideas, as first written (staff's changes are overrides)."""
        return {d["id"]: group_from_json(d) for d in self.tables.docs("drafted_groups")}

    def save_drafted_group(self, group: Group, extra: Mapping[str, Any] | None = None) -> None:
        """Keep a new group drafted from an idea; `extra` notes where it came from."""
        self.tables.put("drafted_groups", {**group_to_json(group), **(extra or {})})

    def outbox_docs(self) -> list[dict[str, Any]]:
        """Every reply as JSON, queued and sent, with the bytes of those still queued (base64,
        as records and the purge read them); a sent reply's bytes are not kept."""
        return [{**outbox_to_json(item), "raw_b64": base64.b64encode(item.raw).decode("ascii")}
                for item in self.outbox()]


@contextlib.contextmanager
def opened(path: Path, *, read_only: bool = False) -> Iterator[Store]:
    """A store for the duration of a block."""
    store = Store(path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()
