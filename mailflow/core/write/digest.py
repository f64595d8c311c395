"""What the staff digest says: built from the state and the day's events, pure, None when quiet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...model.values import CallSummary, Candidature, Group, Idea, Question, State, Status
from ..decide.places import call_summary, closed_reason, position
from ..decide.questions import open_questions
from ..decide.review import ReviewDigest

#: An open question older than this makes every day's digest until someone answers it.
QUESTION_REMINDER = timedelta(days=3)


@dataclass(frozen=True)
class Event:
    """A message handled since the last digest, as the ledger recorded it."""

    key: str
    sender: str | None
    subject: str
    outcome: str
    summary: str
    at: datetime


@dataclass(frozen=True)
class Undelivered:
    """A reply that has not reached its recipient."""

    to: str
    subject: str
    outcome: str
    error: str
    attempts: int
    failed: bool


@dataclass(frozen=True)
class GroupDigest:
    """One group in the digest."""

    group: Group
    call: CallSummary
    closed_reason: str
    new: tuple[Candidature, ...]
    waiting: tuple[tuple[int, Candidature], ...]
    awaiting_answer: tuple[Candidature, ...]
    filled_since: bool

    def gauge(self, width: int = 20) -> str:
        """Places taken as a bar of `width` cells: ■ taken, □ free."""
        taken = round(width * min(self.call.taken, self.call.capacity) / self.call.capacity)
        return "■" * taken + "□" * (width - taken)


@dataclass(frozen=True)
class Digest:
    """Everything staff should see since the last digest."""

    since: datetime
    now: datetime
    groups: tuple[GroupDigest, ...]
    new_ideas: tuple[Idea, ...]
    ideas: tuple[Idea, ...]
    quarantined: tuple[Event, ...]
    #: Questions handed to staff and not answered yet, oldest first: listed until answered.
    questions: tuple[Question, ...]
    undelivered: tuple[Undelivered, ...]
    reviews: ReviewDigest | None = None  # replies waiting for a reviewer, trust figures (see [review])

    @property
    def new_candidatures(self) -> int:
        return sum(len(g.new) for g in self.groups)

    @property
    def needs_a_human(self) -> int:
        """How many lines of the « needs you » part there are."""
        return (len(self.quarantined) + len(self.questions) + len(self.undelivered)
                + sum(len(g.awaiting_answer) for g in self.groups)
                + (len(self.reviews.waiting) if self.reviews else 0))


def build_digest(state: State, events: Sequence[Event], undelivered: Sequence[Undelivered],
                 since: datetime, now: datetime,
                 recorded: Mapping[str, datetime] | None = None, *,
                 reviews: ReviewDigest | None = None) -> Digest | None:
    """The digest for the period since `since`, or None when nothing happened in it.

    A candidature is new when mailflow learnt of it in the period: when it arrived, or, for one
    staff recorded later (received in person « hier à 15 h »), when they recorded it
    (`recorded`, by candidature id).
    """
    learnt = recorded or {}
    groups = []
    for group in state.groups.values():
        mine = state.of_group(group.id)
        new = tuple(c for c in mine if since <= max(c.received_at, learnt.get(c.id, c.received_at)) < now)
        waiting = tuple((position(state, c), c) for c in mine if c.status is Status.WAITLISTED)
        answer = tuple(c for c in mine if c.status is Status.NEEDS_INFO)
        call = call_summary(state, group, now)
        filled = call.places_left == 0 and any(
            c.status is Status.CONFIRMED and since <= (c.updated_at or c.received_at) for c in mine
        )
        groups.append(GroupDigest(group, call, closed_reason(group, now), new, waiting, answer,
                                  filled))
    new_ideas = tuple(i for i in state.ideas if since <= i.received_at < now)
    quarantined = tuple(e for e in events if e.outcome == "quarantined")
    questions = open_questions(state)
    digest = Digest(since, now, tuple(groups), new_ideas, state.ideas, quarantined,
                    questions, tuple(undelivered), reviews)
    # A question waiting for days comes back every day; one asked today makes the day not quiet.
    waiting_questions = any(since <= q.received_at or now - q.received_at >= QUESTION_REMINDER
                            for q in questions)
    happened = (digest.new_candidatures or new_ideas or quarantined or waiting_questions
                or undelivered or any(g.filled_since for g in groups)
                or any(e.outcome in ("withdrawn", "refused") for e in events)
                or (reviews is not None and reviews.worth_telling))
    return digest if happened else None
