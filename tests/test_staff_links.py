"""The actions an alert and the digest offer: their mailto: links read back as the actions they stand for."""

from __future__ import annotations

import email.utils
import html
import re
from dataclasses import replace as changed
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from mailflow.config.settings import Settings
from mailflow.core.read.staff.reader import read_request
from mailflow.core.read.staff.request import Command
from mailflow.core.write.digest import build_digest
from mailflow.core.write.staff_links import digest_actions
from mailflow.model.values import (
    CallStatus,
    Candidature,
    Idea,
    IdeaStatus,
    Question,
    StaffVerb,
    State,
    Status,
)

from .helpers.messages import RURAL_DIRECTOR, STAFF, deliver, staff_answer
from .helpers.runs import body_html, body_text, run_once, staff_action_mail
from .helpers.worlds import digest_after_the_samples, fill_role_ot, stored_state

PARIS = ZoneInfo("Europe/Paris")
LINK = re.compile(r'href="(mailto:[^"]+)"')


def links(message: EmailMessage) -> list[tuple[str, str, str]]:
    """(address, subject, body) of every mailto: link of the message's HTML."""
    found = []
    for href in LINK.findall(body_html(message)):
        url = urlsplit(html.unescape(href))
        query = parse_qs(url.query)
        found.append((unquote(url.path), query["subject"][0], query["body"][0]))
    return found


def read(settings: Settings, body: str) -> Command:
    now = datetime.now(UTC)
    state = stored_state(settings)
    reading = read_request("", body.replace("\r\n", "\n"), state, now, PARIS)
    assert len(reading.commands) == 1, (body, reading)
    return reading.commands[0]


def test_the_digest_offers_the_actions_that_fit(workspace: Settings) -> None:
    message, _ = digest_after_the_samples(workspace, send=False)
    assert isinstance(message, EmailMessage)
    found = links(message)
    assert {address for address, _, _ in found} == {"groupes@monatourisme.fr"}
    commands = [read(workspace, body) for _, _, body in found]
    assert (StaffVerb.QUESTION_DONE, "Q0001") in [(c.verb, c.target) for c in commands]
    assert (StaffVerb.IDEA_ADVANCE, "I0001") in [(c.verb, c.target) for c in commands]
    # The text version gives the same lines, to copy into an answer.
    said = " ".join(body_text(message).split())
    for _, _, body in found:
        assert " ".join(body.split()) in said


def test_a_full_group_alert_offers_to_close_or_add_places(workspace: Settings, tmp_path: Path) -> None:
    alert = fill_role_ot(workspace, tmp_path)
    commands = [read(workspace, body) for _, _, body in links(alert)]
    assert [(c.verb, c.target, dict(c.fields)) for c in commands] == [
        (StaffVerb.CLOSE, "role-ot", {}), (StaffVerb.CAPACITY, "role-ot", {"capacity": "20"})]


def test_a_link_sent_as_it_is_goes_round_to_the_action(workspace: Settings, tmp_path: Path) -> None:
    """Claire clicks « Clore l’appel » in the alert, sends the prepared mail, confirms the plan."""
    alert = fill_role_ot(workspace, tmp_path)
    address, subject, body = links(alert)[0]
    msg = EmailMessage()
    msg["From"] = f"Claire Morel <{STAFF}>"
    msg["To"] = address
    msg["Subject"] = subject
    msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(body.replace("\r\n", "\n"))
    path = tmp_path / "clicked.eml"
    path.write_bytes(bytes(msg))
    deliver(workspace, [path])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    state = stored_state(workspace)
    assert state.groups["role-ot"].call is CallStatus.CLOSED


def test_every_line_the_digest_offers_reads_back_as_its_action(shipped_settings: Settings) -> None:
    """A digest with every idea stage, a full group with a waiting list and an open question:
    each line offered, sent as it is, is read as the action its label names."""
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    role = [Candidature(id=f"C{n:04d}", group_id="role-ot", email=f"d{n}@ot.fr", name=f"D {n}",
                        profile=changed(RURAL_DIRECTOR, department="24"),
                        status=Status.CONFIRMED if n <= 15 else Status.WAITLISTED, seq=n,
                        received_at=now - timedelta(hours=2, minutes=n), message_key=f"k{n}")
            for n in range(1, 17)]
    ideas = [Idea(id=f"I{n:04d}", seq=20 + n, email="t@ot.fr", name="T", subject="Accueil",
                  summary="", received_at=now - timedelta(days=1), message_key=f"i{n}",
                  status=stage)
             for n, stage in enumerate(IdeaStatus, 1)]
    question = Question(id="Q0001", seq=40, email="q@ot.fr", name="Q", subject="Renseignements",
                        text="Qui peut venir ?", received_at=now - timedelta(hours=1),
                        message_key="q1")
    state = State(shipped_settings.groups, shipped_settings.departments, candidatures=tuple(role),
                  ideas=tuple(ideas), questions=(question,))
    digest = build_digest(state, [], [], now - timedelta(days=1), now)
    assert digest is not None
    offered = digest_actions(digest, "groupes@monatourisme.fr")
    verbs = {StaffVerb.QUESTION_DONE: "Réponse envoyée", StaffVerb.PROMOTE: "Promouvoir",
             StaffVerb.CLOSE: "Clore l’appel", StaffVerb.IDEA_VALIDATE: "Valider",
             StaffVerb.IDEA_DRAFT: "Préparer", StaffVerb.IDEA_ADVANCE: "Avancer"}
    read_back = []
    for action in offered:
        reading = read_request(action.label, action.line, state, now, PARIS)
        assert len(reading.commands) == 1, (action.line, reading)
        command = reading.commands[0]
        if action.line.startswith("Valider"):  # the board's date is for staff to write, else today's
            assert command.fields["board_said"] == "no"
        assert action.label.startswith(verbs[command.verb]), (action.label, command.verb)
        read_back.append((command.verb, command.target))
    assert set(read_back) == {
        (StaffVerb.QUESTION_DONE, "Q0001"), (StaffVerb.PROMOTE, "C0016"), (StaffVerb.CLOSE, "role-ot"),
        (StaffVerb.IDEA_ADVANCE, "I0001"), (StaffVerb.IDEA_ADVANCE, "I0002"),
        (StaffVerb.IDEA_VALIDATE, "I0003"), (StaffVerb.IDEA_DRAFT, "I0004")}
