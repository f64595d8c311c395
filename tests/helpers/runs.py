"""Mailflow run as people run it (the command line, a service on a clock the test moves), and what
it sent and printed, read back."""

from __future__ import annotations

import argparse
import email
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from mailflow.app.wiring import build_service
from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.core.write.newsletter import render_newsletter
from mailflow.model.values import State

from .project import NOW


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in mailflow catches it."""


class Clock:
    """A clock the test sets or moves forward (to reach a time without waiting for it)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# --- the command line ---------------------------------------------------------------------------


def plain(text: str) -> str:
    """Output with its French spaces (no-break, before « : » and inside « ») as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def mailflow(settings: Settings, *args: str) -> int:
    """`mailflow --config <the workspace's file> …`, its exit code."""
    return main(["--config", str(settings.file), *args])


def run_once(settings: Settings) -> None:
    """`mailflow run --once`, as the daemon's one look at the mailbox; it must succeed."""
    assert mailflow(settings, "run", "--once") == 0


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`mailflow …`: its exit code, its output and its errors, with plain spaces."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, plain(out), plain(err)


def cli(capsys: pytest.CaptureFixture[str], settings: Settings | Path, *args: str) -> tuple[int, str, str]:
    """`mailflow --config <settings' file or the file given> …`, as `run_cli` gives it."""
    file = settings.file if isinstance(settings, Settings) else settings
    return run_cli(capsys, "--config", str(file), *args)


def command_lines(p: argparse.ArgumentParser, prefix: str = "mailflow") -> list[str]:
    """Every command line the parser accepts, with its options (`mailflow run --once`, …)."""
    found: list[str] = []
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += command_lines(sub, f"{prefix} {name}")
    if not found:
        found.append(prefix)
        for action in p._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    found.append(f"{prefix} {option}")
    return found


#: One command line per command of the parser, with the values people give (on `every_status_store`).
COMMAND_LINES = {
    "mailflow run": ["run", "--dry-run"],
    "mailflow status": ["status"],
    "mailflow groups list": ["groups", "list"],
    "mailflow groups show": ["groups", "show", "ot-ruraux"],
    "mailflow groups open": ["groups", "open", "role-ot", "--dry-run"],
    "mailflow groups close": ["groups", "close", "role-ot"],
    "mailflow groups set": ["groups", "set", "ot-ruraux", "--capacity", "25"],
    "mailflow groups reset": ["groups", "reset", "role-ot"],
    "mailflow candidates list": ["candidates", "list", "role-ot"],
    "mailflow candidates add": ["candidates", "add", "role-ot", "--email", "jeanne@ot-confolentais.fr",
                                "--name", "Jeanne Martin", "--department", "16"],
    "mailflow candidates withdraw": ["candidates", "withdraw", "C0001", "--reason", "par téléphone"],
    "mailflow candidates refuse": ["candidates", "refuse", "C0002", "--reason", "hors profil"],
    "mailflow candidates promote": ["candidates", "promote", "C0008", "--reason", "choix"],
    "mailflow candidates export": ["candidates", "export", "role-ot"],
    "mailflow digest": ["digest", "--print"],
    "mailflow check-config": ["check-config"],
    "mailflow newsletter": ["newsletter", "--text"],
    "mailflow ideas list": ["ideas", "list"],
    "mailflow ideas show": ["ideas", "show", "I0001"],
    "mailflow ideas advance": ["ideas", "advance", "I0002"],
    "mailflow ideas validate": ["ideas", "validate", "I0004", "--board-date", "2026-12-01"],
    "mailflow ideas decline": ["ideas", "decline", "I0003", "--reason", "hors sujet"],
    "mailflow ideas draft": ["ideas", "draft", "I0005"],
    "mailflow history": ["history"],
    "mailflow questions list": ["questions", "list", "--all"],
    "mailflow questions done": ["questions", "done", "Q0002"],
    "mailflow privacy export": ["privacy", "export", "marie.dupont@ot-perigord-noir.fr"],
    "mailflow privacy purge": ["privacy", "purge", "--before", "2030-01-01", "--dry-run"],
    "mailflow quarantine list": ["quarantine", "list"],
    "mailflow old list": ["old", "list"],
    "mailflow old archive": ["old", "archive", "--dry-run"],
    "mailflow quarantine show": ["quarantine", "show", "1"],
    "mailflow quarantine retry": ["quarantine", "retry", "--all", "--dry-run"],
    "mailflow review list": ["review", "list"],
    "mailflow review show": ["review", "show", "1"],
    "mailflow review send": ["review", "send", "1"],
    "mailflow review hold": ["review", "hold", "1"],
    "mailflow review stats": ["review", "stats"],
    "mailflow review stop": ["review", "stop", "confirmed"],
    "mailflow review resume": ["review", "resume", "confirmed"],
}


# --- a service, as the daemon runs it -----------------------------------------------------------


def run_job(settings: Settings, clock: Clock, job: str) -> object:
    """One job of a writing service (`run_batch`, `digest_if_due`…) at the clock's time; its result."""
    service = build_service(settings, read_only=False)
    service.clock = clock
    try:
        return getattr(service, job)()
    finally:
        service.store.close()


# --- what it sent ------------------------------------------------------------------------------


def sent_mail(settings: Settings) -> list[EmailMessage]:
    """Every message the outbox folder holds, in sending order."""
    assert settings.delivery.path is not None
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(settings.delivery.path.glob("*.eml"))]
    return [m for m in messages if isinstance(m, EmailMessage)]


def member_mail(settings: Settings) -> list[EmailMessage]:
    """What members were sent (staff alerts and digests left out)."""
    return [m for m in sent_mail(settings) if m["X-Mailflow-Alert"] is None]


def staff_mail(settings: Settings, kind: str) -> list[EmailMessage]:
    """What staff were sent, of one kind (`X-Mailflow-Alert`: digest, group-full, promoted…)."""
    return [m for m in sent_mail(settings) if m["X-Mailflow-Alert"] == kind]


def staff_action_mail(settings: Settings) -> list[EmailMessage]:
    """What staff were sent about their actions by email: plans, « c’est fait », questions back."""
    return staff_mail(settings, "staff-action")


def body_text(message: EmailMessage) -> str:
    """The message's plain-text body, as written."""
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def body_html(message: EmailMessage) -> str:
    """The message's HTML body, as written."""
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


# --- the newsletter ------------------------------------------------------------------------------


def newsletter(settings: Settings, state: State | None = None, *ids: str, html: bool = True,
               now: datetime = NOW) -> str:
    """The newsletter's blocks for the groups `ids` (all by default), on `state` (none taken)."""
    state = state or State(groups=settings.groups, departments=settings.departments)
    return render_newsletter(settings.templates_dir, settings.network, state, now, ids, html=html)


def decode_mailto(href: str) -> tuple[str, dict[str, str]]:
    """(address, {"subject": …, "body": …}) read back with urllib.parse."""
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in query.values())
    return unquote(parts.path), {key: values[0] for key, values in query.items()}
