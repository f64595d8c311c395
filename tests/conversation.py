"""Conversations as data: members write, mailflow answers, members answer the reply it sent.

A conversation is a TOML file of tests/conversations/ (see README.md there): messages in order,
each either new or answering the reply mailflow actually sent to an earlier one, written the way
a mail client writes it (Outlook, Outlook on the web, Gmail, Apple Mail, Thunderbird, an iPhone…),
with what should become of it; and the end state. The runner delivers each message, runs mailflow
as the daemon would (`run --once`), and checks.
"""

from __future__ import annotations

import email
import email.utils
import mailbox
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.settings import Settings
from mailflow.model.values import QuestionStatus
from mailflow.store import Store

from .helpers.runs import run_once

FOLDER = Path(__file__).resolve().parent / "conversations"
PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc.")
_LONG_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_LONG_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre")

#: The subject prefix each client writes when answering.
PREFIXES = {"outlook": f"RE{NBSP}: ", "outlook-en": "RE: ", "outlook-web": "RE: ", "gmail": "Re: ",
            "apple": "Re: ", "thunderbird": "Re: ", "iphone": "Re: ", "outlook-de": "AW: ",
            "plain": "Re: "}


@dataclass
class Step:
    """One message of a conversation and what should become of it."""

    number: int
    spec: dict[str, Any]
    message_id: str = ""
    sender: str = ""
    raw: bytes = b""


