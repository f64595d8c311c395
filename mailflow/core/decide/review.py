"""Review decided: which replies wait, what becomes of one, the trust figures, review stopped."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ...model.enums import LETTERS, ReviewFate
from ...model.review import Review
from ...model.values import Reply, State
from ..french import outcome_words
from .staff_plans import Plan

#: The trust figures count the replies of the last 30 days.
WINDOW = timedelta(days=30)
_ORDER = {outcome.value: i for i, outcome in enumerate(LETTERS)}


def in_force(outcomes: Iterable[str], changes: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    """The outcomes reviewed now: the configuration's, as staff changed them (an outcome they
    stopped reviewing, or started again)."""
    kept = [o for o in outcomes if changes.get(o, {}).get("review", True) is not False]
    added = [o for o, change in changes.items() if change.get("review") is True and o not in kept]
    return tuple(sorted(dict.fromkeys([*kept, *added]), key=lambda o: _ORDER.get(o, len(_ORDER))))


def held(reply: Reply | None, reviewed: Collection[str], staff: Collection[str]) -> bool:
    """Whether this message waits for a reviewer: a letter to a member whose outcome is reviewed."""
    return (reply is not None and reply.outcome in LETTERS and reply.outcome.value in reviewed
            and reply.to not in staff)


def settled(review: Review, fate: ReviewFate, by: str, now: datetime) -> Review:
    """What is kept of a reply once it went (or never will): its outcome, fate and dates, for the
    trust figures; the member's address, name and words are forgotten."""
    return replace(review, fate=fate, settled_at=now, settled_by=by, to="", name=None, subject="",
                   summary="", text="", with_it=())


def kept_on(review: Review, by: str, now: datetime) -> Review:
    """A reviewer said « not now »: it keeps waiting (a later « OK » sends it)."""
    return replace(review, held_at=now, held_by=by)


# --- trust, measured ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trust:
    """One outcome's replies held for review over the window: how many went as drafted, were
    corrected, were held (said « non », or made needless by an action), still wait; and how
    many went as drafted in a row, the latest last."""

    outcome: str
    drafted: int = 0
    corrected: int = 0
    held: int = 0
    waiting: int = 0
    in_a_row: int = 0

    @property
    def total(self) -> int:
        return self.drafted + self.corrected + self.held + self.waiting

    @property
    def said(self) -> str:
        """The outcome as staff read it: « inscription confirmée »."""
        return outcome_words(self.outcome)


def category(review: Review) -> str:
    """Where a reply counts: « corrected », « held », « drafted » or « waiting »."""
    if review.fate is ReviewFate.CORRECTED:
        return "corrected"
    if review.held_at is not None or review.fate is ReviewFate.DROPPED:
        return "held"
    return "drafted" if review.fate is ReviewFate.SENT else "waiting"


def trust(reviews: Iterable[Review], now: datetime) -> tuple[Trust, ...]:
    """The figures of each outcome with a reply in the last 30 days, in the outcomes' order."""
    every = list(reviews)
    counts: dict[str, dict[str, int]] = {}
    for review in every:
        if now - review.created_at <= WINDOW:
            mine = counts.setdefault(review.outcome, {})
            mine[category(review)] = mine.get(category(review), 0) + 1
    return tuple(Trust(outcome, **mine, in_a_row=in_a_row(every, outcome))
                 for outcome, mine in sorted(counts.items(), key=lambda i: _ORDER.get(i[0], 99)))


def in_a_row(reviews: Iterable[Review], outcome: str) -> int:
    """How many of the outcome's last settled replies went as drafted, one after the other."""
    done = sorted((r for r in reviews if r.outcome == outcome and not r.waiting),
                  key=lambda r: (r.settled_at or r.created_at, r.number))
    count = 0
    for review in reversed(done):
        if category(review) != "drafted":
            break
        count += 1
    return count


def kept(reviews: Iterable[Review], now: datetime, trust_after: int) -> list[Review]:
    """The records worth keeping: those waiting, those of the window, and enough of each
    outcome's last ones to count a run of `trust_after` sent as drafted."""
    every = sorted(reviews, key=lambda r: (r.settled_at or r.created_at, r.number))
    recent: dict[str, int] = {}
    keep: list[Review] = []
    for review in reversed(every):
        recent[review.outcome] = recent.get(review.outcome, 0) + (not review.waiting)
        if review.waiting or now - review.created_at <= WINDOW or recent[review.outcome] <= trust_after:
            keep.append(review)
    return sorted(keep, key=lambda r: r.number)


@dataclass(frozen=True)
class ReviewDigest:
    """What the digest says of review: the replies waiting (oldest first), the figures, and the
    outcomes trusted enough to stop reviewing (`trust_after` as drafted in a row)."""

    waiting: tuple[Review, ...]
    figures: tuple[Trust, ...]
    proposals: tuple[Trust, ...]
    trust_after: int

    @property
    def worth_telling(self) -> bool:
        return bool(self.waiting or self.proposals)

    @staticmethod
    def said(outcome: str) -> str:
        """An outcome as staff read it (for the digest's templates)."""
        return outcome_words(outcome)


def review_digest(reviews: Iterable[Review], reviewed: Collection[str], now: datetime,
                  trust_after: int) -> ReviewDigest:
    """The digest's part on review."""
    every = list(reviews)
    figures = trust(every, now)
    proposals = tuple(t for t in figures if t.outcome in reviewed and t.in_a_row >= trust_after)
    waiting = tuple(sorted((r for r in every if r.waiting), key=lambda r: (r.created_at, r.number)))
    return ReviewDigest(waiting, figures, proposals, trust_after)


# --- review stopped, or started again ----------------------------------------------------------


def plan_review_change(state: State, outcome: str, on: bool) -> Plan:
    """Staff stop reviewing one outcome's replies (`on` False), or review them again: a setting
    kept as staff's change over the configuration file, nothing else."""
    words = f"« {outcome_words(outcome)} »"
    if on:
        summary = f"Relecture des réponses {words} : reprise"
        note = ("les prochaines réponses de ce type attendront la relecture de l’équipe avant de "
                f"partir ; pour l’arrêter de nouveau : mailflow review stop {outcome}")
    else:
        summary = f"Relecture des réponses {words} : arrêtée"
        note = ("les prochaines réponses de ce type partiront dès la décision, sans relecture ; "
                "celles qui attendent déjà restent à relire ; pour reprendre : mailflow review "
                f"resume {outcome}")
    return Plan("review-resume" if on else "review-stop", summary, state, state,
                history={"summary": f"réponses {words}"}, notes=[note], review=(outcome, on))
