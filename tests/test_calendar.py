"""Invitations to the first meeting: the .ics parsed back by icalendar, and the replies that carry it."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.config.settings import Settings
from mailflow.core.decide.member import decide, state_after
from mailflow.core.decide.replies import meeting_change_replies
from mailflow.core.write.calendar import (
    MAX_OCTETS,
    PRODID,
    description,
    escape_text,
    fold,
    invitation,
    meeting_uid,
    param_value,
    unfold,
)
from mailflow.core.write.render import Renderer
from mailflow.model.values import (
    Candidature,
    Group,
    IntentKind,
    Meeting,
    Outcome,
    Profile,
    Reply,
    State,
    Status,
)

from .helpers.messages import RURAL_DIRECTOR, intent
from .helpers.project import NOW
from .helpers.worlds import confirmed_withdrawal

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2027, 3, 2, 13, 5, 9, tzinfo=UTC)
NBSP = "\u00a0"
ZOE = "zoe.lefevre@ot-perigord-noir.fr"


@pytest.fixture
def group(shipped_settings: Settings) -> Group:
    """« Offices de Tourisme ruraux », first meeting on Tuesday 6 April 2027 at 9:30 (summer time)."""
    return shipped_settings.groups["ot-ruraux"]


def ics(settings: Settings, group: Group, **changes: object) -> bytes:
    args: dict[str, Any] = {
        "group": group,
        "uid": meeting_uid(group.id, "C0007", settings.network.domain),
        "attendee": ZOE,
        "attendee_name": "Zoé Lefèvre-Aubrac",
        "network": settings.network,
        "sequence": 0,
        "method": "REQUEST",
        "now": STAMP,
    }
    args.update(changes)
    return invitation(**args)


def event(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    assert isinstance(cal, icalendar.Calendar)
    (vevent,) = cal.walk("VEVENT")
    assert isinstance(vevent, icalendar.Event)
    return cal, vevent


def prop(component: icalendar.Component, name: str) -> Any:
    """A property's value object, untyped (icalendar types it as a union of every kind)."""
    return component[name]


def sequence(component: icalendar.Event) -> int:
    return int(prop(component, "SEQUENCE"))


def when(component: icalendar.Event, name: str) -> datetime:
    """A DATE-TIME property as an aware datetime."""
    value = prop(component, name).dt
    assert isinstance(value, datetime) and value.tzinfo is not None
    return value


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def winter(group: Group) -> Group:
    starts = datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)
    return replace(group, first_meeting=replace(group.first_meeting, starts_at=starts))


# -- the iCalendar object ----------------------------------------------------------------------


