"""What every record of the store must hold, checked when it is read: fields, types, values."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ..model.enums import ReviewFate
from ..model.values import (
    CallStatus,
    CaseKind,
    DeliveryStatus,
    IdeaStatus,
    QuestionStatus,
    Role,
    Scale,
    Status,
    Territory,
)

Check = Callable[[Any], str]  # "" when the value is right, else what is wrong with it


def _kind(name: str, test: Callable[[Any], bool], optional: bool = False) -> Check:
    def check(value: Any) -> str:
        if value is None and optional:
            return ""
        return "" if test(value) else f"devrait être {name}, trouvé {_shown(value)}"
    return check


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _is_when(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_day(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _one_of(values: type[enum.Enum], optional: bool = False) -> Check:
    allowed = [str(v.value) for v in values]
    return _kind(f"l’une des valeurs {', '.join(allowed)}", lambda v: v in allowed, optional)


def _list_of(values: type[enum.Enum]) -> Check:
    allowed = {str(v.value) for v in values}
    return _kind(f"une liste parmi {', '.join(sorted(allowed))}",
                 lambda v: isinstance(v, list) and all(x in allowed for x in v))


TEXT = _kind("du texte", lambda v: isinstance(v, str))
TEXT_OR_NULL = _kind("du texte", lambda v: isinstance(v, str), optional=True)
INT = _kind("un nombre entier", lambda v: isinstance(v, int) and not isinstance(v, bool))
INT_OR_NULL = _kind("un nombre entier", lambda v: isinstance(v, int) and not isinstance(v, bool),
                    optional=True)
BOOL = _kind("true ou false", lambda v: isinstance(v, bool))
BOOL_OR_NULL = _kind("true ou false", lambda v: isinstance(v, bool), optional=True)
WHEN = _kind("une date et une heure (ISO 8601)", _is_when)
WHEN_OR_NULL = _kind("une date et une heure (ISO 8601)", _is_when, optional=True)
DAY_OR_NULL = _kind("une date (ISO 8601)", _is_day, optional=True)
TEXTS = _kind("une liste de textes", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v))
TABLE = _kind("un objet", lambda v: isinstance(v, dict))
TABLE_OR_NULL = _kind("un objet", lambda v: isinstance(v, dict), optional=True)
ANY_LIST = _kind("une liste", lambda v: isinstance(v, list))

FIGURE_OR_NULL = _kind(
    "un nombre ou un intervalle {low, high}",
    lambda v: (isinstance(v, int | float) and not isinstance(v, bool)) or (
        isinstance(v, dict) and isinstance(v.get("low"), int | float)
        and (v.get("high") is None or isinstance(v.get("high"), int | float))),
    optional=True)

#: When and by whom staff changed each setting of a group (absent from stores written before).
CHANGED = _kind("un objet {champ: {at, by}}", lambda v: isinstance(v, dict) and all(
    isinstance(o, dict) and _is_when(o.get("at")) and isinstance(o.get("by", ""), str)
    for o in v.values()))

#: Per table: the fields a record must have, and those it may have, with their checks.
Fields = tuple[Mapping[str, Check], Mapping[str, Check]]

PROFILE: Fields = ({}, {
    "name": TEXT_OR_NULL, "structure": TEXT_OR_NULL, "role": _one_of(Role, optional=True),
    "role_text": TEXT_OR_NULL, "department": TEXT_OR_NULL, "fte": FIGURE_OR_NULL,
    "population": FIGURE_OR_NULL, "territories": _list_of(Territory),
    "not_territories": _list_of(Territory), "scale": _one_of(Scale, optional=True),
})

TABLES: Mapping[str, Fields] = {
    "candidatures": ({
        "id": TEXT, "group_id": TEXT, "email": TEXT, "status": _one_of(Status), "seq": INT,
        "received_at": WHEN,
    }, {
        "name": TEXT_OR_NULL, "profile": TABLE, "message_key": TEXT, "message_id": TEXT_OR_NULL,
        "subject": TEXT, "reason": TEXT, "missing": TEXTS, "updated_at": WHEN_OR_NULL,
        "forced": BOOL, "in_person": BOOL, "seat": INT_OR_NULL, "registered_by": TEXT_OR_NULL,
    }),
    "ideas": ({
        "id": TEXT, "seq": INT, "email": TEXT, "received_at": WHEN,
    }, {
        "name": TEXT_OR_NULL, "subject": TEXT, "summary": TEXT, "message_key": TEXT,
        "attachments": TEXTS, "status": _one_of(IdeaStatus), "message_id": TEXT_OR_NULL,
        "history": ANY_LIST, "note": TEXT, "note_received_at": WHEN_OR_NULL,
        "validated_on": DAY_OR_NULL, "co_animated": BOOL_OR_NULL, "declined_reason": TEXT,
        "group_id": TEXT_OR_NULL, "updated_at": WHEN_OR_NULL,
    }),
    "pending": ({
        "token_hash": TEXT, "kind": TEXT, "candidature_id": TEXT, "email": TEXT,
        "created_at": WHEN, "expires_at": WHEN,
    }, {"used_at": WHEN_OR_NULL, "payload": TEXT}),
    "outbox": ({
        "id": TEXT, "seq": INT, "to": TEXTS, "outcome": TEXT, "message_key": TEXT,
        "created_at": WHEN,
    }, {
        "raw_b64": TEXT, "sha256": TEXT, "subject": TEXT, "status": _one_of(DeliveryStatus),
        "attempts": INT,
        "last_error": TEXT, "sent_at": WHEN_OR_NULL, "next_attempt_at": WHEN_OR_NULL,
        "alerted": BOOL, "body": TEXT, "group": TEXT_OR_NULL,
    }),
    "ledger": ({
        "key": TEXT, "sha256": TEXT, "outcome": TEXT, "decided_at": WHEN,
    }, {
        "message_id": TEXT_OR_NULL, "sender": TEXT_OR_NULL, "subject": TEXT, "summary": TEXT,
        "folder": TEXT, "replies": TEXTS, "attachments_of": TEXT_OR_NULL,
    }),
    "history": ({"at": WHEN}, {}),
    "released": ({"key": TEXT, "at": WHEN}, {"by": TEXT, "sha256": TEXT}),
    "questions": ({
        "id": TEXT, "seq": INT, "email": TEXT, "received_at": WHEN,
    }, {
        "name": TEXT_OR_NULL, "subject": TEXT, "text": TEXT, "message_key": TEXT,
        "message_id": TEXT_OR_NULL, "group_id": TEXT_OR_NULL, "about": TEXT_OR_NULL,
        "status": _one_of(QuestionStatus), "answered_at": WHEN_OR_NULL,
        "answered_by": TEXT_OR_NULL, "follow_ups": INT,
    }),
    "sent": ({
        "message_id": TEXT, "to": TEXT, "kind": _one_of(CaseKind), "case_id": TEXT, "sent_at": WHEN,
    }, {"subject": TEXT, "asked": TEXTS, "group_id": TEXT_OR_NULL, "profile": TABLE_OR_NULL,
        "thread": TEXT, "colleague": TEXT_OR_NULL}),
    "groups": ({"id": TEXT}, {
        "call": _one_of(CallStatus), "capacity": INT, "closes_at": WHEN_OR_NULL,
        "meeting_starts_at": WHEN_OR_NULL, "meeting_place": TEXT_OR_NULL, "meeting_sequence": INT,
        "changed": CHANGED,
    }),
    "drafted_groups": ({
        "id": TEXT, "title": TEXT, "capacity": INT, "first_meeting": TABLE,
    }, {
        "call": _one_of(CallStatus), "closes_at": WHEN_OR_NULL, "criteria": TABLE_OR_NULL,
        "aliases": TEXTS, "objectives": TEXTS, "required": TEXTS,
    }),
    "meta": ({}, {"schema": INT, "next_seq": INT, "digest_last_at": WHEN_OR_NULL,
                  "digest_last_day": DAY_OR_NULL, "uidvalidity": TABLE_OR_NULL, "batch": INT,
                  "tail_file": TEXT, "numbers": TABLE, "since": WHEN,
                  "past_told": INT, "review_number": INT, "review_changes": TABLE}),
    "tail": ({"t": TEXT}, {"b": INT, "i": INT}),
    "reviews": ({
        "id": TEXT, "number": INT, "outcome": TEXT, "created_at": WHEN, "tokens": TEXTS,
    }, {
        "to": TEXT, "name": TEXT_OR_NULL, "subject": TEXT, "summary": TEXT, "text": TEXT,
        "received_at": WHEN_OR_NULL, "about": TEXT, "group": TEXT_OR_NULL, "with_it": TEXTS,
        "mails": TEXTS, "reminded_at": WHEN_OR_NULL, "held_at": WHEN_OR_NULL, "held_by": TEXT,
        "fate": _one_of(ReviewFate), "settled_at": WHEN_OR_NULL, "settled_by": TEXT,
    }),
}

#: The journal's record types and the table whose fields each holds.
RECORDS = {"ledger": "ledger", "sent": "sent", "delivered": "outbox", "released": "released"}


def _fields(record: Mapping[str, Any], fields: Fields) -> tuple[str, str] | None:
    required, optional = fields
    for name, check in required.items():
        if name not in record:
            return name, "absent"
        problem = check(record[name])
        if problem:
            return name, problem
    for name, check in optional.items():
        if name in record:
            problem = check(record[name])
            if problem:
                return name, problem
    return None


def problem(table: str, record: Any) -> tuple[str, str] | None:
    """(field, what is wrong) for the first problem of one record, or None when it is sound."""
    if not isinstance(record, dict):
        return "", f"devrait être un objet, trouvé {_shown(record)}"
    found = _fields(record, TABLES[table])
    if found is None and table == "candidatures" and isinstance(record.get("profile"), dict):
        inner = _fields(record["profile"], PROFILE)
        if inner is not None:
            return f"profile.{inner[0]}", inner[1]
    if found is None and table == "drafted_groups":
        meeting = record["first_meeting"]
        for name in ("starts_at", "place"):
            if name not in meeting:
                return f"first_meeting.{name}", "absent"
        if not _is_when(meeting["starts_at"]):
            return "first_meeting.starts_at", WHEN(meeting["starts_at"])
    return found


def describe(record: Any) -> str:
    """How a record is named in an error: its id or key when it has one."""
    if isinstance(record, dict):
        for name in ("id", "key", "token_hash"):
            if isinstance(record.get(name), str):
                return f"{name} {record[name]!r}"
    return ""


def check_record(record: Mapping[str, Any]) -> str:
    """What is wrong with one journal record, or ""."""
    kind = record.get("t")
    if kind == "history":
        return "" if isinstance(record.get("event"), dict) else "champ « event » : absent"
    if kind not in RECORDS:
        return f"type inconnu « {kind} »"
    found = problem(RECORDS[str(kind)], dict(record))
    if found is None:
        return ""
    field, what = found
    return f"{kind} {describe(record)}, champ « {field} » : {what}"


def check(data: Mapping[str, Any]) -> str:
    """The first problem of a whole store file, as a sentence for staff, or "" when it is sound."""
    for table in TABLES:
        records = data.get(table, {})
        if not isinstance(records, dict):
            return f"la table « {table} » devrait être un objet, trouvé {_shown(records)}"
        for doc_id, record in records.items():
            found = problem(table, record)
            if found is None:
                continue
            field, what = found
            name = describe(record)
            where = f"table « {table} », enregistrement {doc_id}" + (f" ({name})" if name else "")
            return f"{where}, champ « {field} » : {what}" if field else f"{where} : {what}"
    return ""
