"""The only place where the configured adapters are built, wired into a service, or tried."""

from __future__ import annotations

from datetime import UTC, datetime

from ..adapters.imap import ImapSource
from ..adapters.maildir import MaildirSource
from ..adapters.outbox_dir import DirTransport
from ..adapters.smtp import SmtpTransport
from ..config.settings import Settings
from ..core.write.render import Renderer
from ..errors import MailflowError
from ..ports import MailSource, Transport
from ..store import Store
from .service import Service

STAFF_WAIT_SECONDS = 30.0  # a staff command waits this long for the daemon to finish its job


def utc_now() -> datetime:
    """The real clock; the core never calls it, the shell passes it in."""
    return datetime.now(UTC)


def build_source(settings: Settings, *, create: bool = True) -> MailSource:
    """The configured mailbox: a local Maildir or an IMAP server (folders made unless `create` is off)."""
    box = settings.mailbox
    if box.server is not None:
        return ImapSource(box.server, box.processed_folder, box.quarantine_folder, box.sent_folder,
                          box.fetch_batch, create_folders=create, archive=box.archive_folder)
    assert box.path is not None
    return MaildirSource(box.path, box.processed_folder, box.quarantine_folder, box.sent_folder,
                         create=create, archive=box.archive_folder)


def build_transport(settings: Settings) -> Transport:
    """The configured way out: a folder of .eml files or an SMTP server."""
    if settings.delivery.server is not None:
        return SmtpTransport(settings.delivery.server, settings.network.address)
    assert settings.delivery.path is not None
    return DirTransport(settings.delivery.path)


def open_store(settings: Settings, *, read_only: bool, hold_lock: bool = True) -> Store:
    """The configured store: read-only (no lock, nothing written) for what staff read, or
    holding its lock, waiting a while for the daemon's job at hand."""
    return Store(settings.store_path, read_only=read_only, hold_lock=hold_lock,
                 wait=STAFF_WAIT_SECONDS)


def build_renderer(settings: Settings) -> Renderer:
    return Renderer(settings.templates_dir, settings.network, settings.groups, settings.departments)


def build_service(settings: Settings, *, read_only: bool, hold_lock: bool = True) -> Service:
    """Wire the configured adapters into a service.

    A writing service holds the store's lock from the start (a command); the daemon passes
    `hold_lock=False` and takes it for each job, so that staff commands can act in between.
    A read-only one has no transport: nothing is sent.
    """
    store = open_store(settings, read_only=read_only, hold_lock=hold_lock)
    try:
        source = build_source(settings, create=not read_only)
        transport = None if read_only else build_transport(settings)
        renderer = build_renderer(settings)
    except BaseException:
        store.close()
        raise
    return Service(settings, source, transport, store, renderer, utc_now)


def check_servers(settings: Settings) -> tuple[list[str], list[str]]:
    """Connect and log in to the configured servers: what was found, in French, and what fails
    (in plain words)."""
    found: list[str] = []
    problems: list[str] = []
    box = settings.mailbox
    if box.server is not None:
        source = ImapSource(box.server, box.processed_folder, box.quarantine_folder, box.sent_folder)
        try:
            folders = source.check()
            found.append(f"boîte aux lettres : connexion à {box.server.host}:{box.server.port} en "
                         f"tant que {box.server.auth.user} ; dossiers : {', '.join(folders)}")
            if box.server.folder not in folders:
                problems.append(f"boîte aux lettres : le dossier « {box.server.folder} » n’existe pas")
        except MailflowError as exc:
            problems.append(f"boîte aux lettres : {exc}")
        finally:
            source.close()
    if settings.delivery.server is not None:
        transport = SmtpTransport(settings.delivery.server, settings.network.address)
        try:
            found.append(f"envoi : {transport.check()}")
        except MailflowError as exc:
            problems.append(f"envoi : {exc}")
    return found, problems