def test_every_property_parses_back(shipped_settings: Settings, group: Group) -> None:
    cal, ev = event(ics(shipped_settings, group))
    assert str(cal["PRODID"]) == PRODID == "-//MONA//mailflow//FR"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(ev["UID"]) == "first-meeting-ot-ruraux-C0007@monatourisme.fr"
    assert sequence(ev) == 0
    assert when(ev, "DTSTAMP") == STAMP
    start, end = when(ev, "DTSTART"), when(ev, "DTEND")
    assert ev["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2027, 4, 6, 9, 30)
    assert start.utcoffset() == timedelta(hours=2)
    assert end - start == timedelta(hours=7)
    assert str(ev["SUMMARY"]) == (
        f"Groupe de travail «{NBSP}Offices de Tourisme ruraux{NBSP}»{NBSP}: première rencontre"
    )
    assert str(ev["LOCATION"]) == "Montignac (Dordogne)"
    text = str(ev["DESCRIPTION"])
    assert "vous vous engagez à suivre les deux journées en présentiel" in text
    assert f"«{NBSP}je me désiste{NBSP}»" in text
    assert str(ev["ORGANIZER"]) == "mailto:groupes@monatourisme.fr"
    assert ev["ORGANIZER"].params["CN"] == "MONA – Groupes de travail"
    assert str(ev["ATTENDEE"]) == f"mailto:{ZOE}"
    assert dict(ev["ATTENDEE"].params) == {
        "CN": "Zoé Lefèvre-Aubrac",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",
    }
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(ev["TRANSP"]) == "OPAQUE"


def test_wall_time_and_offsets_summer_and_winter(shipped_settings: Settings, group: Group) -> None:
    raw = unfold(ics(shipped_settings, group).decode())
    assert "\r\nDTSTART;TZID=Europe/Paris:20270406T093000\r\n" in raw
    assert "\r\nDTEND;TZID=Europe/Paris:20270406T163000\r\n" in raw
    assert "\r\nDTSTAMP:20270302T130509Z\r\n" in raw

    data = ics(shipped_settings, winter(group))
    assert "\r\nDTSTART;TZID=Europe/Paris:20270114T140000\r\n" in data.decode()
    _, ev = event(data)
    assert when(ev, "DTSTART").utcoffset() == timedelta(hours=1)
    assert when(ev, "DTSTART").astimezone(UTC) == datetime(2027, 1, 14, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(("starts", "ends"), [("T093000", "T163000"), ("T140000", "T173000"),
                                              ("T180000", "T200000")])
def test_a_meeting_ends_within_its_working_day(shipped_settings: Settings, group: Group, starts: str,
                                               ends: str) -> None:
    """Seven hours from 9 h 30; a meeting moved to 14 h ends at 17 h 30, not at 21 h."""
    hour, minute = int(starts[1:3]), int(starts[3:5])
    moved = replace(group, first_meeting=Meeting(datetime(2027, 4, 13, hour, minute, tzinfo=PARIS), "Sarlat"))
    raw = unfold(ics(shipped_settings, moved).decode())
    assert f"\r\nDTEND;TZID=Europe/Paris:20270413{ends}\r\n" in raw


def test_a_meeting_given_in_utc_is_written_as_paris_wall_time(shipped_settings: Settings,
                                                              group: Group) -> None:
    utc = replace(group, first_meeting=Meeting(datetime(2027, 7, 1, 7, 0, tzinfo=UTC), "Pau"))
    assert "DTSTART;TZID=Europe/Paris:20270701T090000" in ics(shipped_settings, utc).decode()


def test_vtimezone_matches_the_tz_database(shipped_settings: Settings, group: Group) -> None:
    cal, _ = event(ics(shipped_settings, group))
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert isinstance(vtimezone, icalendar.Timezone)
    assert str(vtimezone["TZID"]) == "Europe/Paris"
    tz = vtimezone.to_tz()
    # Every half day over five years, and either side of each change (last Sundays of March
    # and October: 2027-03-28 02:00 CET → 03:00 CEST, 2027-10-31 03:00 CEST → 02:00 CET).
    moments = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=12 * n) for n in range(3653)]
    moments += [datetime(2027, 3, 28, 0, 59, tzinfo=UTC), datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
                datetime(2027, 10, 31, 0, 59, tzinfo=UTC), datetime(2027, 10, 31, 1, 0, tzinfo=UTC)]
    for moment in moments:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(PARIS).utcoffset(), moment
    assert datetime(2027, 3, 28, 0, 59, tzinfo=UTC).astimezone(tz).utcoffset() == timedelta(hours=1)
    assert datetime(2027, 3, 28, 1, 0, tzinfo=UTC).astimezone(tz).utcoffset() == timedelta(hours=2)
    text = ics(shipped_settings, group).decode()
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" in text


def test_cancel_keeps_the_uid_and_raises_the_sequence(shipped_settings: Settings, group: Group) -> None:
    _, request = event(ics(shipped_settings, group, sequence=2))
    cal, cancel = event(ics(shipped_settings, group, sequence=3, method="CANCEL"))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(cancel["UID"]) == str(request["UID"])
    assert sequence(cancel) == 3 > sequence(request) == 2
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["ATTENDEE"]) == f"mailto:{ZOE}"
    assert "désistement" in str(cancel["DESCRIPTION"])


