"""Delivery: send what is due in order per recipient, retry 4xx later, tell staff of 5xx."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ..core.french import format_date_fr
from ..errors import SourceError, TransportError
from ..model.values import DeliveryStatus
from ..ports import OutboxItem
from .context import Context
from .outbox import alert
from .report import BatchReport

log = logging.getLogger("mailflow.delivery")

QUIET = ("staff-alert", "digest")  # alerting about an alert or the digest would loop


def deliver(ctx: Context, report: BatchReport | None = None) -> None:
    """Send what is due; a second round sends the alerts the first one raised."""
    if ctx.transport is None:
        return
    report = report or BatchReport()
    for _round in range(2):
        if not _round_of_sending(ctx, report):
            break


def _retry_delay(ctx: Context, attempts: int) -> timedelta:
    delays = ctx.settings.delivery.retry_seconds
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _was_sent(ctx: Context, item: OutboxItem) -> bool:
    """After a crash mid-send: the Sent folder tells whether the server took it."""
    try:
        return ctx.source.has_sent(item.id)
    except SourceError as exc:
        log.warning("impossible de chercher %s dans le dossier des envoyés : %s", item.id, exc)
        return False


def _round_of_sending(ctx: Context, report: BatchReport) -> bool:
    """One pass over the queue; True when it raised alerts (to send in a second pass)."""
    assert ctx.transport is not None
    now = ctx.clock()
    blocked: set[str] = set()  # recipients with an earlier reply still owed: keep the order
    due: list[OutboxItem] = []
    alerts = 0
    for item in ctx.store.outbox(DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.HELD):
        if item.status is DeliveryStatus.HELD:  # waiting for a reviewer: what follows it waits too
            blocked.update(item.to)
            continue
        # « sending » is what older versions wrote before handing a reply over: the Sent
        # folder tells whether it went. Replies accepted since are in the store's log.
        if item.status is DeliveryStatus.SENDING and _was_sent(ctx, item):
            item.status, item.sent_at = DeliveryStatus.SENT, now
            ctx.store.update_outbox(item)
            continue
        if blocked.intersection(item.to) or (item.next_attempt_at and item.next_attempt_at > now):
            blocked.update(item.to)
            continue
        due.append(item)
    copies: list[bytes] = []  # for the Sent folder, once the round is over
    try:
        for item in due:
            if blocked.intersection(item.to):
                continue
            alerts += _send_one(ctx, item, now, blocked, report, copies)
    finally:
        ctx.transport.close()
        # Not a transaction, on purpose: what the round did (sent, failed, retried later) is
        # recorded even when a later step of it raised; nothing of it may be rolled back.
        ctx.store.commit()
        _copy_to_sent(ctx, copies)
    return alerts > 0


def _copy_to_sent(ctx: Context, copies: list[bytes]) -> None:
    """Copies of the replies sent, in the mailbox's Sent folder; a failure loses no reply."""
    try:
        ctx.source.save_sent(copies)
    except SourceError as exc:
        log.warning("%d réponse(s) envoyée(s), mais leur copie dans le dossier des envoyés a échoué : %s",
                    len(copies), exc)


def _send_one(ctx: Context, item: OutboxItem, now: datetime, blocked: set[str],
              report: BatchReport, copies: list[bytes]) -> int:
    """Send one item and record what happened; return how many staff alerts it raised."""
    assert ctx.transport is not None
    try:
        try:
            refused = ctx.transport.send(item.id, item.to, item.raw, f"{item.seq:06d}-{item.outcome}")
        except TransportError:
            raise
        except Exception as unexpected:  # one bad item must not block every reply behind it
            log.exception("réponse %s : échec inattendu à l’envoi", item.id)
            raise TransportError(f"{type(unexpected).__name__}: {unexpected}",
                                 permanent=True) from unexpected
    except TransportError as exc:
        alerts = _failed(ctx, item, exc, now, blocked)
        report.send_failed += 1
    else:
        alerts = _accepted(ctx, item, refused, now)
        copies.append(item.raw)
        report.sent += 1
    ctx.store.update_outbox(item)
    return alerts


def _failed(ctx: Context, item: OutboxItem, exc: TransportError, now: datetime,
            blocked: set[str]) -> int:
    """Retry later (4xx), or give up and tell staff (5xx, or too long)."""
    delivery = ctx.settings.delivery
    item.attempts += 1
    item.last_error = str(exc)
    if exc.permanent or now - item.created_at > timedelta(hours=delivery.give_up_after_hours):
        item.status = DeliveryStatus.FAILED
        log.error("réponse à %s abandonnée (%s) : %s", ", ".join(item.to), item.subject, exc)
        if item.outcome in QUIET:
            return 0
        return alert(ctx, "delivery-failed", to=", ".join(item.to), subject=item.subject,
                     outcome=item.outcome, error=str(exc), attempts=str(item.attempts))
    item.status = DeliveryStatus.PENDING
    item.next_attempt_at = now + _retry_delay(ctx, item.attempts)
    blocked.update(item.to)
    log.warning("réponse à %s (%s) pas encore envoyée (essai %d, prochain à %s) : %s",
                ", ".join(item.to), item.subject, item.attempts,
                format_date_fr(item.next_attempt_at, ctx.settings.tz), exc)
    late = now - item.created_at >= timedelta(hours=delivery.alert_after_hours)
    if not late or item.alerted or item.outcome in QUIET:
        return 0
    item.alerted = True
    return alert(ctx, "delivery-late", to=", ".join(item.to), subject=item.subject,
                 since=item.created_at.isoformat(timespec="minutes"),
                 attempts=str(item.attempts), error=str(exc))


def _accepted(ctx: Context, item: OutboxItem, refused: dict[str, str], now: datetime) -> int:
    """The server took it: on disk at once, before anything else (never sent twice)."""
    ctx.store.accepted(item.id, now)
    item.status, item.sent_at = DeliveryStatus.SENT, now
    alerts = 0
    if refused:
        item.last_error = f"refused: {refused}"
        log.error("réponse %s : destinataires refusés : %s", item.subject, refused)
        if item.outcome != "staff-alert":
            alerts = alert(ctx, "recipient-refused", to=", ".join(refused), subject=item.subject,
                           error="; ".join(refused.values()))
    return alerts
