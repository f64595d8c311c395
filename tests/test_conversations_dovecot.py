"""Every conversation of tests/conversations/ ends right with a real Dovecot as the mailbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow import config

from .conversation import check_end, check_step, cli_once, conversations, load, play
from .helpers.project import local_config
from .mailservers import Dovecot, MailUser


@pytest.mark.parametrize("path", conversations(), ids=lambda p: p.stem)
def test_a_conversation_through_dovecot(path: Path, tmp_path: Path, dovecot: Dovecot,
                                        mail_user: MailUser, monkeypatch: pytest.MonkeyPatch) -> None:
    """Members' mail delivered by LMTP, read by IMAP (UIDs, folders, moves); replies in a folder."""
    cfg = local_config(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    maildir_url = text.split('url = "maildir:', 1)[1].split('"', 1)[0]
    cfg.write_text(text.replace(f'url = "maildir:{maildir_url}"', (
        f'url = "imaps://{mail_user.address}@127.0.0.1:{dovecot.imaps_port}/INBOX"\n'
        f'ca_file = "{dovecot.cafile}"\nidle = false')), encoding="utf-8")
    monkeypatch.setenv("MAILFLOW_IMAP_PASSWORD", mail_user.password)
    settings = config.load(cfg)
    spec = load(path)

    def deliver(messages: list[bytes]) -> None:
        for raw in messages:
            dovecot.deliver(mail_user.address, raw)

    problems: list[str] = []
    run = None
    for step, run in play(spec, settings, deliver, cli_once(settings)):
        problems += check_step(step, run)
    assert run is not None
    problems += check_end(spec, run)
    assert problems == [], f"{spec['title']}:\n" + "\n".join(problems)
    assert dovecot.mailbox_status(mail_user.address)["messages"] == 0  # every message moved
