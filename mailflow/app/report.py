"""What a batch did: one line per message, counts for the log and the command line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..core.french import outcome_words, plural
from ..model.values import Outcome
from .past import Past


@dataclass
class Handled:
    """What became of one message in a batch."""

    key: str
    outcome: Outcome
    summary: str
    replies: list[tuple[str, str, str]] = field(default_factory=list)  # outcome, to, subject

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """The message and its replies, in French: as `run --once` prints them and the daemon
        logs them."""
        said = outcome_words(self.outcome.value)
        lines = [f"{self.key} : {self.summary}" if said in self.summary
                 else f"{self.key} — {said} : {self.summary}"]
        for outcome, to, subject in self.replies:
            lines.append(f"    {'réponse prévue' if dry_run else 'réponse'} "
                         f"({outcome_words(outcome)}) → {to} : « {subject} »")
        return lines


@dataclass
class BatchReport:
    """What a batch did, for the log, the CLI summary and the tests."""

    handled: list[Handled] = field(default_factory=list)
    already: int = 0
    sent: int = 0
    send_failed: int = 0
    acked: int = 0
    past: Past | None = None  # mail that arrived before mail counts: left waiting

    def counts(self) -> Counter[str]:
        return Counter(h.outcome.value for h in self.handled)

    def summary(self) -> str:
        """What the batch did, in French (the command line prints it, the daemon logs it)."""
        if not self.handled and not self.already and not self.sent and not self.send_failed:
            return "aucun nouveau message"
        parts = [f"{outcome_words(outcome)} : {n}" for outcome, n in sorted(self.counts().items())]
        decided = plural(len(self.handled), "message traité", "messages traités")
        return (f"{decided}" + (f" ({' ; '.join(parts)})" if parts else "")
                + f", {plural(self.already, 'déjà traité', 'déjà traités')}"
                + f", {plural(self.sent, 'réponse envoyée', 'réponses envoyées')}"
                + (f", {plural(self.send_failed, 'non envoyée', 'non envoyées')}"
                   if self.send_failed else "")
                + f", {plural(self.acked, 'message rangé', 'messages rangés')}")
