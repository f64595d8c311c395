"""TOML configuration into typed, validated settings; every error names the key and the file."""

from __future__ import annotations

import difflib
import enum
import os
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from email.headerregistry import Address
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .model import (
    CallStatus,
    Criteria,
    Department,
    Fact,
    Group,
    Meeting,
    Network,
    Role,
    Scale,
    Territory,
)
from .ports import Auth, Server

DEFAULT_CONFIG = Path("config/mailflow.toml")
PROFILE_FIELDS = tuple(f.value for f in Fact if f is not Fact.GROUP)

T = TypeVar("T")


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

    @property
    def tz(self) -> ZoneInfo:
        """The network's time zone."""
        return ZoneInfo(self.network.timezone)


class _Table:
    """A TOML table that knows its file and where it sits, so errors can name the key.

    Every key read (or declared with `allow`) is known; `check_unknown` refuses the others with
    the nearest known key, so that a typo never silently drops a setting.
    """

    def __init__(self, file: Path, path: str, data: dict[str, Any], label: str = "") -> None:
        self.file, self.path, self.data = file, path, data
        self.label = label  # how people name this table in errors (« groupe « ot-ruraux » (n° 2) »)
        self.known: set[str] = set()
        self.children: list[_Table] = []

    def key(self, name: str) -> str:
        dotted = f"{self.path}.{name}" if self.path else name
        return f"{self.label} : {dotted}" if self.label else dotted

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.file, self.key(name), problem)

    def allow(self, *names: str) -> None:
        """Keys that are right here though this configuration does not use them."""
        self.known.update(names)

    def get(self, name: str, kind: type[T], default: T | None = None, *, required: bool = True) -> T:
        self.known.add(name)
        if name not in self.data:
            if default is not None or not required:
                return default  # type: ignore[return-value]
            raise self.fail(name, "absente (obligatoire)")
        value = self.data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(name, f"{KIND_WORDS.get(kind, kind.__name__)} attendu, trouvé "
                                  f"{_shown(value)}")
        return value

    def positive(self, name: str, default: float) -> float:
        """A number of seconds, hours or days: it must be above zero."""
        value = self.get(name, float, default)
        if value <= 0:
            raise self.fail(name, f"doit être positif, trouvé {value:g}")
        return value

    def at_least(self, name: str, default: int, minimum: int) -> int:
        """A count with a floor (capacity, batch size, byte limit)."""
        value = self.get(name, int, default)
        if value < minimum:
            raise self.fail(name, f"doit valoir au moins {minimum}, trouvé {value}")
        return value

    def text(self, name: str, default: str | None = None) -> str:
        value = self.get(name, str, default)
        if not value.strip():
            raise self.fail(name, "ne doit pas être vide")
        return value

    def strings(self, name: str, default: list[str] | None = None) -> tuple[str, ...]:
        values = self.get(name, list, default)
        for i, item in enumerate(values):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{name}[{i}]", f"texte non vide attendu, trouvé {_shown(item)}")
        return tuple(values)

    def table(self, name: str, *, required: bool = True) -> _Table:
        value = self.get(name, dict, None, required=required)
        dotted = f"{self.path}.{name}" if self.path else name
        child = _Table(self.file, dotted, value or {}, self.label)
        self.children.append(child)
        return child

    def choice(self, name: str, parse: Callable[[str], T], value: str,
               allowed: Iterable[str] = ()) -> T:
        try:
            return parse(value)
        except ValueError:
            listed = ", ".join(allowed)
            raise self.fail(name, f"valeur inconnue {_shown(value)}"
                                  + (f" ; valeurs possibles : {listed}" if listed else "")) from None

    def check_unknown(self) -> None:
        """Refuse keys nobody reads here (and in the tables below), naming the nearest known one."""
        for name in self.data:
            if name not in self.known:
                near = difflib.get_close_matches(name, sorted(self.known), n=1, cutoff=0.6)
                hint = f" ; vouliez-vous dire « {near[0]} » ?" if near else (
                    f" ; clés possibles ici : {', '.join(sorted(self.known))}" if self.known else "")
                raise self.fail(name, f"clé inconnue{hint}")
        for child in self.children:
            child.check_unknown()