def test_uid_is_stable_and_safe() -> None:
    assert meeting_uid("ot-ruraux", "C0007", "monatourisme.fr") == (
        "first-meeting-ot-ruraux-C0007@monatourisme.fr"
    )
    assert meeting_uid("ot-ruraux", "C0007", "monatourisme.fr") == meeting_uid(
        "ot-ruraux", "C0007", "monatourisme.fr"
    )
    assert meeting_uid("a b;c", "C\r\n1", "x.fr") == "first-meeting-a-b-c-C-1@x.fr"


def test_bad_arguments_are_refused(shipped_settings: Settings, group: Group) -> None:
    with pytest.raises(ValueError, match="naive"):
        ics(shipped_settings, group, now=datetime(2027, 3, 2, 13, 5))
    with pytest.raises(ValueError, match="SEQUENCE"):
        ics(shipped_settings, group, sequence=-1)
    with pytest.raises(ValueError, match="method"):
        ics(shipped_settings, group, method="PUBLISH")


# -- RFC 5545 details: CRLF, folding, escaping ---------------------------------------------------

LONG_PLACE = (
    "Salle « Les Éyzies », Pôle d’échanges de la Vézère ; bâtiment B, 2e étage — "
    "accès par la cour, côté rivière\\parking\nMontignac-Lascaux (Dordogne) 🦌"
)


def test_crlf_and_every_line_at_most_75_octets(shipped_settings: Settings, group: Group) -> None:
    long = replace(group, commitment="é" * 300 + " 🦌" * 40,
                   first_meeting=replace(group.first_meeting, place=LONG_PLACE))
    data = ics(shipped_settings, long)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = physical_lines(data)
    assert max(len(line) for line in lines) <= MAX_OCTETS
    assert sum(line.startswith(b" ") for line in lines) > 10  # folded a lot
    for line in lines:
        line.decode("utf-8")  # never cut inside a multi-byte character


def test_unfolding_gives_back_a_long_french_description(shipped_settings: Settings, group: Group) -> None:
    long = replace(group, commitment=(
        "participer à deux journées de travail en présentiel à Périgueux et à Mont-de-Marsan, "
        "préparer une fiche « bonnes pratiques » de l’accueil hors les murs ; contribuer à la "
        "synthèse diffusée à l’ensemble du réseau, élaborée avec les référents départementaux"
    ))
    _, ev = event(ics(shipped_settings, long))
    assert str(ev["DESCRIPTION"]) == description(long, shipped_settings.network, "REQUEST")


def test_escaping_of_text_values(shipped_settings: Settings, group: Group) -> None:
    placed = replace(group, first_meeting=replace(group.first_meeting, place=LONG_PLACE))
    data = ics(shipped_settings, placed)
    raw = unfold(data.decode())
    assert ("LOCATION:Salle « Les Éyzies »\\, Pôle d’échanges de la Vézère \\; bâtiment B\\, "
            "2e étage — accès par la cour\\, côté rivière\\\\parking\\nMontignac-Lascaux "
            "(Dordogne) 🦌\r\n") in raw
    _, ev = event(data)
    assert str(ev["LOCATION"]) == LONG_PLACE
    assert escape_text("a;b,c\\d\r\ne\rf\ng") == "a\\;b\\,c\\\\d\\ne\\nf\\ng"
    assert escape_text("bell\x07 tab\there") == "bell tabhere"


def test_parameter_values_are_quoted_when_needed(shipped_settings: Settings, group: Group) -> None:
    assert param_value("Zoé Lefèvre") == "Zoé Lefèvre"
    assert param_value("Lefèvre, Zoé") == '"Lefèvre, Zoé"'
    assert param_value("OT: Sarlat; Périgord") == '"OT: Sarlat; Périgord"'
    assert param_value('Zoé "ZL" Lefèvre') == "Zoé 'ZL' Lefèvre"
    data = ics(shipped_settings, group, attendee_name='Lefèvre, Zoé : "OT"; Sarlat')
    assert 'ATTENDEE;CN="Lefèvre, Zoé : \'OT\'; Sarlat";ROLE=' in unfold(data.decode())
    _, ev = event(data)
    assert ev["ATTENDEE"].params["CN"] == "Lefèvre, Zoé : 'OT'; Sarlat"
    assert str(ev["ATTENDEE"]) == f"mailto:{ZOE}"


