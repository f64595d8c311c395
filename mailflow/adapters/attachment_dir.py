"""A folder of kept attachments, one locked sub-folder per owner, written without following links."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..files import private_dir
from ..ports import AttachmentFile, SavedAttachment

_OWNER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SAFE_NAME = re.compile(r"(\d{2,})-[A-Za-z0-9_-]+(?:\.[a-z0-9]{1,10})?")
_INDEX = "index.json"
_FILE_MODE = 0o600  # personal data: for the service's user only
_DIR_MODE = 0o700


def _file_name(number: int, stem: str, ext: str) -> str:
    return f"{number:02d}-{stem}" + (f".{ext}" if ext else "")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _OwnerFolder:
    """The owner's folder, opened once without following links, locked while we work in it."""

    def __init__(self, root: Path, owner_id: str) -> None:
        self.path = root / owner_id
        try:
            private_dir(root)
            root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise StoreError(f"{root} : impossible d’ouvrir le dossier des pièces jointes : "
                             f"{exc.strerror}") from exc
        try:
            created = True
            try:
                os.mkdir(owner_id, _DIR_MODE, dir_fd=root_fd)
            except FileExistsError:
                created = False
            # O_NOFOLLOW: a link planted in place of the folder makes this fail (ELOOP).
            self.fd = os.open(
                owner_id, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=root_fd
            )
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create or open the folder (not a symbolic link?): {exc.strerror}"
            ) from exc
        finally:
            os.close(root_fd)
        try:
            if created:
                os.fchmod(self.fd, _DIR_MODE)  # whatever the umask
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # the daemon and a staff command may run at once
        except OSError as exc:
            os.close(self.fd)
            raise StoreError(f"{self.path} : impossible de verrouiller le dossier : {exc.strerror}") from exc

    def close(self) -> None:
        os.close(self.fd)  # releases the lock

    def lstat(self, name: str) -> os.stat_result | None:
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def holds(self, name: str, size: int, sha256: str) -> bool:
        """True when `name` is a regular file (not a link) with exactly this content."""
        info = self.lstat(name)
        if info is None or not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return False
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=self.fd)
        except OSError:
            return False
        digest = hashlib.sha256()
        try:
            while chunk := os.read(fd, 1 << 20):
                digest.update(chunk)
        finally:
            os.close(fd)
        return digest.hexdigest() == sha256

    def write(self, name: str, data: bytes) -> None:
        """Atomically: a fresh temporary file (never through a link), synced, then renamed."""
        tmp = f".tmp-{secrets.token_hex(8)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(tmp, flags, _FILE_MODE, dir_fd=self.fd)
            try:
                os.fchmod(fd, _FILE_MODE)  # whatever the umask
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            # rename() replaces a link at the target rather than following it; callers pick free names.
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self.fd)
            raise StoreError(f"{self.path / name} : écriture impossible : {exc.strerror}") from exc

    def sync(self) -> None:
        try:
            os.fsync(self.fd)  # the renames themselves survive a crash
        except OSError as exc:
            raise StoreError(f"{self.path} : synchronisation du dossier impossible : {exc.strerror}") from exc

    def load_index(self) -> list[dict[str, Any]]:
        return _load_index(self.fd, self.path / _INDEX)

    def save_index(self, entries: list[dict[str, Any]]) -> None:
        text = json.dumps({"version": 1, "attachments": entries}, ensure_ascii=False, indent=1)
        self.write(_INDEX, text.encode("utf-8") + b"\n")


def _load_index(folder_fd: int, where: Path) -> list[dict[str, Any]]:
    """The entries of an owner folder's index, read without following a link."""
    try:
        fd = os.open(_INDEX, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder_fd)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"{where} : lecture impossible (un lien symbolique ?) : {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "rb") as handle:
            loaded = json.loads(handle.read())
    except (OSError, ValueError) as exc:
        raise StoreError(f"{where} : illisible : {exc}") from exc
    entries = loaded.get("attachments") if isinstance(loaded, dict) else None
    if not isinstance(entries, list) or not all(_valid_entry(e) for e in entries):
        raise StoreError(f"{where} : ce n’est pas un index de pièces jointes")
    return entries


def kept(root: Path, owner_id: str) -> list[SavedAttachment]:
    """What was kept (or refused) for an owner, from its folder's index; writes nothing."""
    if not _OWNER.fullmatch(owner_id):
        return []
    folder = root / owner_id
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"{folder} : ouverture impossible (un lien symbolique ?) : {exc.strerror}") from exc
    try:
        return [_saved(e, folder) for e in _load_index(folder_fd, folder / _INDEX)]
    finally:
        os.close(folder_fd)


def _valid_entry(entry: object) -> bool:
    """An index entry we wrote; a name that is not a safe one (an edited index) is never used."""
    if not isinstance(entry, dict):
        return False
    texts = ("name", "original", "content_type", "sha256", "refused")
    return (
        all(isinstance(entry.get(key), str) for key in texts)
        and isinstance(entry.get("size"), int)
        and _SAFE_NAME.fullmatch(entry["name"]) is not None
    )


