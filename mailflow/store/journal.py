"""The journal: what grows with time (messages handled, history, replies sent), append-only.

One JSON-lines file per month beside the store. A commit's records are appended after the
state file that holds them was written (see Store.commit), each with its batch and index, so
that a crash between the two is repaired by appending what is missing, never twice. A line torn
by a crash is cut off before the next append.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..files import open_private, private_dir
from .files import fsync_dir

Record = dict[str, Any]
READ_BLOCK = 1024 * 1024


class Journal:
    """The journal's folder of `YYYY-MM.jsonl` files, read in order, appended to at the end."""

    def __init__(self, folder: Path, check: Callable[[Record], str] | None = None) -> None:
        self.folder = folder
        self._check = check  # what is wrong with a record, or ""
        self._offsets: dict[str, int] = {}  # file name → bytes read so far

    def files(self) -> list[Path]:
        if not self.folder.exists():
            return []
        return sorted(p for p in self.folder.glob("*.jsonl") if not p.name.startswith("."))

    def _lines(self, data: bytes, where: Path, before: int = 0) -> Iterator[tuple[int, Record]]:
        """(where each starts in `data`, the record) of complete lines (the last one may be
        torn); `before` lines precede `data` in its file."""
        start = 0
        for number, line in enumerate(data.split(b"\n"), before + 1):
            at, start = start, start + len(line) + 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                if not data.endswith(b"\n") and line == data.rsplit(b"\n", 1)[-1]:
                    return  # the last line, torn by a crash: the next append cuts it off
                raise StoreError(f"{where} : ligne {number} illisible ({exc}) ; rien n’a été "
                                 f"modifié") from None
            problem = ("ce n’est pas un enregistrement" if not isinstance(record, dict)
                       or not isinstance(record.get("t"), str)
                       else self._check(record) if self._check else "")
            if problem:
                raise StoreError(f"{where} : le journal est endommagé : ligne {number} : {problem}. "
                                 "Rien n’a été modifié.")
            yield at, record

    def read(self) -> Iterator[Record]:
        """Every record, oldest first."""
        for _name, _at, record in self.read_placed():
            yield record

    def read_placed(self) -> Iterator[tuple[str, int, Record]]:
        """Every record with its file and where its line starts, oldest first, a block at a time
        (years of records are never all in memory at once); remembers how far each file was read."""
        self._offsets = {}
        for path in self.files():
            done, number, rest = 0, 0, b""
            try:
                with path.open("rb") as handle:
                    while block := handle.read(READ_BLOCK):
                        data = rest + block
                        cut = data.rfind(b"\n") + 1
                        for at, record in self._lines(data[:cut], path, number):
                            yield path.name, done + at, record
                        number += data.count(b"\n", 0, cut)
                        done += cut
                        rest = data[cut:]
            except OSError as exc:
                raise StoreError(f"{path} : lecture impossible : {exc.strerror}") from None
            for at, record in self._lines(rest, path, number):  # a line torn by a crash is skipped
                yield path.name, done + at, record
            self._offsets[path.name] = done

    def read_new(self) -> list[tuple[str, int, Record]] | None:
        """Records appended by another process since the last read, with their places; None when
        the journal was rewritten (a purge) or a file vanished, and must be read again whole."""
        files = self.files()
        if any(name not in {p.name for p in files} for name in self._offsets):
            return None
        found: list[tuple[str, int, Record]] = []
        for path in files:
            start = self._offsets.get(path.name, 0)
            try:
                size = path.stat().st_size
                if size < start:
                    return None
                if size == start:
                    continue
                with path.open("rb") as handle:
                    handle.seek(start)
                    data = handle.read()
            except OSError as exc:
                raise StoreError(f"{path} : lecture impossible : {exc.strerror}") from None
            complete = data[: data.rfind(b"\n") + 1]
            self._offsets[path.name] = start + len(complete)
            found.extend((path.name, start + at, r) for at, r in self._lines(complete, path))
        return found

    def record_at(self, name: str, offset: int) -> Record | None:
        """The record whose line starts there (an index points at it), or None."""
        path = self.folder / name
        try:
            with path.open("rb") as handle:
                handle.seek(offset)
                line = handle.readline()
        except OSError:
            return None
        found = list(self._lines(line, path))
        return found[0][1] if found else None

    def last_records(self, name: str, count: int) -> list[Record]:
        """The last `count` complete records of one month's file (read from its end: a month of
        records is not read to check the last commit)."""
        path = self.folder / name
        try:
            with path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                data = b""
                start = size
                while start > 0 and data.count(b"\n") <= count:
                    start = max(0, start - READ_BLOCK)
                    handle.seek(start)
                    data = handle.read(size - start)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{path} : lecture impossible : {exc.strerror}") from None
        complete = data[: data.rfind(b"\n") + 1]
        lines = complete.split(b"\n")[:-1]
        if start > 0:
            lines = lines[1:]  # the first line read may be cut: the count is reached without it
        return [r for _at, r in self._lines(b"".join(line + b"\n" for line in lines[-count:]), path)]

    def append(self, name: str, records: list[Record]) -> list[int]:
        """Append records to one month's file, synced; a torn last line is cut off first.
        Returns where each record's line starts in the file."""
        if not records:
            return []
        path = self.folder / name
        lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                 for r in records]
        data = b"".join(lines)
        end = 0
        try:
            private_dir(self.folder)
            created = not path.exists()
            fd = open_private(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
            try:
                size = os.fstat(fd).st_size
                if size:
                    os.lseek(fd, max(size - 65536, 0), os.SEEK_SET)
                    tail = os.read(fd, 65536)
                    if not tail.endswith(b"\n"):
                        cut = size - len(tail) + tail.rfind(b"\n") + 1
                        os.ftruncate(fd, cut)  # the torn line of a crash
                        size = cut
                end = size
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                fsync_dir(self.folder)
        except OSError as exc:
            raise StoreError(f"{path} : écriture impossible : {exc.strerror}") from exc
        if name in self._offsets:
            self._offsets[name] = path.stat().st_size  # what we appended, we know
        offsets = []
        for line in lines:
            offsets.append(end)
            end += len(line)
        return offsets

    def rewrite(self, change: Callable[[Record], Record]) -> int:
        """Every record rewritten through `change` (a purge), each file replaced atomically;
        how many records changed."""
        changed = 0
        for path in self.files():
            old = [r for _at, r in self._lines(path.read_bytes(), path)]
            new = [change(dict(r)) for r in old]
            if new == old:
                continue
            changed += sum(a != b for a, b in zip(old, new, strict=True))
            tmp = path.with_name(f".{path.name}.tmp")
            try:
                with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb") as out:
                    for record in new:
                        out.write(json.dumps(record, ensure_ascii=False,
                                             separators=(",", ":")).encode() + b"\n")
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise StoreError(f"{path} : réécriture impossible : {exc.strerror}") from exc
        if changed:
            fsync_dir(self.folder)
        self._offsets = {}
        return changed

    def write_fresh(self, name: str, records: list[Record]) -> None:
        """A month's file written whole (the migration from a store that had no journal)."""
        path = self.folder / name
        tmp = path.with_name(f".{path.name}.tmp")
        private_dir(self.folder)
        with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
                          + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        fsync_dir(self.folder)

    def leftovers(self) -> list[Path]:
        """Half-written files of a killed rewrite."""
        if not self.folder.exists():
            return []
        return [p for p in self.folder.iterdir() if p.name.startswith(".")]
