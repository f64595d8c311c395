"""Records for staff: a group's candidatures as CSV, the audit trail; helpers the RGPD records share."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

from ...model.values import CallStatus, Candidature, DeliveryStatus, Figure, IdeaStatus, State, Status
from ..decide.places import position
from ..decide.rules import department_label
from ..french import (
    ACTION,
    CALL,
    DELIVERY,
    IDEA_STATUS,
    NBSP,
    STATUS,
    fact_short,
    format_date_fr,
    outcome_words,
)
from ..read.facts.figures import describe

CSV_HEADER = ("Rang", "Statut", "Nom", "Courriel", "Structure", "Fonction", "Département", "ETP",
              "Population", "Reçue le", "Motif / informations manquantes")

#: Leading characters that make Excel or LibreOffice read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ANONYMOUS_DOMAIN = "invalid"  # RFC 2606: never deliverable, so a purged address can't be mailed


# --- small helpers ------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate: a leading `'` before a formula start."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def local_stamp(value: datetime, tz: ZoneInfo) -> str:
    """`dd/mm/yyyy hh:mm` in the network's time zone: what French Excel reads as a date."""
    return aware(value).astimezone(tz).strftime("%d/%m/%Y %H:%M")


def aware(value: datetime) -> datetime:
    # Older records may lack a zone; the store writes UTC, so that is what they meant.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except ValueError:
        return None
    return aware(parsed)


def _decimal(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _figure(figure: Figure | None) -> str:
    """An exact figure as a number Excel reads (decimal comma), a range in words (« moins de 10 »)."""
    if figure is None:
        return ""
    return _decimal(figure.low) if figure.is_exact else describe(figure)


def same(a: str | None, b: str) -> bool:
    return a is not None and a.casefold() == b.casefold()


def _texts(value: Any) -> Iterable[str]:
    """Every string inside a JSON-like value (keys excluded)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def word(needle: str) -> re.Pattern[str]:
    """The needle as a whole word, any case: `marie@x.fr` is not found in `anne-marie@x.fr`."""
    return re.compile(rf"(?<![\w.+-]){re.escape(needle)}(?![\w-]|\.\w)", re.IGNORECASE)


def mentions(value: Any, needles: Iterable[str]) -> bool:
    patterns = [word(n) for n in needles if n]
    return any(p.search(text) for text in _texts(value) for p in patterns)


def _message(raw: bytes) -> EmailMessage | None:
    if not raw:
        return None
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except (ValueError, LookupError, TypeError):  # policy.default is lazy but not always
        return None
    assert isinstance(msg, EmailMessage)
    return msg


def raw(doc: Mapping[str, Any]) -> bytes:
    return base64.b64decode(doc.get("raw_b64") or b"")


def text_body(raw: bytes) -> str:
    """The plain-text part of a message we sent, decoded ("" when there is none)."""
    msg = _message(raw)
    if msg is None:
        return ""
    try:
        body = msg.get_body(("plain",))
        # Sent mail has CRLF line ends; JSON readers want plain lines.
        return str(body.get_content()).replace("\r\n", "\n") if body is not None else ""
    except (KeyError, LookupError, ValueError):
        return ""


def raw_mentions(raw: bytes, emails: Iterable[str]) -> bool:
    """Whether a message names one of these addresses, in a header or any decoded part.

    Parts are decoded first: an address in a base64 or quoted-printable part is not in the bytes.
    """
    wanted = [re.compile(word(e).pattern.encode(), re.IGNORECASE) for e in emails]
    if not raw or not wanted:
        return False
    chunks = [raw]
    msg = _message(raw)
    if msg is not None:
        for part in msg.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                chunks.append(payload)
    return any(w.search(chunk) for chunk in chunks for w in wanted)


def attachment_names(raw: bytes) -> list[str]:
    msg = _message(raw)
    if msg is None:
        return []
    return [part.get_filename() or part.get_content_type() for part in msg.iter_attachments()]


# --- CSV for French Excel -------------------------------------------------------------------


def _motif(cand: Candidature) -> str:
    if cand.reason:
        return cand.reason
    if cand.missing:
        return "manque : " + ", ".join(fact_short(m) for m in cand.missing)
    return ""


def candidates_csv(state: State, group_id: str, tz: ZoneInfo) -> bytes:
    """A group's candidatures in arrival order as a CSV that French Excel opens as it should.

    UTF-8 with a BOM (else Excel reads ANSI), `;` (the French list separator), CRLF, decimal
    commas, local dates; no `sep=;` line, which would make Excel ignore the BOM.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for cand in state.of_group(group_id):
        ranked = cand.status in (Status.CONFIRMED, Status.WAITLISTED)
        p = cand.profile
        row = [
            str(position(state, cand)) if ranked else "",
            STATUS[cand.status],
            cand.name or p.name or "",
            cand.email,
            p.structure or "",
            p.role_text or "",
            department_label(state.departments, p.department) if p.department else "",
            _figure(p.fte),
            _figure(p.population),
            local_stamp(cand.received_at, tz),
            _motif(cand),
        ]
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


# --- the audit trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One line of the audit trail."""

    at: datetime
    kind: str  # action (staff), message (received), réponse (sent), candidature
    text: str
    group: str | None = None
    email: str | None = None
    outcome: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, "group": self.group,
                "email": self.email, "outcome": self.outcome, "text": self.text}

    def line(self, tz: ZoneInfo) -> str:
        """The event's row under its day: « 13 h 19  candidature  ot-ruraux  C0001 reçue de … »."""
        local = self.at.astimezone(tz)
        return (f"  {local.hour:>2}{NBSP}h{NBSP}{local.minute:02d}  {self.kind:<11} "
                f"{self.group or '':<19} {self.text}")


