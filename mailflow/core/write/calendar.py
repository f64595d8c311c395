"""Invitations to a group's first meeting as iCalendar (RFC 5545) text, written by hand, pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ...model.values import Group, Network, Reply, Template
from ..french import fitted

Method = Literal["REQUEST", "CANCEL"]

PRODID = "-//MONA//mailflow//FR"
TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
WITHDRAW_PHRASE = "je me désiste"
#: How long a first meeting lasts when nothing else is said (a working day).
DEFAULT_DURATION = timedelta(hours=7)
#: The reply template of a change of date or place, sent with an updated invitation.

NBSP = "\u00a0"
CRLF = "\r\n"
#: RFC 5545 §3.1: content lines are folded so that none is longer than 75 octets (CRLF apart).
MAX_OCTETS = 75

# Europe/Paris since 1996 (EU rules): CEST from the last Sunday of March at 02:00 (+0100 →
# +0200), CET from the last Sunday of October at 03:00 (+0200 → +0100). 29 March and
# 25 October 1970 are Sundays, the first onsets of these rules, as Google and Thunderbird write.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    f"X-LIC-LOCATION:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)

_NEWLINES = re.compile(r"\r\n|\r|\n")
_UID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# -- RFC 5545 primitives ------------------------------------------------------------------------


def _no_controls(value: str, *, keep_newlines: bool = False) -> str:
    """`value` without control characters (newlines kept as "\\n" when asked)."""
    if keep_newlines:
        value = _NEWLINES.sub("\n", value)
    return "".join(
        c for c in value
        if (keep_newlines and c == "\n") or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")
    )


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): `\\`, `;`, `,` escaped, every line break as `\\n`."""
    value = _no_controls(value, keep_newlines=True)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value (RFC 5545 §3.2): DQUOTE-quoted when it holds `:`, `;` or `,`.

    A double quote cannot appear in a parameter value at all: it becomes an apostrophe.
    """
    value = _no_controls(value).replace('"', "'").strip()
    return f'"{value}"' if any(c in value for c in ":;,") else value


def cal_address(address: str) -> str:
    """A CAL-ADDRESS URI: `mailto:` and the address, without blanks or control characters."""
    return "mailto:" + "".join(_no_controls(address).split())


def fold(line: str) -> str:
    """One content line folded at 75 octets on UTF-8 character boundaries, CRLF-terminated.

    Continuation lines start with one space, which counts in their 75 octets.
    """
    out: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > MAX_OCTETS:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    out.append("".join(current))
    return CRLF.join(out) + CRLF


def unfold(text: str) -> str:
    """Content lines as written before folding (RFC 5545 §3.1): CRLF + one blank removed."""
    return re.sub(r"\r\n[ \t]", "", text)


def utc_stamp(value: datetime) -> str:
    """A UTC DATE-TIME (form #2): `20270302T130500Z`; a naive value is refused."""
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no place in DTSTAMP: pass an aware `now`")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def paris_time(value: datetime) -> datetime:
    """`value` as a wall-clock time in Europe/Paris (a naive value is taken as Paris time)."""
    return value.replace(tzinfo=PARIS) if value.tzinfo is None else value.astimezone(PARIS)


def _local_stamp(value: datetime) -> str:
    """A DATE-TIME with time zone reference (form #3): the Paris wall time, no `Z`."""
    return paris_time(value).strftime("%Y%m%dT%H%M%S")


# -- the invitation ---------------------------------------------------------------------------


def meeting_uid(group_id: str, candidature_id: str, domain: str) -> str:
    """The stable UID of one member's first meeting: updates and cancellation reuse it."""
    parts = (_UID_UNSAFE.sub("-", p).strip("-") or "x" for p in (group_id, candidature_id))
    host = "".join(_no_controls(domain).split()) or "mailflow.invalid"
    return f"first-meeting-{'-'.join(parts)}@{host}"


def summary(group: Group) -> str:
    """« Groupe de travail « title » : première rencontre », with French spaces."""
    return f"Groupe de travail «{NBSP}{group.title}{NBSP}»{NBSP}: première rencontre"


def description(group: Group, network: Network, method: Method) -> str:
    """What the event says in the member's calendar (Outlook may show it as the body)."""
    title = f"«{NBSP}{group.title}{NBSP}»"
    if method == "CANCEL":
        return (
            f"Votre désistement du groupe de travail {title} est enregistré{NBSP}: "
            "cette rencontre est retirée de votre agenda.\n\n"
            "Nous espérons vous retrouver dans un prochain groupe de travail du réseau.\n\n"
            f"{network.name}\n{network.address}"
        )
    return (
        f"Première rencontre du groupe de travail {title}.\n"
        f"Lieu{NBSP}: {group.first_meeting.place}\n\n"
        f"En rejoignant ce groupe, vous vous engagez à {fitted(group.commitment)}\n\n"
        "Si vous ne pouvez finalement pas participer, répondez au message qui accompagne cette "
        f"invitation en écrivant «{NBSP}{WITHDRAW_PHRASE}{NBSP}»{NBSP}: votre place sera aussitôt "
        "proposée à la personne suivante sur la liste d’attente.\n\n"
        f"{network.name}\n{network.address}"
    )


def _cn(name: str | None) -> str:
    text = param_value(name or "")
    return f";CN={text}" if text else ""


#: A working day's end: a meeting moved to the afternoon ends then, not seven hours later.
DAY_ENDS = time(17, 30)
#: The least a meeting lasts in the agenda, whenever it starts.
SHORTEST = timedelta(hours=2)


def meeting_end(start: datetime, duration: timedelta = DEFAULT_DURATION) -> datetime:
    """When the meeting ends in the agenda: `duration` after its start (a day from 9 h 30), but
    not after the working day's end (« 14 h » ends at 17 h 30, not 21 h), and never in less
    than two hours."""
    end = (start.astimezone(UTC) + duration).astimezone(PARIS)
    day_end = datetime.combine(start.date(), DAY_ENDS, tzinfo=start.tzinfo)
    return max(min(end, day_end), (start.astimezone(UTC) + min(SHORTEST, duration)).astimezone(PARIS))


def content_lines(
    *,
    group: Group,
    uid: str,
    attendee: str,
    attendee_name: str | None,
    network: Network,
    sequence: int,
    method: Method,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
) -> list[str]:
    """The unfolded content lines of the invitation (see `invitation`)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if sequence < 0:
        raise ValueError(f"SEQUENCE must not be negative, found {sequence}")
    if duration <= timedelta(0):
        raise ValueError(f"the meeting must last, found {duration}")
    start = paris_time(group.first_meeting.starts_at)
    end = meeting_end(start, duration)
    return [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART;TZID={TZID}:{_local_stamp(start)}",
        f"DTEND;TZID={TZID}:{_local_stamp(end)}",
        f"SUMMARY:{escape_text(summary(group))}",
        f"LOCATION:{escape_text(group.first_meeting.place)}",
        f"DESCRIPTION:{escape_text(description(group, network, method))}",
        f"ORGANIZER{_cn(network.name)}:{cal_address(network.address)}",
        f"ATTENDEE{_cn(attendee_name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:"
        f"{cal_address(attendee)}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]


def serialize(lines: Iterable[str]) -> bytes:
    """Content lines folded, CRLF-terminated, as UTF-8."""
    return "".join(fold(line) for line in lines).encode("utf-8")


def invitation(
    *,
    group: Group,
    uid: str,
    attendee: str,
    attendee_name: str | None,
    network: Network,
    sequence: int,
    method: Method,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
) -> bytes:
    """The iMIP invitation (REQUEST) or cancellation (CANCEL) of one member to the first meeting.

    A VCALENDAR with the Europe/Paris VTIMEZONE and one VEVENT, organised by the network and
    attended by the member; `now` gives DTSTAMP. Updates and cancellations of the same meeting
    keep `uid` and raise `sequence`.
    """
    return serialize(
        content_lines(
            group=group,
            uid=uid,
            attendee=attendee,
            attendee_name=attendee_name,
            network=network,
            sequence=sequence,
            method=method,
            now=now,
            duration=duration,
        )
    )


#: Reply templates that carry the invitation to the first meeting (iMIP REQUEST).
INVITATION_TEMPLATES = frozenset((Template.CONFIRMED, Template.PROMOTED, Template.MEETING_CHANGED))
#: The reply template that cancels the invitation when `Reply.cancels_invitation` is set.
CANCEL_TEMPLATE = Template.WITHDRAWN
#: Replies that may cancel it too: a confirmed member displaced to the waiting list, or refused by
#: the team.
CANCEL_TEMPLATES = frozenset((CANCEL_TEMPLATE, Template.WAITLISTED, Template.REFUSED))


def reply_calendar(reply: Reply, group: Group, network: Network,
                   now: datetime) -> tuple[Method, bytes] | None:
    """The iMIP method and .ics a reply carries, or None when it carries none.

    Confirmed, promoted and meeting_changed replies carry a REQUEST at
    `reply.calendar_sequence`; a withdrawn reply with `cancels_invitation` a CANCEL one above
    it. Without a candidature id there is no stable UID, hence no invitation: one that could
    never be updated nor cancelled would do more harm than good. ValueError on bad values.
    """
    if not reply.candidature_id:
        return None
    method: Method
    if reply.template in INVITATION_TEMPLATES:
        method, sequence = "REQUEST", reply.calendar_sequence
    elif reply.template in CANCEL_TEMPLATES and reply.cancels_invitation:
        method, sequence = "CANCEL", reply.calendar_sequence + 1
    else:
        return None
    ics = invitation(
        group=group,
        uid=meeting_uid(group.id, reply.candidature_id, network.domain),
        attendee=reply.to,
        attendee_name=reply.to_name,
        network=network,
        sequence=sequence,
        method=method,
        now=now,
    )
    return method, ics
