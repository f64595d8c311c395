"""A local Maildir as the mailbox: delivery order in, rename into Maildir++ folders out."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from imapclient import imap_utf7

from ..errors import SourceError
from ..files import open_private, private_dir
from ..ports import Folder, Waiting

# A Maildir unique name is "SECONDS.ID.HOST[,S=…][:2,FLAGS]", where ID is a run of fields, a
# letter and digits each (cr.yp.to/proto/maildir.html): M the microseconds, P the pid, Q the
# process's delivery count, R random, V and I the device and inode. Python's `mailbox` writes
# "1700000000.M7807P42Q3.host", Dovecot "1700000000.M7807P1234.host,S=…": the microseconds are
# never zero-padded (M7807 is 7,807 µs, not 780,700).
_UNIQUE = re.compile(r"^(?P<secs>\d{9,})\.(?P<id>[^.:,]*)")
_FIELD = re.compile(r"([A-Z])([0-9a-fA-F]*)")


_counter = itertools.count(1)


def folder_dir(root: Path, name: str) -> Path:
    """The Maildir++ folder for a mailbox name, as Dovecot names it (modified UTF-7)."""
    encoded: bytes = imap_utf7.encode(name)
    return root / ("." + encoded.decode("ascii").replace("/", "."))


def _make(path: Path) -> None:
    for sub in ("new", "cur", "tmp"):
        private_dir(path / sub)


class MaildirSource:
    """Reads new/ and cur/ of a Maildir; acknowledging moves a message into a folder."""

    validity: str | None = None  # Maildir names never change meaning

    def __init__(self, root: Path, processed: str, quarantine: str, sent: str = "", *,
                 create: bool = True, archive: str = "") -> None:
        self.root = root
        self.folders: dict[Folder, Path] = {
            "processed": folder_dir(root, processed),
            "quarantine": folder_dir(root, quarantine),
        }
        self.archive = folder_dir(root, archive) if archive else None  # made when first used
        self.sent = folder_dir(root, sent) if sent else None
        self._paths: dict[str, Path] = {}
        if not create:
            return  # a dry run creates nothing; a missing Maildir simply holds no message
        try:
            _make(root)
            for path in [*self.folders.values(), *([self.sent] if self.sent else [])]:
                _make(path)
                os.close(open_private(path / "maildirfolder", os.O_WRONLY | os.O_CREAT))
        except OSError as exc:
            raise SourceError(f"{root} : impossible de préparer le Maildir : {exc}") from exc

    @staticmethod
    def key_of(filename: str) -> str:
        """A message's arrival key: its unique name without the flags Maildir readers add (a
        name that is not UTF-8 is written with escapes: the key goes into the store)."""
        key = filename.split(":", 1)[0]
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            return key.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return key

    @staticmethod
    def arrival(name: str, mtime_ns: int | None = None) -> tuple[int, int, str]:
        """The sort key of a message: delivery time in ns, delivery count, name.

        Read from the unique name as its writer wrote it; the file's time is used only where the
        name says nothing (no time at all, or seconds without microseconds).
        """
        match = _UNIQUE.match(name)
        if match is None:
            return (mtime_ns or 0, 0, name)
        seconds = int(match["secs"]) * 1_000_000_000
        fields = {letter: digits for letter, digits in _FIELD.findall(match["id"])}
        micros, count = fields.get("M", ""), fields.get("Q", "")
        if micros.isdigit() and int(micros) < 1_000_000:
            within = int(micros) * 1000
        elif mtime_ns is not None and 0 <= mtime_ns - seconds < 1_000_000_000:
            within = mtime_ns - seconds  # no microseconds: the file's time within that second
        else:
            within = 0
        return (seconds + within, int(count) if count.isdigit() else 0, name)

    def _order(self, path: Path) -> tuple[int, int, str]:
        match = _UNIQUE.match(path.name)
        needs_time = match is None or "M" not in dict(_FIELD.findall(match["id"]))
        return self.arrival(path.name, path.stat().st_mtime_ns if needs_time else None)

    def _messages(self, root: Path) -> list[tuple[tuple[int, int, str], Path]]:
        """The messages of new/ and cur/ of a Maildir folder, in arrival order."""
        found: list[tuple[tuple[int, int, str], Path]] = []
        for sub in ("new", "cur"):
            try:
                entries = list((root / sub).iterdir())
            except FileNotFoundError:
                entries = []  # not created yet (a dry run on a fresh set-up)
            except OSError as exc:
                raise SourceError(f"{root / sub} : lecture du dossier impossible : {exc}") from exc
            for path in entries:
                if path.name.startswith(".") or not path.is_file():
                    continue
                with contextlib.suppress(FileNotFoundError):
                    found.append((self._order(path), path))
        found.sort(key=lambda item: item[0])
        return found

    @staticmethod
    def _waiting(order: tuple[int, int, str], path: Path) -> Waiting:
        return Waiting(MaildirSource.key_of(path.name), path.stat().st_size,
                       datetime.fromtimestamp(order[0] / 1e9, UTC) if order[0] else None)

    def pending(self) -> list[Waiting]:
        found = self._messages(self.root)
        self._paths = {self.key_of(p.name): p for _, p in found}
        return [self._waiting(order, p) for order, p in found]

    def quarantined(self) -> list[Waiting]:
        return [self._waiting(order, p) for order, p in self._messages(self.folders["quarantine"])]

    def _quarantined_path(self, key: str) -> Path:
        for _order, path in self._messages(self.folders["quarantine"]):
            if self.key_of(path.name) == key:
                return path
        raise SourceError(f"le message {key} n’est pas dans la quarantaine")

    def read_quarantined(self, key: str, limit: int | None = None) -> bytes:
        try:
            with self._quarantined_path(key).open("rb") as handle:
                return handle.read(-1 if limit is None else limit)
        except OSError as exc:
            raise SourceError(f"message {key} : lecture impossible : {exc}") from exc

    def release(self, keys: Sequence[str]) -> None:
        for key in keys:
            path = self._quarantined_path(key)
            try:
                os.replace(path, self.root / "new" / key)  # its name, hence its arrival, kept
            except OSError as exc:
                raise SourceError(f"message {key} : impossible de le remettre dans la boîte : "
                                  f"{exc}") from exc

    def _path(self, key: str) -> Path:
        path = self._paths.get(key)
        if path is None or not path.exists():
            self.pending()
            path = self._paths.get(key)
        if path is None:
            raise SourceError(f"le message {key} n’est plus dans {self.root}")
        return path

    def read(self, key: str, limit: int | None = None) -> bytes:
        try:
            with self._path(key).open("rb") as handle:
                return handle.read(-1 if limit is None else limit)
        except OSError as exc:
            raise SourceError(f"message {key} : lecture impossible : {exc}") from exc

    def ack(self, keys: Sequence[str], folder: Folder) -> None:
        if folder == "archive" and "archive" not in self.folders:
            if self.archive is None:
                raise SourceError("aucun dossier d’archives n’est configuré")
            try:
                _make(self.archive)
                os.close(open_private(self.archive / "maildirfolder", os.O_WRONLY | os.O_CREAT))
            except OSError as exc:
                raise SourceError(f"{self.archive} : impossible de créer le dossier : {exc}") from exc
            self.folders["archive"] = self.archive
        for key in keys:
            try:
                path = self._path(key)
            except SourceError:
                continue  # already moved: acknowledging twice is harmless
            target = self.folders[folder] / "cur" / f"{key}:2,S"
            try:
                os.replace(path, target)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SourceError(f"message {key} : déplacement impossible vers {target.parent} : "
                                  f"{exc}") from exc
            self._paths.pop(key, None)

    def save_sent(self, raws: Sequence[bytes]) -> None:
        if self.sent is None:
            return
        for raw in raws:
            name = f"{time.time_ns() // 1_000_000_000}.M{time.time_ns() // 1000 % 1_000_000:06d}" \
                   f"P{os.getpid()}Q{next(_counter)}.mailflow"
            tmp = self.sent / "tmp" / name
            try:
                with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "wb") as out:
                    out.write(raw)
                os.replace(tmp, self.sent / "cur" / f"{name}:2,S")
            except OSError as exc:
                raise SourceError(f"{self.sent} : impossible d’enregistrer la copie d’une réponse : "
                                  f"{exc}") from exc

    def has_sent(self, message_id: str) -> bool:
        if self.sent is None:
            return False
        needle = message_id.encode()
        for path in (self.sent / "cur").iterdir():
            with path.open("rb") as handle:
                head = handle.read(16384)
            if needle in head.partition(b"\r\n\r\n")[0]:
                return True
        return False

    def clean_leftovers(self) -> list[Path]:
        """Remove copies of replies a killed process left half-written in the Sent folder's tmp/."""
        removed: list[Path] = []
        if self.sent is None:
            return removed
        for tmp in (self.sent / "tmp").glob("*.mailflow"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
        return removed

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        stop.wait(seconds)
        return False

    def close(self) -> None:
        self._paths.clear()