def test_no_attendee_name_no_cn(shipped_settings: Settings, group: Group) -> None:
    data = ics(shipped_settings, group, attendee_name=None)
    assert f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{ZOE}" in unfold(
        data.decode()
    )


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
def test_fold_property(value: str) -> None:
    line = "DESCRIPTION:" + escape_text(value)
    folded = fold(line)
    data = folded.encode("utf-8")
    assert all(len(p) <= MAX_OCTETS for p in physical_lines(data))
    for part in physical_lines(data):
        part.decode("utf-8")
    assert unfold(folded) == line + "\r\n"


# -- the replies that carry it -----------------------------------------------------------------


def reparse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def calendar_parts(msg: EmailMessage) -> tuple[EmailMessage, EmailMessage]:
    """The inline text/calendar alternative and the .ics attachment of a reply."""
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert isinstance(alternative, EmailMessage) and isinstance(attachment, EmailMessage)
    assert alternative.get_content_type() == "multipart/alternative"
    parts = list(alternative.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    inline = parts[2]
    assert isinstance(inline, EmailMessage)
    return inline, attachment


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return re.sub(r"[ \r\n]+", " ", str(part.get_content()))  # NBSP kept


def carried(msg: EmailMessage, method: str, filename: str) -> bytes:
    """The .ics a reply carries, checked identical inline and attached, with the right types."""
    inline, attachment = calendar_parts(reparse(msg))
    assert inline.get_param("method") == method
    assert str(inline.get_param("charset")).upper() == "UTF-8"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == filename
    data = inline.get_payload(decode=True)
    assert isinstance(data, bytes)
    assert attachment.get_payload(decode=True) == data
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    return data


def test_confirmed_reply_carries_the_invitation(renderer: Renderer) -> None:
    reply = Reply(Outcome.CONFIRMED, ZOE, "Zoé Lefèvre-Aubrac", "confirmed", group_id="ot-ruraux",
                  candidature_id="C0007", position=3, subject="Candidature")
    msg = renderer.render(reply, STAMP)
    assert msg["Content-Language"] == "fr"
    assert msg["X-Mailflow-Outcome"] == "confirmed"
    data = carried(msg, "REQUEST", "invitation.ics")
    cal, ev = event(data)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(ev["UID"]) == "first-meeting-ot-ruraux-C0007@monatourisme.fr"
    assert sequence(ev) == 0
    assert str(ev["ATTENDEE"]) == f"mailto:{ZOE}"
    assert ev["ATTENDEE"].params["CN"] == "Zoé Lefèvre-Aubrac"
    assert "Vous trouverez en pièce jointe une invitation pour votre agenda." in body_text(msg)
    html = reparse(msg).get_body(("html",))
    assert html is not None and "une invitation pour votre agenda" in str(html.get_content())


def test_waitlisted_and_plain_replies_carry_none(renderer: Renderer) -> None:
    waitlisted = Reply(Outcome.WAITLISTED, ZOE, None, "waitlisted", group_id="ot-ruraux",
                       candidature_id="C0007", position=2, reason="le groupe est complet")
    without_id = Reply(Outcome.CONFIRMED, ZOE, None, "confirmed", group_id="ot-ruraux", position=1)
    plain_withdrawal = Reply(Outcome.WITHDRAWN, ZOE, None, "withdrawn", group_id="ot-ruraux",
                             candidature_id="C0007")
    for reply in (waitlisted, without_id, plain_withdrawal):
        msg = reparse(renderer.render(reply, STAMP))
        assert msg.get_content_type() == "multipart/alternative", reply.template
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert "pièce jointe" not in body_text(msg)


def test_the_pipeline_invites_cancels_and_promotes(renderer: Renderer, fresh_state: State) -> None:
    """decide → render: 15 places, a 16th waits; the 4th leaves, the 16th is promoted."""
    state = fresh_state
    replies: list[Reply] = []
    for n in range(16):
        profile = replace(RURAL_DIRECTOR, name=f"Membre {n}")
        decision = decide(state, intent(group="role-ot", sender=f"m{n}@ot.fr", profile=profile), NOW)
        state = state_after(state, decision)
        replies += decision.replies
    assert [r.template for r in replies] == ["confirmed"] * 15 + ["waitlisted"]
    first = renderer.render(replies[3], NOW)
    cal, ev = event(carried(first, "REQUEST", "invitation.ics"))
    uid = str(ev["UID"])
    assert uid == f"first-meeting-role-ot-{replies[3].candidature_id}@monatourisme.fr"
    assert when(ev, "DTSTART").utcoffset() == timedelta(hours=2)  # 19 September 2027
    assert "La Rochelle" in str(ev["LOCATION"])
    assert reparse(renderer.render(replies[15], NOW)).get_content_type() == "multipart/alternative"

    leave = intent(IntentKind.WITHDRAWAL, group=None, sender="m3@ot.fr", profile=Profile())
    decision = confirmed_withdrawal(state, leave, NOW + timedelta(days=1))
    withdrawn, promoted = decision.replies
    assert withdrawn.cancels_invitation and not promoted.cancels_invitation
    msg = renderer.render(withdrawn, NOW + timedelta(days=1))
    cal, cancel = event(carried(msg, "CANCEL", "annulation.ics"))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(cancel["UID"]) == uid
    assert sequence(cancel) == sequence(ev) + 1
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert "l’annulation de votre invitation" in body_text(msg)

    assert promoted.template == "promoted" and promoted.to == "m15@ot.fr"
    msg = renderer.render(promoted, NOW + timedelta(days=1))
    _, ev = event(carried(msg, "REQUEST", "invitation.ics"))
    assert str(ev["ATTENDEE"]) == "mailto:m15@ot.fr"
    assert str(ev["UID"]) == f"first-meeting-role-ot-{promoted.candidature_id}@monatourisme.fr"
    assert "une invitation pour votre agenda" in body_text(msg)


def test_leaving_the_waiting_list_cancels_nothing(renderer: Renderer, fresh_state: State) -> None:
    state = fresh_state
    for n in range(16):
        state = state_after(state, decide(state, intent(group="role-ot", sender=f"m{n}@ot.fr"), NOW))
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender="m15@ot.fr", profile=Profile())
    (reply,) = confirmed_withdrawal(state, leave).replies
    assert not reply.cancels_invitation
    assert reparse(renderer.render(reply, NOW)).get_content_type() == "multipart/alternative"


