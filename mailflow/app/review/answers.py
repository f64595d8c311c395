"""A reviewer's answer in a batch: the held reply let go, corrected or kept; an action asked besides."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from ...core.decide.staff_plans import Plan
from ...core.french import REVIEW_FATE, format_date_fr, outcome_words
from ...core.read.conversation import TOKEN, token_hash
from ...core.read.review import Answer, read_answer
from ...core.read.staff.reader import read_request
from ...core.write.review import corrected
from ...core.write.templates import CODE_IN_SUBJECT
from ...errors import RenderError
from ...model.enums import Template
from ...model.review import Review
from ...model.values import Case, CaseKind, DeliveryStatus, Inbound, Intent, IntentKind, Outcome, Reply, State
from ...ports import OutboxItem
from ..context import Context
from ..outbox import Outgoing, alert_message, outgoing
from ..staff import StaffOutcome, staff_message
from .settle import Settle, keep_waiting, let_go

log = logging.getLogger("mailflow.review")


@dataclass
class ReviewAnswer:
    """What a message answering a review leads to, nothing of it written yet: the ledger's
    outcome and summary, the mail it sends, the state after it (a staff action asked with it),
    and the held reply's new lot, written with the batch's commit."""

    outcome: Outcome
    summary: str
    messages: list[Outgoing] = field(default_factory=list)
    after: State | None = None
    staged: tuple[Plan, list[Outgoing]] | None = None
    change: Settle | None = None
    group: str | None = None


def review_answered(ctx: Context, state: State, inbound: Inbound, vouched: bool,
                    now: datetime) -> ReviewAnswer | None:
    """The message, when it answers a mail to the reviewers (its code, or a reply to it): what it
    does; None for any other message."""
    found = _review_of(ctx, inbound)
    if found is None:
        return None
    review, code = found
    sender = inbound.sender or ""
    if sender not in ctx.settings.review.reviewers:
        log.warning("%s : code de la relecture %s renvoyé par %s, qui n’est pas relecteur : rien "
                    "n’est fait", inbound.key, review.label, sender)
        return ReviewAnswer(Outcome.REVIEW_ANSWERED, f"code de la relecture {review.label} renvoyé "
                            f"par {sender}, qui n’est pas relecteur : rien n’est fait")
    if not vouched:
        why = "le serveur de réception ne garantit pas l’expéditeur (DMARC)"
        return ReviewAnswer(Outcome.REVIEW_ANSWERED, f"réponse à la relecture {review.label} ignorée : {why}",
                            [alert_message(ctx, "staff-unverified", sender=sender,
                                           subject=inbound.subject, reason=why)])
    draft = next((i for i in ctx.store.outbox(DeliveryStatus.HELD) if i.id == review.id), None)
    if not review.waiting or draft is None:
        if sender in ctx.settings.network.staff and _asks_action(ctx, state, inbound, review, now):
            return None  # an action written in an old review's thread: a staff message as any
        return _told(ctx, inbound, _done_already(ctx, review), review, "")
    return _answered(ctx, state, inbound, review, draft, code, now)


def _review_of(ctx: Context, inbound: Inbound) -> tuple[Review, str] | None:
    """The review a message answers: by a code it carries, else as a direct reply to a mail to
    the reviewers (never by References alone: an answer to the plan of an action asked in a
    review is no answer to the review)."""
    codes = list(dict.fromkeys(TOKEN.findall(f"{inbound.subject}\n{inbound.text}")))
    if not codes and not inbound.in_reply_to:
        return None
    reviews = ctx.store.reviews()
    for code in codes:
        digest = token_hash(code)
        for review in reviews:
            if digest in review.tokens:
                return review, code
    return next(((r, "") for r in reviews if inbound.in_reply_to in r.mails), None)


def _done_already(ctx: Context, review: Review) -> str:
    when = (f" le {format_date_fr(review.settled_at, ctx.settings.tz)}" if review.settled_at else "")
    by = f" par {review.settled_by}" if review.settled_by else ""
    return (f"la réponse de la relecture {review.label} (« {outcome_words(review.outcome)} ») est déjà "
            f"{REVIEW_FATE[review.fate]}{when}{by} : ce code a servi, rien de nouveau n’est fait")


def _answered(ctx: Context, state: State, inbound: Inbound, review: Review, draft_item: OutboxItem,
              code: str, now: datetime) -> ReviewAnswer:
    """A reviewer's answer to a reply still waiting: let it go, correct it, keep it waiting; and
    the staff action it asks for too, planned with its own code."""
    sender = inbound.sender or ""
    reading = read_answer(inbound.new_text, inbound.signature, review.name)
    staff = (_asked_action(ctx, state, inbound, review, now)
             if sender in ctx.settings.network.staff and reading.answer is not Answer.CORRECT else None)
    if reading.answer is Answer.CORRECT:
        try:
            change = let_go(review, draft_item, sender, now, corrected(draft_item.raw, reading.text))
        except (RenderError, ValueError) as exc:
            return _told(ctx, inbound, f"votre texte n’a pas pu remplacer la réponse ({exc}) ; elle "
                         "reste en attente", review, code)
    elif reading.answer is Answer.SEND:
        change = let_go(review, draft_item, sender, now)
    elif reading.answer is Answer.HOLD or staff is not None:
        change = keep_waiting(review, sender, now)
    else:
        return _told(ctx, inbound, _unclear(review), review, code)
    log.info("%s", change.line(review))
    answer = ReviewAnswer(Outcome.REVIEW_ANSWERED, change.line(review), change=change, group=review.group)
    if staff is not None:
        answer.messages, answer.after, answer.staged = staff.messages, staff.after, staff.staged
    return answer


def _unclear(review: Review) -> str:
    return (f"je n’ai pas compris ce que doit devenir la réponse de la relecture {review.label} : "
            "répondez « OK » pour qu’elle parte telle quelle, « non » pour qu’elle attende, ou "
            "écrivez au-dessus du message le texte complet qui doit partir à sa place, formule "
            "d’appel comprise ; elle reste en attente")


def _about(review: Review) -> str | None:
    """The candidature or idea a staff action asked in a review's answer is about, unless named."""
    return review.about if review.about[:1] in ("C", "I") else None


