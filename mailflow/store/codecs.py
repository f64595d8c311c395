"""The store's records as JSON and back: every value the store writes, in one place."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from ..model.values import (
    CallStatus,
    Candidature,
    CaseKind,
    Criteria,
    DeliveryStatus,
    Figure,
    Group,
    Idea,
    IdeaStatus,
    Meeting,
    PendingAction,
    Profile,
    Question,
    QuestionStatus,
    Role,
    Scale,
    Sent,
    Status,
    Territory,
)
from ..ports import LedgerEntry, OutboxItem

DRAFT_REQUIRED = ("name", "structure", "role", "department")


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
    found = {"low": f.low, "high": None if f.high == float("inf") else f.high,
             "low_open": f.low_open, "high_open": f.high_open, "said": f.said}
    return {**found, "people": True} if f.people else found


def figure_from_json(d: Any) -> Figure | None:
    if d is None:
        return None
    if isinstance(d, int | float):
        return Figure.exact(float(d))
    high = d.get("high")
    return Figure(float(d["low"]), float("inf") if high is None else float(high),
                  bool(d.get("low_open")), bool(d.get("high_open")), str(d.get("said", "")),
                  bool(d.get("people")))


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
        "seat": c.seat,
        **({"registered_by": c.registered_by} if c.registered_by else {}),
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
        seat=int(d["seat"]) if d.get("seat") is not None else None,
        registered_by=d.get("registered_by"),
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
        "status": i.status.value,
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
        status=IdeaStatus(d.get("status", "received")),
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
    # The field keeps the name the first stores gave it (then always a candidature's id).
    return {"token_hash": p.token_hash, "kind": p.kind, "candidature_id": p.target,
            "email": p.email, "created_at": _when(p.created_at), "expires_at": _when(p.expires_at),
            "used_at": _when(p.used_at), "payload": p.payload}


def pending_from_json(d: Mapping[str, Any]) -> PendingAction:
    created, expires = _parse_when(d["created_at"]), _parse_when(d["expires_at"])
    assert created is not None and expires is not None
    return PendingAction(d["token_hash"], d["kind"], d["candidature_id"], d["email"], created,
                         expires, _parse_when(d.get("used_at")), str(d.get("payload") or ""))


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
    # The subject is the delivered reply's (in its own record): the thread key is what counts.
    return {"message_id": s.message_id, "to": s.to, "thread": s.thread,
            "kind": s.kind.value,
            "case_id": s.case_id, "sent_at": _when(s.sent_at), "asked": list(s.asked),
            "group_id": s.group_id,
            "profile": profile_to_json(s.profile) if s.profile is not None else None,
            **({"colleague": s.colleague} if s.colleague else {})}


def sent_from_json(d: Mapping[str, Any]) -> Sent:
    at = _parse_when(d["sent_at"])
    assert at is not None
    return Sent(message_id=d["message_id"], to=d["to"], subject=d.get("subject", ""),
                thread=d.get("thread", ""),
                kind=CaseKind(d["kind"]), case_id=d["case_id"], sent_at=at,
                asked=tuple(d.get("asked", ())), group_id=d.get("group_id"),
                profile=profile_from_json(d["profile"]) if d.get("profile") else None,
                colleague=d.get("colleague"))


def outbox_to_json(item: OutboxItem) -> dict[str, Any]:
    """A reply as the store keeps it: everything but its bytes (their hash instead)."""
    return {
        "id": item.id,
        "seq": item.seq,
        "to": item.to,
        "outcome": item.outcome,
        "message_key": item.message_key,
        "created_at": _when(item.created_at),
        "sha256": item.sha256 or hashlib.sha256(item.raw).hexdigest(),
        "subject": item.subject,
        "status": item.status.value,
        "attempts": item.attempts,
        "last_error": item.last_error,
        "sent_at": _when(item.sent_at),
        "next_attempt_at": _when(item.next_attempt_at),
        "alerted": item.alerted,
        "group": item.group,
    }


def outbox_from_json(d: Mapping[str, Any]) -> OutboxItem:
    created = _parse_when(d["created_at"])
    assert created is not None
    return OutboxItem(
        id=d["id"],
        seq=int(d["seq"]),
        to=list(d["to"]),
        outcome=d["outcome"],
        message_key=d["message_key"],
        created_at=created,
        raw=base64.b64decode(d["raw_b64"]) if d.get("raw_b64") else b"",
        subject=d.get("subject", ""),
        sha256=d.get("sha256", ""),
        status=DeliveryStatus(d.get("status", "pending")),
        attempts=int(d.get("attempts", 0)),
        last_error=d.get("last_error", ""),
        sent_at=_parse_when(d.get("sent_at")),
        next_attempt_at=_parse_when(d.get("next_attempt_at")),
        alerted=bool(d.get("alerted", False)),
        group=d.get("group"),
    )


def ledger_to_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "sha256": entry.sha256,
        "message_id": entry.message_id,
        "sender": entry.sender,
        "subject": entry.subject,
        "outcome": entry.outcome,
        "summary": entry.summary,
        "decided_at": _when(entry.decided_at),
        "folder": entry.folder,
        "attachments_of": entry.attachments_of,
        "group": entry.group,
    }


def ledger_from_json(d: Mapping[str, Any]) -> LedgerEntry:
    decided = _parse_when(d["decided_at"])
    assert decided is not None
    return LedgerEntry(
        key=d["key"],
        sha256=d["sha256"],
        message_id=d.get("message_id"),
        sender=d.get("sender"),
        subject=d.get("subject", ""),
        outcome=d["outcome"],
        summary=d.get("summary", ""),
        decided_at=decided,
        folder=d.get("folder", "processed"),
        attachments_of=d.get("attachments_of"),
        group=d.get("group"),
    )


#: Journal fields written even when empty: a null group says « about no group », where its
#: absence says « written before records named their group ».
_ALWAYS = frozenset({"group", "co_animated"})


def lean(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record without the fields that say nothing (null, empty, zero, false, the default
    folder), its profile too: readers take those as the defaults. Years of records stay small.
    `co_animated` keeps its false (« not co-animated » is not « not decided yet »)."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if k == "profile" and isinstance(v, Mapping):
            v = lean(v)
        if k in _ALWAYS or not (v is None or v == "" or v == [] or v == {} or v is False
                                or (v == 0 and not isinstance(v, bool) and k != "seq")
                                or (k == "folder" and v == "processed")):
            out[k] = v
    return out


# --- groups drafted from ideas (the `drafted_groups` table) -------------------------------------


def group_to_json(g: Group) -> dict[str, Any]:
    """A group as a JSON document."""
    c = g.criteria
    return {
        "id": g.id, "title": g.title, "aliases": list(g.aliases), "context": g.context,
        "objectives": list(g.objectives), "participants": g.participants,
        "capacity": g.capacity, "quota_coastal": g.quota_coastal, "quota_inland": g.quota_inland,
        "criteria": {
            "roles": [r.value for r in c.roles] if c.roles is not None else None,
            "excluded_territories": [t.value for t in c.excluded_territories],
            "scale": c.scale.value if c.scale else None,
            "fte_below": c.fte_below, "max_population": c.max_population,
        },
        "required": list(g.required),
        "first_meeting": {"starts_at": g.first_meeting.starts_at.isoformat(),
                          "place": g.first_meeting.place,
                          "sequence": g.first_meeting.sequence},
        "commitment": g.commitment, "call": g.call.value,
        "closes_at": g.closes_at.isoformat() if g.closes_at else None,
    }


def group_from_json(d: Mapping[str, Any]) -> Group:
    """A group from the document `group_to_json` wrote."""
    c = d.get("criteria") or {}
    meeting = d["first_meeting"]
    roles = c.get("roles")
    return Group(
        id=d["id"], title=d["title"], aliases=tuple(d.get("aliases", ())),
        context=d.get("context", ""), objectives=tuple(d.get("objectives", ())),
        participants=d.get("participants", ""), capacity=int(d["capacity"]),
        quota_coastal=d.get("quota_coastal"), quota_inland=d.get("quota_inland"),
        criteria=Criteria(
            roles=tuple(Role(r) for r in roles) if roles is not None else None,
            excluded_territories=tuple(Territory(t) for t in c.get("excluded_territories", ())),
            scale=Scale(c["scale"]) if c.get("scale") else None,
            fte_below=c.get("fte_below"), max_population=c.get("max_population"),
        ),
        required=tuple(d.get("required", DRAFT_REQUIRED)),
        first_meeting=Meeting(datetime.fromisoformat(meeting["starts_at"]), meeting["place"],
                              int(meeting.get("sequence", 0))),
        commitment=d.get("commitment", ""), call=CallStatus(d.get("call", "draft")),
        closes_at=datetime.fromisoformat(d["closes_at"]) if d.get("closes_at") else None,
    )


# --- staff's changes to groups (the `groups` table) -----------------------------------------


def _override_when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def with_overrides(groups: Mapping[str, Group],
                   overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Group]:
    """The groups as staff changed them: the store's values win over the configuration's."""
    result: dict[str, Group] = {}
    for group_id, group in groups.items():
        o = overrides.get(group_id, {})
        meeting = group.first_meeting
        if "meeting_starts_at" in o or "meeting_place" in o or "meeting_sequence" in o:
            starts = _override_when(o.get("meeting_starts_at")) or meeting.starts_at
            meeting = Meeting(starts, o.get("meeting_place") or meeting.place,
                              int(o.get("meeting_sequence", meeting.sequence)))
        closes_at = _override_when(o["closes_at"]) if "closes_at" in o else group.closes_at
        call = CallStatus(o["call"]) if "call" in o else group.call
        changed = o.get("changed")
        changed = changed if isinstance(changed, Mapping) else {}
        when_call = changed.get("call")
        when_call = when_call if isinstance(when_call, Mapping) else {}
        result[group_id] = replace(
            group,
            call=call,
            capacity=int(o.get("capacity", group.capacity)),
            closes_at=closes_at,
            first_meeting=meeting,
            # A call staff opened: mail that arrived before it is no candidature to it.
            opened_at=_override_when(when_call.get("at")) if call is CallStatus.OPEN else None,
        )
    return result