def test_cancel_follows_the_meeting_sequence(renderer: Renderer, fresh_state: State) -> None:
    """After two changes (SEQUENCE 2), a withdrawal's cancellation carries SEQUENCE 3."""
    group = fresh_state.groups["role-ot"]
    moved = replace(group, first_meeting=replace(group.first_meeting, sequence=2))
    state = replace(fresh_state, groups={**fresh_state.groups, "role-ot": moved})
    state = state_after(state, decide(state, intent(group="role-ot", sender="m1@ot.fr"), NOW))
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender="m1@ot.fr", profile=Profile())
    (reply,) = confirmed_withdrawal(state, leave).replies
    assert reply.cancels_invitation and reply.calendar_sequence == 2
    _, ev = event(carried(renderer.render(reply, NOW), "CANCEL", "annulation.ics"))
    assert sequence(ev) == 3


# -- a change of date or place ---------------------------------------------------------------


def candidature(n: int, group_id: str, status: Status) -> Candidature:
    return Candidature(id=f"C{n:04d}", group_id=group_id, email=f"m{n}@ot.fr", name=f"Membre {n}",
                       profile=RURAL_DIRECTOR, status=status, seq=n, received_at=NOW,
                       message_key=f"k{n}", message_id=f"<m{n}@ot.fr>")