def _number(name: str) -> int:
    match = _SAFE_NAME.fullmatch(name)
    return int(match.group(1)) if match else 0


def _saved(entry: dict[str, Any], folder: Path) -> SavedAttachment:
    refused = str(entry["refused"])
    return SavedAttachment(
        name=entry["name"], original=entry["original"], content_type=entry["content_type"],
        size=entry["size"], sha256=entry["sha256"], path=None if refused else folder / entry["name"],
        refused=refused,
    )  # fmt: skip


def keep(root: Path, owner_id: str, verdicts: list[AttachmentFile]) -> list[SavedAttachment]:
    """Keep the acceptable files under `root/owner_id/`; list every one of them.

    Calling it again with the same files (or a file already kept for this owner, same content and
    name) writes nothing and returns the same entries. Raises StoreError when the folder cannot be
    used, ValueError for an owner id that is not [A-Za-z0-9_-]{1,64}.
    """
    if not _OWNER.fullmatch(owner_id):
        raise ValueError(f"owner id must be [A-Za-z0-9_-]{{1,64}}, not {owner_id!r}")
    if not verdicts:
        return []
    folder = _OwnerFolder(root, owner_id)
    try:
        entries = folder.load_index()
        taken = {e["name"] for e in entries}
        next_number = max((_number(e["name"]) for e in entries), default=0) + 1
        result: list[SavedAttachment] = []
        changed = False
        for verdict in verdicts:
            known = _known(entries, verdict)
            if known is not None and (verdict.refused or folder.holds(entries[known]["name"],
                                                                      verdict.size, verdict.sha256)):
                result.append(_saved(entries[known], folder.path))  # already there: nothing to write
                continue
            old = entries[known]["name"] if known is not None else ""
            name, next_number = _written(folder, verdict, old, taken, next_number)
            entry = {
                "name": name, "original": verdict.original, "content_type": verdict.content_type,
                "size": verdict.size, "sha256": verdict.sha256, "refused": verdict.refused,
            }  # fmt: skip
            taken.add(name)
            if known is None:
                entries.append(entry)
            else:
                entries[known] = entry
            changed = True
            result.append(_saved(entry, folder.path))
        if changed:
            folder.save_index(entries)
            folder.sync()
        return result
    finally:
        folder.close()


def _known(entries: list[dict[str, Any]], verdict: AttachmentFile) -> int | None:
    """Where the index lists this very file (same content, name and verdict), if it does."""
    key = (verdict.sha256, verdict.original, verdict.refused)
    return next((i for i, e in enumerate(entries) if (e["sha256"], e["original"], e["refused"]) == key),
                None)


def _written(folder: _OwnerFolder, verdict: AttachmentFile, old: str, taken: set[str],
             next_number: int) -> tuple[str, int]:
    """The file's name in the folder, written there unless refused; and the next number free.

    A kept file that went missing is written again under its name (`old`) if it is free; else
    the file takes a name free in the index and on disk (anything already there, a planted link
    included, is left alone), unless a file left by an interrupted call has this content.
    """
    if old and not verdict.refused and folder.lstat(old) is None:
        folder.write(old, verdict.data)
        return old, next_number
    while True:
        candidate = _file_name(next_number, verdict.safe_stem, verdict.ext)
        next_number += 1
        if candidate in taken:
            continue
        if verdict.refused or folder.lstat(candidate) is None:
            if not verdict.refused:
                folder.write(candidate, verdict.data)
            return candidate, next_number
        if folder.holds(candidate, verdict.size, verdict.sha256):
            return candidate, next_number


def clean_leftovers(root: Path) -> list[Path]:
    """Remove temporary files a killed process left in the owners' folders (each locked first).

    Only `.tmp-*` files, which `save_attachments` renames into place once written: one still
    there was never finished. A file renamed but missing from `index.json` stays: the next save
    of the same message finds it by its content.
    """
    removed: list[Path] = []
    try:
        owners = [p.name for p in root.iterdir() if _OWNER.fullmatch(p.name)]
    except FileNotFoundError:
        return removed
    for owner in owners:
        try:
            folder = _OwnerFolder(root, owner)
        except StoreError:
            continue  # not a folder we made (a link, say): left alone
        try:
            for name in os.listdir(folder.fd):
                if name.startswith(".tmp-"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=folder.fd)
                        removed.append(folder.path / name)
        finally:
            folder.close()
    return removed


def describe(saved: list[SavedAttachment]) -> list[str]:
    """One line per attachment for logs and staff commands."""
    lines: list[str] = []
    for item in saved:
        size = f"{math.ceil(item.size / 1024)} KB"
        status = f"refused: {item.refused}" if item.refused else "kept"
        sent_as = f'"{item.original}"' if item.original else "no name"
        lines.append(f"{item.name}: {size}, {item.content_type}, {status}; sent as {sent_as}")
    return lines
