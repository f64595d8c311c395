"""Messages to send: replies and alerts to staff (a group full, a member promoted, a reply that
cannot be delivered), rendered, queued with their fixed Message-ID, remembered for the answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from ..core.decide.places import call_summary
from ..core.read.conversation import sent_about
from ..core.write.render import Renderer
from ..model.review import Review
from ..model.values import DeliveryStatus, Reply, Sent, State
from ..ports import OutboxItem, StatePort
from .context import Context

log = logging.getLogger("mailflow.alerts")

#: Alerts that bring news (a group full, a member promoted) rather than a problem.
NEWS = frozenset({"group-full", "promoted"})


@dataclass(frozen=True)
class Outgoing:
    """A rendered message to queue, with the reply it was rendered from (what it is about).

    Its bytes are written when it is made, not when it is queued: a message the email package
    cannot write fails with the one message that asked for it, never with a whole batch.
    """

    outcome: str
    to: list[str]
    message: EmailMessage
    reply: Reply | None = None
    about: Sent | None = None  # what it is about, when it is no reply to a member
    raw: bytes = field(default=b"", repr=False)  # the bytes, when written otherwise than by `message`
    held: bool = False  # a reply held for staff to read before it goes (see app.review)
    review: Review | None = None  # the review a mail to the reviewers asks for: kept with it

    def __post_init__(self) -> None:
        if not self.raw:
            object.__setattr__(self, "raw", self.message.as_bytes())

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def line(self) -> str:
        """« outcome → to: subject », as commands and the history show it."""
        return f"{self.outcome} → {', '.join(self.to)}: {self.subject}"


def outgoing(renderer: Renderer, reply: Reply, now: datetime) -> Outgoing:
    """A reply rendered, ready to queue."""
    return Outgoing(reply.outcome.value, [reply.to], renderer.render(reply, now), reply)


def enqueue(store: StatePort, item: Outgoing, key: str, now: datetime) -> str:
    """Queue a message (its Message-ID fixed) and remember what a reply is about."""
    message_id = str(item.message["Message-ID"])
    group = item.reply.group_id if item.reply is not None else (
        item.about.group_id if item.about is not None else None)
    store.enqueue(OutboxItem(
        id=message_id, seq=store.next_outbox_seq(), to=item.to, outcome=item.outcome,
        message_key=key, created_at=now, raw=item.raw, subject=item.subject,
        group=group, status=DeliveryStatus.HELD if item.held else DeliveryStatus.PENDING,
    ))
    if item.review is not None:
        store.put_review(item.review)
    about = item.about or (sent_about(item.reply, message_id, item.subject, now)
                           if item.reply is not None else None)
    if about is not None:
        store.remember_sent(about)
    return message_id


# --- alerts to staff ---------------------------------------------------------------------------


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
                  last=f"{last.name or last.email} <{last.email}>", candidature=last.id)


def promotion_alerts(ctx: Context, state: State, replies: Sequence[Reply]) -> list[Outgoing]:
    """Each member promoted from the waiting list: staff hear of it at once, too."""
    alerts = []
    for reply in replies:
        if reply.template != "promoted" or reply.group_id not in state.groups:
            continue
        group = state.groups[reply.group_id]
        alerts.append(alert_message(
            ctx, "promoted", group=group.title, member=f"{reply.to_name or ''} <{reply.to}>".strip(),
            candidature=reply.candidature_id or "", place=f"{reply.position} / {group.capacity}"))
    return alerts