#: Types as an error message names them.
KIND_WORDS: dict[type, str] = {
    int: "nombre entier", float: "nombre", str: "texte", bool: "true ou false", list: "liste",
    dict: "table", object: "valeur",
}


def _shown(value: Any) -> str:
    """A value as an error quotes it (TOML-like, short)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"« {value} »" if len(value) <= 60 else f"« {value[:57]}… »"
    if isinstance(value, dict):
        return "une table"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _values(kind: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in kind]


def _read_toml(file: Path, what: str) -> dict[str, Any]:
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(file, "", f"{what} introuvable") from None
    except OSError as exc:
        raise ConfigError(file, "", f"{what} illisible : {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "", f"ce n’est pas du TOML valide : {exc}") from None


def _resolve(base: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (base / path).resolve()


def _address(table: _Table, name: str, value: str) -> str:
    try:
        address = Address(addr_spec=value.strip())
    except (ValueError, IndexError):
        raise table.fail(name, f"ce n’est pas une adresse électronique : {_shown(value)}") from None
    if not address.domain or not address.username:
        raise table.fail(name, f"ce n’est pas une adresse électronique : {_shown(value)}")
    return address.addr_spec.lower()


def _local_time(table: _Table, name: str, tz: ZoneInfo, *, required: bool) -> datetime | None:
    table.known.add(name)
    if name not in table.data and not required:
        return None
    value = table.get(name, object)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    raise table.fail(name, f"date et heure attendues, par exemple 2027-04-06T09:30:00 (sans "
                           f"guillemets), trouvé {_shown(value)}")


SERVER_KEYS = ("auth", "password_file", "oauth_token_command", "oauth_token_file", "ca_file",
               "allow_plaintext", "timeout_seconds")


def _auth(table: _Table, base: Path, user: str, env: str) -> Auth:
    method = table.text("auth", "password")
    if method not in ("password", "xoauth2"):
        raise table.fail("auth", f"valeur inconnue {_shown(method)} ; valeurs possibles : "
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
        password_file=_resolve(base, password_file) if password_file else None,
        token_command=command,
        token_file=_resolve(base, token_file) if token_file else None,
    )


def _server(table: _Table, name: str, url: str, base: Path, env: str) -> Server:
    parts = urlsplit(url)
    tls, default_port = SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise table.fail(name, f"port invalide dans {_shown(url)}") from None
    if not parts.hostname:
        raise table.fail(name, f"aucun serveur dans {_shown(url)}")
    if not parts.username:
        raise table.fail(name, f"aucun utilisateur dans {_shown(url)} ; écrivez "
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
        ca_file=_resolve(base, ca_file) if ca_file else None,
        auth=_auth(table, base, unquote(parts.username), env),
        timeout=timeout,
    )


def _endpoint(table: _Table, name: str, local: str, remote: tuple[str, str], base: Path,
              env: str) -> tuple[str, Path | None, Server | None]:
    """A URL that is either local (maildir:PATH, dir:PATH) or a server (imaps://…, smtp://…)."""
    url = table.text(name)
    scheme = url.split(":", 1)[0]
    if scheme == local:
        table.allow(*SERVER_KEYS)  # harmless beside a local folder: kept for switching back
        return url, _resolve(base, url[len(local) + 1 :]), None
    if scheme in remote:
        return url, None, _server(table, name, url, base, env)
    allowed = ", ".join([f"{local}:CHEMIN", *(f"{s}://UTILISATEUR@SERVEUR" for s in remote)])
    raise table.fail(name, f"« {scheme} » n’est pas pris en charge : utilisez {allowed}")


def load_departments(file: Path) -> dict[str, Department]:
    """The departments file: code → Department."""
    root = _Table(file, "", _read_toml(file, "fichier des départements"))
    entries = root.get("department", list)
    departments: dict[str, Department] = {}
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise root.fail(f"department n° {i + 1}", "table attendue")
        table = _Table(file, "", raw, label=entry_label("département", i + 1, raw.get("code")))
        code = table.text("code")
        if code in departments:
            raise table.fail("code", f"le département {code} figure deux fois")
        departments[code] = Department(code, table.text("name"), table.get("coastal", bool))
        table.check_unknown()
    if not departments:
        raise root.fail("department", "aucun département")
    root.check_unknown()
    return departments


def _criteria(table: _Table) -> Criteria:
    roles_raw = table.get("roles", list, None, required=False)
    roles = (
        tuple(table.choice("roles", Role, str(r), _values(Role)) for r in roles_raw)
        if roles_raw else None
    )
    excluded = tuple(
        table.choice("excluded_territories", Territory, t, _values(Territory))
        for t in table.strings("excluded_territories", [])
    )
    scale_raw = table.get("scale", str, None, required=False)
    fte = table.get("fte_below", float, None, required=False)
    population = table.get("max_population", int, None, required=False)
    return Criteria(
        roles=roles,
        excluded_territories=excluded,
        scale=table.choice("scale", Scale, scale_raw, _values(Scale)) if scale_raw else None,
        fte_below=fte,
        max_population=population,
    )


def _positive(table: _Table, name: str) -> float | None:
    value = table.get(name, float, None, required=False)
    if value is not None and value <= 0:
        raise table.fail(name, f"doit être positif, trouvé {value:g}")
    return value


def _group(table: _Table, tz: ZoneInfo) -> Group:
    group_id = table.text("id")
    if not group_id.replace("-", "").isalnum() or group_id != group_id.lower() or not group_id.isascii():
        raise table.fail("id", f"lettres minuscules sans accent, chiffres et tirets, trouvé "
                               f"{_shown(group_id)}")
    capacity = table.get("capacity", int)
    if capacity < 1:
        raise table.fail("capacity", f"doit valoir au moins 1, trouvé {capacity}")
    quotas = table.table("quotas", required=False)
    meeting = table.table("first_meeting")
    required = table.strings("required", ["name", "structure", "role", "department"])
    for item in required:
        if item not in PROFILE_FIELDS:
            raise table.fail("required", f"champ inconnu {_shown(item)} ; champs possibles : "
                                         f"{', '.join(PROFILE_FIELDS)}")
    starts_at = _local_time(meeting, "starts_at", tz, required=True)
    assert starts_at is not None
    return Group(
        id=group_id,
        title=table.text("title"),
        aliases=table.strings("aliases", []),
        context=table.text("context"),
        objectives=table.strings("objectives", []),
        participants=table.text("participants"),
        capacity=capacity,
        quota_coastal=quotas.get("coastal", int, None, required=False),
        quota_inland=quotas.get("inland", int, None, required=False),
        criteria=_criteria(table.table("criteria", required=False)),
        required=required,
        first_meeting=Meeting(starts_at, meeting.text("place")),
        commitment=table.text("commitment"),
        call=table.choice("call", CallStatus, table.text("call", "open"), _values(CallStatus)),
        closes_at=_local_time(table, "closes_at", tz, required=False),
        confirm_within_hours=_positive(table, "confirm_within_hours"),
    )


def entry_label(kind: str, number: int, name: object) -> str:
    """An entry of a list as errors name it: by its id when it has one, its place from 1."""
    return (f"{kind} « {name} » (n° {number})" if isinstance(name, str) and name
            else f"{kind} n° {number}")


def load_groups(file: Path, tz: ZoneInfo) -> dict[str, Group]:
    """The groups file: id → Group, in file order."""
    root = _Table(file, "", _read_toml(file, "fichier des groupes"))
    groups: dict[str, Group] = {}
    for i, raw in enumerate(root.get("group", list)):
        if not isinstance(raw, dict):
            raise root.fail(f"group n° {i + 1}", "table attendue ([[group]])")
        table = _Table(file, "", raw, label=entry_label("groupe", i + 1, raw.get("id")))
        group = _group(table, tz)
        if group.id in groups:
            raise table.fail("id", f"le groupe « {group.id} » est défini deux fois")
        table.check_unknown()
        groups[group.id] = group
    root.check_unknown()
    return groups


def load(file: Path | str | None = None) -> Settings:
    """Read and validate the main file and the files it names."""
    if file is None:
        file = os.environ.get("MAILFLOW_CONFIG") or DEFAULT_CONFIG
    file = Path(file).resolve()
    root = _Table(file, "", _read_toml(file, "fichier de configuration"))
    base = file.parent

    net = root.table("network")
    tz_name = net.text("timezone", "Europe/Paris")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise net.fail("timezone", f"fuseau horaire inconnu {_shown(tz_name)}") from None
    staff = tuple(_address(net, "staff", s) for s in net.strings("staff"))
    if not staff:
        raise net.fail("staff", "au moins une adresse de l’équipe")
    network = Network(
        name=net.text("name"),
        address=_address(net, "address", net.text("address")),
        staff=staff,
        timezone=tz_name,
    )

    box = root.table("mailbox")
    box_url, box_path, box_server = _endpoint(box, "url", "maildir", ("imaps", "imap"), base,
                                              "MAILFLOW_IMAP_PASSWORD")
    fetch_batch = box.at_least("fetch_batch", 50, 1)
    max_bytes = box.at_least("max_message_bytes", 25 * 1024 * 1024, 1024)
    authserv = box.get("trusted_authserv_id", str, "") or ""
    mailbox = MailboxSettings(
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
    )

    table = root.table("delivery")
    out_url, out_path, out_server = _endpoint(table, "url", "dir", ("smtps", "smtp"), base,
                                              "MAILFLOW_SMTP_PASSWORD")
    retry = table.get("retry_seconds", list, [60, 300, 900, 3600])
    if not retry or not all(isinstance(r, int | float) and r > 0 for r in retry):
        raise table.fail("retry_seconds", f"liste de nombres positifs attendue, trouvé {_shown(retry)}")
    give_up = table.positive("give_up_after_hours", 48.0)
    late = table.positive("alert_after_hours", 4.0)
    delivery = DeliverySettings(out_url, out_path, out_server, tuple(float(r) for r in retry),
                                give_up, late)

    digest_table = root.table("digest", required=False)
    digest_at: time | None = None
    at_text = digest_table.text("time", "08:00")
    if digest_table.get("enabled", bool, True):
        try:
            digest_at = time.fromisoformat(at_text)
        except ValueError:
            raise digest_table.fail("time", f"heure attendue, par exemple 08:00, trouvé "
                                            f"{_shown(at_text)}") from None

    store = root.table("store")
    daemon = root.table("daemon", required=False)
    poll = daemon.positive("poll_seconds", 30.0)
    confirmation = daemon.positive("confirmation_hours", 72.0)
    answer_days = daemon.positive("answer_within_days", 14.0)
    alert_after = daemon.positive("alert_after_minutes", 15.0)
    cap = daemon.at_least("max_replies_per_sender_per_day", 10, 1)

    files = root.table("files", required=False)
    groups_file = _resolve(base, files.text("groups", "groups.toml"))
    departments_file = _resolve(base, files.text("departments", "departments.toml"))
    templates_dir = _resolve(base, files.text("templates", "../templates"))
    store_path = _resolve(base, store.text("path"))
    root.check_unknown()
    if not templates_dir.is_dir():
        raise files.fail("templates", f"dossier introuvable : {templates_dir}")

    departments = load_departments(departments_file)
    groups = load_groups(groups_file, tz)
    return Settings(
        file=file,
        network=network,
        mailbox=mailbox,
        delivery=delivery,
        digest=DigestSettings(digest_at),
        store_path=store_path,
        poll_seconds=poll,
        alert_after_minutes=alert_after,
        confirmation_hours=confirmation,
        answer_within_days=answer_days,
        max_replies_per_sender_per_day=cap,
        templates_dir=templates_dir,
        groups=groups,
        departments=departments,
    )
