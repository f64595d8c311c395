"""Reading a TOML file as tables that know their file and path, so every error names the key."""

from __future__ import annotations

import difflib
import enum
import os
import tomllib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from email.headerregistry import Address
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ..errors import ConfigError
from .tomlerrors import where_and_what

T = TypeVar("T")


class Table:
    """A TOML table that knows its file and where it sits, so errors can name the key.

    Every key read (or declared with `allow`) is known; `check_unknown` refuses the others with
    the nearest known key, so that a typo never silently drops a setting.
    """

    def __init__(self, file: Path, path: str, data: dict[str, Any], label: str = "") -> None:
        self.file, self.path, self.data = file, path, data
        self.label = label  # how people name this table in errors (« groupe « ot-ruraux » (n° 2) »)
        self.known: set[str] = set()
        self.children: list[Table] = []

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
            raise self.fail(name, f"{KIND_WORDS.get(kind, kind.__name__ + ' attendu')}, trouvé "
                                  f"{shown(value)}")
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
                raise self.fail(f"{name}[{i}]", f"texte non vide attendu, trouvé {shown(item)}")
        return tuple(values)

    def table(self, name: str, *, required: bool = True) -> Table:
        value = self.get(name, dict, None, required=required)
        dotted = f"{self.path}.{name}" if self.path else name
        child = Table(self.file, dotted, value or {}, self.label)
        self.children.append(child)
        return child

    def choice(self, name: str, parse: Callable[[str], T], value: str,
               allowed: Iterable[str] = ()) -> T:
        try:
            return parse(value)
        except ValueError:
            listed = ", ".join(allowed)
            raise self.fail(name, f"valeur inconnue {shown(value)}"
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


#: What an error says was expected, for each type, the participle agreeing with its noun.
KIND_WORDS: dict[type, str] = {
    int: "nombre entier attendu", float: "nombre attendu", str: "texte attendu",
    bool: "valeur true ou false attendue", list: "liste attendue", dict: "table attendue",
    object: "valeur attendue",
}


def shown(value: Any) -> str:
    """A value as an error quotes it (TOML-like, short)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"« {value} »" if len(value) <= 60 else f"« {value[:57]}… »"
    if isinstance(value, dict):
        return "une table"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def values(kind: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in kind]


def read_toml(file: Path, what: str) -> dict[str, Any]:
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(file, "", f"{what} introuvable") from None
    except OSError as exc:
        raise ConfigError(file, "", f"{what} illisible : {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(file, f"octet {exc.start + 1}", "ce fichier n’est pas en UTF-8 ; "
                                                          "enregistrez-le en UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        where, what = where_and_what(str(exc))
        raise ConfigError(file, where, f"ce n’est pas du TOML valide : {what}") from None


def resolve(base: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (base / path).resolve()


def address(table: Table, name: str, value: str) -> str:
    try:
        address = Address(addr_spec=value.strip())
    except (ValueError, IndexError):
        raise table.fail(name, f"ce n’est pas une adresse électronique : {shown(value)}") from None
    if not address.domain or not address.username:
        raise table.fail(name, f"ce n’est pas une adresse électronique : {shown(value)}")
    return address.addr_spec.lower()


def local_time(table: Table, name: str, tz: ZoneInfo, *, required: bool,
               with_time: bool = False) -> datetime | None:
    """A date and time, local to `tz` unless it names its offset; a date alone is midnight,
    or an error when `with_time` (a meeting has an hour: it must not silently become midnight)."""
    table.known.add(name)
    if name not in table.data and not required:
        return None
    value = table.get(name, object)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date) and with_time:
        raise table.fail(name, f"date et heure attendues : {value.isoformat()} n’a pas d’heure ; "
                               f"écrivez par exemple {value.isoformat()}T09:30:00 (sans guillemets)")
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    raise table.fail(name, f"date et heure attendues, par exemple 2027-04-06T09:30:00 (sans "
                           f"guillemets), trouvé {shown(value)}")


def entry_label(kind: str, number: int, name: object) -> str:
    """An entry of a list as errors name it: by its id when it has one, its place from 1."""
    return (f"{kind} « {name} » (n° {number})" if isinstance(name, str) and name
            else f"{kind} n° {number}")
