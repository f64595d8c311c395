"""What becomes of a held reply, written with the commit that decides it; review stopped or resumed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ...core.decide.review import kept, kept_on, settled
from ...core.decide.staff_plans import Plan
from ...core.french import outcome_words
from ...model.enums import ReviewFate
from ...model.review import Review
from ...model.values import DeliveryStatus
from ...ports import OutboxItem
from ..context import Context

#: The history's name for each thing a reviewer (or staff) did to a held reply.
ACTIONS = {ReviewFate.SENT: "review-sent", ReviewFate.CORRECTED: "review-corrected",
           ReviewFate.DROPPED: "review-dropped", ReviewFate.WAITING: "review-held"}


@dataclass(frozen=True)
class Settle:
    """A held reply's new lot, nothing of it written yet: the review as it becomes, and the draft
    with its new state (and, corrected, its new bytes), or None when the draft stays held."""

    review: Review
    actor: str
    at: datetime
    draft: OutboxItem | None = None
    history: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fate(self) -> ReviewFate:
        return self.review.fate

    def line(self, before: Review) -> str:
        """What was done, as the ledger, the log and the command line say it."""
        what = {ReviewFate.SENT: "envoyée telle quelle", ReviewFate.CORRECTED: "envoyée avec son texte",
                ReviewFate.DROPPED: "jamais envoyée (une action de l’équipe l’a remplacée)",
                ReviewFate.WAITING: "gardée en attente"}[self.fate]
        return (f"relecture {before.label} (« {outcome_words(before.outcome)} » à {before.to}) : "
                f"{what} par {self.actor}")


def let_go(review: Review, draft: OutboxItem, actor: str, now: datetime, text: bytes | None = None) -> Settle:
    """The reply goes: as drafted, or with `text` (the corrected bytes) in the draft's place."""
    fate = ReviewFate.SENT if text is None else ReviewFate.CORRECTED
    sent = replace(draft, status=DeliveryStatus.PENDING, next_attempt_at=None)
    if text is not None:
        sent.raw, sent.sha256 = text, ""
    return Settle(settled(review, fate, actor, now), actor, now, sent, _event(review, fate))


def keep_waiting(review: Review, actor: str, now: datetime) -> Settle:
    """Not now: nothing goes, the reply keeps waiting for a later « OK »."""
    return Settle(kept_on(review, actor, now), actor, now, None, _event(review, ReviewFate.WAITING))


def _event(review: Review, fate: ReviewFate) -> dict[str, Any]:
    """The history's event: its summary names the review, the reply and the member."""
    about = f", {review.about}" if review.about else ""
    return {"action": ACTIONS[fate], "to": review.to, "group": review.group,
            "summary": f"relecture {review.label} : « {outcome_words(review.outcome)} » à "
                       f"{review.to}{about}"}


def settle(ctx: Context, change: Settle) -> None:
    """Write a held reply's new lot (in the caller's transaction): the draft queued again or
    dropped, the review, the history naming who did it; old settled reviews forgotten."""
    store = ctx.store
    if change.draft is not None:
        if change.fate is ReviewFate.CORRECTED:
            store.rewrite_queued(change.draft)
        else:
            store.update_outbox(change.draft)
    store.put_review(change.review)
    store.record_history({"at": change.at.isoformat(), "actor": change.actor, **change.history})
    keep = {r.id for r in kept(store.reviews(), change.at, ctx.settings.review.trust_after)}
    for review in store.reviews():
        if review.id not in keep:
            store.drop_review(review.id)


def drop_superseded(ctx: Context, plan: Plan, actor: str) -> None:
    """A staff plan that changes a candidature whose reply waits for review makes that reply
    needless (the plan tells the member what is true now): it is dropped, never sent."""
    before = {c.id: c for c in plan.before.candidatures}
    changed = {c.id for c in plan.after.candidatures
               if c.id not in before or before[c.id].status is not c.status}
    waiting = [r for r in ctx.store.reviews() if r.waiting and r.about in changed]
    if not waiting:
        return
    drafts = {item.id: item for item in ctx.store.outbox(DeliveryStatus.HELD)}
    now = ctx.clock()
    for review in waiting:
        draft = drafts.get(review.id)
        dropped = replace(draft, status=DeliveryStatus.DROPPED) if draft is not None else None
        settle(ctx, Settle(settled(review, ReviewFate.DROPPED, actor, now), actor, now, dropped,
                           _event(review, ReviewFate.DROPPED)))


def change_review(ctx: Context, plan: Plan, actor: str) -> None:
    """Staff stop (or start again) reviewing one outcome: kept in the store, with when and by
    whom, in force over the configuration file (`check-config` says so)."""
    if plan.review is None:
        return
    outcome, on = plan.review
    changes = ctx.store.meta("review_changes")
    changes = dict(changes) if isinstance(changes, dict) else {}
    in_file = outcome in ctx.settings.review.outcomes
    if on == in_file:
        changes.pop(outcome, None)  # as the file says again: no change of staff's to show
    else:
        changes[outcome] = {"review": on, "at": ctx.clock().isoformat(), "by": actor}
    ctx.store.set_meta("review_changes", changes)
