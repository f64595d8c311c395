"""Real mail servers on loopback for tests: a throw-away Dovecot (IMAP + LMTP) and an aiosmtpd sink."""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import email
import grp
import itertools
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
PORT_ATTEMPTS = 5
POOL_SIZE = 50
ADDRESS_IN_USE = "Address already in use"
# Unix socket paths must stay under 108 bytes; Dovecot's longest socket name under base_dir is ~35.
MAX_BASE_DIR = 60


class MailServerError(RuntimeError):
    """A test mail server could not be started or driven."""


def free_port() -> int:
    """A port nobody listens on right now (it can be taken before we bind it: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed EC certificate for localhost and 127.0.0.1; EC because RSA keygen is 20-50x slower."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "3650", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    cert.chmod(0o644)
    return cert, key


def crlf(raw: bytes) -> bytes:
    """Bare LF to CRLF: SMTP/LMTP servers reject or mangle LF-only lines that smtplib passes through."""
    return re.sub(rb"\r?\n", b"\r\n", raw)


def _short_tempdir(prefix: str) -> Path:
    """A fresh 0755 directory with a short path (socket length limit, and mail uid must traverse it)."""
    parent = os.environ.get("MAILFLOW_TEST_TMP") or tempfile.gettempdir()
    if len(parent) > MAX_BASE_DIR - 20:
        parent = "/tmp"
    root = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    root.chmod(0o755)  # mkdtemp gives 0700, which the unprivileged mail processes cannot enter
    return root


# --------------------------------------------------------------------------------------------- Dovecot


@dataclass(frozen=True)
class MailUser:
    """A login on the test Dovecot; the address is also the LMTP recipient."""

    address: str
    password: str


@dataclass(frozen=True)
class _Identity:
    """Who Dovecot's services and mail processes run as."""

    internal_user: str
    login_user: str
    internal_group: str
    mail_uid: int
    mail_gid: int
    rootless: bool


def _identity() -> _Identity:
    if os.geteuid() == 0:
        # Dovecot refuses uid 0 for mail processes, so mail is owned by nobody:nogroup.
        try:
            uid = pwd.getpwnam("nobody").pw_uid
        except KeyError:
            uid = 65534
        try:
            gid = grp.getgrnam("nogroup").gr_gid
        except KeyError:
            gid = 65534
        return _Identity("dovecot", "dovenull", "dovecot", uid, gid, rootless=False)
    me = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    return _Identity(me, me, group, os.geteuid(), os.getegid(), rootless=True)


