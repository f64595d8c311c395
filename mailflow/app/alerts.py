"""Staff told at once: a group full, a member promoted, a reply that cannot be delivered."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..core.decide.places import call_summary
from ..model.values import Reply, State
from .context import Context
from .outbox import Outgoing, enqueue

log = logging.getLogger("mailflow.alerts")

#: Alerts that bring news (a group full, a member promoted) rather than a problem.
NEWS = frozenset({"group-full", "promoted"})


def alert_message(ctx: Context, kind: str, **facts: str) -> Outgoing:
    """An alert to staff, written: queued by its caller with what it is about."""
    return Outgoing("staff-alert", ctx.staff, ctx.renderer.render_staff_alert(kind, facts, ctx.clock()))


def alert(ctx: Context, kind: str, **facts: str) -> int:
    """Queue an alert to staff (sent with the next delivery round); returns 1, the count."""
    queue_alerts(ctx, [alert_message(ctx, kind, **facts)])
    return 1


def queue_alerts(ctx: Context, alerts: Sequence[Outgoing]) -> None:
    """Queue alerts already written (sent with the next delivery round)."""
    now = ctx.clock()
    for item in alerts:
        kind = str(item.message["X-Mailflow-Alert"] or "")
        enqueue(ctx.store, item, f"alert:{kind}", now)
        # News of the groups is no trouble: the log tells the operator of it without a warning.
        log.log(logging.INFO if kind in NEWS else logging.WARNING, "alerte à l’équipe : %s",
                item.subject)


def check_filled(ctx: Context, before: State, after: State) -> None:
    """Tell staff at once when a group has just taken its last place."""
    now = ctx.clock()
    for group in after.groups.values():
        was = call_summary(before, group, now)
        is_now = call_summary(after, group, now)
        if was.places_left > 0 and is_now.places_left == 0:
            holders = [c for c in after.of_group(group.id) if c.status.holds_place]
            last = max(holders, key=lambda c: (c.updated_at or c.received_at, c.seq))
            alert(ctx, "group-full", group=group.title, capacity=str(group.capacity),
                  last=f"{last.name or last.email} <{last.email}>")


def promotion_alerts(ctx: Context, state: State, replies: Sequence[Reply]) -> list[Outgoing]:
    """Each member promoted from the waiting list: staff hear of it at once, too."""
    alerts = []
    for reply in replies:
        if reply.template != "promoted" or reply.group_id not in state.groups:
            continue
        group = state.groups[reply.group_id]
        alerts.append(alert_message(
            ctx, "promoted", group=group.title, member=f"{reply.to_name or ''} <{reply.to}>".strip(),
            place=f"{reply.position} / {group.capacity}"))
    return alerts
