"""Review through a real Dovecot (IMAPS, the reviewers' answers arriving as mail does) and a real
SMTP server (STARTTLS, AUTH): held, answered in reverse order, sent once, threaded, copied."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow import config
from mailflow.app.service import Service
from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings

from .helpers.messages import LUC, MARIE, staff_answer
from .helpers.project import SAMPLES, local_config
from .helpers.review import draft_of, with_review
from .helpers.runs import Clock, body_text
from .mailservers import Dovecot, MailUser, SmtpSink, point_at_servers


@pytest.fixture
def review_servers(tmp_path: Path, dovecot: Dovecot, mail_user: MailUser,
                   smtp_sink_factory: Callable[..., SmtpSink],
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Service, SmtpSink]]:
    """A service reading a fresh Dovecot mailbox and sending through an SMTP server with
    STARTTLS and AUTH, places and waiting lists held for review; closed at the end."""
    sink = smtp_sink_factory(starttls=True, auth_required=True)
    cfg = point_at_servers(local_config(tmp_path), dovecot, mail_user, sink, monkeypatch)
    settings: Settings = config.load(with_review(cfg))
    service = build_service(settings, read_only=False)
    service.clock = Clock()
    yield service, sink
    service.source.close()
    service.store.close()


def _to(sink: SmtpSink, address: str) -> list[EmailMessage]:
    return [m.parsed() for m in sink.messages if m.rcpt_tos == [address]]


def test_review_through_dovecot_and_smtp(review_servers: tuple[Service, SmtpSink], dovecot: Dovecot,
                                         mail_user: MailUser, tmp_path: Path) -> None:
    service, sink = review_servers
    for sample in (SAMPLES[0], SAMPLES[8]):  # Marie, then Luc
        dovecot.deliver(mail_user.address, sample.read_bytes())
    service.run_batch()
    assert _to(sink, MARIE) == [] and _to(sink, LUC) == []  # held
    reviews = {draft_of(m)["To"].addresses[0].addr_spec: m for m in _to(sink, "animation@monatourisme.fr")}
    assert set(reviews) == {MARIE, LUC}
    # Claire answers Luc's first, then writes Marie's letter herself; both arrive by IMAP.
    dovecot.deliver(mail_user.address, staff_answer(tmp_path, reviews[LUC], "OK").read_bytes())
    letter = "Bonjour Marie,\n\nVotre place est confirmée, la première de ce groupe. À bientôt !\n\nClaire"
    dovecot.deliver(mail_user.address, staff_answer(tmp_path, reviews[MARIE], letter).read_bytes())
    service.run_batch()
    (luc,), (marie,) = _to(sink, LUC), _to(sink, MARIE)
    assert luc["In-Reply-To"] == "<09-candidature-dordogne-2@mail.example.fr>"
    assert "place 2 sur 20" in " ".join(body_text(luc).split())
    assert marie["In-Reply-To"] == "<01-candidature-formulaire-ot-ruraux@mail.example.fr>"
    assert "la première de ce groupe" in body_text(marie)
    assert marie["Message-ID"] == draft_of(reviews[MARIE])["Message-ID"]
    assert [m.mail_from for m in sink.messages][-1] == "groupes@monatourisme.fr"
    # Handled mail is out of the inbox; every message sent has its copy in Sent.
    assert dovecot.mailbox_status(mail_user.address)["messages"] == 0
    assert dovecot.mailbox_status(mail_user.address, "Sent")["messages"] == len(sink.messages)
    service.run_batch()  # a further look sends nothing again
    assert len(_to(sink, MARIE)) == 1 and len(_to(sink, LUC)) == 1
