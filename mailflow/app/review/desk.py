"""Review for the command line and the digest: what waits, one in full, send, hold, figures, stop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...config.review import KNOWN
from ...core.decide.review import ReviewDigest, Trust, plan_review_change, review_digest, trust
from ...core.write.review import Draft, read_draft
from ...errors import StaffActionError
from ...model.review import Review
from ...model.values import DeliveryStatus
from ...ports import OutboxItem
from ..context import Context
from ..delivery import deliver
from ..staff import StaffChange, StaffDesk
from .held import reviewed
from .settle import Settle, keep_waiting, let_go, settle


def review_part(ctx: Context, now: datetime) -> ReviewDigest | None:
    """The digest's part on review (None where nothing is, or was lately, reviewed)."""
    outcomes = reviewed(ctx)
    reviews = ctx.store.reviews()
    if not outcomes and not reviews:
        return None
    return review_digest(reviews, outcomes, now, ctx.settings.review.trust_after)


@dataclass(frozen=True)
class Waiting:
    """A reply waiting for a reviewer, with its draft as the member will read it."""

    review: Review
    draft: Draft
    item: OutboxItem


def waiting(ctx: Context) -> list[Waiting]:
    """The replies waiting for a reviewer, oldest first."""
    drafts = {item.id: item for item in ctx.store.outbox(DeliveryStatus.HELD)}
    return [Waiting(r, read_draft(drafts[r.id].raw), drafts[r.id])
            for r in sorted(ctx.store.reviews(), key=lambda r: (r.created_at, r.number))
            if r.waiting and r.id in drafts]


def one(ctx: Context, number: int) -> Waiting:
    """The reply waiting under this number (as `review list` numbers them: R0003 is 3)."""
    found = next((w for w in waiting(ctx) if w.review.number == number), None)
    if found is None:
        settled = next((r for r in ctx.store.reviews() if r.number == number), None)
        why = (f"la relecture R{number:04d} n’attend plus : sa réponse est réglée" if settled
               else f"aucune réponse en attente de relecture n’a le numéro {number}")
        raise StaffActionError(f"{why} (voir mailflow review list)")
    return found


@dataclass(frozen=True)
class Figures:
    """The trust figures, the outcomes reviewed now, and the run that makes the digest propose
    to stop reviewing one."""

    figures: tuple[Trust, ...]
    reviewed: tuple[str, ...]
    trust_after: int

    def proposed(self, figures: Trust) -> bool:
        return figures.outcome in self.reviewed and figures.in_a_row >= self.trust_after


def figures(ctx: Context) -> Figures:
    """The trust figures of the last 30 days, per outcome."""
    return Figures(trust(ctx.store.reviews(), ctx.clock()), reviewed(ctx), ctx.settings.review.trust_after)


@dataclass(frozen=True)
class ReviewDesk:
    """Staff's hand on the replies waiting for review, from the command line: each change
    written in one commit naming `actor`, then what goes is sent (nothing on a dry run)."""

    ctx: Context
    actor: str
    dry_run: bool = False

    def send(self, number: int) -> tuple[Waiting, Settle]:
        """Let the reply go as drafted."""
        found = one(self.ctx, number)
        return found, self._write(let_go(found.review, found.item, self.actor, self.ctx.clock()))

    def hold(self, number: int) -> tuple[Waiting, Settle]:
        """Keep it waiting (counted as held in the trust figures)."""
        found = one(self.ctx, number)
        return found, self._write(keep_waiting(found.review, self.actor, self.ctx.clock()))

    def _write(self, change: Settle) -> Settle:
        if not self.dry_run:
            with self.ctx.store.transaction():
                settle(self.ctx, change)
            deliver(self.ctx)
        return change

    def change(self, outcome: str, on: bool) -> StaffChange:
        """Stop reviewing one outcome's replies (`on` False), or review them again."""
        if outcome not in KNOWN:
            raise StaffActionError(f"type de réponse inconnu « {outcome} » ; valeurs possibles : "
                                   f"{', '.join(KNOWN)}")
        desk = StaffDesk(self.ctx, self.actor, self.dry_run)
        return desk.carry_out(lambda state, _now: plan_review_change(state, outcome, on))