@dataclass
class Run:
    """A conversation being played: its workspace and what each step led to."""

    settings: Settings
    steps: list[Step] = field(default_factory=list)
    deliver: Callable[[list[bytes]], None] | None = None
    run_once: Callable[[], None] | None = None

    def sent(self) -> list[EmailMessage]:
        assert self.settings.delivery.path is not None
        found = []
        for path in sorted(self.settings.delivery.path.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found

    def replies_to(self, step: Step) -> list[EmailMessage]:
        """What mailflow sent in answer to this step's message (members and staff)."""
        with Store(self.settings.store_path, read_only=True) as store:
            entry = next((e for e in store.ledger() if e.message_id == step.message_id), None)
            if entry is None:
                return []
            ids = {item.id for item in store.outbox() if item.message_key == entry.key}
        return [m for m in self.sent() if str(m["Message-ID"]) in ids]

    def outcome_of(self, step: Step) -> str | None:
        with Store(self.settings.store_path, read_only=True) as store:
            entry = next((e for e in store.ledger() if e.message_id == step.message_id), None)
        return entry.outcome if entry else None


def conversations() -> list[Path]:
    return sorted(FOLDER.glob("*.toml"))


def load(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


# --- writing messages as clients do ---------------------------------------------------------------


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def _display(header: str) -> tuple[str, str]:
    name, addr = email.utils.parseaddr(header)
    return name, addr


def _sent_at(message: EmailMessage) -> datetime:
    parsed = email.utils.parsedate_to_datetime(str(message["Date"]))
    return parsed.astimezone(PARIS)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _attribution(client: str, ours: EmailMessage) -> str:
    name, addr = _display(str(ours["From"]))
    at = _sent_at(ours)
    short = f"{_DAYS[at.weekday()]} {at.day} {_MONTHS[at.month - 1]} {at.year} à {at:%H:%M}"
    if client == "gmail":
        return f"Le {short}, {name} <{addr}> a écrit :"
    if client in ("apple", "iphone"):
        return f"> Le {at.day} {_MONTHS[at.month - 1]} {at.year} à {at:%H:%M}, {name} <{addr}> a écrit :"
    return f"Le {at:%d/%m/%Y} à {at:%H:%M}, {name} a écrit :"  # Thunderbird


def _header_block(client: str, ours: EmailMessage, member: str) -> str:
    name, addr = _display(str(ours["From"]))
    at = _sent_at(ours)
    long = (f"{_LONG_DAYS[at.weekday()]} {at.day} {_LONG_MONTHS[at.month - 1]} {at.year} "
            f"{at:%H:%M}")
    if client == "outlook-de":
        return (f"Von: {name} <{addr}>\nGesendet: {at:%d.%m.%Y %H:%M}\nAn: {member}\n"
                f"Betreff: {ours['Subject']}")
    if client == "outlook-en":
        return (f"From: {name} <{addr}>\nSent: {at:%A, %B %d, %Y %I:%M %p}\nTo: {member}\n"
                f"Subject: {ours['Subject']}")
    return (f"De{NBSP}: {name} <{addr}>\nEnvoyé{NBSP}: {long}\nÀ{NBSP}: {member}\n"
            f"Objet{NBSP}: {ours['Subject']}")


def answer_text(client: str, new: str, ours: EmailMessage, member: str) -> str:
    """The plain text of a member's answer to `ours`, quoted the way `client` quotes."""
    theirs = _text_of(ours)
    new = new.strip("\n")
    if client in ("outlook", "outlook-en", "outlook-de"):
        return f"{new}\n\n{_header_block(client, ours, member)}\n\n{theirs}"
    if client == "outlook-web":
        return f"{new}\n\n{'_' * 32}\n{_header_block(client, ours, member)}\n\n{theirs}"
    if client == "gmail":
        return f"{new}\n\n{_attribution(client, ours)}\n\n{_quoted(theirs)}\n"
    if client == "apple":
        return f"{new}\n\n{_attribution(client, ours)}\n>\n{_quoted(theirs)}\n"
    if client == "iphone":
        return f"{new}\n\nEnvoyé de mon iPhone\n\n{_attribution(client, ours)}\n>\n{_quoted(theirs)}\n"
    if client == "thunderbird":  # answers below the quote
        return f"{_attribution(client, ours)}\n{_quoted(theirs)}\n\n{new}\n"
    return f"{new}\n"


def _html(text: str) -> str:
    from html import escape

    paragraphs = "".join(f"<p class=MsoNormal>{escape(line) or '&nbsp;'}</p>\n"
                         for line in text.splitlines())
    return f"<html><body lang=FR><div class=WordSection1>\n{paragraphs}</div></body></html>"


def build(step: Step, run: Run, when: datetime) -> bytes:
    """The raw bytes of a step's message, new or answering the reply mailflow sent."""
    spec = step.spec
    client = spec.get("client", "plain")
    msg = EmailMessage()
    sender = spec.get("from")
    answers = spec.get("answers")
    ours: EmailMessage | None = None
    if spec.get("answers_step") is not None:  # a reply to another message of the story itself
        earlier_step = run.steps[spec["answers_step"] - 1]
        parsed = email.message_from_bytes(earlier_step.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        ours = parsed
        if sender is None:
            sender = str(ours["To"])
    elif answers is not None:
        earlier = run.steps[answers - 1]
        kind = spec.get("answers_kind")
        replies = [m for m in run.replies_to(earlier)
                   if m["X-Mailflow-Alert"] is None and (kind is None or m["X-Mailflow-Outcome"] == kind)]
        if spec.get("answers_staff"):
            replies = [m for m in run.replies_to(earlier) if m["X-Mailflow-Alert"] == "question"]
        if spec.get("answers_plan"):  # a staff member answering mailflow's answer to an action
            replies = [m for m in run.replies_to(earlier) if m["X-Mailflow-Alert"] == "staff-action"]
        assert replies, f"message {step.number}: no reply to message {answers} to answer"
        ours = replies[0]
        if sender is None:
            sender = str(ours["To"]) if not spec.get("answers_staff") else spec["from"]
    assert sender, f"message {step.number}: who writes it? (from = …)"
    name, addr = _display(sender)
    step.sender = addr.lower()
    msg["From"] = Address(name, addr_spec=addr) if name else addr
    mailbox_address = "MONA – Groupes de travail <groupes@monatourisme.fr>"
    if spec.get("answers_step") is not None and ours is not None:  # « Répondre à tous »
        msg["To"] = spec.get("to", str(ours["From"]))
        msg["Cc"] = spec.get("cc", mailbox_address)
    elif spec.get("answers_staff") and ours is not None:  # « Répondre à tous » to the forward
        msg["To"] = spec.get("to", str(ours["Reply-To"]))
        msg["Cc"] = spec.get("cc", mailbox_address)
    else:
        msg["To"] = spec.get("to", mailbox_address)
        if spec.get("cc"):
            msg["Cc"] = spec["cc"]
    domain = addr.rpartition("@")[2]
    step.message_id = email.utils.make_msgid(domain=domain)
    if ours is not None:
        prefix = spec.get("prefix", PREFIXES.get(client, "Re: "))
        subject = spec.get("subject", f"{prefix}{ours['Subject']}")
        text = answer_text(client, spec.get("body", ""), ours, sender)
        if spec.get("threading", True):
            msg["In-Reply-To"] = str(ours["Message-ID"])
            refs = str(ours.get("References", "")).split()
            msg["References"] = " ".join([*refs, str(ours["Message-ID"])])
        if client.startswith("outlook"):
            msg["Thread-Topic"] = str(ours["Subject"])
            msg["Thread-Index"] = "AQHa1b2c3d4e5f6g7h8i9j0kAAAAAA=="
    else:
        subject = spec.get("subject", "")
        text = spec.get("body", "")
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = step.message_id
    if client == "iphone":
        msg["X-Mailer"] = "iPhone Mail (21F90)"
    msg.set_content(text)
    if client.startswith("outlook"):
        msg.add_alternative(_html(text), subtype="html")
    for attachment in spec.get("attachments", []):
        msg.add_attachment(attachment.get("content", "%PDF-1.4\n% sample\n").encode(),
                           maintype="application", subtype="pdf", filename=attachment["name"])
    return bytes(msg)


# --- running -----------------------------------------------------------------------------------


def maildir_deliverer(settings: Settings) -> Callable[[list[bytes]], None]:
    assert settings.mailbox.path is not None
    box = mailbox.Maildir(settings.mailbox.path, create=True)

    def deliver(messages: list[bytes]) -> None:
        for raw in messages:
            box.add(raw)

    return deliver


def cli_once(settings: Settings) -> Callable[[], None]:
    """`mailflow run --once` on these settings, as the daemon's next look at the mailbox."""
    return partial(run_once, settings)


def play(spec: dict[str, Any], settings: Settings, deliver: Callable[[list[bytes]], None],
         run_once: Callable[[], None]) -> Iterator[tuple[Step, Run]]:
    """Play a conversation step by step (a step may be delivered with the next ones at once)."""
    run = Run(settings, deliver=deliver, run_once=run_once)
    with Store(settings.store_path) as store:
        for group_id, changes in spec.get("groups", {}).items():
            store.set_group_override(group_id, changes)
        store.commit()
    pending: list[bytes] = []
    for number, message in enumerate(spec["message"], 1):
        step = Step(number, message)
        run.steps.append(step)
        step.raw = build(step, run, datetime.now(UTC))
        pending.append(step.raw)
        if message.get("with_next"):
            continue
        deliver(pending)
        pending = []
        run_once()
        yield step, run


def check_step(step: Step, run: Run) -> list[str]:
    """What went wrong with one step, as sentences (empty when all is as expected)."""
    spec = step.spec
    problems: list[str] = []
    outcome = run.outcome_of(step)
    expected = spec.get("expect")
    if expected and outcome != expected:
        problems.append(f"message {step.number}: outcome {outcome!r}, expected {expected!r}")
    replies = run.replies_to(step)
    member = [m for m in replies if m["X-Mailflow-Alert"] is None]
    staff = sorted(str(m["X-Mailflow-Alert"]) for m in replies if m["X-Mailflow-Alert"] is not None)
    if spec.get("no_reply") and [m for m in member if _to(m) == step.sender]:
        problems.append(f"message {step.number}: a reply went to {step.sender}")
    if "staff" in spec and staff != sorted(spec["staff"]):
        problems.append(f"message {step.number}: staff got {staff}, expected {spec['staff']}")
    # What the sender got: a member's replies, or mailflow's answers to a staff member's action.
    mine = [m for m in replies if _to(m) == step.sender
            and m["X-Mailflow-Alert"] in (None, "staff-action")]
    text = _words("\n".join(_text_of(m) for m in mine))
    for words in spec.get("reply_says", []):
        if _words(words) not in text:
            problems.append(f"message {step.number}: the reply does not say {words!r}")
    for words in spec.get("reply_never_says", []):
        if _words(words) in text:
            problems.append(f"message {step.number}: the reply says {words!r}")
    if "replies" in spec and len(mine) != spec["replies"]:
        problems.append(f"message {step.number}: {len(mine)} replies to the member, "
                        f"expected {spec['replies']}")
    return problems


def _words(text: str) -> str:
    """Text as read: line breaks and (no-break) spaces all one space."""
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").split())


def _to(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec).lower()


def check_end(spec: dict[str, Any], run: Run) -> list[str]:
    """The end state: candidatures by address, ideas, open questions."""
    end = spec.get("end", {})
    problems: list[str] = []
    settings = run.settings
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
    if "candidatures" in end:
        found: dict[str, list[str]] = {}
        for cand in state.candidatures:
            found.setdefault(cand.email, []).append(f"{cand.group_id} {cand.status.value}")
        wanted = {k: sorted(v if isinstance(v, list) else [v]) for k, v in end["candidatures"].items()}
        got = {k: sorted(v) for k, v in found.items()}
        if got != wanted:
            problems.append(f"candidatures {got}, expected {wanted}")
    if "ideas" in end:
        latest = {i.id: i for i in state.ideas}
        got_ideas = sorted(i.status for i in latest.values())
        if got_ideas != sorted(end["ideas"]):
            problems.append(f"ideas {got_ideas}, expected {sorted(end['ideas'])}")
    if "open_questions" in end:
        open_count = sum(q.status is QuestionStatus.OPEN for q in state.questions)
        if open_count != end["open_questions"]:
            problems.append(f"{open_count} open question(s), expected {end['open_questions']}")
    if "questions" in end and len(state.questions) != end["questions"]:
        problems.append(f"{len(state.questions)} question(s), expected {end['questions']}")
    return problems