def history_lines(events: Sequence[Event], tz: ZoneInfo) -> list[str]:
    """The trail for people: each day named in words, then its events, one row each."""
    out: list[str] = []
    day: date | None = None
    for event in events:
        local = event.at.astimezone(tz)
        if local.date() != day:
            day = local.date()
            out.append(format_date_fr(day, tz))
        out.append(event.line(tz))
    return out


_KIND_ORDER = {"candidature": 0, "message": 1, "action": 2, "réponse": 3}

#: What staff's history records hold, named for people; the store's own fields are left out.
_LABELS = {"reason": "motif", "received_at": "reçue le", "idea": "idée", "question": "question",
           "email": "adresse", "before": "groupes terminés avant le", "groups": "groupes",
           "counts": "nombres", "sent": "messages", "changes": "changements",
           "reset": "valeurs de groups.toml reprises",
           "call": "appel", "capacity": "places", "closes_at": "clôture de l’appel",
           "meeting_starts_at": "première rencontre", "meeting_place": "lieu",
           "validated_on": "séance du CA", "co_animated": "co-animé", "declined_reason": "motif"}
_HIDDEN = {"at", "actor", "action", "group", "candidature", "summary", "meeting_sequence", "from",
           "to", "was"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}\S*)?$")


def _names_group(text: str, group_id: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(group_id)}(?![\w-])", text) is not None


