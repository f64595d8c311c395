"""First come, exactly: Maildir arrival order read from unique names as their writers write them."""

from __future__ import annotations

import mailbox
import os
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow.adapters.maildir import MaildirSource

from .mailservers import Dovecot, MailUser

BASE = 1_700_000_000


def source(root: Path) -> MaildirSource:
    return MaildirSource(root, "Traités", "Quarantaine", create=False)


def numbered(i: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"directeur{i}@ot-exemple.fr"
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = f"Candidature {i:02d}"
    msg.set_content(f"Message numéro {i}.")
    return msg


@pytest.mark.parametrize(("earlier", "later"), [
    # The microseconds are not zero-padded: M7807 is 7,807 µs, before M123456 (123,456 µs).
    ("1700000000.M7807P42Q1.host", "1700000000.M123456P42Q2.host"),
    ("1700000000.M9P42Q1.host", "1700000000.M10P42Q2.host"),
    ("1700000000.M999999P42Q1.host", "1700000001.M0P42Q2.host"),
    # Dovecot: no Q field, size and flags after the host.
    ("1700000000.M7807P1234.mx,S=2048,W=2100:2,", "1700000000.M70000P1234.mx,S=10,W=12"),
    # Device and inode fields (qmail style) do not disturb the microseconds.
    ("1700000000.M5P9V00000000000000FEI0000000000A1B2C.h", "1700000000.M6P9V0I1.h"),
    # The same microsecond in one process: its delivery count decides.
    ("1700000000.M500P42Q9.host", "1700000000.M500P42Q10.host"),
])
def test_names_are_ordered_as_their_writers_meant(earlier: str, later: str) -> None:
    assert MaildirSource.arrival(earlier) < MaildirSource.arrival(later)


def test_the_file_time_counts_only_where_the_name_says_nothing() -> None:
    second = BASE * 1_000_000_000
    # Seconds without microseconds: the file's time within that second orders them.
    assert MaildirSource.arrival("1700000000.P1_2.host", second + 900) > \
        MaildirSource.arrival("1700000000.P3_4.host", second + 100)
    # A file time from another second (copied later) says nothing about this one.
    assert MaildirSource.arrival("1700000000.P1.host", second + 5_000_000_000)[0] == second
    # A name with microseconds ignores the file's time altogether.
    assert MaildirSource.arrival("1700000000.M7P1.host", second + 999_999_999)[0] == second + 7000
    # No time in the name at all (a file dropped by hand): the file's time.
    assert MaildirSource.arrival("candidature.eml", 42) == (42, 0, "candidature.eml")


def test_a_burst_written_by_pythons_mailbox_is_read_in_delivery_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty deliveries in one second, at the times an MDA would see after a newsletter."""
    root = tmp_path / "mailbox"
    box = mailbox.Maildir(root, create=True)
    # Times chosen so that zero-padding on the right would reorder them (7807 µs → 780,700).
    micros = [7807, 31_000, 99_999, 100_000, 123_456, 5_000, 650_001, 700_000, 780_699, 780_701,
              800_000, 812, 850_000, 900_000, 9, 950_000, 960_000, 970_001, 990_000, 999_999]
    clock = iter(sorted(micros))
    monkeypatch.setattr(mailbox.time, "time", lambda: BASE + next(clock) / 1e6)
    for i in range(len(micros)):
        box.add(numbered(i))
    monkeypatch.undo()
    names = sorted(os.listdir(root / "new"))
    assert any(".M9P" in n for n in names) and any(".M7807P" in n for n in names)
    found = source(root)
    subjects = [found.read(w.key).split(b"Subject: ", 1)[1].split(b"\n", 1)[0].decode()
                for w in found.pending()]
    assert subjects == [f"Candidature {i:02d}" for i in range(len(micros))]


def test_a_burst_delivered_by_dovecot_is_read_in_delivery_order(dovecot: Dovecot,
                                                                mail_user: MailUser) -> None:
    """Dovecot's LMTP writes the Maildir; mailflow reading it must agree with IMAP's UID order."""
    for i in range(40):
        dovecot.deliver(mail_user.address, numbered(i))
    root = dovecot.maildir(mail_user.address)
    deadline = time.monotonic() + 5
    while len(os.listdir(root / "new")) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    found = source(root)
    subjects = [found.read(w.key).split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].split(b"\n", 1)[0]
                for w in found.pending()]
    assert [s.decode() for s in subjects] == [f"Candidature {i:02d}" for i in range(40)]
