"""The state file's tables, written behind: one TinyDB operation per table and per commit.

TinyDB rewrites a whole table on every write (insert, update, remove). Changes to a record
therefore gather here, by the record's key, and reach TinyDB together: before the table is read
again, or at the commit. A commit of 200 messages then costs two passes over each table it
changed, not one pass per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

#: Each keyed table and the field that names its records.
KEYS = {"candidatures": "id", "ideas": "id", "questions": "id", "pending": "token_hash",
        "groups": "id", "drafted_groups": "id", "outbox": "id", "reviews": "id"}


class Tables:
    """Reads through TinyDB, writes gathered per table until `flush`; `discard` forgets them."""

    def __init__(self, db: TinyDB) -> None:
        self._db = db
        self._changes: dict[str, dict[str, dict[str, Any] | None]] = {}  # None: removed
        self._doc_ids: dict[str, dict[str, int]] = {}  # record key → TinyDB's id, per table
        self._tops: dict[str, int] = {}  # the highest id each table has given

    def put(self, table: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace the record with this key."""
        self._changes.setdefault(table, {})[str(doc[KEYS[table]])] = dict(doc)

    def delete(self, table: str, key: str) -> None:
        self._changes.setdefault(table, {})[key] = None

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        """The record with this key, changes included."""
        changes = self._changes.get(table, {})
        if key in changes:
            found = changes[key]
            return dict(found) if found is not None else None
        doc_id = self._ids(table).get(key)
        if doc_id is None:
            return None
        doc = self._db.table(table).get(doc_id=doc_id)
        return dict(doc) if isinstance(doc, Mapping) else None

    def all(self, table: str) -> list[dict[str, Any]]:
        """Every record of the table, changes included, in TinyDB's order."""
        self.flush(table)
        return [dict(doc) for doc in self._db.table(table).all()]

    def docs(self, table: str) -> list[Mapping[str, Any]]:
        """Every record of the table as it is held, changes included: to read, never to change
        (no copy is made: reading the state costs no second copy of it)."""
        self.flush(table)
        data = self._db.storage.read() or {}
        return list((data.get(table) or {}).values())

    def pending(self) -> bool:
        return any(self._changes.values())

    def flush(self, only: str | None = None) -> None:
        """Hand the gathered changes to TinyDB: per table, one removal and one insertion."""
        for table in [only] if only is not None else list(self._changes):
            changes = self._changes.pop(table, None)
            if not changes:
                continue
            ids = self._ids(table)
            tiny = self._db.table(table)
            # New records are numbered past every id the table held before this flush: TinyDB
            # would number them from what is left once the replaced ones are taken out, and give
            # a new record the id of a replaced one, which then overwrites it.
            top = self._tops[table]
            replaced = [ids[key] for key in changes if key in ids]
            if replaced:
                tiny.remove(doc_ids=replaced)
            kept = [(key, doc) for key, doc in changes.items() if doc is not None]
            for key in changes:
                if changes[key] is None:
                    ids.pop(key, None)
            documents = []
            for key, doc in kept:
                if key not in ids:
                    top += 1
                    ids[key] = top
                documents.append(Document(doc, doc_id=ids[key]))
            self._tops[table] = top
            tiny.insert_multiple(documents)

    def discard(self) -> None:
        """Forget the gathered changes and what TinyDB's ids were (the file is read again)."""
        self._changes.clear()
        self._doc_ids.clear()
        self._tops.clear()

    def _ids(self, table: str) -> dict[str, int]:
        if table not in self._doc_ids:
            key = KEYS[table]
            docs = self._db.table(table).all()
            self._doc_ids[table] = {str(doc[key]): doc.doc_id for doc in docs
                                    if isinstance(doc.get(key), str)}
            self._tops[table] = max((doc.doc_id for doc in docs), default=0)
        return self._doc_ids[table]
