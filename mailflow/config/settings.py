"""TOML configuration into typed, validated settings; every error names the key and the file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError
from ..model.values import (
    Department,
    Group,
    Network,
)
from ..ports import Auth, Server
from .groupfiles import load_departments, load_groups
from .review import ReviewSettings, load_review
from .tomlfile import Table, address, read_toml, resolve, shown

DEFAULT_CONFIG = Path("config/mailflow.toml")



# The words that switch TLS off must say what it costs.
PLAINTEXT_CONSENT = "passwords and mail travel unencrypted"
SCHEMES = {"imaps": ("implicit", 993), "imap": ("starttls", 143),
           "smtps": ("implicit", 465), "smtp": ("starttls", 587)}


@dataclass(frozen=True)
class MailboxSettings:
    """Where the mail comes from and where handled mail goes."""

    url: str
    path: Path | None
    processed_folder: str
    quarantine_folder: str
    max_message_bytes: int
    server: Server | None = None
    sent_folder: str = ""
    idle: bool = True
    fetch_batch: int = 50
    #: The authserv-id of the receiving server's Authentication-Results (RFC 8601), lower case;
    #: empty: senders are not checked (the embedded default).
    trusted_authserv_id: str = ""
    #: Mail that arrived before this time is the past: never answered unless staff say so; None:
    #: the store's (set at the first look: a day before it, or by `run --since`).
    since: datetime | None = None
    archive_folder: str = "Archives avant mailflow"  # where `mailflow old archive` puts it


@dataclass(frozen=True)
class DeliverySettings:
    """Where replies go: a folder of .eml files or an SMTP server, and how failures are retried."""

    url: str
    path: Path | None
    server: Server | None = None
    retry_seconds: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0)
    give_up_after_hours: float = 48.0
    alert_after_hours: float = 4.0


@dataclass(frozen=True)
class DigestSettings:
    """When staff get their daily digest (local time of the network); disabled when `at` is None."""

    at: time | None = time(8, 0)


@dataclass(frozen=True)
class Settings:
    """The whole validated configuration."""

    file: Path
    network: Network
    mailbox: MailboxSettings
    delivery: DeliverySettings
    digest: DigestSettings
    store_path: Path
    poll_seconds: float
    alert_after_minutes: float
    confirmation_hours: float
    answer_within_days: float
    max_replies_per_sender_per_day: int
    templates_dir: Path
    groups: dict[str, Group]
    departments: dict[str, Department]
    groups_file: Path = Path("groups.toml")
    review: ReviewSettings = field(default_factory=ReviewSettings)  # replies staff read first

    @property
    def tz(self) -> ZoneInfo:
        """The network's time zone."""
        return ZoneInfo(self.network.timezone)


SERVER_KEYS = ("auth", "password_file", "oauth_token_command", "oauth_token_file", "ca_file",
               "allow_plaintext", "timeout_seconds")


def _auth(table: Table, base: Path, user: str, env: str) -> Auth:
    method = table.text("auth", "password")
    if method not in ("password", "xoauth2"):
        raise table.fail("auth", f"valeur inconnue {shown(method)} ; valeurs possibles : "
                                 "password, xoauth2")
    password_file = table.get("password_file", str, None, required=False)
    command = table.get("oauth_token_command", str, None, required=False)
    token_file = table.get("oauth_token_file", str, None, required=False)
    if method == "xoauth2" and not (command or token_file):
        raise table.fail("oauth_token_command",
                         "xoauth2 demande oauth_token_command ou oauth_token_file")
    return Auth(
        method="xoauth2" if method == "xoauth2" else "password",
        user=user,
        password_env=env,
        password_file=resolve(base, password_file) if password_file else None,
        token_command=command,
        token_file=resolve(base, token_file) if token_file else None,
    )


