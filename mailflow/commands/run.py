"""`mailflow run`: the daemon, one pass (--once), or a dry run that decides and changes nothing."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Callable

from ..app.report import BatchReport
from ..app.service import Service
from ..app.wiring import build_service
from ..config import Settings
from ..core.french import outcome_words
from ..daemon import Daemon, sleep_until_stopped
from ..store import take_lock
from .common import DRY_RUN_DONE, say

log = logging.getLogger("mailflow")


def _print_report(report: BatchReport, *, dry_run: bool) -> None:
    """Each message and its replies, then the counts: once, in French (the log says no more)."""
    lines = []
    for handled in report.handled:
        said = outcome_words(handled.outcome.value)
        lines.append(f"{handled.key} : {handled.summary}" if said in handled.summary
                     else f"{handled.key} — {said} : {handled.summary}")
        for outcome, to, subject in handled.replies:
            lines.append(f"    {'réponse prévue' if dry_run else 'réponse'} "
                         f"({outcome_words(outcome)}) → {to} : « {subject} »")
    lines.append(report.summary() + ".")
    if dry_run:
        lines.append(DRY_RUN_DONE)
    say(*lines)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if args.dry_run:
        service = build_service(settings, read_only=True)
        try:
            _print_report(service.run_batch(dry_run=True), dry_run=True)
        finally:
            service.close()
        return 0
    # One process reads the mailbox at a time: a second daemon (or a --once beside one) is refused.
    mailbox_lock = take_lock(settings.store_path.with_name(settings.store_path.name + ".daemon.lock"),
                             0.0, "un autre mailflow lit déjà cette boîte ({holder}) : arrêtez-le "
                             "d’abord")
    try:
        service = build_service(settings, read_only=False, hold_lock=args.once)
        try:
            with service.store.session() if not args.once else contextlib.nullcontext():
                service.clean_leftovers()
                service.store.load_index()
            if args.once:
                _print_report(service.run_batch(), dry_run=False)
                service.expire_holds()  # the digest has its own command: `digest --send`
                return 0
            _run_daemon(settings, service)
            return 0
        finally:
            service.close()
    finally:
        mailbox_lock.close()


def _run_daemon(settings: Settings, service: Service) -> None:
    """The daemon's jobs, each in a store session so that staff commands can act in between."""

    def in_session(job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            with service.store.session():
                job()
        return run

    def batch() -> None:
        report = service.poll()
        if report and (report.handled or report.sent or report.send_failed):
            log.info("%s", report.summary())

    waiter = service.source.wait if settings.mailbox.idle else sleep_until_stopped
    daemon = Daemon(waiter, on_wake=in_session(batch))
    daemon.every(settings.poll_seconds, "mailbox", in_session(batch))
    daemon.every(min(settings.delivery.retry_seconds), "delivery", in_session(service.deliver))
    daemon.every(60, "digest", in_session(service.digest_if_due))
    daemon.every(600, "holds", in_session(service.expire_holds))
    log.info("watching %s every %gs%s; replies go to %s",
             settings.mailbox.path or settings.mailbox.url, settings.poll_seconds,
             " and on IMAP IDLE" if settings.mailbox.server and settings.mailbox.idle else "",
             settings.delivery.path or settings.delivery.url)
    daemon.run()
