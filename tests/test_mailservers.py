"""The test rig itself: a real Dovecot and the SMTP sink behave as the daemon's tests will rely on."""

from __future__ import annotations

import contextlib
import email
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from . import mailservers
from .mailservers import Dovecot, MailUser, SmtpSink


def french_message(
    subject: str = "Candidature « groupe de travail » n°3", to: str = "x@example.test"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Françoise Dupré <francoise@example.test>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<rig-1@example.test>"
    message.set_content("Bonjour,\nJe souhaite participer au groupe « Tourisme rural ».\nMerci !\n")
    return message


def imaps(server: Dovecot, user: MailUser) -> IMAPClient:
    client = IMAPClient(
        server.host,
        server.imaps_port,
        ssl=True,
        ssl_context=ssl.create_default_context(cafile=str(server.cafile)),
        timeout=10,
    )
    client.login(user.address, user.password)
    return client


@pytest.fixture
def imap(dovecot: Dovecot, mail_user: MailUser) -> Iterator[IMAPClient]:
    client = imaps(dovecot, mail_user)
    yield client
    # The server may have been restarted under the client by the test.
    try:
        client.logout()
    except (OSError, IMAPClientError):
        with contextlib.suppress(OSError):
            client.shutdown()


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


# ------------------------------------------------------------------------------------------ Dovecot


def test_imaps_verifies_the_rig_certificate(dovecot: Dovecot, mail_user: MailUser) -> None:
    with imaps(dovecot, mail_user) as client:
        assert client.noop()
    # Without the rig's CA, a verifying client must refuse the server: verification is real.
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(
            dovecot.host, dovecot.imaps_port, ssl=True, ssl_context=ssl.create_default_context(), timeout=10
        )


def test_starttls_on_the_plain_port(dovecot: Dovecot, mail_user: MailUser) -> None:
    client = IMAPClient(dovecot.host, dovecot.imap_port, ssl=False, timeout=10)
    assert b"STARTTLS" in client.capabilities()
    client.starttls(ssl.create_default_context(cafile=str(dovecot.cafile)))
    client.login(mail_user.address, mail_user.password)
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    client.logout()


def test_capabilities_include_idle_move_uidplus(imap: IMAPClient) -> None:
    capabilities = set(imap.capabilities())
    assert {b"IDLE", b"MOVE", b"UIDPLUS"} <= capabilities


def test_xoauth2_accepts_the_password_as_token(dovecot: Dovecot, mail_user: MailUser) -> None:
    client = IMAPClient(
        dovecot.host,
        dovecot.imaps_port,
        ssl_context=ssl.create_default_context(cafile=str(dovecot.cafile)),
        timeout=10,
    )
    client.oauth2_login(mail_user.address, mail_user.password)
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    client.logout()


def test_wrong_password_is_a_login_error(dovecot: Dovecot, mail_user: MailUser) -> None:
    with pytest.raises(LoginError):
        imaps(dovecot, MailUser(mail_user.address, "wrong"))


def test_user_added_while_running_can_log_in(dovecot: Dovecot) -> None:
    user = dovecot.add_user("late-comer@example.test", "late-pw")  # waits until Dovecot sees it
    with imaps(dovecot, user) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_lmtp_delivery_is_seen_by_imap_and_stays_unseen(
    dovecot: Dovecot, mail_user: MailUser, imap: IMAPClient
) -> None:
    dovecot.deliver(mail_user.address, french_message(to=mail_user.address))

    imap.select_folder("INBOX")
    uids = imap.search("UNSEEN")
    assert len(uids) == 1
    raw = imap.fetch(uids, ["BODY.PEEK[]"])[uids[0]][b"BODY[]"]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Candidature « groupe de travail » n°3"
    assert "« Tourisme rural »" in parsed.get_content()
    assert b"\r\r\n" not in raw  # deliver() normalised line ends once, not twice
    assert b"\\Seen" not in imap.get_flags(uids)[uids[0]]
    assert dovecot.mailbox_status(mail_user.address)["unseen"] == 1


def test_move_to_a_folder_with_accents(dovecot: Dovecot, mail_user: MailUser, imap: IMAPClient) -> None:
    dovecot.deliver(mail_user.address, french_message(to=mail_user.address))
    imap.create_folder("Traités")
    imap.select_folder("INBOX")
    uids = imap.search("ALL")
    imap.move(uids, "Traités")

    assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    assert imap.select_folder("Traités")[b"EXISTS"] == 1
    # Dovecot stores the folder under its modified UTF-7 name; the rig's helpers rely on that.
    on_disk = dovecot.folder_dir(mail_user.address, "Traités")
    assert on_disk == dovecot.maildir(mail_user.address) / ".Trait&AOk-s" and on_disk.is_dir()
    assert dovecot.mailbox_status(mail_user.address, "Traités")["messages"] == 1


def test_idle_wakes_up_on_lmtp_delivery(dovecot: Dovecot, mail_user: MailUser, imap: IMAPClient) -> None:
    imap.select_folder("INBOX")
    imap.idle()
    dovecot.deliver(mail_user.address, french_message(to=mail_user.address))
    # Dovecot batches change notifications for 500 ms (hard-coded): IDLE tests need a >= 1 s timeout.
    responses = imap.idle_check(timeout=5)
    imap.idle_done()
    assert (1, b"EXISTS") in responses  # the delivery woke the IDLE, before the timeout


def test_start_retries_when_a_port_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    mailservers.require_dovecot()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        real = mailservers._distinct_free_ports
        calls: list[int] = []

        def ports(count: int) -> list[int]:
            calls.append(count)
            # First attempt: one of the three ports is already taken, as in a bind race.
            return [taken, *real(count - 1)] if len(calls) == 1 else real(count)

        monkeypatch.setattr(mailservers, "_distinct_free_ports", ports)
        server = mailservers.start_dovecot({"x@example.test": "x"})
        try:
            assert len(calls) == 2
            assert taken not in (server.imap_port, server.imaps_port, server.lmtp_port)
            assert "Address already in use" in server.log.read_text()
        finally:
            server.cleanup()
        assert not server.root.exists()


def test_stop_and_start_keep_mail_and_ports(dovecot: Dovecot, mail_user: MailUser) -> None:
    dovecot.deliver(mail_user.address, french_message(to=mail_user.address))
    ports = (dovecot.imap_port, dovecot.imaps_port, dovecot.lmtp_port)
    client = imaps(dovecot, mail_user)
    client.select_folder("INBOX")

    dovecot.stop()
    try:
        assert refused(dovecot.imaps_port)
        with pytest.raises((OSError, IMAPClientError)):
            client.noop()  # a client of a stopped server sees its connection drop
    finally:
        dovecot.start()

    assert (dovecot.imap_port, dovecot.imaps_port, dovecot.lmtp_port) == ports
    with imaps(dovecot, mail_user) as again:
        assert again.select_folder("INBOX")[b"EXISTS"] == 1


def test_uidvalidity_change_in_place(dovecot: Dovecot, mail_user: MailUser, imap: IMAPClient) -> None:
    dovecot.deliver(mail_user.address, french_message(to=mail_user.address))
    before = imap.select_folder("INBOX")
    uids = imap.search("ALL")

    old, new = dovecot.change_uidvalidity(mail_user.address)

    assert old == before[b"UIDVALIDITY"] and new != old
    # A session that had the folder selected is disconnected by Dovecot, as RFC 3501 allows.
    with pytest.raises((OSError, IMAPClientError)):
        imap.noop()
    with imaps(dovecot, mail_user) as client:
        assert client.select_folder("INBOX")[b"UIDVALIDITY"] == new
        assert client.search("ALL") == uids


def test_uidvalidity_change_by_rebuild(dovecot: Dovecot, mail_user: MailUser) -> None:
    dovecot.deliver(mail_user.address, french_message(to=mail_user.address))
    with imaps(dovecot, mail_user) as client:
        old_status = client.select_folder("INBOX")

    old, new = dovecot.change_uidvalidity(mail_user.address, rebuild=True)

    assert old == old_status[b"UIDVALIDITY"] and new != old
    with imaps(dovecot, mail_user) as client:
        status = client.select_folder("INBOX")
        assert status[b"UIDVALIDITY"] == new and status[b"EXISTS"] == 1


# ------------------------------------------------------------------------------------------ SMTP sink


def test_sink_records_a_message_sent_with_starttls_and_auth(
    smtp_sink_factory: Callable[..., SmtpSink],
) -> None:
    sink = smtp_sink_factory(starttls=True, auth_required=True)
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
        client.ehlo()
        assert not client.has_extn("auth")  # AUTH is only offered once the channel is encrypted
        with pytest.raises(smtplib.SMTPSenderRefused) as excinfo:
            client.sendmail("a@example.test", ["b@example.test"], b"Subject: x\r\n\r\nx\r\n")
        assert excinfo.value.smtp_code == 530
        client.starttls(context=sink.client_context())
        client.login(sink.user, sink.password)
        client.send_message(french_message(to="dest@example.test"))

    [message] = sink.wait_for(1, timeout=5)
    assert message.rcpt_tos == ["dest@example.test"]
    assert message.login == sink.user
    assert message.parsed()["Subject"] == "Candidature « groupe de travail » n°3"


def test_sink_wrong_password(smtp_sink_factory: Callable[..., SmtpSink]) -> None:
    sink = smtp_sink_factory(implicit_tls=True, auth_required=True)
    with smtplib.SMTP_SSL(sink.host, sink.port, timeout=10, context=sink.client_context()) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(sink.user, "wrong")
        client.login(sink.user, sink.password)
        client.send_message(french_message())
    assert len(sink.wait_for(1)) == 1


def test_fail_next_gives_the_code_then_recovers(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_next(451)
    smtp_sink.fail_next(550, at="RCPT")
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused_all:
            client.send_message(french_message())
        assert refused_all.value.recipients["x@example.test"][0] == 550
        with pytest.raises(smtplib.SMTPDataError) as excinfo:
            client.send_message(french_message())
        assert isinstance(excinfo.value, smtplib.SMTPResponseException)
        assert excinfo.value.smtp_code == 451
        assert smtp_sink.messages == []
        client.send_message(french_message())
    assert len(smtp_sink.wait_for(1)) == 1


def test_fail_next_counts_and_sequences(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_next(451, n=2)
    smtp_sink.fail_next(550)
    codes = []
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as client:
        for _ in range(4):
            try:
                client.send_message(french_message())
                codes.append(250)
            except smtplib.SMTPResponseException as error:
                codes.append(error.smtp_code)
    assert codes == [451, 451, 550, 250]
    assert len(smtp_sink.messages) == 1


def test_refused_recipient_shows_in_the_sendmail_result(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_recipient("gone@example.test")
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as client:
        result = client.send_message(french_message(), to_addrs=["ok@example.test", "Gone@example.test"])
    assert list(result) == ["Gone@example.test"]
    assert result["Gone@example.test"][0] == 550
    [message] = smtp_sink.wait_for(1)
    assert message.rcpt_tos == ["ok@example.test"]


def test_stopped_sink_refuses_connections_then_comes_back(smtp_sink: SmtpSink) -> None:
    port = smtp_sink.port
    smtp_sink.stop()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(smtp_sink.host, port, timeout=5)
    smtp_sink.start()
    assert smtp_sink.port == port
    with smtplib.SMTP(smtp_sink.host, port, timeout=10) as client:
        client.send_message(french_message())
    assert len(smtp_sink.wait_for(1)) == 1


def test_sink_restart_on_a_taken_port_fails_fast(smtp_sink: SmtpSink) -> None:
    smtp_sink.stop()
    with socket.socket() as thief:
        thief.bind(("127.0.0.1", smtp_sink.port))
        thief.listen()
        # It fails at binding, never reaching aiosmtpd's start, which would wait its 5 s timeout.
        with pytest.raises(mailservers.MailServerError, match="cannot listen on"):
            smtp_sink.start()
        assert not smtp_sink.running
    smtp_sink.start()  # and once the port is free again, on the same port
    assert not refused(smtp_sink.port)


def test_wait_for_times_out(smtp_sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError):
        smtp_sink.wait_for(1, timeout=0.05)