def _server(table: Table, name: str, url: str, base: Path, env: str) -> Server:
    parts = urlsplit(url)
    tls, default_port = SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise table.fail(name, f"port invalide dans {shown(url)}") from None
    if not parts.hostname:
        raise table.fail(name, f"aucun serveur dans {shown(url)}")
    if not parts.username:
        raise table.fail(name, f"aucun utilisateur dans {shown(url)} ; écrivez "
                               f"{parts.scheme}://UTILISATEUR@{parts.hostname}")
    consent = table.get("allow_plaintext", str, None, required=False)
    if consent is not None:
        if consent != PLAINTEXT_CONSENT:
            raise table.fail("allow_plaintext", f"pour couper TLS, écrivez exactement "
                                                f"« {PLAINTEXT_CONSENT} »")
        if tls == "implicit":
            raise table.fail("allow_plaintext", f"{parts.scheme}:// passe toujours par TLS ; "
                                                f"utilisez {parts.scheme[:-1]}:// pour s’en passer")
        tls = "none"
    ca_file = table.get("ca_file", str, None, required=False)
    timeout = table.positive("timeout_seconds", 30.0)
    return Server(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,  # type: ignore[arg-type]
        ca_file=resolve(base, ca_file) if ca_file else None,
        auth=_auth(table, base, unquote(parts.username), env),
        timeout=timeout,
    )


def _endpoint(table: Table, name: str, local: str, remote: tuple[str, str], base: Path,
              env: str) -> tuple[str, Path | None, Server | None]:
    """A URL that is either local (maildir:PATH, dir:PATH) or a server (imaps://…, smtp://…)."""
    url = table.text(name)
    scheme = url.split(":", 1)[0]
    if scheme == local:
        table.allow(*SERVER_KEYS)  # harmless beside a local folder: kept for switching back
        return url, resolve(base, url[len(local) + 1 :]), None
    if scheme in remote:
        return url, None, _server(table, name, url, base, env)
    allowed = ", ".join([f"{local}:CHEMIN", *(f"{s}://UTILISATEUR@SERVEUR" for s in remote)])
    raise table.fail(name, f"« {scheme} » n’est pas pris en charge : utilisez {allowed}")


def _since(box: Table, tz_name: str) -> datetime | None:
    """`mailbox.since`: a date (local midnight) or a date and time (local unless it says)."""
    value = box.get("since", object, None, required=False)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz_name))
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), ZoneInfo(tz_name))
    raise box.fail("since", f"une date attendue (2026-12-01, ou 2026-12-01T08:00), trouvé {shown(value)}")


def shipped_templates() -> Path:
    """The reply templates that come with mailflow: inside the installed package, or at the top
    of the project's folder when it runs from there (an editable install, `python -m`)."""
    package = Path(__file__).resolve().parent.parent  # mailflow/, above config/
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def main_file(file: Path | str | None) -> Path:
    """The main configuration file: `--config`, else $MAILFLOW_CONFIG, else config/mailflow.toml
    in the current folder; one that is missing is refused saying how it was chosen."""
    env = os.environ.get("MAILFLOW_CONFIG")
    given = Path(file if file is not None else env or DEFAULT_CONFIG)
    path = given.expanduser().resolve()
    if path.is_file():
        return path
    where = "" if given.is_absolute() else f" (dossier courant {Path.cwd()})"
    if file is not None:
        hint = ""
    elif env:
        hint = " ; ce chemin vient de la variable MAILFLOW_CONFIG"
    else:
        hint = " ; indiquez le fichier avec --config CHEMIN ou la variable MAILFLOW_CONFIG"
    what = ("c’est un dossier, pas un fichier de configuration" if path.exists() else
            "fichier de configuration introuvable")
    raise ConfigError(given, "", f"{what}{where}{hint}")


def _network(net: Table) -> tuple[Network, ZoneInfo]:
    tz_name = net.text("timezone", "Europe/Paris")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise net.fail("timezone", f"fuseau horaire inconnu {shown(tz_name)}") from None
    staff = tuple(address(net, "staff", s) for s in net.strings("staff"))
    if not staff:
        raise net.fail("staff", "au moins une adresse de l’équipe")
    network = Network(
        name=net.text("name"),
        address=address(net, "address", net.text("address")),
        staff=staff,
        timezone=tz_name,
    )
    return network, tz