def _shown(key: str, value: Any, tz: ZoneInfo) -> str:
    """A recorded value as people read it: dates in words, calls and outcomes in French."""
    if isinstance(value, Mapping):
        return ", ".join(f"{_LABELS.get(k, k)} : {_shown(k, v, tz)}" for k, v in value.items()
                         if k not in _HIDDEN)
    if isinstance(value, (list, tuple)):
        return " ; ".join(_shown(key, v, tz) for v in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return "aucune"
    text = str(value)
    if key == "call" and text in {c.value for c in CallStatus}:
        return CALL[CallStatus(text)]
    if key == "sent":
        outcome, arrow, to = text.partition(" → ")
        return f"{outcome_words(outcome)} → {to}" if arrow else text
    if _ISO.match(text):
        stamp = when(text)
        return format_date_fr(stamp, tz) if stamp is not None else text
    return text


def _stage(value: Any) -> str:
    try:
        return IDEA_STATUS[IdeaStatus(str(value))]
    except ValueError:
        return str(value)


def _delivery(value: Any) -> str:
    try:
        return DELIVERY[DeliveryStatus(str(value))]
    except ValueError:
        return str(value)


def _staff_text(entry: Mapping[str, Any], tz: ZoneInfo) -> str:
    """A staff action as people read it: what, by whom, and what it changed (from what, when
    the record says: « places : 20 → 25 »)."""
    action = str(entry.get("action", "action"))
    what = ACTION.get(action, action)
    actor = entry.get("actor")
    # « place donnée par l’équipe par animation@… »: the member of the team says it already.
    parts = [f"{what.replace(' par l’équipe', '')} par {actor}" if actor else what]
    if entry.get("summary"):
        parts.append(str(entry["summary"]))
    if "from" in entry and "to" in entry:
        parts.append(f"étape : {_stage(entry['from'])} → {_stage(entry['to'])}")
    was = entry.get("was") if isinstance(entry.get("was"), Mapping) else {}
    for key, value in entry.items():
        if key in _HIDDEN or value in (None, "", [], {}):
            continue
        if key == "changes" and isinstance(value, Mapping) and was:
            value = ", ".join(_change(k, v, was, tz) for k, v in value.items() if k not in _HIDDEN)
        parts.append(f"{_LABELS.get(key, key)} : {_shown(key, value, tz)}")
    return " — ".join(parts)


def _change(key: str, value: Any, was: Mapping[str, Any], tz: ZoneInfo) -> str:
    """One setting changed: « places : 20 → 25 » (its value alone when the record lacks the old)."""
    now = _shown(key, value, tz)
    return f"{_LABELS.get(key, key)} : {_shown(key, was[key], tz)} → {now}" if key in was else (
        f"{_LABELS.get(key, key)} : {now}")


def history_view(state: State, history: Sequence[Mapping[str, Any]],
                 ledger: Sequence[Mapping[str, Any]], outbox: Sequence[Mapping[str, Any]],
                 target: str | None = None, tz: ZoneInfo | None = None) -> list[Event]:
    """The audit trail, oldest first: staff actions, messages received and their outcome,
    replies sent, candidatures as they stand; all of it, or one group's (id), or one address's.

    A promotion shows as the reply that told the member (it was decided on someone else's
    message); the store keeps a candidature's current status only, dated by its last change.
    """
    scope = _Scope(target, target is not None and target in state.groups)
    events, group_keys, cand_ids = _candidature_events(state, scope)
    events += _action_events(state, history, scope, cand_ids, tz or ZoneInfo("UTC"))
    messages, ledger_keys, decided = _message_events(state, ledger, scope, group_keys)
    events += messages
    events += _reply_events(outbox, scope, ledger_keys, decided)
    return sorted(events, key=lambda e: (e.at, _KIND_ORDER.get(e.kind, 9)))


@dataclass(frozen=True)
class _Scope:
    """What the trail is asked for: all of it, one group's, or one address's."""

    target: str | None
    by_group: bool

    @property
    def by_email(self) -> bool:
        return self.target is not None and not self.by_group


def _candidature_events(state: State, scope: _Scope) -> tuple[list[Event], set[str], list[str]]:
    """Each candidature received, and its status once changed; the keys of their messages, and
    their ids (as staff actions name them)."""
    events: list[Event] = []
    group_keys: set[str] = set()
    cand_ids: list[str] = []
    for cand in state.candidatures:
        if scope.by_group and cand.group_id != scope.target:
            continue
        if scope.by_email and not same(cand.email, scope.target or ""):
            continue
        group_keys.add(cand.message_key)
        cand_ids.append(cand.id)
        who = f"{cand.name} <{cand.email}>" if cand.name else cand.email
        events.append(Event(aware(cand.received_at), "candidature",
                            f"{cand.id} reçue de {who}", cand.group_id, cand.email))
        if cand.updated_at is not None:
            status = STATUS[cand.status]
            events.append(Event(aware(cand.updated_at), "candidature",
                                f"{cand.id} {cand.email} : {status}"
                                + (f" ({cand.reason})" if cand.reason else ""),
                                cand.group_id, cand.email, cand.status.value))
    return events, group_keys, cand_ids


def _action_events(state: State, history: Sequence[Mapping[str, Any]], scope: _Scope,
                   cand_ids: list[str], tz: ZoneInfo) -> list[Event]:
    """Staff's actions, those about the group or the address (or one of its candidatures)."""
    events: list[Event] = []
    for entry in history:
        at = when(entry.get("at"))
        if at is None:
            continue
        group = entry.get("group")
        if "group" not in entry:  # written before events named their group: found in the text
            group = next((g for g in state.groups if mentions(entry, [g])), None)
        if scope.by_group and group != scope.target and not mentions(entry, [scope.target or "",
                                                                              *cand_ids]):
            continue
        if scope.by_email and not mentions(entry, [scope.target or "", *cand_ids]):
            continue
        events.append(Event(at, "action", _staff_text(entry, tz), group))
    return events


#: Each message's key → when it was decided, and the group it was about.
_Decided = dict[str, tuple[datetime, str | None]]


def _message_events(state: State, ledger: Sequence[Mapping[str, Any]], scope: _Scope,
                    group_keys: set[str]) -> tuple[list[Event], set[str], _Decided]:
    """The messages received and their outcome; the keys of those shown, and when each message
    was decided and about which group (a reply comes after its message)."""
    events: list[Event] = []
    ledger_keys: set[str] = set()
    decided: _Decided = {}
    for doc in ledger:
        at = when(doc.get("decided_at"))
        if at is None:
            continue
        summary = str(doc.get("summary") or "")
        if "group" in doc:
            group = doc["group"]
        else:  # written before messages named their group: found in the summary
            group = next((g for g in state.groups if _names_group(summary, g)), None)
        decided[str(doc.get("key"))] = (at, group)
        if scope.by_group and doc.get("key") not in group_keys and group != scope.target:
            continue
        if scope.by_email and not same(doc.get("sender"), scope.target or ""):
            continue
        ledger_keys.add(str(doc.get("key")))
        subject = f" « {doc['subject']} »" if doc.get("subject") else ""
        events.append(Event(at, "message",
                            f"{_from(doc.get('sender'))}{subject} → "
                            f"{outcome_words(str(doc.get('outcome')))} : {summary}", group,
                            doc.get("sender"),
                            doc.get("outcome")))
    return events, ledger_keys, decided


def _from(sender: str | None) -> str:
    return f"de {sender}" if sender else "d’un expéditeur inconnu"


def _reply_events(outbox: Sequence[Mapping[str, Any]], scope: _Scope, ledger_keys: set[str],
                  decided: _Decided) -> list[Event]:
    """The replies sent (or still to send), each after the decision that wrote it."""
    events: list[Event] = []
    for doc in outbox:
        at = when(doc.get("sent_at")) or when(doc.get("created_at"))
        if at is None:
            continue
        to = [str(t) for t in doc.get("to", ())]
        key = str(doc.get("message_key") or "")
        # A reply not yet sent is dated when it was rendered, a moment before its message's
        # decision was written: it still comes after that decision.
        cause_at, group = decided.get(key, (at, None))
        if "group" in doc:
            group = doc["group"] or group
        elif key.startswith("staff:"):  # written before replies named their group
            group = key.removeprefix("staff:")
        if scope.by_group and key not in ledger_keys and group != scope.target:
            continue
        if scope.by_email and not any(same(t, scope.target or "") for t in to):
            continue
        subject = f" « {doc['subject']} »" if doc.get("subject") else ""
        events.append(Event(
            max(at, cause_at), "réponse",
            f"{outcome_words(str(doc.get('outcome')))} → {', '.join(to)}{subject} "
            f"({_delivery(doc.get('status'))})",
            group, to[0] if len(to) == 1 else None, doc.get("outcome")))
    return events
