"""TinyDB behind a small interface: read once, one atomic write per commit, one writer at a time."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from . import store_schema
from .core.conversation import thread_subject
from .core.ideas import group_from_json, group_to_json
from .errors import StoreError, StoreLockedError
from .files import open_private, private_dir
from .model import (
    CallStatus,
    Candidature,
    CaseKind,
    Department,
    Figure,
    Group,
    Idea,
    Meeting,
    PendingAction,
    Profile,
    Question,
    QuestionStatus,
    Role,
    Scale,
    Sent,
    State,
    Status,
    Territory,
)

SCHEMA = 1


def link_as(source: Path, target: Path) -> None:
    """Make `target` a hard link to `source`, atomically (through a temporary link)."""
    tmp = target.with_name(f".{target.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.link(source, tmp)
    os.replace(tmp, target)
    # rename() between two links to one file does nothing: the temporary link would stay.
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()


class AtomicJSONStorage(Storage):
    """TinyDB storage kept in memory; `flush` writes a temp file, fsyncs and atomically replaces."""

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._data: dict[str, Any] | None = self._load()
        self.dirty = False

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path} : lecture impossible du magasin : {exc.strerror}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise self._damaged(f"octets qui ne sont pas de l’UTF-8 à la position {exc.start} "
                                "(un fichier tronqué ?)") from None
        except json.JSONDecodeError as exc:
            raise self._damaged(f"ce n’est pas du JSON valide ({exc.msg}, ligne {exc.lineno}, "
                                f"colonne {exc.colno})") from None
        if not isinstance(data, dict):
            raise self._damaged("le fichier ne contient pas un objet JSON")
        problem = store_schema.check(str(self.path), data)
        if problem:
            raise self._damaged(problem)
        return data

    def _damaged(self, what: str) -> StoreError:
        return StoreError(
            f"{self.path} : le magasin est endommagé : {what}. Rien n’a été modifié ; mailflow ne "
            f"démarre pas sur un magasin abîmé. La version précédente est gardée dans "
            f"{self.path.name}.bak : comparez les deux fichiers avant de la remettre à sa place.")

    def read(self) -> dict[str, Any] | None:
        return self._data

    @property
    def tmp_name(self) -> str:
        """The temporary file this process writes the next version to."""
        return f".{self.path.name}.{os.getpid()}.tmp"

    def write(self, data: dict[str, Any]) -> None:
        # Read-only stores still change in memory, so a dry run takes the same path as a run.
        self._data = data
        self.dirty = True

    def discard(self) -> None:
        """Forget changes made since the last flush."""
        self._data = self._load()
        self.dirty = False

    def flush(self) -> None:
        """Write everything at once: temp file, fsync, keep a .bak link, atomic replace."""
        if not self.dirty or self._data is None:
            return
        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only; nothing was written")
        tmp = self.path.with_name(self.tmp_name)
        try:
            private_dir(self.path.parent)
            fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._data, handle, ensure_ascii=False, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            if self.path.exists():
                link_as(self.path, self.path.with_name(self.path.name + ".bak"))
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
        self.dirty = False

    def close(self) -> None:
        pass


# --- values to JSON and back -------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def figure_to_json(f: Figure | None) -> float | dict[str, Any] | None:
    """An exact figure as a plain number (as older stores wrote it), a range as its ends."""
    if f is None:
        return None
    if f.is_exact and not f.said:
        return f.low
    return {"low": f.low, "high": None if f.high == float("inf") else f.high,
            "low_open": f.low_open, "high_open": f.high_open, "said": f.said}


def figure_from_json(d: Any) -> Figure | None:
    if d is None:
        return None
    if isinstance(d, int | float):
        return Figure.exact(float(d))
    high = d.get("high")
    return Figure(float(d["low"]), float("inf") if high is None else float(high),
                  bool(d.get("low_open")), bool(d.get("high_open")), str(d.get("said", "")))


def profile_to_json(p: Profile) -> dict[str, Any]:
    return {
        "name": p.name,
        "structure": p.structure,
        "role": p.role.value if p.role else None,
        "role_text": p.role_text,
        "department": p.department,
        "fte": figure_to_json(p.fte),
        "population": figure_to_json(p.population),
        "territories": sorted(t.value for t in p.territories),
        "not_territories": sorted(t.value for t in p.not_territories),
        "scale": p.scale.value if p.scale else None,
    }


def profile_from_json(d: Mapping[str, Any]) -> Profile:
    return Profile(
        name=d.get("name"),
        structure=d.get("structure"),
        role=Role(d["role"]) if d.get("role") else None,
        role_text=d.get("role_text"),
        department=d.get("department"),
        fte=figure_from_json(d.get("fte")),
        population=figure_from_json(d.get("population")),
        territories=frozenset(Territory(t) for t in d.get("territories", ())),
        not_territories=frozenset(Territory(t) for t in d.get("not_territories", ())),
        scale=Scale(d["scale"]) if d.get("scale") else None,
    )


def candidature_to_json(c: Candidature) -> dict[str, Any]:
    return {
        "id": c.id,
        "group_id": c.group_id,
        "email": c.email,
        "name": c.name,
        "profile": profile_to_json(c.profile),
        "status": c.status.value,
        "seq": c.seq,
        "received_at": _when(c.received_at),
        "message_key": c.message_key,
        "message_id": c.message_id,
        "subject": c.subject,
        "reason": c.reason,
        "missing": list(c.missing),
        "updated_at": _when(c.updated_at),
        "forced": c.forced,
        "in_person": c.in_person,
    }


def candidature_from_json(d: Mapping[str, Any]) -> Candidature:
    received = _parse_when(d["received_at"])
    assert received is not None
    return Candidature(
        id=d["id"],
        group_id=d["group_id"],
        email=d["email"],
        name=d.get("name"),
        profile=profile_from_json(d.get("profile", {})),
        status=Status(d["status"]),
        seq=int(d["seq"]),
        received_at=received,
        message_key=d.get("message_key", ""),
        message_id=d.get("message_id"),
        subject=d.get("subject", ""),
        reason=d.get("reason", ""),
        missing=tuple(d.get("missing", ())),
        updated_at=_parse_when(d.get("updated_at")),
        forced=bool(d.get("forced", False)),
        in_person=bool(d.get("in_person", False)),
    )


def idea_to_json(i: Idea) -> dict[str, Any]:
    return {
        "id": i.id,
        "seq": i.seq,
        "email": i.email,
        "name": i.name,
        "subject": i.subject,
        "summary": i.summary,
        "received_at": _when(i.received_at),
        "message_key": i.message_key,
        "attachments": list(i.attachments),
        "status": i.status,
        "message_id": i.message_id,
        "history": [list(event) for event in i.history],
        "note": i.note,
        "note_received_at": _when(i.note_received_at),
        "validated_on": i.validated_on.isoformat() if i.validated_on else None,
        "co_animated": i.co_animated,
        "declined_reason": i.declined_reason,
        "group_id": i.group_id,
        "updated_at": _when(i.updated_at),
    }


def idea_from_json(d: Mapping[str, Any]) -> Idea:
    received = _parse_when(d["received_at"])
    assert received is not None
    return Idea(
        id=d["id"],
        seq=int(d["seq"]),
        email=d["email"],
        name=d.get("name"),
        subject=d.get("subject", ""),
        summary=d.get("summary", ""),
        received_at=received,
        message_key=d.get("message_key", ""),
        attachments=tuple(d.get("attachments", ())),
        status=d.get("status", "received"),
        message_id=d.get("message_id"),
        history=tuple((str(w), str(what), str(who)) for w, what, who in d.get("history", ())),
        note=d.get("note", ""),
        note_received_at=_parse_when(d.get("note_received_at")),
        validated_on=date.fromisoformat(d["validated_on"]) if d.get("validated_on") else None,
        co_animated=d.get("co_animated"),
        declined_reason=d.get("declined_reason", ""),
        group_id=d.get("group_id"),
        updated_at=_parse_when(d.get("updated_at")),
    )


def pending_to_json(p: PendingAction) -> dict[str, Any]:
    return {"token_hash": p.token_hash, "kind": p.kind, "candidature_id": p.candidature_id,
            "email": p.email, "created_at": _when(p.created_at), "expires_at": _when(p.expires_at),
            "used_at": _when(p.used_at)}


def pending_from_json(d: Mapping[str, Any]) -> PendingAction:
    created, expires = _parse_when(d["created_at"]), _parse_when(d["expires_at"])
    assert created is not None and expires is not None
    return PendingAction(d["token_hash"], d["kind"], d["candidature_id"], d["email"], created,
                         expires, _parse_when(d.get("used_at")))


def question_to_json(q: Question) -> dict[str, Any]:
    return {"id": q.id, "seq": q.seq, "email": q.email, "name": q.name, "subject": q.subject,
            "text": q.text, "received_at": _when(q.received_at), "message_key": q.message_key,
            "message_id": q.message_id, "group_id": q.group_id, "about": q.about,
            "status": q.status.value, "answered_at": _when(q.answered_at),
            "answered_by": q.answered_by, "follow_ups": q.follow_ups}


def question_from_json(d: Mapping[str, Any]) -> Question:
    received = _parse_when(d["received_at"])
    assert received is not None
    return Question(
        id=d["id"], seq=int(d["seq"]), email=d["email"], name=d.get("name"),
        subject=d.get("subject", ""), text=d.get("text", ""), received_at=received,
        message_key=d.get("message_key", ""), message_id=d.get("message_id"),
        group_id=d.get("group_id"), about=d.get("about"),
        status=QuestionStatus(d.get("status", "open")), answered_at=_parse_when(d.get("answered_at")),
        answered_by=d.get("answered_by"), follow_ups=int(d.get("follow_ups", 0)))


def sent_to_json(s: Sent) -> dict[str, Any]:
    return {"message_id": s.message_id, "to": s.to, "subject": s.subject, "kind": s.kind.value,
            "case_id": s.case_id, "sent_at": _when(s.sent_at), "asked": list(s.asked),
            "group_id": s.group_id,
            "profile": profile_to_json(s.profile) if s.profile is not None else None}


def sent_from_json(d: Mapping[str, Any]) -> Sent:
    at = _parse_when(d["sent_at"])
    assert at is not None
    return Sent(message_id=d["message_id"], to=d["to"], subject=d.get("subject", ""),
                kind=CaseKind(d["kind"]), case_id=d["case_id"], sent_at=at,
                asked=tuple(d.get("asked", ())), group_id=d.get("group_id"),
                profile=profile_from_json(d["profile"]) if d.get("profile") else None)


@dataclass
class OutboxItem:
    """A rendered message waiting to be sent, or sent, with its fixed Message-ID."""

    id: str
    seq: int
    to: list[str]
    outcome: str
    message_key: str
    created_at: datetime
    raw: bytes
    subject: str = ""
    status: str = "pending"  # pending → sending → sent, or failed
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    alerted: bool = False  # staff were told it is late

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "to": self.to,
            "outcome": self.outcome,
            "message_key": self.message_key,
            "created_at": _when(self.created_at),
            "raw_b64": base64.b64encode(self.raw).decode("ascii"),
            "subject": self.subject,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "sent_at": _when(self.sent_at),
            "next_attempt_at": _when(self.next_attempt_at),
            "alerted": self.alerted,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OutboxItem:
        created = _parse_when(d["created_at"])
        assert created is not None
        return cls(
            id=d["id"],
            seq=int(d["seq"]),
            to=list(d["to"]),
            outcome=d["outcome"],
            message_key=d["message_key"],
            created_at=created,
            raw=base64.b64decode(d["raw_b64"]),
            subject=d.get("subject", ""),
            status=d.get("status", "pending"),
            attempts=int(d.get("attempts", 0)),
            last_error=d.get("last_error", ""),
            sent_at=_parse_when(d.get("sent_at")),
            next_attempt_at=_parse_when(d.get("next_attempt_at")),
            alerted=bool(d.get("alerted", False)),
        )


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
    replies: list[str] = field(default_factory=list)
    #: The idea whose attachments this message carries: kept after the commit, and again by a
    #: replay when the process died before they were all on disk.
    attachments_of: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "sha256": self.sha256,
            "message_id": self.message_id,
            "sender": self.sender,
            "subject": self.subject,
            "outcome": self.outcome,
            "summary": self.summary,
            "decided_at": _when(self.decided_at),
            "folder": self.folder,
            "replies": self.replies,
            "attachments_of": self.attachments_of,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> LedgerEntry:
        decided = _parse_when(d["decided_at"])
        assert decided is not None
        return cls(
            key=d["key"],
            sha256=d["sha256"],
            message_id=d.get("message_id"),
            sender=d.get("sender"),
            subject=d.get("subject", ""),
            outcome=d["outcome"],
            summary=d.get("summary", ""),
            decided_at=decided,
            folder=d.get("folder", "processed"),
            replies=list(d.get("replies", ())),
            attachments_of=d.get("attachments_of"),
        )


def apply_overrides(groups: dict[str, Group], overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Group]:
    """The groups as staff changed them: the store's values win over the configuration's."""
    result: dict[str, Group] = {}
    for group_id, group in groups.items():
        o = overrides.get(group_id, {})
        meeting = group.first_meeting
        if "meeting_starts_at" in o or "meeting_place" in o or "meeting_sequence" in o:
            starts = _parse_when(o.get("meeting_starts_at")) or meeting.starts_at
            meeting = Meeting(starts, o.get("meeting_place") or meeting.place,
                              int(o.get("meeting_sequence", meeting.sequence)))
        closes_at = _parse_when(o["closes_at"]) if "closes_at" in o else group.closes_at
        result[group_id] = replace(
            group,
            call=CallStatus(o["call"]) if "call" in o else group.call,
            capacity=int(o.get("capacity", group.capacity)),
            closes_at=closes_at,
            first_meeting=meeting,
        )
    return result


# --- replies the server accepted, recorded at once ----------------------------------------


class AcceptedLog:
    """An append-only file of the replies a server accepted (its `250`), one fsync each.

    Sending is the one step that cannot be undone: the moment the server takes a reply, its
    Message-ID is appended here and synced, before any other network step (the Sent copy comes
    after). A restart reads it and never sends those again, so a reply can go twice only if the
    process dies between the server's answer and that one local fsync. Once a commit has written
    the replies as sent in the store, the log is emptied.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def read(self) -> dict[str, str]:
        """Message-ID → when it was accepted; a line torn by a crash mid-write is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read: {exc.strerror}") from None
        accepted: dict[str, str] = {}
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                accepted[entry["id"]] = str(entry.get("at", ""))
        return accepted

    def append(self, message_id: str, at: datetime) -> None:
        """Record one accepted reply durably before anything else happens."""
        line = json.dumps({"id": message_id, "at": at.isoformat()}, ensure_ascii=True) + "\n"
        try:
            if self._fd is None:
                self._fd = open_private(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.write(self._fd, line.encode("ascii"))
            os.fsync(self._fd)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot record a sent reply: {exc.strerror}") from exc

    def clear(self) -> None:
        """Empty the log once the store holds what it told."""
        try:
            if self._fd is not None:
                os.ftruncate(self._fd, 0)
                os.fsync(self._fd)
            elif self.path.exists():
                with self.path.open("r+b") as handle:
                    handle.truncate(0)
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot empty: {exc.strerror}") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# --- the store ---------------------------------------------------------------------------


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells that another process replaced the file: inode, size, modification time."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def take_lock(path: Path, wait: float, message: str) -> Any:
    """An exclusive lock on `path`, waiting up to `wait` seconds; StoreLockedError names the holder."""
    private_dir(path.parent)
    handle = os.fdopen(open_private(path, os.O_RDWR | os.O_CREAT), "r+")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise StoreLockedError(message.format(holder=holder)) from None
            time.sleep(0.05)
    handle.seek(0)
    handle.truncate()
    handle.write(f"mailflow pid {os.getpid()}\n")
    handle.flush()
    return handle


class Store:
    """The state on disk. Changes stay in memory until `commit`; `rollback` drops them.

    A read-only store takes no lock and refuses to commit: dry runs and reports use it.
    """

    def __init__(self, path: Path, *, read_only: bool = False, hold_lock: bool = True,
                 wait: float = 0.0) -> None:
        self.path = path
        self.read_only = read_only
        self._lock_handle: Any = None
        if not read_only and hold_lock:
            self._lock(wait)
        try:
            self._db = TinyDB(str(path), storage=AtomicJSONStorage, read_only=read_only)
        except BaseException:
            self._unlock()
            raise
        storage = self._db.storage
        assert isinstance(storage, AtomicJSONStorage)
        self._storage = storage
        meta = self._db.table("meta").get(doc_id=1)
        if meta is not None and meta.get("schema", SCHEMA) > SCHEMA:
            self.close()
            raise StoreError(f"{path}: written by a newer mailflow (schema {meta['schema']})")
        self._ledger_keys: set[str] = set()
        self._ledger_hashes: set[str] = set()
        self._ledger_ids: set[str] = set()
        self._quarantined: set[str] = set()
        self._accepted = AcceptedLog(path.with_name(path.name + ".sent"))
        self._logged = False  # the accepted log holds lines the store file does not hold yet
        try:
            self._reindex()
        except BaseException:
            self.close()
            raise
        self._stamp = _stamp(path)

    def clean_leftovers(self) -> list[Path]:
        """Remove temporary files a killed process left beside the store (call with the lock held).

        Only this store's own patterns: a copy being written (`.NAME.PID.tmp`) and the link made
        for the backup (`.NAME.bak.tmp`); while the lock is held, nobody else is writing them.
        """
        removed: list[Path] = []
        pattern = re.compile(rf"^\.{re.escape(self.path.name)}\.(\d+|bak)\.tmp$")
        try:
            entries = list(self.path.parent.iterdir())
        except FileNotFoundError:
            return removed
        for entry in entries:
            if pattern.match(entry.name) and entry.name != self._storage.tmp_name:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
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
            yield self
        finally:
            self._unlock()

    def refresh(self) -> None:
        """Read the store again if its file changed since this process last read or wrote it."""
        stamp = _stamp(self.path)
        if stamp != self._stamp:
            self._storage.discard()
            self._db.clear_cache()
            self._reindex()
            self._stamp = stamp

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
        """Write every change since the last commit in one atomic replace."""
        if self._logged:
            self._apply_accepted()  # whatever was logged is written as sent before the log goes
        self._storage.flush()
        self._stamp = _stamp(self.path)
        if self._logged and not self.read_only:
            self._accepted.clear()  # the store file now says they were sent
            self._logged = False

    def rollback(self) -> None:
        """Drop every change since the last commit."""
        self._storage.discard()
        self._db.clear_cache()
        self._reindex()

    def _reindex(self) -> None:
        """Index the ledger in memory: lookups by key, hash and Message-ID are constant time."""
        self._ledger_keys.clear()
        self._ledger_hashes.clear()
        self._ledger_ids.clear()
        self._quarantined.clear()
        for doc in self._db.table("ledger").all():
            self._index(doc)
        self._sent: dict[str, Mapping[str, Any]] = {d["message_id"]: d
                                                    for d in self._db.table("sent").all()}
        self._sent_subjects = {(d["to"], thread_subject(d["subject"])): d["message_id"]
                               for d in sorted(self._sent.values(), key=lambda d: d["sent_at"])}
        # The outbox's last sequence number, kept so that queuing a reply does not scan the outbox.
        self._outbox_seq = max((int(d["seq"]) for d in self._db.table("outbox").all()), default=0)
        self._apply_accepted()

    def _apply_accepted(self) -> None:
        """Replies the log says a server accepted are sent, whatever the store file says."""
        accepted = self._accepted.read()
        if not accepted:
            return
        table = self._db.table("outbox")
        for doc in table.search(Query().id.one_of(list(accepted))):
            if doc.get("status") in ("pending", "sending"):
                table.update({"status": "sent", "sent_at": accepted[doc["id"]] or None,
                              "next_attempt_at": None}, doc_ids=[doc.doc_id])
        self._logged = True

    # state

    def group_overrides(self) -> dict[str, dict[str, Any]]:
        """What staff changed in each group since the configuration (call, capacity, meeting)."""
        return {d["id"]: dict(d) for d in self._db.table("groups").all()}

    def set_group_override(self, group_id: str, changes: Mapping[str, Any]) -> None:
        table = self._db.table("groups")
        current = table.get(Query().id == group_id)
        merged = {**(dict(current) if current else {"id": group_id}), **changes}
        table.upsert(merged, Query().id == group_id)

    def state(self, groups: dict[str, Group], departments: dict[str, Department]) -> State:
        """The decision state: configuration, staff's changes to it, and what the store holds."""
        drafted = {k: g for k, g in self.drafted_groups().items() if k not in groups}
        groups = apply_overrides({**groups, **drafted}, self.group_overrides())
        cands = tuple(
            sorted(
                (candidature_from_json(d) for d in self._db.table("candidatures").all()),
                key=lambda c: c.seq,
            )
        )
        ideas = tuple(
            sorted((idea_from_json(d) for d in self._db.table("ideas").all()), key=lambda i: i.seq)
        )
        pending = tuple(pending_from_json(d) for d in self._db.table("pending").all())
        questions = tuple(sorted((question_from_json(d) for d in self._db.table("questions").all()),
                                 key=lambda q: q.seq))
        return State(groups=groups, departments=departments, candidatures=cands, ideas=ideas,
                     next_seq=int(self.meta("next_seq") or 1), pending=pending,
                     questions=questions)

    def save_state(self, before: State, after: State) -> None:
        """Record what changed between two states (candidatures, ideas, sequence)."""
        old = {c.id: c for c in before.candidatures}
        table = self._db.table("candidatures")
        changed = [c for c in after.candidatures if old.get(c.id) != c]
        for cand in changed:
            table.upsert(candidature_to_json(cand), Query().id == cand.id)
        old_ideas = {i.id: i for i in before.ideas}
        for idea in after.ideas:  # new ideas inserted, changed ones (a later status) replaced
            if old_ideas.get(idea.id) != idea:
                self._db.table("ideas").upsert(idea_to_json(idea), Query().id == idea.id)
        old_pending = set(before.pending)
        for action in after.pending:
            if action not in old_pending:
                self._db.table("pending").upsert(pending_to_json(action),
                                                 Query().token_hash == action.token_hash)
        old_questions = {q.id: q for q in before.questions}
        for question in after.questions:
            if old_questions.get(question.id) != question:
                self._db.table("questions").upsert(question_to_json(question),
                                                   Query().id == question.id)
        if after.next_seq != before.next_seq:
            self.set_meta("next_seq", after.next_seq)

    # what each message we sent was about (conversations)

    def remember_sent(self, sent: Sent) -> None:
        """Keep what a message we send is about, so that answers to it are read in that light."""
        doc = sent_to_json(sent)
        self._db.table("sent").insert(doc)
        self._sent[sent.message_id] = doc
        self._sent_subjects[sent.to, thread_subject(sent.subject)] = sent.message_id

    def sent_records(self) -> list[dict[str, Any]]:
        """What every message we sent was about, as the store writes it (for the purge)."""
        return [dict(d) for d in self._db.table("sent").all()]

    def rewrite_sent(self, docs: list[dict[str, Any]]) -> None:
        """Replace records of sent messages (matched by Message-ID), e.g. anonymised."""
        table = self._db.table("sent")
        for doc in docs:
            table.update(doc, Query().message_id == doc["message_id"])
        if docs:
            self._reindex()

    def sent(self, message_id: str) -> Sent | None:
        """Our message with this Message-ID, and what it was about."""
        doc = self._sent.get(message_id)
        return sent_from_json(doc) if doc is not None else None

    def sent_with_subject(self, to: str, subject: str) -> Sent | None:
        """Our latest message to this address under this subject (prefixes and codes aside)."""
        message_id = self._sent_subjects.get((to, thread_subject(subject)))
        return self.sent(message_id) if message_id else None

    # history of staff actions

    def record_history(self, event: Mapping[str, Any]) -> None:
        self._db.table("history").insert(dict(event))

    def history(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self._db.table("history").all()]

    # settings the daemon keeps between runs

    def meta(self, key: str) -> Any:
        doc: Mapping[str, Any] = self._db.table("meta").get(doc_id=1) or {}
        return doc.get(key)

    def set_meta(self, key: str, value: Any) -> None:
        table = self._db.table("meta")
        if table.get(doc_id=1) is None:
            table.insert({"schema": SCHEMA})
        table.update({key: value}, doc_ids=[1])

    # ledger

    def _index(self, doc: Mapping[str, Any]) -> None:
        self._ledger_keys.add(doc["key"])
        if doc.get("folder", "processed") != "processed":
            self._quarantined.add(doc["sha256"])
            return  # a quarantined message put back in the inbox by staff is read again
        self._ledger_hashes.add(doc["sha256"])
        if doc.get("message_id"):
            self._ledger_ids.add(doc["message_id"])

    def ledger_entry(self, key: str) -> LedgerEntry | None:
        """The record of a message by its arrival key."""
        if key not in self._ledger_keys:
            return None
        doc = self._db.table("ledger").get(Query().key == key)
        return LedgerEntry.from_json(doc) if doc else None

    def seen_before(self, sha256: str, message_id: str | None) -> bool:
        """Whether the same message (same bytes, or same Message-ID) was already decided."""
        return sha256 in self._ledger_hashes or bool(message_id and message_id in self._ledger_ids)

    def quarantined_before(self, sha256: str) -> bool:
        """Whether these very bytes were quarantined once: staff put the message back."""
        return sha256 in self._quarantined

    def record(self, entry: LedgerEntry) -> None:
        doc = entry.to_json()
        self._db.table("ledger").insert(doc)
        self._index(doc)

    def ledger(self) -> list[LedgerEntry]:
        return [LedgerEntry.from_json(d) for d in self._db.table("ledger").all()]

    # outbox

    def next_outbox_seq(self) -> int:
        return self._outbox_seq + 1

    def enqueue(self, item: OutboxItem) -> None:
        self._db.table("outbox").insert(item.to_json())
        self._outbox_seq = max(self._outbox_seq, item.seq)

    def outbox(self, *statuses: str) -> list[OutboxItem]:
        """Outbox items in sending order, all of them or those in the given states."""
        docs = self._db.table("outbox").all()
        items = [OutboxItem.from_json(d) for d in docs if not statuses or d["status"] in statuses]
        return sorted(items, key=lambda i: i.seq)

    def accepted(self, message_id: str, at: datetime) -> None:
        """The server took this reply: say so on disk at once (see AcceptedLog)."""
        if self.read_only:
            return
        self._accepted.append(message_id, at)
        self._logged = True

    def update_outbox(self, item: OutboxItem) -> None:
        self._db.table("outbox").update(item.to_json(), Query().id == item.id)

    def replies_since(self, address: str, since: datetime) -> int:
        """How many automatic replies went (or will go) to this address since that time."""
        return sum(
            1 for d in self._db.table("outbox").all()
            if address in d["to"] and d["outcome"] != "staff-alert"
            and datetime.fromisoformat(d["created_at"]) >= since
        )

    # records: what `mailflow privacy purge` rewrites

    def rewrite_ledger(self, entries: list[LedgerEntry]) -> None:
        """Replace records of messages (matched by key), e.g. anonymised; lookups follow."""
        table = self._db.table("ledger")
        for entry in entries:
            table.update(entry.to_json(), Query().key == entry.key)
        self._reindex()

    def replace_history(self, events: list[dict[str, Any]]) -> None:
        """The history rewritten as a whole, order kept (e.g. with addresses anonymised)."""
        table = self._db.table("history")
        table.truncate()
        table.insert_multiple(dict(e) for e in events)

    def forget_backup(self) -> None:
        """Make the `.bak` a copy of the committed store, so data just purged is not kept there."""
        bak = self.path.with_name(self.path.name + ".bak")
        if self.read_only or not bak.exists():
            return
        try:
            link_as(self.path, bak)
        except OSError as exc:
            raise StoreError(f"{bak}: cannot replace the backup: {exc}; it still holds the data "
                             f"before the purge, delete it by hand") from exc


    # groups drafted from ideas (`mailflow ideas draft`), merged into the configured ones by `state`

    def drafted_groups(self) -> dict[str, Group]:
        """Groups staff drafted from validated ideas, as first written (staff's changes are overrides)."""
        return {d["id"]: group_from_json(d) for d in self._db.table("drafted_groups").all()}

    def save_drafted_group(self, group: Group, extra: Mapping[str, Any] | None = None) -> None:
        """Keep a new group drafted from an idea; `extra` notes where it came from."""
        self._db.table("drafted_groups").upsert({**group_to_json(group), **(extra or {})},
                                                Query().id == group.id)


@contextlib.contextmanager
def opened(path: Path, *, read_only: bool = False) -> Iterator[Store]:
    """A store for the duration of a block."""
    store = Store(path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()
