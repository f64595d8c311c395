"""Replies held when decided (the draft waits, the reviewers get it with a code), and reminded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ...config.settings import Settings
from ...core.decide.review import held, in_force
from ...core.french import OUTCOME
from ...core.read.conversation import token_hash
from ...core.write.review import member_text, read_draft, review_mail, with_it
from ...model.review import Review
from ...model.values import DeliveryStatus, Inbound, Outcome, Reply
from ...ports import StatePort
from ..context import Context
from ..delivery import deliver
from ..outbox import Outgoing, enqueue

log = logging.getLogger("mailflow.review")

#: The outbox's name for a mail to the reviewers (its `X-Mailflow-Alert` is « review »).
REVIEW_MAIL = "staff-review"


@dataclass(frozen=True)
class InForce:
    """The review in force: the outcomes reviewed now, and staff's changes over `[review]`
    (each outcome's `review` on or off, `at` and `by`)."""

    outcomes: tuple[str, ...]
    changes: dict[str, dict[str, Any]]


def in_force_of(store: StatePort, settings: Settings) -> InForce:
    """The outcomes reviewed now: the configuration's, as staff changed them (`review stop`)."""
    changes = store.meta("review_changes")
    changes = changes if isinstance(changes, dict) else {}
    return InForce(in_force(settings.review.outcomes, changes), changes)


def reviewed(ctx: Context) -> tuple[str, ...]:
    """The outcomes whose replies wait for a reviewer now (see `in_force_of`)."""
    return in_force_of(ctx.store, ctx.settings).outcomes


def _next_number(ctx: Context) -> int:
    number = int(ctx.store.meta("review_number") or 0) + 1
    ctx.store.set_meta("review_number", number)
    return number


def _about(item: Outgoing) -> str:
    reply = item.reply
    if reply is None:
        return ""
    return reply.candidature_id or (reply.idea.id if reply.idea else "") or reply.question_id or ""


def hold_for_review(ctx: Context, messages: Sequence[Outgoing], summary: str,
                    inbound: Inbound | None, now: datetime) -> list[Outgoing]:
    """The messages of one decision, those under review held (their drafts wait in the
    outbox), each followed by its mail to the reviewers; the others as they are."""
    outcomes = reviewed(ctx)
    staff = ctx.settings.network.staff
    if not outcomes or not any(held(m.reply, outcomes, staff) for m in messages):
        return list(messages)
    out: list[Outgoing] = []
    for item in messages:
        if not held(item.reply, outcomes, staff):
            out.append(item)
            continue
        others = [(m.outcome, m.to, m.subject) for m in messages if m is not item]
        out += [replace(item, held=True), _review_mail(ctx, item, others, summary, inbound, now)]
    return out


def _review_mail(ctx: Context, item: Outgoing, others: Sequence[tuple[str, Sequence[str], str]],
                 summary: str, inbound: Inbound | None, now: datetime) -> Outgoing:
    """The mail asking the reviewers to read one held reply, carrying the review to keep."""
    assert item.reply is not None
    reply, token = item.reply, ctx.new_token()
    answers = inbound is not None and inbound.sender == reply.to  # the member's own message
    review = Review(
        id=str(item.message["Message-ID"]), number=_next_number(ctx), outcome=item.outcome,
        created_at=now, tokens=(token_hash(token),), to=reply.to, name=reply.to_name,
        subject=item.subject, summary=_decided(ctx, reply, summary),
        text=member_text(inbound.new_text or inbound.text) if answers and inbound else "",
        received_at=inbound.received_at if answers and inbound else None, about=_about(item),
        group=reply.group_id, with_it=with_it(read_draft(item.raw), others))
    reviewers = ctx.settings.review.reviewers
    mail = review_mail(ctx.renderer, review, item.raw, token, reviewers, now)
    review = replace(review, mails=(str(mail["Message-ID"]),))
    log.info("réponse %s à %s retenue pour relecture (%s)", item.outcome, reply.to, review.label)
    return Outgoing(REVIEW_MAIL, list(reviewers), mail, review=review)


def _decided(ctx: Context, reply: Reply, summary: str) -> str:
    """What was decided, as a reviewer reads it: « inscription confirmée au groupe « Offices de
    Tourisme ruraux », place 2 sur 20 », with the reason the member will read; the ledger's
    line when the reply is about no group."""
    group = ctx.settings.groups.get(reply.group_id or "")
    if group is None:
        return summary
    said = f"{OUTCOME.get(reply.outcome, reply.outcome.value)} au groupe « {group.title} »"
    if reply.position and reply.outcome is Outcome.CONFIRMED:
        said += f", place {reply.position} sur {group.capacity}"
    elif reply.position and reply.outcome is Outcome.WAITLISTED:
        said += f", position {reply.position} sur la liste d’attente"
    return said + (f" : {reply.reason}" if reply.reason else "")


def remind(ctx: Context) -> int:
    """Replies waiting longer than `remind_after_hours` for a reviewer: shown to the reviewers
    again, once, each with a code of its own; how many."""
    now = ctx.clock()
    delay = timedelta(hours=ctx.settings.review.remind_after_hours)
    due = [r for r in ctx.store.reviews()
           if r.waiting and r.reminded_at is None and now - r.created_at >= delay]
    if not due:
        return 0
    drafts = {item.id: item for item in ctx.store.outbox(DeliveryStatus.HELD)}
    reviewers = ctx.settings.review.reviewers
    with ctx.store.transaction():
        for review in due:
            draft = drafts.get(review.id)
            if draft is None:
                continue
            token = ctx.new_token()
            again = replace(review, reminded_at=now, tokens=(*review.tokens, token_hash(token)))
            mail = review_mail(ctx.renderer, again, draft.raw, token, reviewers, now, reminder=True)
            again = replace(again, mails=(*again.mails, str(mail["Message-ID"])))
            enqueue(ctx.store, Outgoing(REVIEW_MAIL, list(reviewers), mail, review=again),
                    f"review:{review.label}", now)
            log.info("relecture %s en attente depuis le %s : rappel aux relecteurs", review.label,
                     review.created_at.isoformat(timespec="minutes"))
    deliver(ctx)
    return len(due)
