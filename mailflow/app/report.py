"""What a batch did: one line per message, counts for the log and the command line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model import Outcome


@dataclass
class Handled:
    """What became of one message in a batch."""

    key: str
    outcome: Outcome
    summary: str
    replies: list[tuple[str, str, str]] = field(default_factory=list)  # outcome, to, subject


@dataclass
class BatchReport:
    """What a batch did, for the log, the CLI summary and the tests."""

    handled: list[Handled] = field(default_factory=list)
    already: int = 0
    sent: int = 0
    send_failed: int = 0
    acked: int = 0

    def counts(self) -> Counter[str]:
        return Counter(h.outcome.value for h in self.handled)

    def summary(self) -> str:
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.counts().items())]
        handled = ", ".join(parts) if parts else "nothing new"
        return (
            f"{len(self.handled)} message(s) decided ({handled}); {self.already} already decided; "
            f"{self.sent} reply(ies) sent, {self.send_failed} not sent; {self.acked} moved"
        )
