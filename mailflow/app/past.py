"""The past stays the past: mail that arrived before mailflow counts it waits for staff's word.

A first start on a mailbox the network already used must not answer years of mail as if it had
just come. Mail counts from `mailbox.since`, or from the date kept in the store: set at the first
look to a day before it (a member who wrote this morning is answered), or by `run --since`.
Older mail stays in the inbox, unanswered, until staff count it (`run --since`) or set it aside
as history (`mailflow old archive`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..ports import Waiting
from .context import Context

FIRST_LOOK_GRACE = timedelta(hours=24)
_EVER = datetime(1970, 1, 1, tzinfo=UTC)  # a store that decided mail before: nothing is past


@dataclass(frozen=True)
class Past:
    """The messages waiting that arrived before mail counts."""

    since: datetime
    waiting: tuple[Waiting, ...] = ()

    @property
    def count(self) -> int:
        return len(self.waiting)

    @property
    def first(self) -> datetime | None:
        return min((w.arrived_at for w in self.waiting if w.arrived_at), default=None)

    @property
    def last(self) -> datetime | None:
        return max((w.arrived_at for w in self.waiting if w.arrived_at), default=None)


def counted_since(ctx: Context, now: datetime) -> datetime:
    """From when mail counts: configured, else kept in the store, else set now (first look)."""
    configured = ctx.settings.mailbox.since
    if configured is not None:
        return configured
    kept = ctx.store.meta("since")
    if isinstance(kept, str):
        return datetime.fromisoformat(kept)
    since = _EVER if ctx.store.decided_any() else now - FIRST_LOOK_GRACE
    ctx.store.set_meta("since", since.isoformat())  # written with the look's commit
    return since


def split(ctx: Context, waiting: Sequence[Waiting], since: datetime) -> tuple[list[Waiting], Past]:
    """The messages to decide now, and those of the past (never decided: a message decided
    before a crash is only owed its move, whenever it arrived)."""
    current: list[Waiting] = []
    past: list[Waiting] = []
    for item in waiting:
        old = item.arrived_at is not None and item.arrived_at < since
        (past if old and ctx.store.ledger_entry(item.key) is None else current).append(item)
    return current, Past(since, tuple(past))


def count_from(ctx: Context, since: datetime) -> None:
    """Staff's word: mail counts from this time (`run --since`); kept in the store."""
    with ctx.store.transaction():
        ctx.store.set_meta("since", since.isoformat())


def archive(ctx: Context, actor: str, now: datetime) -> Past:
    """Set the past aside as history: moved to the archive folder, never answered."""
    with ctx.store.transaction():
        since = counted_since(ctx, now)
        _current, past = split(ctx, ctx.source.pending(), since)
        if past.count:
            ctx.store.record_history({"at": now.isoformat(), "actor": actor,
                                      "action": "old-mail-archived", "count": past.count,
                                      "since": since.isoformat(),
                                      "folder": ctx.settings.mailbox.archive_folder})
    if past.count:
        ctx.source.ack([w.key for w in past.waiting], "archive")
    return past
