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
from datetime import UTC, datetime, timedelta, tzinfo

from ..core.french import format_date_fr, plural
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


def waiting_past(ctx: Context, now: datetime) -> Past:
    """The mail of the past waiting in the inbox, unanswered."""
    return split(ctx, ctx.source.pending(), counted_since(ctx, now))[1]


def past_lines(past: Past, tz: tzinfo) -> list[str]:
    """What the command line and the log say of the past waiting (nothing when there is none)."""
    if not past.count:
        return []
    span = (f" (du {format_date_fr(past.first, tz)} au {format_date_fr(past.last, tz)})"
            if past.first and past.last else "")
    day = (past.first or past.since).astimezone(tz).date().isoformat()  # all of it would count
    return [f"{plural(past.count, 'ancien message attend', 'anciens messages attendent')}{span}, "
            f"arrivé{'s' if past.count > 1 else ''} avant le {format_date_fr(past.since, tz)}, "
            "date depuis laquelle mailflow compte le courrier : aucune réponse n’y a été faite.",
            f"Pour y répondre : mailflow run --once --since {day} (ou la clé mailbox.since) ; "
            "pour les ranger sans réponse : mailflow old archive."]


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
