"""The store's files: an atomic JSON file, the log of accepted replies, reply bodies, locks."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import gzip
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import StoreError, StoreLockedError
from ..files import open_private, private_dir, write_private

GZIP_MAGIC = b"\x1f\x8b"


def fsync_dir(path: Path) -> None:
    """Make the renames in a folder survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def link_as(source: Path, target: Path) -> None:
    """Make `target` a hard link to `source`, atomically (through a temporary link)."""
    tmp = target.with_name(f".{target.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.link(source, tmp)
    os.replace(tmp, target)
    # rename() between two links to one file does nothing: the temporary link would stay.
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()


def write_json(path: Path, data: Any, *, backup: bool) -> None:
    """Write `path` whole, gzip-compressed (`zcat` reads it): a private temporary file, fsync, a
    `.bak` link to the old version, an atomic replace, then the folder synced.

    The state is JSON that repeats itself: compressed, it is a tenth of its size on disk and to
    sync, for a few milliseconds of work.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        private_dir(path.parent)
        fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(gzip.compress(text, compresslevel=1, mtime=0))
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            link_as(path, path.with_name(path.name + ".bak"))
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"{path} : écriture impossible : {exc}") from exc


def read_json_bytes(raw: bytes) -> bytes:
    """The JSON text of a state file, compressed (gzip) or plain (written before compression)."""
    return gzip.decompress(raw) if raw[:2] == GZIP_MAGIC else raw


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells that another process replaced the file: inode, size, modification time."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def take_lock(path: Path, wait: float, message: str) -> Any:
    """An exclusive lock on `path`, waiting up to `wait` seconds; StoreLockedError names the holder."""
    private_dir(path.parent)
    handle = os.fdopen(open_private(path, os.O_RDWR | os.O_CREAT), "r+")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "un autre processus"
                handle.close()
                raise StoreLockedError(message.format(holder=holder)) from None
            time.sleep(0.05)
    handle.seek(0)
    handle.truncate()
    handle.write(f"mailflow pid {os.getpid()}\n")
    handle.flush()
    return handle


class AcceptedLog:
    """An append-only file of the replies a server accepted (its `250`), one fsync each.

    Sending is the one step that cannot be undone: the moment the server takes a reply, its
    Message-ID is appended here and synced, before any other network step (the Sent copy comes
    after). A restart reads it and never sends those again, so a reply can go twice only if the
    process dies between the server's answer and that one local fsync. Once a commit has written
    the replies as sent, the log is emptied.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def read(self) -> dict[str, str]:
        """Message-ID → when it was accepted; a line torn by a crash mid-write is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"{self.path} : lecture impossible : {exc.strerror}") from None
        accepted: dict[str, str] = {}
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                accepted[entry["id"]] = str(entry.get("at", ""))
        return accepted

    def append(self, message_id: str, at: str) -> None:
        """Record one accepted reply durably before anything else happens."""
        line = json.dumps({"id": message_id, "at": at}, ensure_ascii=True) + "\n"
        try:
            if self._fd is None:
                self._fd = open_private(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.write(self._fd, line.encode("ascii"))
            os.fsync(self._fd)
        except OSError as exc:
            raise StoreError(f"{self.path} : impossible de noter une réponse envoyée : "
                             f"{exc.strerror}") from exc

    def clear(self) -> None:
        """Empty the log once the store holds what it told."""
        try:
            if self._fd is not None:
                os.ftruncate(self._fd, 0)
                os.fsync(self._fd)
            elif self.path.exists():
                with self.path.open("r+b") as handle:
                    handle.truncate(0)
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise StoreError(f"{self.path} : impossible de vider le journal : {exc.strerror}") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Bodies:
    """The bytes of replies waiting to be sent: one pack per commit beside the store (a JSON file,
    each body in base64), written and synced before the commit that queues its replies, removed
    once no queued reply names it. A pack no queued reply names is a leftover."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._packs: dict[str, dict[str, str]] = {}  # packs read, while replies still need them

    def write(self, name: str, bodies: Mapping[str, bytes]) -> None:
        """Write one pack whole and sync it (the commit that names it comes after)."""
        target = self.folder / name
        data = {message_id: base64.b64encode(raw).decode("ascii") for message_id, raw in bodies.items()}
        try:
            private_dir(self.folder)
            write_private(target, json.dumps(data, separators=(",", ":")).encode("ascii"))
            fsync_dir(self.folder)
        except OSError as exc:
            raise StoreError(f"{target} : écriture impossible : {exc.strerror}") from exc
        self._packs[name] = data

    def read(self, name: str, message_id: str) -> bytes:
        """A queued reply's bytes from its pack; b"" when the pack does not hold it."""
        pack = self._packs.get(name)
        if pack is None:
            path = self.folder / name
            try:
                loaded = json.loads(path.read_bytes())
            except FileNotFoundError:
                return b""
            except (OSError, ValueError) as exc:
                raise StoreError(f"{path} : lecture impossible : {exc}") from exc
            pack = self._packs[name] = loaded if isinstance(loaded, dict) else {}
        text = pack.get(message_id)
        return base64.b64decode(text) if isinstance(text, str) else b""

    def forget(self) -> None:
        """Drop the packs read (they are read again when needed)."""
        self._packs = {}

    def keep_only(self, used: set[str]) -> None:
        """Remove the packs no queued reply names any more (their replies were all sent)."""
        for path in self.leftovers(used):
            if not path.name.startswith("."):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        self._packs = {name: pack for name, pack in self._packs.items() if name in used}

    def leftovers(self, used: set[str]) -> list[Path]:
        """Packs no queued reply names, and half-written temporary files."""
        if not self.folder.exists():
            return []
        return [p for p in self.folder.iterdir() if p.name.startswith(".") or p.name not in used]
