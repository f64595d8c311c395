"""The reply templates and the renderer: every template, headers, French typography, safety."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
import shutil
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow import config
from mailflow.core.decide.ideas import validated_text
from mailflow.core.decide.rules import unclear
from mailflow.core.french import format_date_fr, wrap_text
from mailflow.core.read.headers import reply_subject
from mailflow.core.write.render import Renderer
from mailflow.core.write.templates import MISSING_LABELS, REPLY_TEMPLATES, template_files
from mailflow.errors import RenderError
from mailflow.model.enums import Occasion, Template
from mailflow.model.values import (
    CallSummary,
    Figure,
    Idea,
    IdeaStatus,
    Outcome,
    Profile,
    Reply,
    Role,
    Scale,
    Status,
    Territory,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 2, 14, 5, tzinfo=PARIS)
NBSP, NNBSP = "\u00a0", "\u202f"
NAME = "Zoé Lefèvre-Aubrac"

CALLS = (
    CallSummary("porteurs-de-projet", capacity=15, taken=4, waiting=0, accepting=True),
    CallSummary("ot-ruraux", capacity=20, taken=20, waiting=3, accepting=True),
    CallSummary("role-ot", capacity=15, taken=14, waiting=0, accepting=True),
)


def make(outcome: Outcome, template: str, to_name: str | None = NAME, **fields: Any) -> Reply:
    """A reply to Zoé, answering her second message about the group."""
    return Reply(
        outcome,
        to="zoe.lefevre@ot-perigord-noir.fr",
        to_name=to_name,
        template=template,
        in_reply_to="<CAF1234@mail.ot-perigord-noir.fr>",
        references=("<first@mail.ot-perigord-noir.fr>",),
        subject="RE : Candidature groupe OT ruraux",
        **fields,
    )


REPLIES: dict[str, Reply] = {
    "confirmed": make(Outcome.CONFIRMED, "confirmed", group_id="ot-ruraux", position=3),
    "waitlisted": make(
        Outcome.WAITLISTED,
        "waitlisted",
        group_id="ot-ruraux",
        position=2,
        reason="le quota du département de la Dordogne (2 places) est atteint",
    ),
    "refused": make(
        Outcome.REFUSED,
        "refused",
        group_id="ot-ruraux",
        reason="ce groupe réunit des offices de moins de 10 ETP, et le vôtre en compte 14",
        calls=CALLS,
    ),
    "needs_info": make(
        Outcome.NEEDS_INFO, "needs_info", group_id="ot-ruraux", missing=tuple(MISSING_LABELS)
    ),
    "duplicate": make(
        Outcome.DUPLICATE,
        "duplicate",
        group_id="ot-ruraux",
        position=3,
        reason="votre place est confirmée (place 3 sur 20)",
    ),
    "closed": make(
        Outcome.CLOSED,
        "closed",
        group_id="role-ot",
        reason="l’appel à candidatures est clos depuis le mercredi 1er septembre 2027 à\u00a018\u00a0h",
        calls=CALLS,
    ),
    "idea_received": make(Outcome.IDEA_RECEIVED, "idea_received"),
    "withdrawn": make(Outcome.WITHDRAWN, "withdrawn", group_id="ot-ruraux"),
    "help": make(Outcome.HELP, "help", calls=CALLS),
    "promoted": make(Outcome.CONFIRMED, "promoted", group_id="ot-ruraux", position=3),
    "status": make(Outcome.STATUS, "status", group_id="ot-ruraux",
                   reason="vous êtes sur la liste d’attente, en position 2"),
    "hold_expired": make(Outcome.HOLD_EXPIRED, "hold_expired", group_id="ot-ruraux",
                         missing=("fte", "population"), calls=CALLS),
    "confirm_commitment": make(Outcome.TO_CONFIRM, "confirm_commitment", group_id="ot-ruraux",
                               token="MF-ABCDEFGH23", expires_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
    "confirm_withdrawal": make(Outcome.CONFIRM_WITHDRAWAL, "confirm_withdrawal", group_id="ot-ruraux",
                               token="MF-ABCDEFGH23", expires_at=datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),
    "confirm_registration": make(Outcome.TO_CONFIRM, "confirm_registration", group_id="ot-ruraux",
                                 token="MF-ABCDEFGH23", expires_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
                                 colleague="Luc Bernard <luc.bernard@ot-perigord-noir.fr>",
                                 standing=Status.TO_CONFIRM),
    "colleague_registered": make(Outcome.COLLEAGUE_REGISTERED, "colleague_registered", group_id="ot-ruraux",
                                 colleague="Luc Bernard <luc.bernard@ot-perigord-noir.fr>",
                                 standing=Status.TO_CONFIRM),
    "idea_note_received": make(Outcome.IDEA_NOTE_RECEIVED, "idea_note_received"),
    "idea_validated": make(Outcome.IDEA_VALIDATED, "idea_validated",
                           reason=validated_text(date(2027, 1, 12), co_animated=True)),
    "idea_declined": make(Outcome.IDEA_DECLINED, "idea_declined",
                          reason="Un groupe très proche est déjà en place en Gironde."),
    "question_received": make(Outcome.QUESTION_FORWARDED, "question_received", group_id="ot-ruraux",
                              question_id="Q0004", calls=CALLS),
    "idea_status": make(Outcome.STATUS, "idea_status", idea=Idea(
        id="I0002", seq=2, email="zoe.lefevre@ot-perigord-noir.fr", name=NAME,
        subject="Idée de groupe : l’accueil hors les murs", summary="…",
        received_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), message_key="k2",
        status=IdeaStatus.NOTE_RECEIVED, note_received_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC))),
}


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def bodies(msg: EmailMessage) -> tuple[str, str]:
    parsed = parse(msg)
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and html is not None
    return (
        str(text.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def flat(text: str) -> str:
    """The text with line breaks and runs of ASCII spaces as one space (NBSP kept)."""
    return re.sub(r"[ \n]+", " ", text)


def render(renderer: Renderer, name: str, **changes: Any) -> tuple[EmailMessage, str, str]:
    reply = REPLIES[name]
    if changes:
        reply = dataclasses.replace(reply, **changes)
    msg = renderer.render(reply, NOW)
    text, html = bodies(msg)
    return parse(msg), text, html


def quoted(title: str) -> str:
    return f"«{NBSP}{title}{NBSP}»"


# -- every template ------------------------------------------------------------------------


def test_replies_cover_every_template() -> None:
    assert set(REPLIES) == set(REPLY_TEMPLATES)


@pytest.mark.parametrize("name", REPLY_TEMPLATES)
def test_headers(renderer: Renderer, name: str) -> None:
    msg, _, _ = render(renderer, name)
    reply = REPLIES[name]
    assert msg["From"].addresses[0].display_name == "MONA – Groupes de travail"
    assert msg["From"].addresses[0].addr_spec == "groupes@monatourisme.fr"
    assert msg["To"].addresses[0].display_name == NAME
    assert msg["To"].addresses[0].addr_spec == reply.to
    code = f" [{reply.token}]" if reply.token else ""  # codes travel in the subject
    assert msg["Subject"] == f"Re{NBSP}: Candidature groupe OT ruraux{code}"
    assert msg["Date"] == format_datetime(NOW)
    assert msg["Message-ID"].endswith("@monatourisme.fr>")
    assert msg["In-Reply-To"] == "<CAF1234@mail.ot-perigord-noir.fr>"
    # A long References header may be folded right after the colon: compare the ids.
    assert msg["References"].split() == [
        "<first@mail.ot-perigord-noir.fr>",
        "<CAF1234@mail.ot-perigord-noir.fr>",
    ]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Mailflow-Outcome"] == reply.outcome.value
    assert msg["Content-Language"] == "fr"
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p for p in msg.iter_parts()]
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)


@pytest.mark.parametrize("name", REPLY_TEMPLATES)
def test_body_is_complete_french(renderer: Renderer, name: str) -> None:
    _, text, html = render(renderer, name)
    for body in (text, html):
        assert f"Bonjour {NAME}," in body
        assert "L’équipe de la MONA" in body
        assert "MONA – Groupes de travail" in body
        assert "groupes@monatourisme.fr" in body
        for leftover in ("{{", "}}", "{%", "%}", "None", "Undefined", "\ufffd"):
            assert leftover not in body, leftover
    # French typography in the text part: no plain space before « : ; ! ? » or inside « ».
    for bad in (" :", " ;", " !", " ?", "« ", " »", "'"):
        assert bad not in text, f"{bad!r} in {name}"
    # and in each occasion's words (a place the team gave or added, a decision of the team)
    for occasion in Occasion:
        _, text, _ = render(renderer, name, occasion=occasion, passed_on=True, cancels_invitation=True)
        for bad in (" :", " ;", " !", " ?", "« ", " »", "'"):
            assert bad not in text, f"{bad!r} in {name} ({occasion.value or 'answer'})"
    assert ":" not in text.replace(f"{NBSP}:", "").replace("mailto:", "")
    assert max(len(line) for line in text.splitlines()) <= 78


# Replies about an idea have no group yet.
@pytest.mark.parametrize("name", [n for n in REPLY_TEMPLATES
                                  if n != "help" and not n.startswith("idea_")])
def test_group_title_in_guillemets(renderer: Renderer, name: str) -> None:
    _, text, html = render(renderer, name)
    title = {"closed": "Communiquer sur le rôle de l’Office de Tourisme"}.get(
        name, "Offices de Tourisme ruraux"
    )
    assert quoted(title) in flat(text)
    assert quoted(title) in html


def test_greeting_without_name(renderer: Renderer) -> None:
    msg, text, html = render(renderer, "confirmed", to_name=None)
    assert text.startswith("Bonjour,\n")
    assert ">Bonjour,<" in html
    assert str(msg["To"]) == "zoe.lefevre@ot-perigord-noir.fr"


def test_confirmed(renderer: Renderer) -> None:
    _, text, html = render(renderer, "confirmed")
    words = flat(text)
    assert "la place 3 sur 20" in words
    assert "<strong>3</strong> sur <strong>20</strong>" in html
    assert f"Première rencontre{NBSP}: mardi 6 avril 2027 à\u00a09\u00a0h\u00a030" in text
    assert "mardi 6 avril 2027 à\u00a09\u00a0h\u00a030" in html
    assert "Montignac (Dordogne)" in text and "Montignac (Dordogne)" in html
    assert "suivre les deux journées en présentiel" in words
    assert f"«{NBSP}je me désiste{NBSP}»" in text


def test_promoted(renderer: Renderer) -> None:
    _, text, html = render(renderer, "promoted")
    words = flat(text)
    assert "une place s’est libérée" in words
    assert "désormais confirmée" in words
    assert "la place 3 sur 20" in words
    assert "mardi 6 avril 2027 à\u00a09\u00a0h\u00a030" in text
    assert "je me désiste" in text and "je me désiste" in html


def test_waitlisted(renderer: Renderer) -> None:
    _, text, html = render(renderer, "waitlisted")
    words = flat(text)
    assert "en position 2 sur la liste d’attente" in words
    assert "le quota du département de la Dordogne (2 places) est atteint" in words
    assert "ordre d’arrivée" in words
    assert "je me désiste" in words
    assert "position <strong>2</strong>" in html


def test_refused_lists_other_open_calls(renderer: Renderer) -> None:
    _, text, html = render(renderer, "refused")
    words = flat(text)
    assert "moins de 10 ETP, et le vôtre en compte 14" in words
    # The configuration's sentence fitted into ours: no capital after the colon, one final stop.
    assert (f"Public attendu dans ce groupe{NBSP}: directeurs et directrices d’offices de tourisme "
            "ruraux") in words
    assert "20 000 habitants.." not in words
    assert quoted("Accompagnement des porteurs de projets") in text
    assert "11 places disponibles sur 15" in text
    assert "1 place disponible sur 15" in text
    assert "Candidatures jusqu’au mercredi 1er septembre 2027 à\u00a018\u00a0h" in text
    # The refused group itself is not offered again.
    assert words.count("Offices de Tourisme ruraux") == 1
    assert quoted("Accompagnement des porteurs de projets") in html


@pytest.mark.parametrize("key", list(MISSING_LABELS))
def test_needs_info_asks_each_missing_label(renderer: Renderer, key: str) -> None:
    _, text, html = render(renderer, "needs_info", missing=(key,))
    label = MISSING_LABELS[key]
    assert label in flat(text)
    assert label in html
    assert "cette information" in text
    for other, other_label in MISSING_LABELS.items():
        if other != key and other_label not in label:
            assert other_label not in text


def test_needs_info_all_labels_and_held_place(renderer: Renderer) -> None:
    _, text, html = render(renderer, "needs_info")
    words = flat(text)
    for label in MISSING_LABELS.values():
        assert label in words
        assert label in html
    assert "votre place est réservée dans l’ordre d’arrivée" in words.lower()
    assert "répondre à ce message" in words


def test_needs_info_without_group_lists_calls(renderer: Renderer) -> None:
    _, text, html = render(
        renderer, "needs_info", group_id=None, missing=("group", "role"), calls=CALLS
    )
    words = flat(text)
    assert "à quel groupe de travail" in words
    for title in (
        "Accompagnement des porteurs de projets",
        "Offices de Tourisme ruraux",
        "Communiquer sur le rôle de l’Office de Tourisme",
    ):
        assert quoted(title) in text
        assert quoted(title) in html
    assert "Complet, liste d’attente" in text
    assert "votre fonction" in words
    assert "le nom du groupe choisi" in words


def test_unknown_missing_key_is_an_error(renderer: Renderer) -> None:
    with pytest.raises(RenderError, match="shoe_size"):
        renderer.render(dataclasses.replace(REPLIES["needs_info"], missing=("shoe_size",)), NOW)


def test_duplicate(renderer: Renderer) -> None:
    _, text, _ = render(renderer, "duplicate")
    words = flat(text)
    assert "déjà enregistrée" in words
    assert "votre place est confirmée (place 3 sur 20)" in words
    assert "pas créé de seconde candidature" in words


def test_closed_lists_other_calls(renderer: Renderer) -> None:
    _, text, _ = render(renderer, "closed")
    words = flat(text)
    assert "clos depuis le mercredi 1er septembre 2027 à\u00a018\u00a0h" in words
    assert quoted("Accompagnement des porteurs de projets") in text
    assert words.count("Communiquer sur le rôle") == 1


def test_closed_without_other_calls(renderer: Renderer) -> None:
    _, text, _ = render(renderer, "closed", calls=())
    assert "Aucun autre appel à candidatures" in text


def test_idea_received(renderer: Renderer) -> None:
    _, text, html = render(renderer, "idea_received")
    words = flat(text)
    assert f"«{NBSP}note d’intention{NBSP}»" in words
    assert "Conseil d’administration" in words
    assert "jusqu’à 5 par an" in words
    assert "reviendra vers vous" in words
    assert "note d’intention" in html


def test_withdrawn(renderer: Renderer) -> None:
    _, text, _ = render(renderer, "withdrawn")
    words = flat(text)
    assert "désistement" in words and "place est libérée" in words and "Merci" in words


def test_help(renderer: Renderer) -> None:
    _, text, html = render(renderer, "help")
    words = flat(text)
    assert "pas pu comprendre votre demande" in words
    assert "11 places disponibles sur 15" in text
    assert "Complet, liste d’attente" in text
    assert "complet, liste d’attente" in html
    assert "lundi 30 août 2027 à\u00a09\u00a0h\u00a030" in text
    for item in ("le nom du groupe choisi", "vos nom et prénom", "le nom de votre structure",
                 "votre fonction", "votre département"):
        assert item in text and item in html
    assert "proposer une idée" in words


def test_help_without_calls(renderer: Renderer) -> None:
    _, text, _ = render(renderer, "help", calls=())
    assert "Aucun appel à candidatures n’est ouvert pour le moment." in text


def test_calls_not_accepting_or_unknown_are_left_out(renderer: Renderer) -> None:
    calls = (
        CallSummary("porteurs-de-projet", 15, 4, 0, accepting=False),
        CallSummary("no-such-group", 10, 0, 0, accepting=True),
        CallSummary("role-ot", 15, 0, 0, accepting=True),
    )
    _, text, _ = render(renderer, "help", calls=calls)
    assert "porteurs" not in text
    assert "no-such-group" not in text
    assert "15 places disponibles sur 15" in text


# -- escaping and header safety ------------------------------------------------------------


def test_html_escapes_names_text_does_not(renderer: Renderer) -> None:
    evil = "<script>alert(1)</script> & Cie"
    _, text, html = render(renderer, "confirmed", to_name=evil)
    assert f"Bonjour {evil}," in text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in html


def test_html_escapes_reason(renderer: Renderer) -> None:
    _, text, html = render(renderer, "waitlisted", reason="le groupe <b>est</b> complet")
    assert "<b>est</b>" in text
    assert "&lt;b&gt;est&lt;/b&gt;" in html


def test_html_has_no_external_resources(renderer: Renderer) -> None:
    for name in REPLY_TEMPLATES:
        _, _, html = render(renderer, name)
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.I), name
        assert "<link" not in html and "<img" not in html and "<script" not in html


INJECTION = "\r\nBcc: x@evil.example"


def header_names(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    return [
        line.split(b":", 1)[0].decode().lower()
        for line in head.split(b"\r\n")
        if line and not line[:1].isspace()
    ]


def test_no_header_injection(renderer: Renderer) -> None:
    reply = dataclasses.replace(
        REPLIES["confirmed"],
        to_name=f"Zoé{INJECTION}",
        subject=f"Candidature{INJECTION}\nX-Evil: 1",
        in_reply_to=f"<a@b>{INJECTION}",
        references=("<c@d>\rBcc: y@evil",),
    )
    msg = renderer.render(reply, NOW)
    raw = msg.as_bytes()
    names = header_names(raw)
    assert len(names) == len(set(names)), names
    assert "bcc" not in names and "x-evil" not in names
    assert not re.search(rb"(?im)^(bcc|x-evil)\s*:", raw.split(b"\r\n\r\n", 1)[0])
    parsed = parse(msg)
    assert parsed["Bcc"] is None
    assert len(parsed.get_all("To") or []) == 1
    assert len(parsed.get_all("Subject") or []) == 1
    assert parsed["To"].addresses[0].addr_spec == "zoe.lefevre@ot-perigord-noir.fr"
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]
    # Its ids unusable, the reply threads with nothing: no « Re : » either.
    assert parsed["In-Reply-To"] is None
    assert parsed["Subject"].startswith("Candidature")


def test_bad_recipient_is_a_render_error(renderer: Renderer) -> None:
    with pytest.raises(RenderError, match="address"):
        renderer.render(dataclasses.replace(REPLIES["confirmed"], to="not an address"), NOW)


# -- subjects and dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Candidature", "Candidature"),
        ("Re: Candidature", "Candidature"),
        ("RE : TR: Candidature", "Candidature"),
        ("Réf : Candidature", "Candidature"),
        ("TR : Fwd: Candidature", "Candidature"),
        ("Fw: AW: re : Candidature", "Candidature"),
        (f"Re{NBSP}: Candidature", "Candidature"),
        ("Re[2]: Candidature", "Candidature"),
        ("  RE:RE:  Candidature OT ruraux  ", "Candidature OT ruraux"),
        ("Trésorerie : questions", "Trésorerie : questions"),
        ("Retour : avis", "Retour : avis"),
        ("Candidature (re: groupe)", "Candidature (re: groupe)"),
    ],
)
def test_reply_subject_prefixes(original: str, expected: str) -> None:
    assert reply_subject(original) == f"Re{NBSP}: {expected}"


@pytest.mark.parametrize("original", ["", "   ", "Re:", "RE : TR :"])
def test_reply_subject_empty(original: str) -> None:
    assert reply_subject(original) == "Votre message au réseau MONA"
    assert reply_subject(original, "OT ruraux") == f"Groupe de travail «{NBSP}OT ruraux{NBSP}»"


def test_empty_subject_names_the_group(renderer: Renderer) -> None:
    msg, _, _ = render(renderer, "confirmed", subject="")
    assert msg["Subject"] == f"Groupe de travail {quoted('Offices de Tourisme ruraux')}"
    msg, _, _ = render(renderer, "help", subject="Re: ")
    assert msg["Subject"] == "Votre message au réseau MONA"


def test_no_in_reply_to(renderer: Renderer) -> None:
    msg, _, _ = render(renderer, "help", in_reply_to=None, references=())
    assert msg["In-Reply-To"] is None and msg["References"] is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2027, 4, 6, 9, 30, tzinfo=PARIS), "mardi 6 avril 2027 à\u00a09\u00a0h\u00a030"),
        (datetime(2027, 4, 6, 0, 0, tzinfo=PARIS), "mardi 6 avril 2027"),
        (datetime(2027, 9, 1, 18, 0, tzinfo=PARIS), "mercredi 1er septembre 2027 à\u00a018\u00a0h"),
        (datetime(2027, 8, 15, 14, 5, tzinfo=PARIS), "dimanche 15 août 2027 à\u00a014\u00a0h\u00a005"),
        (datetime(2027, 2, 1, 8, 30, tzinfo=UTC), "lundi 1er février 2027 à\u00a09\u00a0h\u00a030"),
        (datetime(2027, 12, 31, 23, 0, tzinfo=UTC), "samedi 1er janvier 2028"),
        (datetime(2027, 4, 6, 9, 30), "mardi 6 avril 2027 à\u00a09\u00a0h\u00a030"),
    ],
)
def test_format_date_fr(value: datetime, expected: str) -> None:
    assert format_date_fr(value, PARIS) == expected


def test_wrap_text_keeps_nbsp_and_hanging_indent() -> None:
    line = "- « " + "mot " * 30 + "»"
    line = line.replace("« ", f"«{NBSP}").replace(" »", f"{NBSP}»")
    wrapped = wrap_text(line, 40).split("\n")
    assert all(len(x) <= 40 for x in wrapped)
    assert all(x.startswith("  ") for x in wrapped[1:])
    assert wrapped[0].startswith(f"- «{NBSP}mot")


# -- staff alert ---------------------------------------------------------------------------


def test_quarantine_alert(renderer: Renderer, shipped_settings: config.Settings) -> None:
    raw = b"From: broken\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n\xff\xfe\x00junk"
    msg = renderer.render_quarantine_alert(
        key="1806234567.M12P345.mx1,S=2048",
        reason="structure MIME illisible",
        sender="Jean <jean@ot-exemple.fr>",
        subject=f"Candidature{INJECTION}",
        raw=raw,
        now=NOW,
    )
    names = header_names(msg.as_bytes())
    assert "bcc" not in names and len(names) == len(set(names))
    parsed = parse(msg)
    assert [a.addr_spec for a in parsed["To"].addresses] == list(shipped_settings.network.staff)
    assert parsed["Subject"] == (
        f"[mailflow] Message mis en quarantaine{NBSP}: Candidature Bcc: x@evil.example"
    )
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Mailflow-Alert"] == "quarantine"
    assert parsed["X-Mailflow-Outcome"] is None
    assert parsed["Content-Language"] == "fr"
    assert parsed["From"].addresses[0].addr_spec == "groupes@monatourisme.fr"
    types = [p.get_content_type() for p in parsed.walk()]
    assert "message/rfc822" not in types
    attachments = list(parsed.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/octet-stream"
    assert attachments[0].get_filename() == "original.eml"
    assert attachments[0].get_content() == raw
    text, html = bodies(msg)
    for body in (text, html):
        assert "structure MIME illisible" in body
        assert "1806234567.M12P345.mx1,S=2048" in body
        assert "original.eml" in body
        assert "quarantaine" in body
        assert "None" not in body and "{{" not in body
    assert "Jean <jean@ot-exemple.fr>" in text
    assert "Jean &lt;jean@ot-exemple.fr&gt;" in html
    assert f"Date{NBSP}: mardi 2 mars 2027 à\u00a014\u00a0h\u00a005" in text


def test_quarantine_alert_unknown_sender_and_subject(renderer: Renderer) -> None:
    msg = renderer.render_quarantine_alert(
        key="k1", reason="trop volumineux", sender=None, subject="", raw=b"", now=NOW
    )
    assert parse(msg)["Subject"] == f"[mailflow] Message mis en quarantaine{NBSP}: (sans objet)"
    text, _ = bodies(msg)
    assert f"Expéditeur{NBSP}: inconnu" in text
    assert f"Objet{NBSP}: (sans objet)" in text


# -- template errors and check() -----------------------------------------------------------


def tmp_renderer(settings: config.Settings, folder: Path) -> Renderer:
    return Renderer(folder, settings.network, settings.groups, settings.departments)


def test_strict_undefined_is_a_render_error(shipped_settings: config.Settings, tmp_path: Path) -> None:
    (tmp_path / "confirmed.txt.j2").write_text("Bonjour {{ nobody_knows_me }}\n")
    (tmp_path / "confirmed.html.j2").write_text("<p>Bonjour</p>\n")
    with pytest.raises(RenderError, match=r"confirmed\.txt\.j2.*nobody_knows_me"):
        tmp_renderer(shipped_settings, tmp_path).render(REPLIES["confirmed"], NOW)


def test_undefined_attribute_is_a_render_error(shipped_settings: config.Settings, tmp_path: Path) -> None:
    (tmp_path / "confirmed.txt.j2").write_text("{{ group.no_such_field }}\n")
    (tmp_path / "confirmed.html.j2").write_text("<p>Bonjour</p>\n")
    with pytest.raises(RenderError, match=r"confirmed\.txt\.j2"):
        tmp_renderer(shipped_settings, tmp_path).render(REPLIES["confirmed"], NOW)


def test_syntax_error_is_a_render_error(shipped_settings: config.Settings, tmp_path: Path) -> None:
    (tmp_path / "help.txt.j2").write_text("ok\n")
    (tmp_path / "help.html.j2").write_text("{% if %}\n")
    with pytest.raises(RenderError, match=r"help\.html\.j2"):
        tmp_renderer(shipped_settings, tmp_path).render(REPLIES["help"], NOW)
    assert any(p.startswith("help.html.j2:") for p in tmp_renderer(shipped_settings, tmp_path).check())


def test_missing_template_is_a_render_error(shipped_settings: config.Settings, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"withdrawn\.txt\.j2"):
        tmp_renderer(shipped_settings, tmp_path).render(REPLIES["withdrawn"], NOW)


def test_bad_template_name_and_group(renderer: Renderer) -> None:
    with pytest.raises(RenderError):
        renderer.render(Reply(Outcome.HELP, "a@b.fr", None, "../etc/passwd"), NOW)
    with pytest.raises(RenderError, match="no-such-group"):
        renderer.render(Reply(Outcome.HELP, "a@b.fr", None, "help", group_id="no-such-group"), NOW)
    with pytest.raises(RenderError, match="group"):
        renderer.render(Reply(Outcome.CONFIRMED, "a@b.fr", None, "confirmed", position=1), NOW)


def test_check_real_templates(renderer: Renderer) -> None:
    assert renderer.check() == []
    assert Template.STAFF_QUARANTINE in {f.split(".")[0] for f in template_files()}


def test_check_lists_missing_template(shipped_settings: config.Settings, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(shipped_settings.templates_dir, folder)
    (folder / "help.html.j2").unlink()
    (folder / "staff_quarantine.txt.j2").unlink()
    assert tmp_renderer(shipped_settings, folder).check() == ["help.html.j2", "staff_quarantine.txt.j2"]
    assert len(tmp_renderer(shipped_settings, tmp_path / "empty").check()) == len(template_files())


# -- what we know, said once ---------------------------------------------------------------------


def test_a_rough_figure_is_asked_once_and_not_also_listed_as_missing(
        renderer: Renderer, shipped_settings: config.Settings) -> None:
    rough = Profile(name=NAME, role=Role.DIRECTOR, role_text="Directrice", department="24",
                    fte=Figure.exact(6), population=Figure(15000, 25000, said="environ 20 000 habitants"),
                    territories=frozenset({Territory.RURAL}), scale=Scale.INTERCOMMUNAL)
    said = unclear(shipped_settings.groups["ot-ruraux"], rough)
    _, text, html = render(renderer, "needs_info", missing=("structure", "population"), profile=rough,
                           unclear=said)
    for body in (flat(text), flat(html)):
        assert MISSING_LABELS["structure"] in body
        assert MISSING_LABELS["population"] not in body  # given, too roughly: asked as such
        assert f"Vous indiquez «{NBSP}environ 20 000 habitants{NBSP}»{NBSP}: ce groupe" in body
        assert "ces informations" in body
    _, text, _ = render(renderer, "needs_info", missing=("population",), profile=rough, unclear=said)
    assert "il nous manque" not in text and f"il nous faut une précision{NBSP}:" in text
    assert "cette information" in flat(text)


@pytest.mark.parametrize(("name", "role", "words"), [
    ("Mme Zoé Lefèvre", None, "parce que vous êtes inscrite à ce groupe de travail"),
    (NAME, "Directeur", "parce que vous êtes inscrit à ce groupe de travail"),
    (NAME, None, "parce que votre inscription à ce groupe de travail est confirmée"),
])
def test_a_moved_meeting_agrees_with_what_is_known(renderer: Renderer, name: str, role: str | None,
                                                   words: str) -> None:
    reply = make(Outcome.MEETING_CHANGED, "meeting_changed", group_id="ot-ruraux", candidature_id="C0003",
                 calendar_sequence=1, to_name=name, profile=Profile(role_text=role) if role else None)
    text, html = bodies(renderer.render(reply, NOW))
    assert words in flat(text) and words in flat(html)
    assert " ou " not in flat(text).split("Pour toute question")[0].split("automatiquement")[-1]
