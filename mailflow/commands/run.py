"""`mailflow run`: the daemon, one pass (--once), or a dry run that decides and changes nothing."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Callable

from ..app.alerts import alert
from ..app.daemon import JOB_WORDS, Daemon, sleep_until_stopped
from ..app.past import Past, count_from
from ..app.report import BatchReport
from ..app.service import Service
from ..app.wiring import build_service
from ..config.settings import Settings
from ..core.french import format_date_fr
from ..store import take_lock
from .common import DRY_RUN_DONE, local_time, say
from .old import past_lines

log = logging.getLogger("mailflow")


def _print_report(report: BatchReport, settings: Settings, *, dry_run: bool) -> None:
    """Each message and its replies, then the counts: once, in French (the log says no more)."""
    lines = [line for handled in report.handled for line in handled.lines(dry_run=dry_run)]
    lines.append(report.summary() + ".")
    if report.past is not None:
        lines += past_lines(report.past, settings)
    if dry_run:
        lines.append(DRY_RUN_DONE)
    say(*lines)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    since = local_time(settings, args.since, "--since") if args.since else None
    if args.dry_run:
        service = build_service(settings, read_only=True)
        try:
            if since is not None:
                service.store.set_meta("since", since.isoformat())  # dropped with the dry run
            _print_report(service.run_batch(dry_run=True), settings, dry_run=True)
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
                if since is not None:
                    count_from(service, since)
            if args.once:
                _print_report(service.run_batch(), settings, dry_run=False)
                service.expire_holds()  # the digest has its own command: `digest --send`
                return 0
            _run_daemon(settings, service)
            return 0
        finally:
            service.close()
    finally:
        mailbox_lock.close()


def _tell_past(service: Service, past: Past, settings: Settings) -> None:
    """Old mail waiting: logged and told to staff once for as many messages, not at every look."""
    if not past.count or service.store.meta("past_told") == past.count:
        return
    for line in past_lines(past, settings):
        log.warning("%s", line)
    with service.store.transaction():
        alert(service, "old-mail", count=str(past.count),
              since=format_date_fr(past.since, settings.tz),
              first=format_date_fr(past.first, settings.tz) if past.first else "",
              last=format_date_fr(past.last, settings.tz) if past.last else "")
        service.store.set_meta("past_told", past.count)
    service.deliver()


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
        if report is not None and report.past is not None:
            _tell_past(service, report.past, settings)

    def failing(name: str, exc: BaseException) -> None:
        with service.store.session():
            with service.store.transaction():
                alert(service, "job-failing", job=JOB_WORDS.get(name, name),
                      since=format_date_fr(service.clock(), settings.tz),
                      error=f"{type(exc).__name__} : {exc}"[:500],
                      log="le journal de mailflow (journalctl)")
            service.deliver()

    waiter = service.source.wait if settings.mailbox.idle else sleep_until_stopped
    daemon = Daemon(waiter, on_wake=in_session(batch), on_failure=failing)
    daemon.every(settings.poll_seconds, "mailbox", in_session(batch))
    daemon.every(min(settings.delivery.retry_seconds), "delivery", in_session(service.deliver))
    daemon.every(60, "digest", in_session(service.digest_if_due))
    daemon.every(600, "holds", in_session(service.expire_holds))
    log.info("mailflow démarré : relève de %s toutes les %g s%s ; les réponses partent par %s",
             settings.mailbox.path or settings.mailbox.url, settings.poll_seconds,
             " et dès l’arrivée d’un message (IMAP IDLE)" if settings.mailbox.server
             and settings.mailbox.idle else "", settings.delivery.path or settings.delivery.url)
    daemon.run()
