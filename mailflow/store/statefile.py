"""The state file as TinyDB's storage: read and checked once, kept in memory, written on flush."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from ..errors import StoreError
from .files import read_json_bytes, write_json
from .schema import check


class StateStorage(Storage):
    """TinyDB's storage for the state file: read once, kept in memory, written by `flush`;
    `forget` lets an idle daemon give the memory back (read again at the next use)."""

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._data: dict[str, Any] | None = self.load()
        self._loaded = True
        self.dirty = False

    def load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path} : lecture impossible du magasin : {exc.strerror}") from None
        try:
            data = json.loads(read_json_bytes(raw).decode("utf-8"))
        except (OSError, EOFError, zlib.error) as exc:  # a compressed file cut short
            raise self.damaged(f"le fichier compressé est illisible ({exc})") from None
        except UnicodeDecodeError as exc:
            raise self.damaged(f"octets qui ne sont pas de l’UTF-8 à la position {exc.start} "
                               "(un fichier tronqué ?)") from None
        except json.JSONDecodeError as exc:
            raise self.damaged(f"ce n’est pas du JSON valide ({exc.msg}, ligne {exc.lineno}, "
                               f"colonne {exc.colno})") from None
        if not isinstance(data, dict):
            raise self.damaged("le fichier ne contient pas un objet JSON")
        problem = check(data)
        if problem:
            raise self.damaged(problem)
        return data

    def damaged(self, what: str) -> StoreError:
        return StoreError(
            f"{self.path} : le magasin est endommagé : {what}. Rien n’a été modifié ; mailflow ne "
            f"démarre pas sur un magasin abîmé. La version précédente est gardée dans "
            f"{self.path.name}.bak (compressé : « zcat {self.path.name}.bak » le montre) : comparez "
            f"les deux fichiers avant de la remettre à sa place.")

    def read(self) -> dict[str, Any] | None:
        if not self._loaded:
            self._data, self._loaded = self.load(), True
        return self._data

    def forget(self) -> None:
        """Drop the data read (nothing unwritten may be pending); read again when next needed."""
        if not self.dirty:
            self._data, self._loaded = None, False

    def write(self, data: dict[str, Any]) -> None:
        # Read-only stores still change in memory, so a dry run takes the same path as a run.
        self._data, self._loaded = data, True
        self.dirty = True

    def discard(self) -> None:
        """Forget changes made since the last flush."""
        self._data, self._loaded = self.load(), True
        self.dirty = False

    def flush(self) -> None:
        if not self.dirty or self._data is None:
            return
        if self.read_only:
            raise StoreError(f"{self.path} : le magasin est ouvert en lecture seule ; rien n’a été écrit")
        write_json(self.path, self._data, backup=True)
        self.dirty = False

    @property
    def tmp_name(self) -> str:
        return f".{self.path.name}.{os.getpid()}.tmp"

    def close(self) -> None:
        pass