def _asks_action(ctx: Context, state: State, inbound: Inbound, review: Review, now: datetime) -> bool:
    """Whether an answer to a review also asks for a staff action (« refuse-la : hors profil »)."""
    settings = ctx.settings
    own = (*settings.network.staff, settings.network.address.lower())
    reading = read_request("", inbound.new_text, state, inbound.arrived(now), settings.tz,
                           about=_about(review), own=own)
    return bool(reading.commands) or (reading.unclear is not None and reading.unclear.verb is not None)


def _asked_action(ctx: Context, state: State, inbound: Inbound, review: Review,
                  now: datetime) -> StaffOutcome | None:
    """A staff action asked with the answer (« non, refuse-la : hors profil »), planned and shown
    with its own code as any other; None when the answer asks none."""
    if not _asks_action(ctx, state, inbound, review, now):
        return None
    about = _about(review)
    kind = CaseKind.CANDIDATURE if review.about[:1] == "C" else CaseKind.IDEA
    message = replace(inbound, text=inbound.new_text, subject=CODE_IN_SUBJECT.sub("", inbound.subject))
    intent = Intent(IntentKind.STAFF, message, inbound.sender or "", inbound.sender_name,
                    case=Case(kind, review.about, "code", group_id=review.group) if about else None,
                    vouched=True)
    return staff_message(ctx, state, intent, now)


def _told(ctx: Context, inbound: Inbound, why: str, review: Review, code: str) -> ReviewAnswer:
    """Nothing done: the reviewer is told why (with the code again when it still serves)."""
    reply = Reply(outcome=Outcome.STAFF_UNCLEAR, to=inbound.sender or "", to_name=inbound.sender_name,
                  template=Template.STAFF_UNCLEAR, reason=why, in_reply_to=inbound.message_id,
                  references=inbound.references, subject=inbound.subject, token=code)
    return ReviewAnswer(Outcome.REVIEW_ANSWERED, f"réponse à la relecture {review.label} : {why}",
                        [outgoing(ctx.renderer, reply, ctx.clock())])