def _mailbox(box: Table, base: Path, tz_name: str) -> MailboxSettings:
    box_url, box_path, box_server = _endpoint(box, "url", "maildir", ("imaps", "imap"), base,
                                              "MAILFLOW_IMAP_PASSWORD")
    fetch_batch = box.at_least("fetch_batch", 50, 1)
    max_bytes = box.at_least("max_message_bytes", 25 * 1024 * 1024, 1024)
    authserv = box.get("trusted_authserv_id", str, "") or ""
    return MailboxSettings(
        url=box_url,
        path=box_path,
        processed_folder=box.text("processed_folder", "Traités"),
        quarantine_folder=box.text("quarantine_folder", "Quarantaine"),
        max_message_bytes=max_bytes,
        server=box_server,
        sent_folder=box.get("sent_folder", str, "") or "",
        idle=box.get("idle", bool, True),
        fetch_batch=fetch_batch,
        trusted_authserv_id=authserv.strip().lower(),
        since=_since(box, tz_name),
        archive_folder=box.text("archive_folder", "Archives avant mailflow"),
    )


def _delivery(table: Table, base: Path) -> DeliverySettings:
    out_url, out_path, out_server = _endpoint(table, "url", "dir", ("smtps", "smtp"), base,
                                              "MAILFLOW_SMTP_PASSWORD")
    retry = table.get("retry_seconds", list, [60, 300, 900, 3600])
    if not retry or not all(isinstance(r, int | float) and r > 0 for r in retry):
        raise table.fail("retry_seconds", f"liste de nombres positifs attendue, trouvé {shown(retry)}")
    give_up = table.positive("give_up_after_hours", 48.0)
    late = table.positive("alert_after_hours", 4.0)
    return DeliverySettings(out_url, out_path, out_server, tuple(float(r) for r in retry),
                            give_up, late)


def _digest(table: Table) -> DigestSettings:
    at_text = table.text("time", "08:00")
    if not table.get("enabled", bool, True):
        return DigestSettings(None)
    try:
        return DigestSettings(time.fromisoformat(at_text))
    except ValueError:
        raise table.fail("time", f"heure attendue, par exemple 08:00, trouvé {shown(at_text)}") from None


def load(file: Path | str | None = None) -> Settings:
    """Read and validate the main file and the files it names."""
    file = main_file(file)
    root = Table(file, "", read_toml(file, "fichier de configuration"))
    base = file.parent
    network, tz = _network(root.table("network"))
    mailbox = _mailbox(root.table("mailbox"), base, network.timezone)
    delivery = _delivery(root.table("delivery"), base)
    digest = _digest(root.table("digest", required=False))
    store = root.table("store")
    daemon = root.table("daemon", required=False)
    files = root.table("files", required=False)
    groups_file = resolve(base, files.text("groups", "groups.toml"))
    departments_file = resolve(base, files.text("departments", "departments.toml"))
    templates = files.get("templates", str, None, required=False)
    templates_dir = resolve(base, files.text("templates")) if templates is not None else shipped_templates()
    settings = Settings(
        file=file,
        network=network,
        mailbox=mailbox,
        delivery=delivery,
        digest=digest,
        store_path=resolve(base, store.text("path")),
        poll_seconds=daemon.positive("poll_seconds", 30.0),
        alert_after_minutes=daemon.positive("alert_after_minutes", 15.0),
        confirmation_hours=daemon.positive("confirmation_hours", 72.0),
        answer_within_days=daemon.positive("answer_within_days", 14.0),
        max_replies_per_sender_per_day=daemon.at_least("max_replies_per_sender_per_day", 10, 1),
        templates_dir=templates_dir,
        groups={},
        departments={},
        groups_file=groups_file,
        review=load_review(root.table("review", required=False), network.staff),
    )
    root.check_unknown()
    if not templates_dir.is_dir():
        raise files.fail("templates", f"dossier introuvable : {templates_dir}")
    return replace(settings, departments=load_departments(departments_file),
                   groups=load_groups(groups_file, tz))
