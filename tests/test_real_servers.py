"""End to end through a real Dovecot (IMAP) and a real SMTP server, faults and crashes included."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from mailflow import config
from mailflow.adapters.imap import ImapSource
from mailflow.adapters.smtp import SmtpTransport
from mailflow.app.service import Service
from mailflow.app.wiring import build_service
from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.errors import MailflowError, SourceError

from .helpers.messages import STAFF
from .helpers.project import EXPECTED, ROOT, SAMPLES, local_config
from .helpers.runs import Clock, Crash, plain
from .mailservers import Dovecot, MailUser, SmtpSink, point_at_servers


@pytest.fixture
def sink(smtp_sink_factory: Callable[..., SmtpSink]) -> SmtpSink:
    """An SMTP server with STARTTLS and AUTH, like a hosted provider's submission port."""
    return smtp_sink_factory(starttls=True, auth_required=True)


@pytest.fixture
def servers_config(tmp_path: Path, dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped configuration pointed at the test servers, written as the README shows."""
    return point_at_servers(local_config(tmp_path), dovecot, mail_user, sink, monkeypatch)


@pytest.fixture
def servers_settings(servers_config: Path) -> Settings:
    return config.load(servers_config)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_service(servers_settings: Settings, clock: Clock) -> Iterator[Callable[..., Service]]:
    """Services as the CLI builds them, on the test clock; each is closed at the end."""
    made: list[Service] = []

    def make(**replace: Any) -> Service:
        service = build_service(servers_settings, read_only=False)
        service.clock = clock
        for name, value in replace.items():
            setattr(service, name, value)
        made.append(service)
        return service

    yield make
    for service in made:
        service.source.close()
        service.store.close()


def imap(dovecot: Dovecot, user: MailUser) -> IMAPClient:
    client = IMAPClient(dovecot.host, dovecot.imaps_port, ssl=True,
                        ssl_context=ssl.create_default_context(cafile=str(dovecot.cafile)))
    client.login(user.address, user.password)
    return client


def folder_count(dovecot: Dovecot, user: MailUser, folder: str) -> int:
    client = imap(dovecot, user)
    try:
        return int(client.select_folder(folder, readonly=True)[b"EXISTS"])
    finally:
        client.logout()


def deliver_samples(dovecot: Dovecot, user: MailUser, files: list[Path] = SAMPLES) -> None:
    for file in files:
        dovecot.deliver(user.address, file.read_bytes())


def outcomes(sink: SmtpSink) -> list[str]:
    return [m.parsed()["X-Mailflow-Outcome"] or (
        "staff-question" if m.parsed()["X-Mailflow-Alert"] == "question" else "staff-alert")
        for m in sink.messages]


ALL_REPLIES = [o for v in EXPECTED.values() for o in v]


def test_samples_through_imap_and_smtp(dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                                       make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user)
    service = make_service()
    report = service.run_batch()
    assert len(report.handled) == len(SAMPLES)
    assert outcomes(sink) == ALL_REPLIES
    first = sink.messages[0]
    assert first.rcpt_tos == ["marie.dupont@ot-perigord-noir.fr"]
    assert first.mail_from == "groupes@monatourisme.fr"
    assert first.login == sink.user
    alert = sink.messages[-1]
    assert alert.rcpt_tos == [STAFF]
    # Handled mail is out of the inbox, in folders created as needed (« Traités » in modified UTF-7).
    assert folder_count(dovecot, mail_user, "INBOX") == 0
    assert folder_count(dovecot, mail_user, "Traités") == len(SAMPLES) - 1
    assert folder_count(dovecot, mail_user, "Quarantaine") == 1
    assert folder_count(dovecot, mail_user, "Sent") == len(ALL_REPLIES)
    status = {(c.group_id, c.email): c.status.value for c in service.state().candidatures}
    assert status[("ot-ruraux", "nadia.roux@ot-isle-auvezere.fr")] == "waitlisted"


def test_messages_stay_unread_until_moved(dovecot: Dovecot, mail_user: MailUser,
                                          make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:2])
    service = make_service()
    service.source.pending()
    service.source.read(service.source.pending()[0].key)
    assert dovecot.mailbox_status(mail_user.address)["unseen"] == 2


def test_arrival_order_is_the_server_order_not_the_date_header(
        dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
        make_service: Callable[..., Service]) -> None:
    early = SAMPLES[0].read_bytes()
    # The second arrival claims to have been written a day earlier: it still comes second.
    late = SAMPLES[8].read_bytes().replace(b"Date: Tue, 01 Dec 2026", b"Date: Mon, 30 Nov 2026")
    dovecot.deliver(mail_user.address, early)
    dovecot.deliver(mail_user.address, late)
    make_service().run_batch()
    bodies = [m.parsed().get_body(("plain",)).get_content() for m in sink.messages]
    assert "place 1 sur 20" in bodies[0] and "Marie Dupont" in bodies[0]
    assert "place 2 sur 20" in bodies[1] and "Luc Garnier" in bodies[1]


def test_a_message_too_large_is_quarantined_unread(dovecot: Dovecot, mail_user: MailUser,
                                                   sink: SmtpSink, servers_settings: Settings,
                                                   make_service: Callable[..., Service]) -> None:
    big = SAMPLES[0].read_bytes() + b"\r\n" + b"x" * (servers_settings.mailbox.max_message_bytes + 10)
    dovecot.deliver(mail_user.address, big)
    report = make_service().run_batch()
    assert [h.outcome.value for h in report.handled] == ["quarantined"]
    assert "trop volumineux" in report.handled[0].summary
    (alert,) = sink.messages
    attachment = next(p for p in alert.parsed().iter_attachments())
    assert len(attachment.get_content()) == 64 * 1024
    assert folder_count(dovecot, mail_user, "Quarantaine") == 1


def test_server_restarted_in_the_middle_of_a_batch(dovecot: Dovecot, mail_user: MailUser,
                                                    sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
                                                    make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:4])
    service = make_service()
    source = service.source
    assert isinstance(source, ImapSource)
    source.fetch_batch = 1  # one message per FETCH, so the server can die between two
    real_read = source.read
    reads = 0

    def read_then_die(key: str, limit: int | None = None) -> bytes:
        nonlocal reads
        reads += 1
        if reads == 3:
            dovecot.stop()
        return real_read(key, limit)

    monkeypatch.setattr(source, "read", read_then_die)
    assert service.poll() is None  # the batch failed, nothing half-decided was kept
    assert sink.messages == []
    assert not service.settings.store_path.exists() or service.state().candidatures == ()
    dovecot.start()
    monkeypatch.setattr(source, "read", real_read)
    service.poller.retry_at = None  # no need to wait for the backoff in a test
    report = service.poll()
    assert report is not None and len(report.handled) == 4
    assert outcomes(sink) == ["confirmed", "confirmed", "needs-info", "refused"]


def test_login_refused_is_reported_and_retried_later(dovecot: Dovecot, mail_user: MailUser,
                                                     sink: SmtpSink, clock: Clock,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     make_service: Callable[..., Service],
                                                     caplog: pytest.LogCaptureFixture) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:1])
    monkeypatch.setenv("MAILFLOW_IMAP_PASSWORD", "wrong")
    service = make_service()
    assert service.poll() is None
    assert "identifiant ou mot de passe refusé" in caplog.text
    # Still refused after the alert delay: staff are told once.
    clock.advance(minutes=20)
    service.poller.retry_at = None
    assert service.poll() is None
    clock.advance(minutes=5)
    service.poller.retry_at = None
    service.poll()
    alerts = [m for m in sink.messages if m.parsed()["X-Mailflow-Alert"] == "mailbox-unreachable"]
    assert len(alerts) == 1 and alerts[0].rcpt_tos == [STAFF]
    monkeypatch.setenv("MAILFLOW_IMAP_PASSWORD", mail_user.password)
    service.poller.retry_at = None
    report = service.poll()
    assert report is not None and [h.outcome.value for h in report.handled] == ["confirmed"]


def test_smtp_temporary_then_permanent_failure(dovecot: Dovecot, mail_user: MailUser,
                                               sink: SmtpSink, clock: Clock,
                                               make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:2])
    sink.fail_next(451, 1)
    service = make_service()
    report = service.run_batch()
    # The first reply waits for its retry; the second (another person) goes at once.
    assert (report.sent, report.send_failed) == (1, 1)
    assert [m.rcpt_tos for m in sink.messages] == [["direction@coeurdebearn-tourisme.fr"]]
    assert folder_count(dovecot, mail_user, "INBOX") == 0  # reading goes on regardless
    service.deliver()
    assert len(sink.messages) == 1  # not due yet
    clock.advance(seconds=61)
    sink.fail_next(550, 1)
    service.deliver()
    (failed,) = [i for i in service.store.outbox() if i.status == "failed"]
    assert failed.to == ["marie.dupont@ot-perigord-noir.fr"] and "550" in failed.last_error
    alert = sink.messages[-1].parsed()
    assert alert["X-Mailflow-Alert"] == "delivery-failed"
    assert "marie.dupont@ot-perigord-noir.fr" in alert.get_body(("plain",)).get_content()


def test_smtp_unreachable_then_back(dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                                    clock: Clock, make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:5])
    sink.stop()
    service = make_service()
    report = service.run_batch()
    assert len(report.handled) == 5 and report.sent == 0
    assert folder_count(dovecot, mail_user, "Traités") == 5
    sink.start()
    clock.advance(seconds=61)
    service.deliver()
    assert outcomes(sink) == ["confirmed", "confirmed", "needs-info", "refused", "idea-received"]
    clock.advance(hours=2)
    service.deliver()
    assert len(sink.messages) == 5


def test_a_refused_recipient_is_noticed(dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                                        make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:1])
    sink.refuse_recipient("marie.dupont@ot-perigord-noir.fr", 550)
    service = make_service()
    service.run_batch()
    (item,) = [i for i in service.store.outbox() if i.outcome == "confirmed"]
    assert item.status == "failed" and "550" in item.last_error
    assert [m.parsed()["X-Mailflow-Alert"] for m in sink.messages] == ["delivery-failed"]


class CrashingSmtp(SmtpTransport):
    """The real SMTP transport, with the process dying before the n-th send."""

    def __init__(self, base: SmtpTransport, n: int) -> None:
        super().__init__(base.server, base.envelope_from)
        self.n, self.calls = n, 0

    def send(self, message_id: str, recipients: Any, raw: bytes, label: str) -> dict[str, str]:
        self.calls += 1
        if self.calls == self.n:
            raise Crash
        return super().send(message_id, recipients, raw, label)


def test_crash_between_commit_and_send(dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                                       make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user)
    first = make_service()
    assert isinstance(first.transport, SmtpTransport)
    first.transport = CrashingSmtp(first.transport, 5)
    with pytest.raises(Crash):
        first.run_batch()
    first.source.close()
    first.store.close()
    make_service().run_batch()
    assert outcomes(sink) == ALL_REPLIES
    ids = [m.parsed()["Message-ID"] for m in sink.messages]
    assert len(ids) == len(set(ids))


def test_crash_after_send_before_it_is_recorded(dovecot: Dovecot, mail_user: MailUser,
                                                sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
                                                make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:3])
    first = make_service()
    real_update = first.store.update_outbox
    sent = 0

    def die_on_second_sent(item: Any) -> None:
        nonlocal sent
        if item.status == "sent":
            sent += 1
            if sent == 2:
                raise Crash  # the server took it and the copy is in Sent, but the store never knew
        real_update(item)

    monkeypatch.setattr(first.store, "update_outbox", die_on_second_sent)
    with pytest.raises(Crash):
        first.run_batch()
    first.source.close()
    first.store.close()
    make_service().run_batch()
    assert outcomes(sink) == ["confirmed", "confirmed", "needs-info"]


def test_a_reply_the_server_took_is_never_sent_again(dovecot: Dovecot, mail_user: MailUser,
                                                     sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
                                                     make_service: Callable[..., Service]) -> None:
    """The process dies after the server's 250s, while the copies go to Sent (at the end of the
    round): each reply was recorded as accepted before that network step, so a restart does not
    send any of them a second time."""
    deliver_samples(dovecot, mail_user, SAMPLES[:3])
    first = make_service()

    def die_while_copying(raws: list[bytes]) -> None:
        raise Crash

    monkeypatch.setattr(first.source, "save_sent", die_while_copying)
    with pytest.raises(Crash):
        first.run_batch()
    first.source.close()
    first.store.close()
    assert len(sink.messages) == 3
    make_service().run_batch()
    assert outcomes(sink) == ["confirmed", "confirmed", "needs-info"]
    ids = [m.parsed()["Message-ID"] for m in sink.messages]
    assert len(ids) == len(set(ids))


def crash_before_the_moves(service: Service) -> None:
    """Run a batch whose process dies when it starts moving the handled messages."""

    def die(keys: list[str], folder: str) -> None:
        raise Crash

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(service.source, "ack", die)
        with pytest.raises(Crash):
            service.run_batch()
        service.source.close()
        service.store.close()


def test_crash_between_send_and_move(dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                                     make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:3])
    crash_before_the_moves(make_service())
    assert folder_count(dovecot, mail_user, "INBOX") == 3
    report = make_service().run_batch()
    assert (report.already, report.acked) == (3, 3)
    assert outcomes(sink) == ["confirmed", "confirmed", "needs-info"]
    assert folder_count(dovecot, mail_user, "INBOX") == 0


def test_uidvalidity_change_reprocesses_nothing_and_tells_staff(
        dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
        make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:3])
    crash_before_the_moves(make_service())
    old, new = dovecot.change_uidvalidity(mail_user.address, rebuild=True)
    assert old != new
    report = make_service().run_batch()
    assert [h.outcome.value for h in report.handled] == ["already-processed"] * 3
    assert outcomes(sink) == ["confirmed", "confirmed", "needs-info", "staff-alert"]
    assert sink.messages[-1].parsed()["X-Mailflow-Alert"] == "uidvalidity"
    assert folder_count(dovecot, mail_user, "INBOX") == 0


def test_check_config_connects_and_lists_folders(servers_config: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(servers_config), "check-config"]) == 0
    out = plain(capsys.readouterr().out)
    assert "boîte aux lettres : connexion à 127.0.0.1" in out and "INBOX" in out
    assert "envoi : 127.0.0.1" in out and "a accepté la connexion et l’identifiant" in out


def test_check_config_says_the_password_is_refused(servers_config: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MAILFLOW_IMAP_PASSWORD", "not-the-password")
    assert main(["--config", str(servers_config), "check-config"]) == 1
    assert "boîte aux lettres : 127.0.0.1 : identifiant ou mot de passe refusé pour" in plain(
        capsys.readouterr().err)


def test_check_config_says_the_certificate_is_not_trusted(servers_config: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = servers_config.read_text(encoding="utf-8").replace("ca_file", "# ca_file")
    servers_config.write_text(text, encoding="utf-8")
    assert main(["--config", str(servers_config), "check-config"]) == 1
    err = plain(capsys.readouterr().err)
    assert "boîte aux lettres : " in err and "envoi : " in err
    assert err.count("certificat du serveur n’est pas reconnu") == 2


def test_check_config_says_nothing_listens(servers_config: Path, sink: SmtpSink,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    sink.stop()
    assert main(["--config", str(servers_config), "check-config"]) == 1
    assert f"connexion refusée : rien n’écoute sur 127.0.0.1:{sink.port}" in plain(
        capsys.readouterr().err)


def test_idle_wakes_the_daemon_at_once(servers_config: Path, dovecot: Dovecot,
                                       mail_user: MailUser, sink: SmtpSink) -> None:
    text = servers_config.read_text(encoding="utf-8").replace("poll_seconds = 30",
                                                               "poll_seconds = 300")
    servers_config.write_text(text, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "mailflow", "--config", str(servers_config),
                             "run"], cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    try:
        # Ready once it has connected: the first (empty) batch is done and IDLE comes next.
        deadline = time.monotonic() + 20
        while not any("connecté à" in line for line in lines):
            assert time.monotonic() < deadline and proc.poll() is None, "".join(lines)
            time.sleep(0.05)
        time.sleep(0.5)
        dovecot.deliver(mail_user.address, SAMPLES[0].read_bytes())
        # The poll interval is 5 minutes: a reply within seconds can only come from IDLE.
        sink.wait_for(1, timeout=10)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        reader.join(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(lines)
    assert any("mailflow arrêté" in line for line in lines)
    assert outcomes(sink) == ["confirmed"]


def _rewrite_mailbox(cfg: Path, old: str, new: str) -> None:
    text = cfg.read_text(encoding="utf-8")
    assert old in text
    cfg.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_starttls_on_the_plain_port(servers_config: Path, dovecot: Dovecot,
                                    mail_user: MailUser, sink: SmtpSink) -> None:
    _rewrite_mailbox(servers_config, f"imaps://{mail_user.address}@127.0.0.1:{dovecot.imaps_port}",
                     f"imap://{mail_user.address}@127.0.0.1:{dovecot.imap_port}")
    settings = config.load(servers_config)
    assert settings.mailbox.server is not None and settings.mailbox.server.tls == "starttls"
    dovecot.deliver(mail_user.address, SAMPLES[0].read_bytes())
    service = build_service(settings, read_only=False)
    try:
        report = service.run_batch()
    finally:
        service.source.close()
        service.store.close()
    assert [h.outcome.value for h in report.handled] == ["confirmed"]
    assert outcomes(sink) == ["confirmed"]


def test_password_from_a_file(servers_config: Path, dovecot: Dovecot, mail_user: MailUser,
                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text(mail_user.password + "\n", encoding="utf-8")
    monkeypatch.delenv("MAILFLOW_IMAP_PASSWORD")
    _rewrite_mailbox(servers_config, 'sent_folder = "Sent"',
                     f'sent_folder = "Sent"\npassword_file = "{secret}"')
    server = config.load(servers_config).mailbox.server
    assert server is not None
    source = ImapSource(server, "Traités", "Quarantaine")
    try:
        assert "INBOX" in source.check()
    finally:
        source.close()


def test_xoauth2_token_is_read_at_every_connection(servers_config: Path, dovecot: Dovecot,
                                                   mail_user: MailUser, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The test Dovecot checks the bearer token like a password: the token is the password here.
    token = tmp_path / "token"
    token.write_text(mail_user.password, encoding="utf-8")
    monkeypatch.delenv("MAILFLOW_IMAP_PASSWORD")
    _rewrite_mailbox(servers_config, 'sent_folder = "Sent"',
                     f'sent_folder = "Sent"\nauth = "xoauth2"\noauth_token_command = "cat {token}"')
    server = config.load(servers_config).mailbox.server
    assert server is not None and server.auth.method == "xoauth2"
    source = ImapSource(server, "Traités", "Quarantaine")
    try:
        assert source.pending() == []
        source.close()
        token.write_text("expired-token", encoding="utf-8")
        with pytest.raises(SourceError, match="identifiant ou mot de passe refusé"):
            source.pending()
        token.write_text(mail_user.password, encoding="utf-8")
        assert source.pending() == []
    finally:
        source.close()


def test_a_failing_token_command_is_explained(servers_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _rewrite_mailbox(servers_config, 'sent_folder = "Sent"',
                     'sent_folder = "Sent"\nauth = "xoauth2"\noauth_token_command = "false"')
    server = config.load(servers_config).mailbox.server
    assert server is not None
    source = ImapSource(server, "Traités", "Quarantaine")
    with pytest.raises(MailflowError, match="la commande du jeton 'false' s’est terminée avec le code 1"):
        source.pending()


@pytest.mark.parametrize("capabilities", [{b"UIDPLUS"}, set()], ids=["uidplus", "neither"])
def test_without_move_the_message_is_copied_and_flagged(dovecot: Dovecot, mail_user: MailUser,
                                                        sink: SmtpSink, capabilities: set[bytes],
                                                        make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:2])
    service = make_service()
    source = service.source
    assert isinstance(source, ImapSource)
    source.pending()  # connects
    source._capabilities = frozenset(capabilities | {b"IMAP4REV1"})  # as a server without MOVE says
    service.run_batch()
    assert folder_count(dovecot, mail_user, "Traités") == 2
    client = imap(dovecot, mail_user)
    try:
        client.select_folder("INBOX", readonly=True)
        left = client.search(["NOT", "DELETED"])
        deleted = client.search(["DELETED"])
    finally:
        client.logout()
    assert left == []
    # With UIDPLUS only our messages are expunged; without it they stay, flagged, for the client.
    assert len(deleted) == (0 if capabilities else 2)
    assert outcomes(sink) == ["confirmed", "confirmed"]
    assert service.run_batch().handled == []


def test_staff_are_told_when_a_reply_waits_for_hours(dovecot: Dovecot, mail_user: MailUser,
                                                     sink: SmtpSink, clock: Clock,
                                                     make_service: Callable[..., Service]) -> None:
    deliver_samples(dovecot, mail_user, SAMPLES[:1])
    service = make_service()
    sink.fail_next(451, 1)
    service.run_batch()
    for _ in range(6):  # an hour at a time, the server still says « try later »
        clock.advance(hours=1, seconds=1)
        sink.fail_next(451, 1)
        service.deliver()
    late = [m for m in sink.messages if m.parsed()["X-Mailflow-Alert"] == "delivery-late"]
    assert len(late) == 1 and late[0].rcpt_tos == [STAFF]
    assert "marie.dupont@ot-perigord-noir.fr" in late[0].parsed().get_body(("plain",)).get_content()
    clock.advance(hours=1, seconds=1)
    service.deliver()
    assert outcomes(sink)[-1] == "confirmed"


def test_a_quarantined_message_is_listed_and_put_back_on_the_server(
        dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
        make_service: Callable[..., Service]) -> None:
    from mailflow.app import intake
    from mailflow.app.quarantine import listing, release

    real = intake.classify

    def fragile(inbound: Any, *args: Any, **kwargs: Any) -> Any:
        if "Etcheverry" in inbound.text:  # what an unforeseen input makes a step raise
            raise IndexError("list index out of range")
        return real(inbound, *args, **kwargs)

    deliver_samples(dovecot, mail_user, SAMPLES[:2])
    with monkeypatch.context() as patched:
        patched.setattr(intake, "classify", fragile)
        service = make_service()
        assert [h.outcome.value for h in service.run_batch().handled] == ["confirmed", "quarantined"]
    assert folder_count(dovecot, mail_user, "Quarantaine") == 1
    (item,) = listing(service)
    assert item.entry is not None and "IndexError" in item.entry.summary
    assert item.arrived_at is not None  # the server's INTERNALDATE, kept by the move
    release(service, [item], "claire")
    assert folder_count(dovecot, mail_user, "Quarantaine") == 0
    report = service.run_batch()
    assert [h.outcome.value for h in report.handled] == ["confirmed"]
    assert outcomes(sink) == ["confirmed", "staff-alert", "confirmed"]
