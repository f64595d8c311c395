"""An IMAP mailbox through imapclient: UID order in, MOVE out, IDLE to hear new mail at once."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import SEEN, SocketTimeout

from ..errors import SourceError
from ..ports import Folder, Server, Waiting
from .credentials import oauth_token, password

log = logging.getLogger("mailflow.imap")

# Errors that mean "this connection is gone": drop it and connect again next time.
CONNECTION_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError, EOFError)
ACK_BATCH = 500  # UIDs per MOVE and messages per MULTIAPPEND: commands stay a sane length
IDLE_RENEW_SECONDS = 10 * 60  # RFC 2177 allows 29 minutes; servers and NATs often cut earlier


def tls_context(server: Server) -> ssl.SSLContext:
    """Certificates and host names verified, against the system store (or SSL_CERT_FILE) or a CA file."""
    return ssl.create_default_context(cafile=str(server.ca_file) if server.ca_file else None)


class ImapSource:
    """A mailbox folder on an IMAP server; a message's key is "UIDVALIDITY:UID"."""

    def __init__(self, server: Server, processed: str, quarantine: str, sent: str = "",
                 fetch_batch: int = 50, *, create_folders: bool = True, archive: str = "") -> None:
        self.server = server
        self.create_folders = create_folders  # a dry run changes nothing on the server
        self.folders: dict[Folder, str] = {"processed": processed, "quarantine": quarantine}
        self.archive = archive  # made when first used (`mailflow old archive`)
        self.sent_folder = sent
        self.fetch_batch = fetch_batch
        self.validity: str | None = None
        self._client: IMAPClient | None = None
        self._capabilities: frozenset[bytes] = frozenset()
        self._order: list[str] = []
        self._cache: dict[str, bytes] = {}

    # connection

    def _connect(self) -> IMAPClient:
        server = self.server
        context = tls_context(server)
        client = IMAPClient(server.host, server.port, ssl=server.tls == "implicit",
                            ssl_context=context,
                            timeout=SocketTimeout(connect=server.timeout, read=server.timeout))
        client.normalise_times = False  # internal dates with their zone: arrival is compared
        try:
            if server.tls == "starttls":
                client.starttls(context)
            if server.auth.method == "xoauth2":
                client.oauth2_login(server.auth.user, oauth_token(server.auth))
            else:
                client.login(server.auth.user, password(server.auth))
            self._capabilities = frozenset(client.capabilities())
            for name in (*self.folders.values(), self.sent_folder):
                if self.create_folders and name and not client.folder_exists(name):
                    client.create_folder(name)
                    log.info("dossier %s créé", name)
            selected = client.select_folder(server.folder)
        except BaseException:
            self._drop(client)
            raise
        validity = str(selected[b"UIDVALIDITY"])
        if self.validity is not None and validity != self.validity:
            log.warning("UIDVALIDITY de %s changée de %s à %s", server.folder, self.validity,
                        validity)
        self.validity = validity
        self._cache.clear()
        log.info("connecté à %s:%d en tant que %s, dossier %s", server.host, server.port, server.auth.user,
                 server.folder)
        return client

    @staticmethod
    def _drop(client: IMAPClient) -> None:
        # The connection may already be broken: there is nothing more to release then.
        with contextlib.suppress(Exception):
            client.shutdown()

    @contextmanager
    def _session(self, doing: str) -> Iterator[IMAPClient]:
        """The connection, made if needed; any failure drops it and says what was being done."""
        try:
            if self._client is None:
                self._client = self._connect()
            yield self._client
        except LoginError as exc:
            self._reset()
            raise SourceError(
                f"{self.server.host} : identifiant ou mot de passe refusé pour "
                f"{self.server.auth.user} ({doing}) : "
                f"{_text(exc)}"
            ) from None
        except CONNECTION_ERRORS as exc:
            self._reset()
            raise SourceError(f"{self.server.host}:{self.server.port} ({doing}) : "
                              f"{plain_words(exc, self.server)}") from exc

    def _reset(self) -> None:
        if self._client is not None:
            self._drop(self._client)
        self._client = None
        self._cache.clear()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except Exception:  # logging out of a dead connection: nothing to do
                self._drop(self._client)
        self._client = None

    def check(self) -> list[str]:
        """Connect, log in and list the folders (for `mailflow check-config`)."""
        with self._session("liste des dossiers") as client:
            return [name for _flags, _sep, name in client.list_folders()]

    # MailSource

    def _uid(self, key: str) -> int | None:
        validity, _, uid = key.partition(":")
        return int(uid) if validity == self.validity and uid.isdigit() else None

    def pending(self) -> list[Waiting]:
        with self._session("liste des nouveaux messages") as client:
            client.noop()  # lets the server tell us about new messages on this connection
            found = _listed(client)
        self._order = [f"{self.validity}:{uid}" for uid, _size, _at in found]
        return [Waiting(f"{self.validity}:{uid}", size, at) for uid, size, at in found]

    @contextmanager
    def _in_folder(self, folder: str, doing: str, *, readonly: bool) -> Iterator[IMAPClient]:
        """The connection with another folder selected for a moment; the inbox selected after."""
        with self._session(doing) as client:
            client.select_folder(folder, readonly=readonly)
            try:
                yield client
            finally:
                client.select_folder(self.server.folder)

    def quarantined(self) -> list[Waiting]:
        folder = self.folders["quarantine"]
        with self._in_folder(folder, f"liste de {folder}", readonly=True) as client:
            found = _listed(client)
        return [Waiting(f"q:{uid}", size, at) for uid, size, at in found]

    def read_quarantined(self, key: str, limit: int | None = None) -> bytes:
        folder = self.folders["quarantine"]
        uid = int(key.removeprefix("q:")) if key.removeprefix("q:").isdigit() else 0
        part = "BODY.PEEK[]" if limit is None else f"BODY.PEEK[]<0.{limit}>"
        with self._in_folder(folder, f"lecture de {key} dans {folder}", readonly=True) as client:
            data = client.fetch([uid], [part]).get(uid, {}) if uid else {}
        value = next((v for k, v in data.items() if k.startswith(b"BODY[")), None)
        if not isinstance(value, bytes):
            raise SourceError(f"le message {key} n’est pas dans {folder}")
        return value

    def release(self, keys: Sequence[str]) -> None:
        folder = self.folders["quarantine"]
        uids = [int(k.removeprefix("q:")) for k in keys if k.removeprefix("q:").isdigit()]
        if not uids:
            return
        # MOVE keeps the internal date: the message comes back with its arrival.
        with self._in_folder(folder, f"retour de {len(uids)} message(s) de {folder}",
                             readonly=False) as client:
            if b"MOVE" in self._capabilities:
                client.move(uids, self.server.folder)
            else:
                client.copy(uids, self.server.folder)
                client.add_flags(uids, [b"\\Deleted"])
                if b"UIDPLUS" in self._capabilities:
                    client.uid_expunge(uids)

    def read(self, key: str, limit: int | None = None) -> bytes:
        uid = self._uid(key)
        if uid is None:
            raise SourceError(f"le message {key} appartient à une ancienne UIDVALIDITY (désormais "
                              f"{self.validity})")
        if limit is not None:
            with self._session(f"lecture du début du message {key}") as client:
                data = client.fetch([uid], [f"BODY.PEEK[]<0.{limit}>"]).get(uid, {})
                # The server names a partial body "BODY[]<0>": its origin, not its length.
                value = next((v for k, v in data.items() if k.startswith(b"BODY[")), None)
            if not isinstance(value, bytes):
                raise SourceError(f"le message {key} n’est plus dans {self.server.folder}")
            return value
        if key not in self._cache:
            self._prefetch(key)
        try:
            return self._cache.pop(key)
        except KeyError:
            raise SourceError(f"le message {key} n’est plus dans {self.server.folder}") from None

    def _prefetch(self, key: str) -> None:
        """Fetch this message and the next ones in one round trip, unread (BODY.PEEK[])."""
        start = self._order.index(key) if key in self._order else 0
        keys = [k for k in self._order[start:start + self.fetch_batch] if k not in self._cache]
        if key not in keys:
            keys.insert(0, key)
        uids = [u for k in keys if (u := self._uid(k)) is not None]
        with self._session(f"lecture des messages ({len(uids)})") as client:
            fetched = client.fetch(uids, ["BODY.PEEK[]"])
            missing = [u for u in uids if not isinstance(fetched.get(u, {}).get(b"BODY[]"), bytes)]
            if missing:
                # Unsolicited FETCH responses (flag changes) can come without the body: ask again.
                fetched.update(client.fetch(missing, ["BODY.PEEK[]"]))
        for uid, data in fetched.items():
            body = data.get(b"BODY[]")
            if isinstance(body, bytes):
                self._cache[f"{self.validity}:{uid}"] = body

    def ack(self, keys: Sequence[str], folder: Folder) -> None:
        uids = [uid for key in keys if (uid := self._uid(key)) is not None]
        # Keys of an older UIDVALIDITY are skipped: found again by their hash, then moved.
        if not uids:
            return
        target = self.folders[folder] if folder != "archive" else self.archive
        with self._session(f"déplacement des messages ({len(uids)}) vers {target}") as client:
            if folder == "archive" and not client.folder_exists(target):
                client.create_folder(target)
            for start in range(0, len(uids), ACK_BATCH):
                part = uids[start:start + ACK_BATCH]
                if b"MOVE" in self._capabilities:
                    client.move(part, target)
                elif b"UIDPLUS" in self._capabilities:
                    client.copy(part, target)
                    client.add_flags(part, [b"\\Deleted"])
                    client.uid_expunge(part)
                else:
                    # Without UIDPLUS an EXPUNGE would also remove what other clients flagged.
                    client.copy(part, target)
                    client.add_flags(part, [b"\\Deleted"])
                    log.warning("le serveur n’a ni MOVE ni UIDPLUS : %d message(s) copié(s) vers %s "
                                "et marqué(s) supprimé(s) ; le client de messagerie les effacera", len(part),
                                target)
        for key in keys:
            self._cache.pop(key, None)

    # Sent folder

    def save_sent(self, raws: Sequence[bytes]) -> None:
        """Put copies of sent replies in the Sent folder, so staff see the conversations; in one
        MULTIAPPEND where the server offers it (RFC 3502)."""
        if not self.sent_folder or not raws:
            return
        with self._session(f"copie des réponses ({len(raws)}) dans {self.sent_folder}") as client:
            if b"MULTIAPPEND" in self._capabilities:
                for start in range(0, len(raws), ACK_BATCH):
                    client.multiappend(self.sent_folder, [{"msg": raw, "flags": [SEEN]}
                                                          for raw in raws[start:start + ACK_BATCH]])
            else:
                for raw in raws:
                    client.append(self.sent_folder, raw, flags=[SEEN])

    def has_sent(self, message_id: str) -> bool:
        """Whether a reply with this Message-ID is already in the Sent folder."""
        if not self.sent_folder:
            return False
        with self._session(f"recherche de {message_id} dans {self.sent_folder}") as client:
            client.select_folder(self.sent_folder, readonly=True)
            try:
                found = client.search(["HEADER", "Message-ID", message_id])
            finally:
                client.select_folder(self.server.folder)
        return bool(found)

    # waiting for mail

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Block until new mail (IDLE, where offered), `stop`, or the time is up; True on new mail."""
        if b"IDLE" not in self._capabilities or self._client is None:
            stop.wait(seconds)
            return False
        deadline = time.monotonic() + min(seconds, IDLE_RENEW_SECONDS)
        with self._session("attente de nouveaux messages (IDLE)") as client:
            client.idle()
            try:
                while not stop.is_set() and time.monotonic() < deadline:
                    responses: list[Any] = client.idle_check(timeout=1)
                    if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                        return True
            finally:
                client.idle_done()
        return False


def _listed(client: IMAPClient) -> list[tuple[int, int, datetime | None]]:
    """(UID, size, internal date) of the selected folder's messages, in UID order."""
    uids = sorted(client.search(["NOT", "DELETED"]))
    found: dict[int, tuple[int, datetime | None]] = {}
    for start in range(0, len(uids), 500):
        chunk = uids[start:start + 500]
        for uid, data in client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"]).items():
            at = data.get(b"INTERNALDATE")
            when = at.astimezone(UTC) if isinstance(at, datetime) and at.tzinfo else None
            found[uid] = (int(data.get(b"RFC822.SIZE", 0)), when)
    return [(uid, *found[uid]) for uid in uids if uid in found]


def plain_words(exc: BaseException, server: Server) -> str:
    """What a connection error means, for the operator reading the log or check-config."""
    where = f"{server.host}:{server.port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"le certificat du serveur n’est pas reconnu ({exc.verify_message}) ; s’il vient "
                f"d’une autorité privée, indiquez son certificat dans ca_file")
    if isinstance(exc, ssl.SSLError):
        return (f"échec TLS ({exc.reason}) ; vérifiez le port et le schéma (imaps et smtps "
                f"chiffrent dès la connexion)")
    if isinstance(exc, ConnectionRefusedError):
        return f"connexion refusée : rien n’écoute sur {where}"
    if isinstance(exc, socket.gaierror):
        return f"serveur inconnu : {server.host}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"pas de réponse de {where} en {server.timeout:g} s"
    return f"{type(exc).__name__}: {_text(exc)}"


def _text(exc: BaseException) -> str:
    value = exc.args[0] if exc.args else str(exc)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value) or type(exc).__name__

