"""The daemon's and the commands' handle on the application: a context with its jobs as methods."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

from . import delivery, intake, jobs
from .context import Context
from .report import BatchReport
from .review import held


@dataclass
class Service(Context):
    """A wired context; each method is one job of the application (see the modules named)."""

    poller: jobs.Poller = field(default_factory=jobs.Poller)

    def run_batch(self, *, dry_run: bool = False) -> BatchReport:
        return intake.run_batch(self, dry_run=dry_run)

    def poll(self) -> BatchReport | None:
        return self.poller.poll(self)

    def deliver(self, report: BatchReport | None = None) -> None:
        delivery.deliver(self, report)

    def expire_holds(self) -> int:
        return jobs.expire_holds(self)

    def remind_reviews(self) -> int:
        return held.remind(self)

    def digest(self, *, send: bool) -> EmailMessage | None:
        return jobs.digest(self, send=send)

    def digest_if_due(self) -> EmailMessage | None:
        return jobs.digest_if_due(self)

    def clean_leftovers(self) -> None:
        jobs.clean_leftovers(self)
