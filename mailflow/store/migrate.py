"""From a store of one file (schema 1, before the journal) to the state file and the journal."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from .files import Bodies
from .journal import Journal, Record

#: Tables of a schema-1 store that now live in the journal.
JOURNAL_TABLES = ("ledger", "history", "sent")
#: The pack that holds the bytes of the replies a migrated store still had to send.
MIGRATED_PACK = "00000000.json"
_WHEN = {"ledger": "decided_at", "history": "at", "sent": "sent_at", "delivered": "created_at"}


def needed(data: dict[str, Any]) -> bool:
    """Whether the state file was written by a mailflow that kept everything in it."""
    if any(data.get(name) for name in JOURNAL_TABLES):
        return True
    outbox = data.get("outbox") or {}
    return any("raw_b64" in doc or doc.get("status") in ("sent", "failed")
               for doc in outbox.values())


def _month(record: Record) -> str:
    field = _WHEN[record["t"]]
    value = record.get("event", record).get(field) if record["t"] == "history" else record.get(field)
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        at = datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return f"{at.astimezone(UTC):%Y-%m}.jsonl"


def split(data: dict[str, Any]) -> tuple[dict[str, Any], list[Record], dict[str, bytes]]:
    """(the state file's new data, the journal's records, the queued replies' bytes).

    Nothing is lost: handled messages, history and what each reply was about go to the journal;
    replies sent or failed go there too, without their bytes (a sent reply's copy is in the
    mailbox's Sent folder); replies still to send keep their bytes, in a pack beside the store.
    """
    records: list[Record] = []
    for doc in (data.get("ledger") or {}).values():
        records.append({"t": "ledger", **doc})
    for doc in (data.get("history") or {}).values():
        records.append({"t": "history", "event": dict(doc)})
    for doc in (data.get("sent") or {}).values():
        records.append({"t": "sent", **doc})
    queued: dict[str, Any] = {}
    bodies: dict[str, bytes] = {}
    for doc_id, doc in (data.get("outbox") or {}).items():
        raw = base64.b64decode(doc.get("raw_b64") or "")
        kept = {k: v for k, v in doc.items() if k != "raw_b64"}
        kept.setdefault("sha256", hashlib.sha256(raw).hexdigest())
        if doc.get("status") in ("sent", "failed"):
            records.append({"t": "delivered", **kept})
        else:
            queued[doc_id] = {**kept, "body": MIGRATED_PACK}
            bodies[doc["id"]] = raw
    records = [{**r, "b": 0, "i": i} for i, r in enumerate(records)]
    state = {k: v for k, v in data.items() if k not in JOURNAL_TABLES}
    state["outbox"] = queued
    meta = dict((state.get("meta") or {}).get("1", {}))
    meta["schema"] = 2
    state["meta"] = {"1": meta}
    return state, records, bodies


def write(journal: Journal, bodies: Bodies, records: list[Record], raw: dict[str, bytes]) -> None:
    """Write the journal's files and the bodies first: the state file, written after, is what
    says the migration is done (a crash before it makes the next start migrate again, writing
    the same files)."""
    if raw:
        bodies.write(MIGRATED_PACK, raw)
    months: dict[str, list[Record]] = {}
    for record in records:
        months.setdefault(_month(record), []).append(record)
    for name, part in months.items():
        journal.write_fresh(name, part)
