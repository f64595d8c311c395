"""Messages to give mailflow: as the core's values (`inbound`, `intent`), and as the emails members
and staff write, delivered into a workspace's Maildir as a mail server would."""

from __future__ import annotations

import email.utils
import itertools
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from mailflow.config.settings import Settings
from mailflow.model.values import (
    Figure,
    Inbound,
    Intent,
    IntentKind,
    Profile,
    Role,
    Scale,
    Territory,
)

from ..conversation import answer_text
from .project import SAMPLES

STAFF = "animation@monatourisme.fr"
MARIE = "marie.dupont@ot-perigord-noir.fr"
LUC = "luc.garnier@ot-bastides-dordogne.fr"
NADIA = "nadia.roux@ot-isle-auvezere.fr"
TOKEN = "MF-ABCDEFGH23"  # a confirmation code as mailflow writes them

RURAL_DIRECTOR = Profile(
    name="Marie Dupont", structure="Office de Tourisme du Sarladais", role=Role.DIRECTOR,
    role_text="Directrice", department="24", fte=Figure.exact(6), population=Figure.exact(9000),
    territories=frozenset({Territory.RURAL}), scale=Scale.INTERCOMMUNAL,
)

_keys = itertools.count(1)


# --- as the core's values ----------------------------------------------------------------------


def inbound(sender: str = "marie.dupont@ot-sarlat.fr", subject: str = "Candidature",
            text: str = "", name: str | None = "Marie Dupont") -> Inbound:
    """A parsed message as `parse` would give it."""
    n = next(_keys)
    return Inbound(key=f"k{n}", sha256=f"{n:064x}", message_id=f"<m{n}@example.test>",
                   sender=sender, sender_name=name, subject=subject, text=text, new_text=text)


def intent(kind: IntentKind = IntentKind.CANDIDATURE, group: str | None = "ot-ruraux",
           sender: str = "marie.dupont@ot-sarlat.fr", profile: Profile = RURAL_DIRECTOR,
           subject: str = "Candidature") -> Intent:
    """An intent as `classify` would give it."""
    return Intent(kind, inbound(sender, subject), sender, profile.name, group_id=group,
                  profile=profile)


# --- as emails, delivered ----------------------------------------------------------------------


def deliver(settings: Settings, files: Sequence[Path], at: datetime | None = None) -> list[str]:
    """Deliver files into the Maildir as an MDA would: unique names that carry the delivery time
    (now, or `at`)."""
    assert settings.mailbox.path is not None
    new = settings.mailbox.path / "new"
    new.mkdir(parents=True, exist_ok=True)
    keys = []
    for i, file in enumerate(files):
        now = time.time_ns() if at is None else int(at.timestamp() * 1e9) + i * 1000
        key = f"{now // 1_000_000_000}.M{(now // 1000) % 1_000_000}P{i}Q{i}.{file.stem}"
        shutil.copyfile(file, new / key)
        keys.append(key)
        time.sleep(0.002)
    return keys


def member_message(tmp: Path, sender: str, subject: str, body: str) -> Path:
    """A member's first message, typed in her mail client, as a file ready to deliver."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = email.utils.make_msgid(domain="ot.example.fr")
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(body)
    path = tmp / f"member-{len(list(tmp.glob('member-*')))}.eml"
    path.write_bytes(bytes(msg))
    return path


def member_reply(to_message: EmailMessage, body: str, tmp: Path, sender: str | None = None) -> Path:
    """The member answering one of our messages with « Répondre », as a file ready to deliver."""
    reply = EmailMessage()
    reply["From"] = sender or str(to_message["To"])
    reply["To"] = str(to_message["From"])
    reply["Subject"] = f"RE : {to_message['Subject']}"
    reply["Message-ID"] = email.utils.make_msgid(domain="ot.example.fr")
    reply["In-Reply-To"] = str(to_message["Message-ID"])
    reply["Date"] = email.utils.format_datetime(datetime.now(UTC))
    reply.set_content(body)
    path = tmp / f"reply-{len(list(tmp.glob('reply-*')))}.eml"
    path.write_bytes(reply.as_bytes())
    return path


def staff_message(tmp: Path, body: str, *, subject: str = "Action",
                  sender: str = f"Claire Morel <{STAFF}>",
                  headers: tuple[tuple[str, str], ...] = ()) -> Path:
    """A new message typed by a staff member in Outlook, as a file ready to deliver."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(f"{body}\n\nClaire Morel\nChargée de mission animation\nMONA\n")
    path = tmp / f"staff-{len(list(tmp.glob('staff-*')))}.eml"
    path.write_bytes(bytes(msg))
    return path


def staff_answer(tmp: Path, ours: EmailMessage, body: str, *, sender: str = f"Claire Morel <{STAFF}>",
                 headers: tuple[tuple[str, str], ...] = ()) -> Path:
    """The staff member's « Répondre » in Outlook to one of mailflow's messages."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = str(ours["From"])
    msg["Subject"] = f"RE\u00a0: {ours['Subject']}"
    msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
    msg["In-Reply-To"] = str(ours["Message-ID"])
    msg["References"] = str(ours["Message-ID"])
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(answer_text("outlook", body, ours, sender))
    path = tmp / f"staff-{len(list(tmp.glob('staff-*')))}.eml"
    path.write_bytes(bytes(msg))
    return path


def role_ot_applicants(tmp: Path, count: int) -> list[Path]:
    """`count` directors applying to role-ot (15 places), each from an address of their own
    (d0@ot.fr, d1@ot.fr…)."""
    sample = SAMPLES[1].read_bytes()  # a director applying to role-ot
    files = []
    for n in range(count):
        f = tmp / f"role{n}.eml"
        f.write_bytes(sample.replace(b"direction@coeurdebearn-tourisme.fr", f"d{n}@ot.fr".encode())
                      .replace(b"<02-candidature", f"<{n}-candidature".encode()))
        files.append(f)
    return files
