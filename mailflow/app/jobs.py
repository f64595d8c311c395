"""The scheduled jobs: holds that expire, the daily digest, the mailbox's back-off, leftovers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from ..adapters.attachment_dir import clean_leftovers as clean_attachment_leftovers
from ..core.decide.member import expire_unanswered
from ..core.write.digest import Event, Undelivered, build_digest
from ..errors import SourceError
from ..model.values import DeliveryStatus
from .attachments import attachments_root
from .context import Context
from .delivery import deliver
from .intake import run_batch
from .outbox import Outgoing, alert, check_filled, enqueue, outgoing, promotion_alerts, queue_alerts
from .report import BatchReport
from .review.desk import review_part
from .review.held import hold_for_review

log = logging.getLogger("mailflow.jobs")


def expire_holds(ctx: Context) -> int:
    """Places held for answers that did not come in time go on; the members are told."""
    now = ctx.clock()
    before = ctx.state()
    after, decisions = expire_unanswered(before, now, ctx.settings.answer_within_days)
    if not decisions:
        return 0
    renderer = ctx.renderer.for_groups(after.groups)
    with ctx.store.transaction():  # all or nothing: never a reply without its state change
        for decision in decisions:
            replies = [outgoing(renderer, reply, now) for reply in decision.replies]
            for item in hold_for_review(ctx, replies, decision.summary, None, now):
                about = (item.reply or decision.replies[0]).candidature_id  # a review mail: its reply's
                enqueue(ctx.store, item, f"expiry:{about}", now)
            queue_alerts(ctx, promotion_alerts(ctx, after, decision.replies))
            log.info("%s", decision.summary)
        check_filled(ctx, before, after)
        ctx.store.save_state(before, after)
    deliver(ctx)
    return len(decisions)


def digest(ctx: Context, *, send: bool) -> EmailMessage | None:
    """The digest since the last one (None on a quiet period); sent to staff when `send`."""
    now = ctx.clock()
    last = ctx.store.meta("digest_last_at")
    since = datetime.fromisoformat(last) if last else now - timedelta(days=1)
    events = [Event(e.key, e.sender, e.subject, e.outcome, e.summary, e.decided_at)
              for e in ctx.store.ledger_since(since) if e.decided_at < now]
    failed = DeliveryStatus.FAILED
    undelivered = [
        Undelivered(", ".join(i.to), i.subject, i.outcome, i.last_error, i.attempts, i.status is failed)
        for i in ctx.store.outbox(DeliveryStatus.PENDING, DeliveryStatus.SENDING, failed)
        if i.attempts and (i.status is not failed or since <= (i.next_attempt_at or i.created_at))
    ]
    found = build_digest(ctx.state(), events, undelivered, since, now, recorded_by_staff(ctx),
                         reviews=review_part(ctx, now))
    message = ctx.renderer.render_digest(found, now) if found else None
    if send:
        with ctx.store.transaction():
            if message is not None:
                enqueue(ctx.store, Outgoing("digest", ctx.staff, message), "digest", now)
            ctx.store.set_meta("digest_last_at", now.isoformat())
            ctx.store.set_meta("digest_last_day", now.astimezone(ctx.settings.tz).date().isoformat())
        deliver(ctx)
    return message


def recorded_by_staff(ctx: Context) -> dict[str, datetime]:
    """When staff recorded each candidature they added (received in person, or forwarded),
    by id, as the history says: its own time may be long before."""
    added: dict[str, datetime] = {}
    for event in ctx.store.history():
        if event.get("action") == "candidate-add" and event.get("candidature") and event.get("at"):
            added[str(event["candidature"])] = datetime.fromisoformat(str(event["at"]))
    return added


def digest_if_due(ctx: Context) -> EmailMessage | None:
    """The daily job: once per local day, at or after the configured time, even after a restart."""
    at = ctx.settings.digest.at
    if at is None:
        return None
    local = ctx.clock().astimezone(ctx.settings.tz)
    if local.time() < at or ctx.store.meta("digest_last_day") == local.date().isoformat():
        return None
    return digest(ctx, send=True)


def clean_leftovers(ctx: Context) -> None:
    """Remove what a killed process left half-written (store copies, attachment and reply
    files); the store's lock must be held, so that nobody is writing them now."""
    removed = [*ctx.store.clean_leftovers(),
               *clean_attachment_leftovers(attachments_root(ctx.settings))]
    for adapter in (ctx.source, ctx.transport):
        cleaner = getattr(adapter, "clean_leftovers", None)  # only local folders leave any
        if cleaner is not None:
            removed += cleaner()
    for path in removed:
        log.info("supprimé %s, laissé à moitié écrit par un arrêt brutal", path)


@dataclass
class Poller:
    """The daemon's look at the mailbox: backs off while it is unreachable, tells staff once."""

    failures: int = 0
    down_since: datetime | None = None
    retry_at: datetime | None = None
    alerted: bool = False

    def poll(self, ctx: Context) -> BatchReport | None:
        now = ctx.clock()
        if self.retry_at is not None and now < self.retry_at:
            return None
        try:
            report = run_batch(ctx)
        except SourceError as exc:
            self._failed(ctx, now, exc)
            deliver(ctx)  # replies already owed still go out
            return None
        if self.down_since is not None:
            log.info("boîte aux lettres de nouveau joignable après %d échec(s)", self.failures)
        self.failures, self.down_since, self.retry_at, self.alerted = 0, None, None, False
        return report

    def _failed(self, ctx: Context, now: datetime, exc: SourceError) -> None:
        self.failures += 1
        self.down_since = self.down_since or now
        delay = min(ctx.settings.poll_seconds * 2 ** (self.failures - 1), 300.0)
        self.retry_at = now + timedelta(seconds=delay)
        log.error("boîte aux lettres injoignable (échec %d depuis %s) ; nouvel essai dans %.0f s : %s",
                  self.failures,
                  self.down_since.isoformat(timespec="seconds"), delay, exc)
        lasting = now - self.down_since >= timedelta(minutes=ctx.settings.alert_after_minutes)
        if lasting and not self.alerted:
            self.alerted = True
            with ctx.store.transaction():
                alert(ctx, "mailbox-unreachable", since=self.down_since.isoformat(timespec="minutes"),
                      error=str(exc))
