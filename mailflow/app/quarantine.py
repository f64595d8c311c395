"""Messages set aside in quarantine: found with why, shown, and put back in the inbox by staff."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from ..core.french import plural
from ..core.read.parse import parse
from ..errors import ParseError, StaffActionError
from ..ports import LedgerEntry
from .context import Context

HEAD_BYTES = 64 * 1024  # what is kept of a message too large to read (its hash is of this much)


@dataclass(frozen=True)
class Quarantined:
    """A message of the quarantine folder, with what the ledger says of it (None when it was
    moved there by someone else)."""

    number: int  # 1, 2… in arrival order: how staff name it
    key: str  # its key in the quarantine folder
    arrived_at: datetime | None
    size: int
    sha256: str
    entry: LedgerEntry | None


def listing(ctx: Context) -> list[Quarantined]:
    """The quarantine folder, oldest first, each message with its ledger record."""
    entries = [e for e in ctx.store.ledger() if e.folder == "quarantine"]
    by_hash = {e.sha256: e for e in entries}
    by_key = {e.key: e for e in entries}
    found = []
    for number, waiting in enumerate(ctx.source.quarantined(), start=1):
        raw = ctx.source.read_quarantined(waiting.key)
        digest = hashlib.sha256(raw).hexdigest()
        entry = (by_hash.get(digest) or by_hash.get(hashlib.sha256(raw[:HEAD_BYTES]).hexdigest())
                 or by_key.get(waiting.key))
        found.append(Quarantined(number, waiting.key, waiting.arrived_at, waiting.size, digest, entry))
    return found


def choose(found: list[Quarantined], numbers: list[int], every: bool) -> list[Quarantined]:
    """The messages staff name by their number (every one with `every`); an unknown number is
    refused with how many there are."""
    if every:
        return found
    known = {q.number: q for q in found}
    missing = [n for n in numbers if n not in known]
    if missing:
        raise StaffActionError(f"pas de message n° {', '.join(map(str, missing))} en quarantaine ; "
                               f"voir mailflow quarantine list ({plural(len(found), 'message')})")
    return [known[n] for n in dict.fromkeys(numbers)]


def readable_text(raw: bytes, key: str) -> str:
    """What a message set aside says, as far as it can be read (its very reason to be there may
    be that it breaks the reader)."""
    try:
        return parse(raw, key).text.strip()
    except ParseError as exc:
        return f"(illisible : {exc})"
    except Exception as exc:
        return f"(illisible : {type(exc).__name__})"


def release(ctx: Context, chosen: list[Quarantined], actor: str) -> None:
    """Put messages back in the inbox, to be decided at the next look as if they arrived then
    (their arrival kept): the store first forgets they were set aside, then they move."""
    now = ctx.clock()
    with ctx.store.transaction():
        for item in chosen:
            ctx.store.put_back(item.entry.key if item.entry else item.key, item.sha256, actor, now)
    ctx.source.release([item.key for item in chosen])
