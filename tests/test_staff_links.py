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
from mailflow.core.french.staff import quote
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
from .helpers.project import SAMPLES
from .helpers.runs import (
    body_html,
    body_text,
    member_mail,
    run_once,
    sent_mail,
    staff_action_mail,
    staff_mail,
)
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


def clicked(tmp: Path, address: str, subject: str, body: str) -> Path:
    """The mail a staff member's client prepares from a mailto: link, sent as it is."""
    msg = EmailMessage()
    msg["From"] = f"Claire Morel <{STAFF}>"
    msg["To"] = address
    msg["Subject"] = subject
    msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(body.replace("\r\n", "\n"))
    path = tmp / "clicked.eml"
    path.write_bytes(bytes(msg))
    return path


def test_a_link_sent_as_it_is_goes_round_to_the_action(workspace: Settings, tmp_path: Path) -> None:
    """Claire clicks « Clore l’appel » in the alert, sends the prepared mail, confirms the plan."""
    alert = fill_role_ot(workspace, tmp_path)
    path = clicked(tmp_path, *links(alert)[0])
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


# --- where « Répondre » goes, and where the action lines go ----------------------------------------


def replies_to(message: EmailMessage) -> str:
    """Where a plain « Répondre » sends the answer: Reply-To, else From."""
    header = message["Reply-To"] or message["From"]
    return str(header.addresses[0].addr_spec)


def test_the_forwarded_question_sends_its_closing_line_to_the_mailbox_only(workspace: Settings,
                                                                            tmp_path: Path) -> None:
    """« Répondre » to the forward reaches the member: the line that closes the question is never
    to be sent that way, but in a new message to the mailbox, as the mail says and its link does."""
    deliver(workspace, [SAMPLES[7]])  # Claire Fontaine's question, Q0001
    run_once(workspace)
    (forward,) = staff_mail(workspace, "question")
    assert replies_to(forward) == "claire.fontaine@ot-vienne-gartempe.fr"
    text = " ".join(body_text(forward).split())
    assert ("ne répondez pas à ce message pour clore la question : votre réponse irait à Claire "
            "Fontaine. Écrivez un nouveau message à groupes@monatourisme.fr, avec cette ligne : "
            "- Réponse envoyée Q0001") in text
    assert "Pour agir, répondez" not in text and "mailflow questions" not in text
    assert [(address, body) for address, _, body in links(forward)] == [
        ("groupes@monatourisme.fr", "Réponse envoyée Q0001")]
    # The link, sent as it is, closes the question; Claire Fontaine hears nothing of it.
    path = clicked(tmp_path, *links(forward)[0])
    before = len(member_mail(workspace))
    deliver(workspace, [path])
    run_once(workspace)
    assert [q.status.value for q in stored_state(workspace).questions] == ["answered"]
    assert len(member_mail(workspace)) == before


def test_no_mail_asks_to_answer_it_with_an_action_unless_the_answer_reaches_the_mailbox(
        workspace: Settings, tmp_path: Path) -> None:
    """Alerts, the digest and the forward: where « Répondre » does not reach the mailbox, the mail
    never invites staff to answer it with an action line; every link goes to the mailbox."""
    fill_role_ot(workspace, tmp_path)
    message, _ = digest_after_the_samples(workspace, send=True)
    assert message is not None
    offering = [m for m in sent_mail(workspace) if m["X-Mailflow-Alert"] and links(m)]
    assert {m["X-Mailflow-Alert"] for m in offering} >= {"group-full", "question", "digest"}
    for mail in offering:
        text = " ".join(body_text(mail).split())
        assert {address for address, _, _ in links(mail)} == {"groupes@monatourisme.fr"}
        if replies_to(mail) != "groupes@monatourisme.fr":
            assert re.search(r"répondez à ce (message|point)", text) is None, text
        else:
            assert "groupes@monatourisme.fr" in text


def test_a_question_quoted_for_staff_keeps_its_marks_on_every_line(workspace: Settings,
                                                                    tmp_path: Path) -> None:
    """Long lines wrapped, a link longer than a line: every line keeps its « > », and no line but
    the link's is longer than 72."""
    link = "https://www.ot-exemple.fr/" + "tres-longue-adresse/" * 4 + "index.html"
    words = ("Bonjour, une question : quand a lieu la prochaine rencontre du réseau, et un office "
             "qui a fusionné l’an dernier avec deux autres peut-il venir ? " * 2)
    question = EmailMessage()
    question["From"] = "Marie Durand <marie.durand@ot-exemple.fr>"
    question["To"] = "groupes@monatourisme.fr"
    question["Subject"] = "Une question"
    question["Message-ID"] = email.utils.make_msgid(domain="ot-exemple.fr")
    question["Date"] = email.utils.format_datetime(datetime.now(UTC))
    question.set_content(f"{words}\nVoir {link} merci\n\nMarie Durand\n")
    (tmp_path / "question.eml").write_bytes(bytes(question))
    deliver(workspace, [tmp_path / "question.eml"])
    run_once(workspace)
    (forward,) = staff_mail(workspace, "question")
    lines = body_text(forward).replace("\u00a0", " ").replace("\u202f", " ").splitlines()
    quoted = lines[lines.index("Son message :") + 2:]
    quoted = quoted[:quoted.index("")]
    assert len(quoted) >= 5 and all(line.startswith(">") for line in quoted), quoted
    assert " ".join(line[2:] for line in quoted).replace("\u00a0", " ").split() == (
        f"{words}\nVoir {link} merci\n\nMarie Durand").split()
    assert [line for line in lines if len(line) > 72] == [f"> {link}"]


def test_a_quote_of_a_quote_keeps_both_marks_when_wrapped() -> None:
    quoted = quote("Je transfère :\n> " + "une ligne citée qui dépasse la largeur " * 3 + "\n>\n> fin", 40)
    lines = quoted.splitlines()
    assert lines[0] == "> Je transfère :"
    assert len(lines) >= 5 and all(line.startswith(">> ") for line in lines[1:-2]), lines
    assert lines[-2:] == [">>", ">> fin"] and max(map(len, lines)) <= 40