def test_meeting_change_replies_target_exactly_the_confirmed(fresh_state: State) -> None:
    group = fresh_state.groups["ot-ruraux"]
    state = replace(fresh_state, candidatures=(
        candidature(1, "ot-ruraux", Status.CONFIRMED),
        candidature(2, "ot-ruraux", Status.WAITLISTED),
        candidature(3, "ot-ruraux", Status.NEEDS_INFO),
        candidature(4, "ot-ruraux", Status.WITHDRAWN),
        candidature(5, "ot-ruraux", Status.REFUSED),
        candidature(6, "role-ot", Status.CONFIRMED),
        candidature(7, "ot-ruraux", Status.CONFIRMED),
    ))
    replies = meeting_change_replies(state, group, 1, NOW)
    assert [r.to for r in replies] == ["m1@ot.fr", "m7@ot.fr"]
    assert [r.candidature_id for r in replies] == ["C0001", "C0007"]
    for reply in replies:
        assert reply.template == "meeting_changed"
        assert reply.outcome is Outcome.MEETING_CHANGED
        assert reply.group_id == "ot-ruraux"
        assert reply.calendar_sequence == 1
    assert replies[0].in_reply_to == "<m1@ot.fr>"
    assert meeting_change_replies(replace(state, candidatures=()), group, 1, NOW) == ()


def test_meeting_change_refuses_a_past_meeting_or_sequence_zero(fresh_state: State) -> None:
    group = fresh_state.groups["ot-ruraux"]
    with pytest.raises(ValueError, match="future"):
        meeting_change_replies(fresh_state, group, 1, group.first_meeting.starts_at)
    with pytest.raises(ValueError, match="SEQUENCE"):
        meeting_change_replies(fresh_state, group, 0, NOW)


def test_meeting_changed_reply_updates_the_calendar(shipped_settings: Settings, fresh_state: State) -> None:
    group = shipped_settings.groups["ot-ruraux"]
    new = Meeting(datetime(2027, 11, 16, 10, 0, tzinfo=PARIS), "Sarlat-la-Canéda (Dordogne)", 1)
    moved = replace(group, first_meeting=new)
    groups = {**shipped_settings.groups, "ot-ruraux": moved}
    renderer = Renderer(shipped_settings.templates_dir, shipped_settings.network, groups,
                        shipped_settings.departments)
    state = replace(fresh_state, groups=groups,
                    candidatures=(candidature(7, "ot-ruraux", Status.CONFIRMED),))
    (reply,) = meeting_change_replies(state, moved, 1, NOW)
    msg = renderer.render(reply, NOW)
    assert msg["X-Mailflow-Outcome"] == "meeting-changed"
    assert msg["Subject"] == (
        f"Groupe de travail «{NBSP}Offices de Tourisme ruraux{NBSP}»{NBSP}: la première rencontre change"
    )
    assert msg["In-Reply-To"] == "<m7@ot.fr>"
    cal, ev = event(carried(msg, "REQUEST", "invitation.ics"))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(ev["UID"]) == "first-meeting-ot-ruraux-C0007@monatourisme.fr"
    assert sequence(ev) == 1
    assert when(ev, "DTSTART") == datetime(2027, 11, 16, 10, 0, tzinfo=PARIS)
    assert when(ev, "DTSTART").utcoffset() == timedelta(hours=1)
    assert str(ev["LOCATION"]) == "Sarlat-la-Canéda (Dordogne)"
    text = body_text(msg)
    assert "a changé\u00a0: voici quand et où elle aura lieu désormais." in text
    assert "mardi 16 novembre 2027 à\u00a010\u00a0h" in text
    assert "Lieu\u00a0: Sarlat-la-Canéda (Dordogne)" in text
    assert "met à jour ce rendez-vous dans votre agenda" in text
    assert f"«{NBSP}je me désiste{NBSP}»" in text
    plain = reparse(msg).get_body(("plain",))
    assert plain is not None
    raw = str(plain.get_content())
    for bad in (" :", " ;", " !", " ?", "« ", " »", "'"):
        assert bad not in raw, bad
    assert max(len(line) for line in raw.splitlines()) <= 78


def test_templates_check_includes_meeting_changed(renderer: Renderer) -> None:
    assert renderer.check() == []
