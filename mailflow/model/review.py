"""A reply held for staff to read before it goes (« relecture »), and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .enums import ReviewFate


@dataclass(frozen=True)
class Review:
    """A member's reply held for review: its draft waits in the outbox (« held »), the reviewers
    have its code. Once settled (sent, corrected, dropped) only what the trust figures need is
    kept, for a while: the member's address, name and words are forgotten.

    Only hashes of the codes are kept; each mail to the reviewers (the first, a reminder)
    carries its own code, any of which answers for this reply.
    """

    id: str  # the draft's Message-ID: its outbox item
    number: int  # how staff name it: « relecture 3 »
    outcome: str  # the draft's `X-Mailflow-Outcome`
    created_at: datetime
    tokens: tuple[str, ...]  # hashes of the codes sent to the reviewers
    to: str = ""  # the member
    name: str | None = None
    subject: str = ""  # the draft's subject
    summary: str = ""  # what was decided and why, as the ledger says it
    text: str = ""  # what the member wrote (the new text of their message), "" when nothing
    received_at: datetime | None = None  # when the member's message arrived
    about: str = ""  # the candidature, idea or question the reply is about (C0003…)
    group: str | None = None
    with_it: tuple[str, ...] = ()  # what goes with it: its attachments, who else is told
    mails: tuple[str, ...] = ()  # Message-IDs of the mails to the reviewers (first, reminders)
    reminded_at: datetime | None = None
    held_at: datetime | None = None  # the last « non » of a reviewer
    held_by: str = ""
    fate: ReviewFate = ReviewFate.WAITING
    settled_at: datetime | None = None
    settled_by: str = ""

    @property
    def waiting(self) -> bool:
        return self.fate is ReviewFate.WAITING

    @property
    def label(self) -> str:
        """Its name for staff: « R0003 »."""
        return f"R{self.number:04d}"