class Dovecot:
    """A private Dovecot 2.3 instance (IMAP, IMAPS, LMTP) living entirely in one temporary directory."""

    host = HOST

    def __init__(self, root: Path, users: dict[str, str]) -> None:
        self.root = root
        self.users: dict[str, str] = {}
        self.imap_port = 0
        self.imaps_port = 0
        self.lmtp_port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._identity = _identity()
        self.conf = root / "dovecot.conf"
        self.log = root / "dovecot.log"
        self.out = root / "dovecot.out"
        self.passwd = root / "users"
        self.mail_root = root / "mail"
        self.base_dir = root / "run"
        self.state_dir = root / "state"
        for directory in (self.mail_root, self.state_dir):
            directory.mkdir(mode=0o755)
        if not self._identity.rootless:
            os.chown(self.mail_root, self._identity.mail_uid, self._identity.mail_gid)
        self.passwd.write_text("")
        self.passwd.chmod(0o644)
        self.cafile, self.keyfile = make_certificate(root)
        for user, password in users.items():
            self.add_user(user, password, wait=False)
        self._pool: list[MailUser] = []
        self._pool_numbers = itertools.count(1)
        self._fill_pool(POOL_SIZE)

    # ----------------------------------------------------------------------------------- config

    def _config(self) -> str:
        ident = self._identity
        # Without privileges chroot() fails: "chroot(...) failed: Operation not permitted".
        chroot = "  chroot =\n" if ident.rootless else ""
        return f"""\
# Generated by tests/mailservers.py: self-contained, reads nothing from /etc/dovecot.
instance_name = mailflow-test-{self.root.name}
base_dir = {self.base_dir}
state_dir = {self.state_dir}
listen = {HOST}
protocols = imap lmtp
log_path = {self.log}
info_log_path = {self.log}
default_internal_user = {ident.internal_user}
default_internal_group = {ident.internal_group}
default_login_user = {ident.login_user}

ssl = yes
ssl_cert = <{self.cafile}
ssl_key = <{self.keyfile}
# Plaintext LOGIN on the non-TLS port, as in many real set-ups and for easy debugging.
disable_plaintext_auth = no
# xoauth2/oauthbearer: Dovecot 2.3 verifies the bearer token like a password against the passdb,
# so with this passdb the "token" of a user is simply their password.
auth_mechanisms = plain login xoauth2 oauthbearer
# Default is 2 s per failed login, which makes failure tests slow.
auth_failure_delay = 0
# Throw-away data: skipping fsync makes appends several times faster.
mail_fsync = never
verbose_proctitle = yes

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = static
  args = uid={ident.mail_uid} gid={ident.mail_gid} home={self.mail_root}/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1

protocol imap {{
  # Default is 10 per user and IP; tests easily open more for one user.
  mail_max_userip_connections = 100
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
{chroot}  # After failed logins anvil delays EVERY next login from the IP by 2, 4, 8... 15 s. With
  # mode 0 the socket is not created and the auth process runs without penalty (measured).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = {HOST}
    port = {self.lmtp_port}
  }}
}}
"""

    # ----------------------------------------------------------------------------------- users

    def add_user(self, user: str, password: str, *, wait: bool = True) -> MailUser:
        """Add a login; with wait, block until Dovecot sees it (it re-reads the file once a second)."""
        if ":" in user + password or "\n" in user + password:
            raise ValueError("user names and passwords cannot contain ':' or newlines")
        self.users[user] = password
        with self.passwd.open("a") as fh:
            fh.write(f"{user}:{{PLAIN}}{password}::::::\n")
        if wait and self.running:
            self._wait_known(user)
        return MailUser(user, password)

    def _wait_known(self, user: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            lookup = subprocess.run(
                ["doveadm", "-c", str(self.conf), "user", user], capture_output=True, timeout=10
            )
            if lookup.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise MailServerError(f"dovecot does not see the new user {user}: {lookup.stderr!r}")
            time.sleep(0.1)

    def fresh_user(self) -> MailUser:
        """A user with an untouched mailbox, taken from a pool written before start (no 1 s wait)."""
        if not self._pool:
            self._fill_pool(POOL_SIZE)
            if self.running:
                self._wait_known(self._pool[-1].address)
        return self._pool.pop(0)

    def _fill_pool(self, count: int) -> None:
        for _ in range(count):
            number = next(self._pool_numbers)
            self._pool.append(self.add_user(f"box{number}@example.test", f"box{number}-pw", wait=False))

    def maildir(self, user: str) -> Path:
        """The user's Maildir root (INBOX is its cur/new/tmp; folders are .Name subdirectories)."""
        return self.mail_root / user / "Maildir"

    def folder_dir(self, user: str, folder: str = "INBOX") -> Path:
        """Where a folder lives on disk: Maildir++ stores "Traités" as ".Trait&AOk-s" (modified UTF-7)."""
        root = self.maildir(user)
        return root if folder.upper() == "INBOX" else root / f".{_mutf7(folder)}"

    # ----------------------------------------------------------------------------------- process

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        """Start (or start again, on the same ports and data after stop())."""
        if self.running:
            raise MailServerError("dovecot is already running")
        fresh_ports = self.imap_port == 0
        for attempt in range(PORT_ATTEMPTS):
            if fresh_ports:
                self.imap_port, self.imaps_port, self.lmtp_port = _distinct_free_ports(3)
            self.conf.write_text(self._config())
            try:
                self._launch()
                return
            except _AddressInUse as error:
                if attempt == PORT_ATTEMPTS - 1:
                    raise MailServerError(f"no free ports after {PORT_ATTEMPTS} attempts: {error}") from None
                if not fresh_ports:
                    # Same ports were asked for (restart): the old listener may still be going away.
                    time.sleep(0.2)

    def _launch(self) -> None:
        log_offset = self.log.stat().st_size if self.log.exists() else 0
        # Our previous master is dead, so its locks are stale: stop() may SIGKILL it while it
        # rewrites state/instances, and a left-over instances.lock stalls the next start 10 s.
        # A stale master.pid with a recycled pid would make dovecot refuse to start.
        for stale in (self.state_dir / "instances.lock", self.base_dir / "master.pid"):
            stale.unlink(missing_ok=True)
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                ["dovecot", "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own session, so stop() can kill the whole process group and Ctrl-C in pytest doesn't.
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            exited = self.proc.poll() is not None
            # A failed bind is printed at once, but the master needs ~1 s more to exit.
            if exited or ADDRESS_IN_USE in self.out.read_text(errors="replace"):
                self.stop()  # also reaps what is left of the group, e.g. the log process
                tail = self._tail(log_offset)
                if ADDRESS_IN_USE in tail:
                    raise _AddressInUse(tail)
                raise MailServerError(f"dovecot exited with {self.proc.returncode}:\n{tail}")
            if _greets(self.imap_port, b"* OK"):
                return
            if time.monotonic() > deadline:
                self._kill()
                raise MailServerError(f"dovecot not ready after {START_TIMEOUT} s:\n{self._tail(log_offset)}")
            time.sleep(0.01)

    def _tail(self, log_offset: int = 0, lines: int = 30) -> str:
        text = ""
        if self.out.exists():
            text += self.out.read_text(errors="replace")
        if self.log.exists():
            with self.log.open("rb") as fh:
                fh.seek(log_offset)
                text += fh.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM every Dovecot process at once, as a shutdown does; clients are disconnected.

        SIGTERM to the master alone takes ~1.1 s: it stops its children, then often sleeps a
        second before checking they died. So the group gets SIGTERM (children exit in ~10 ms), and
        a master that outlives its children is SIGKILLed: it holds no mail data, only listeners.
        """
        proc = self.proc
        if proc is None:
            return
        pgid = proc.pid
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline:
                if not _live_members(pgid, but=pgid):
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(0.02)
        # start() needs the ports back: no process of the group may still hold a listener.
        if not _wait_group_gone(pgid, STOP_TIMEOUT):
            self._kill()
            _wait_group_gone(pgid, STOP_TIMEOUT)

    def _kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # ----------------------------------------------------------------------------------- mail

    def deliver(self, user: str, raw: bytes | EmailMessage, mail_from: str = "sender@example.test") -> None:
        """Deliver one message to a user's INBOX through LMTP, like an MTA would."""
        data = raw.as_bytes() if isinstance(raw, EmailMessage) else raw
        with smtplib.LMTP(HOST, self.lmtp_port, timeout=10) as lmtp:
            refused = lmtp.sendmail(mail_from, [user], crlf(data))
        if refused:
            raise MailServerError(f"LMTP refused {refused}")

    def doveadm(self, *args: str) -> str:
        """Run doveadm against this instance (not the system one) and return its stdout."""
        result = subprocess.run(
            ["doveadm", "-c", str(self.conf), *args], capture_output=True, text=True, timeout=30
        )
        if result.returncode != 0:
            raise MailServerError(f"doveadm {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def mailbox_status(self, user: str, folder: str = "INBOX") -> dict[str, int]:
        """messages, unseen, uidnext and uidvalidity of a folder, read by doveadm."""
        out = self.doveadm(
            "mailbox", "status", "-u", user, "messages unseen uidnext uidvalidity", folder
        )
        return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", out)}

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        return self.mailbox_status(user, folder)["uidvalidity"]

    def change_uidvalidity(
        self, user: str, folder: str = "INBOX", *, rebuild: bool = False
    ) -> tuple[int, int]:
        """Make a folder's UIDVALIDITY change; returns (old, new).

        By default doveadm sets old + 1 on the running server: messages keep their UIDs and
        sessions that have the folder selected are disconnected. With rebuild=True it is done like
        a server-side rebuild: stop, delete the uidlist and indexes, start again on the same ports;
        Dovecot then numbers every message afresh under a new UIDVALIDITY (a stop/start: ~0.3 s).
        """
        old = self.uidvalidity(user, folder)
        if rebuild:
            self.stop()
            box = self.folder_dir(user, folder)
            for pattern in ("dovecot-uidlist*", "dovecot.index*"):
                for path in box.glob(pattern):
                    path.unlink()
            self.start()
        else:
            self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(old + 1), folder)
        new = self.uidvalidity(user, folder)
        if new == old:
            raise MailServerError(f"UIDVALIDITY of {user}/{folder} did not change ({old})")
        return old, new


class _AddressInUse(MailServerError):
    pass


def _mutf7(name: str) -> str:
    """IMAP modified UTF-7 (RFC 3501 §5.1.3), the on-disk folder name Dovecot uses for maildir."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(encoded).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _wait_group_gone(pgid: int, timeout: float) -> bool:
    """Wait until no live process is left in the group; zombies don't count (PID 1 here reaps late)."""
    deadline = time.monotonic() + timeout
    while _live_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _live_members(pgid: int, but: int | None = None) -> list[int]:
    """Pids of the group's processes that are not zombies, read from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == but:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process went away while we looked
            continue
        # Fields after the ")" that closes the command name: state, ppid, pgrp, ...
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _distinct_free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return list(ports)


def _greets(port: int, banner: bytes, timeout: float = 0.25) -> bool:
    # Short timeout: a port someone else holds may accept and never speak; the caller loops anyway.
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            data = b""
            while b"\n" not in data:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                data += chunk
            return data.startswith(banner)
    except OSError:
        return False


def start_dovecot(users: dict[str, str] | None = None) -> Dovecot:
    """Create and start a private Dovecot; call cleanup() when done."""
    if shutil.which("dovecot") is None:
        raise MailServerError("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)")
    root = _short_tempdir("dovecot-")
    try:
        server = Dovecot(root, users if users is not None else {})
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    # Dovecot runs in its own session, so it would outlive an interrupted pytest without this.
    atexit.register(server.cleanup)
    return server


# --------------------------------------------------------------------------------------------- SMTP sink


@dataclass(frozen=True)
class SinkMessage:
    """One message accepted by the sink, as it came over the wire."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: str | None = None

    def parsed(self) -> EmailMessage:
        message = email.message_from_bytes(self.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        return message


Stage = Literal["MAIL", "RCPT", "DATA"]


@dataclass
class _Faults:
    pending: dict[Stage, list[str]] = field(default_factory=lambda: {"MAIL": [], "RCPT": [], "DATA": []})
    refused: dict[str, str] = field(default_factory=dict)


def _reply(code: int, text: str | None) -> str:
    enhanced = f"{code // 100}.0.0"
    return f"{code} {enhanced} {text or 'Injected failure (test sink)'}"


class _Handler:
    """aiosmtpd hooks: applies injected faults and records accepted messages."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        # aiosmtpd's own auth_required is only allowed with TLS-only AUTH; enforcing it here lets
        # the sink also require AUTH on a plain or implicit-TLS port.
        if self.sink.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        failure = self.sink._take_fault("MAIL")
        if failure:
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        failure = self.sink._refusal(address) or self.sink._take_fault("RCPT")
        if failure:
            return failure
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        failure = self.sink._take_fault("DATA")
        if failure:
            return failure
        content = envelope.original_content or b""
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        self.sink._record(SinkMessage(str(envelope.mail_from), list(envelope.rcpt_tos), content, login))
        return "250 OK"


class _BoundController(Controller):
    """A Controller serving on a socket bound by the caller.

    aiosmtpd 1.4 cannot listen on port 0 (its readiness probe connects to the port as given) and,
    when the port is taken, only reports it after its 5 s ready timeout.
    """

    def __init__(self, handler: Any, sock: socket.socket, **options: Any) -> None:
        super().__init__(handler, hostname=HOST, port=int(sock.getsockname()[1]), **options)
        self._sock = sock

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class SmtpSink:
    """An in-process SMTP server that keeps every accepted message, with switchable TLS, AUTH and faults."""

    host = HOST
    user = "mailflow"
    password = "sink-secret"

    def __init__(
        self,
        *,
        auth_required: bool = False,
        starttls: bool = False,
        implicit_tls: bool = False,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        if starttls and implicit_tls:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        self.auth_required = auth_required
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        if user is not None:
            self.user = user
        if password is not None:
            self.password = password
        self.port = 0
        self.cafile: Path | None = None
        self._tmp: Path | None = None
        self._server_context: ssl.SSLContext | None = None
        if starttls or implicit_tls:
            self._tmp = Path(tempfile.mkdtemp(prefix="smtpsink-"))
            self.cafile, key = make_certificate(self._tmp)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cafile, key)
            self._server_context = context
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._messages: list[SinkMessage] = []
        self._faults = _Faults()
        self._controller: Controller | None = None

    # ----------------------------------------------------------------------------------- lifecycle

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user.encode()
            and auth_data.password == self.password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def _controller_for(self, sock: socket.socket) -> Controller:
        options: dict[str, Any] = {"enable_SMTPUTF8": True, "server_hostname": "sink.localhost"}
        if self.starttls:
            options["tls_context"] = self._server_context
        if self.implicit_tls:
            options["ssl_context"] = self._server_context
        if self.auth_required:
            options["authenticator"] = self._authenticate
            # aiosmtpd only sees STARTTLS as TLS; with implicit TLS or no TLS, AUTH must still be offered.
            options["auth_require_tls"] = self.starttls
        return _BoundController(_Handler(self), sock, **options)

    def start(self) -> None:
        """Listen (again, on the same port after stop()); the first start takes a free port."""
        if self._controller is not None:
            raise MailServerError("SMTP sink is already running")
        sock = self._bind()
        controller = self._controller_for(sock)
        try:
            controller.start()
        except BaseException:
            sock.close()
            raise
        self.port = int(sock.getsockname()[1])
        self._controller = controller

    def _bind(self) -> socket.socket:
        # Binding ourselves (port 0 the first time) leaves no window for another process to take
        # the port; on a restart the old port may need a moment to be released.
        last: OSError | None = None
        for _ in range(PORT_ATTEMPTS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, self.port))
                return sock
            except OSError as error:
                sock.close()
                last = error
                time.sleep(0.05)
        raise MailServerError(f"SMTP sink cannot listen on {HOST}:{self.port}: {last}")

    def stop(self) -> None:
        """Stop listening, so clients get 'connection refused' (the messages are kept)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def cleanup(self) -> None:
        self.stop()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def client_context(self) -> ssl.SSLContext:
        """A verifying client TLS context that trusts this sink's certificate."""
        if self.cafile is None:
            raise MailServerError("this sink has no TLS")
        return ssl.create_default_context(cafile=str(self.cafile))

    # ----------------------------------------------------------------------------------- faults

    def fail_next(self, code: int, n: int = 1, *, at: Stage = "DATA", text: str | None = None) -> None:
        """The next n MAIL/RCPT/DATA commands (DATA by default) answer `code` instead of 250."""
        with self._lock:
            self._faults.pending[at].extend([_reply(code, text)] * n)

    def refuse_recipient(self, address: str, code: int = 550, text: str | None = None) -> None:
        """Every RCPT TO this address (case-insensitive) answers `code` until clear_faults()."""
        with self._lock:
            self._faults.refused[address.lower()] = _reply(code, text or "No such user here (test sink)")

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = _Faults()

    def _take_fault(self, stage: Stage) -> str | None:
        with self._lock:
            queue = self._faults.pending[stage]
            return queue.pop(0) if queue else None

    def _refusal(self, address: str) -> str | None:
        with self._lock:
            return self._faults.refused.get(address.lower())

    # ----------------------------------------------------------------------------------- messages

    def _record(self, message: SinkMessage) -> None:
        with self._arrived:
            self._messages.append(message)
            self._arrived.notify_all()

    @property
    def messages(self) -> list[SinkMessage]:
        """A snapshot of the accepted messages, in arrival order."""
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[SinkMessage]:
        """Block until at least `count` messages arrived; raise TimeoutError with what came otherwise."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(f"{len(self._messages)} of {count} messages after {timeout} s")
            return list(self._messages)


def start_smtp_sink(**options: Any) -> SmtpSink:
    sink = SmtpSink(**options)
    try:
        sink.start()
    except BaseException:
        sink.cleanup()
        raise
    return sink


# ------------------------------------------------------------------------------------------ for pytest
# The fixtures themselves (dovecot, mail_user, smtp_sink, smtp_sink_factory) are in conftest.py.

def require_dovecot() -> None:
    """Skip the test when Dovecot is missing, but fail it in CI, where a skip would hide the gap."""
    if shutil.which("dovecot") is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed: CI must run the real-server tests")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)")


def point_at_servers(cfg: Path, dovecot: Dovecot, mail_user: MailUser, sink: SmtpSink,
                     monkeypatch: pytest.MonkeyPatch) -> Path:
    """The configuration `cfg` (its embedded Maildir and `dir:` outbox) pointed at the test
    Dovecot and SMTP sink, written as the README shows, their passwords in the environment."""
    text = cfg.read_text(encoding="utf-8")
    maildir_url = text.split('url = "maildir:', 1)[1].split('"', 1)[0]
    dir_url = text.split('url = "dir:', 1)[1].split('"', 1)[0]
    text = text.replace(f'url = "maildir:{maildir_url}"', (
        f'url = "imaps://{mail_user.address}@127.0.0.1:{dovecot.imaps_port}/INBOX"\n'
        f'ca_file = "{dovecot.cafile}"\nsent_folder = "Sent"'))
    text = text.replace(f'url = "dir:{dir_url}"', (
        f'url = "smtp://{sink.user}@127.0.0.1:{sink.port}"\nca_file = "{sink.cafile}"\n'
        f'timeout_seconds = 10'))
    cfg.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MAILFLOW_IMAP_PASSWORD", mail_user.password)
    monkeypatch.setenv("MAILFLOW_SMTP_PASSWORD", sink.password)
    return cfg
