"""The store, record by record, over its files (see `disk` for the files and the protocol)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..errors import StoreError
from ..model.review import Review
from ..model.seats import seats
from ..model.values import DeliveryStatus, Department, Group, Sent, State
from ..ports import LedgerEntry, OutboxItem
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
from .disk import DiskStore
from .files import link_as
from .index import NOT_REPLIES
from .reviews import review_from_json, review_to_json

#: A reply's states once it left the queue: its record moves to the journal.
DONE = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.DROPPED)


class Store(DiskStore):
    """The state on disk, record by record: candidatures and the rest of the state, messages
    handled, replies to send and sent, what they were about, the history, the purge."""

    #: Candidatures given their place when read (recorded before places were kept): written with
    #: the next change.
    _unsaved_seats: set[str] = set()  # noqa: RUF012 (replaced, never changed in place)

    # state

    def group_overrides(self) -> dict[str, dict[str, Any]]:
        """What staff changed in each group since the configuration (call, capacity, meeting)."""
        return {d["id"]: dict(d) for d in self.tables.docs("groups")}

    def set_group_override(self, group_id: str, changes: Mapping[str, Any], *,
                           at: datetime | None = None, by: str | None = None) -> None:
        """Staff's change to a group, in force over the configuration; `at` and `by` are kept
        with each setting changed, so that what overrides the file can say when and by whom."""
        current = self.tables.get("groups", group_id) or {"id": group_id}
        changed = dict(current.get("changed") or {})
        if at is not None:
            origin = {"at": at.isoformat(), **({"by": by} if by else {})}
            changed.update({key: origin for key in changes if key != "meeting_sequence"})
        self.tables.put("groups", {**current, **changes, **({"changed": changed} if changed else {})})

    def reset_group_override(self, group_id: str, fields: Iterable[str]) -> None:
        """Drop staff's change to these settings of a group: the configuration's values again."""
        current = self.tables.get("groups", group_id)
        if current is None:
            return
        dropped = set(fields)
        kept = {k: v for k, v in current.items() if k not in dropped}
        changed = {k: v for k, v in (current.get("changed") or {}).items() if k not in dropped}
        kept.pop("changed", None)
        if changed:
            kept["changed"] = changed
        if set(kept) == {"id"}:
            self.tables.delete("groups", group_id)
        else:
            self.tables.put("groups", kept)

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
        numbers = self.meta("numbers")  # absent in a store from before the series: the state
        numbers = numbers if isinstance(numbers, dict) else {}  # counts from the ids given
        state = State(groups=groups, departments=departments, candidatures=cands, ideas=ideas,
                      next_seq=int(self.meta("next_seq") or 1), pending=pending,
                      questions=questions, numbers={k: int(v) for k, v in numbers.items()})
        return self._seated(state)

    def _seated(self, state: State) -> State:
        """Holders recorded before places were kept get theirs, in arrival order, written with
        the next change the store records (so that they never move again)."""
        unseated = [c for c in state.candidatures if c.status.holds_place and c.seat is None]
        if not unseated:
            return state
        given = {g: seats(state.of_group, g) for g in {c.group_id for c in unseated}}
        self._unsaved_seats = {c.id for c in unseated}
        return state.with_candidatures(*(replace(c, seat=given[c.group_id][c.id]) for c in unseated))

    def save_state(self, before: State, after: State) -> None:
        """Record what changed between two states (candidatures, ideas, questions, sequence)."""
        self._save(before.candidatures, after.candidatures, "candidatures", candidature_to_json)
        for cand in after.candidatures:  # places given to old records when they were read
            if cand.id in self._unsaved_seats and cand == (before.candidature(cand.id) or cand):
                self.tables.put("candidatures", lean(candidature_to_json(cand)))
        self._unsaved_seats = set()
        self._save(before.ideas, after.ideas, "ideas", idea_to_json)
        self._save(before.questions, after.questions, "questions", question_to_json)
        old_pending = set(before.pending)
        for action in after.pending:
            if action not in old_pending:
                self.tables.put("pending", lean(pending_to_json(action)))
        if after.next_seq != before.next_seq:
            self.set_meta("next_seq", after.next_seq)
        if after.numbers != before.numbers:
            self.set_meta("numbers", after.numbers)

    def _save(self, before: Iterable[Any], after: Iterable[Any], table: str, codec: Any) -> None:
        old = {r.id: r for r in before}
        for record in after:
            if old.get(record.id) != record:
                self.tables.put(table, lean(codec(record)))

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

    def decided_any(self) -> bool:
        """Whether any message was ever decided here (a store in use, not a first start)."""
        return self._ensure_index().decided_any()

    def quarantined_before(self, sha256: str) -> bool:
        """Whether these very bytes were quarantined once: staff put the message back."""
        return self._ensure_index().quarantined(sha256)

    def record(self, entry: LedgerEntry) -> None:
        self._ensure_index()
        self._record("ledger", ledger_to_json(entry))

    def put_back(self, key: str, sha256: str, by: str, at: datetime) -> None:
        """Staff put a quarantined message back: its key is no longer decided (a Maildir keeps
        the message's name), and its bytes are staff's to vouch for (see `quarantined_before`)."""
        self._ensure_index()
        self._record("released", {"key": key, "sha256": sha256, "by": by, "at": at.isoformat()})

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

    def outbox(self, *statuses: DeliveryStatus) -> list[OutboxItem]:
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
        if not statuses or set(DONE) & set(statuses):
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
        if item.status in DONE:
            self._done = [i for i in self._done if i.id != item.id] + [item]
        self.tables.put("outbox", {**outbox_to_json(item), **body})

    def rewrite_queued(self, item: OutboxItem) -> None:
        """A queued reply's new bytes (a reviewer's text in its draft's place) and state: the
        bytes go into the commit's pack, as when it was queued."""
        self.tables.put("outbox", {**outbox_to_json(item), "body": self._pack_name()})
        self._bodies[item.id] = item.raw

    # replies held for review

    def reviews(self) -> list[Review]:
        """Replies waiting for a reviewer, and those settled lately (for the trust figures)."""
        return sorted((review_from_json(d) for d in self.tables.docs("reviews")), key=lambda r: r.number)

    def put_review(self, review: Review) -> None:
        self.tables.put("reviews", review_to_json(review))

    def drop_review(self, review_id: str) -> None:
        """Forget a settled review (no longer counted in the trust figures)."""
        self.tables.delete("reviews", review_id)

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
