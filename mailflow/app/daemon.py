"""`mailflow run`: one pass, a dry run, or the daemon loop (batches on a `schedule` interval,
each job in a store session, jobs that never kill it, a clean stop)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from types import FrameType

import schedule

from ..config.settings import Settings
from ..core.french import format_date_fr
from ..store import take_lock
from .outbox import alert
from .past import Past, count_from, past_lines
from .report import BatchReport
from .service import Service
from .wiring import build_service

log = logging.getLogger("mailflow.app.daemon")
#: What the log says of the service as a whole (started, a batch's counts, old mail waiting).
service_log = logging.getLogger("mailflow")


#: What each job is, in the words of the log staff read (journalctl) and of their alert.
JOB_WORDS = {"mailbox": "relève de la boîte aux lettres", "wake": "relève à l’arrivée d’un message",
             "delivery": "envoi des réponses", "digest": "point du matin",
             "holds": "fin des places gardées", "reviews": "rappel des réponses à relire"}
Failing = Callable[[str, BaseException], None]


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc: nothing to do
        return None
    return trim


_TRIM = _malloc_trim()


def give_back_memory() -> None:
    """Return the memory a job freed to the system: glibc otherwise keeps it for the process,
    and a daemon that once read a large backlog would stay large while it waits."""
    gc.collect()  # messages and replies hold reference cycles: collected now, not some day
    if _TRIM is not None:
        _TRIM(0)


Waiter = Callable[[float, threading.Event], bool]


def sleep_until_stopped(seconds: float, stop: threading.Event) -> bool:
    """The default wait: nothing announces new mail, so only the clock wakes us."""
    stop.wait(seconds)
    return False


class Daemon:
    """Runs jobs until SIGTERM or Ctrl-C; the current job finishes before it stops.

    Between jobs it waits with `waiter` (IMAP IDLE where the server offers it); when the waiter
    reports new mail, the `on_wake` job runs at once instead of at its next time.
    """

    def __init__(self, waiter: Waiter = sleep_until_stopped,
                 on_wake: Callable[[], object] | None = None,
                 on_failure: Failing | None = None) -> None:
        self.scheduler = schedule.Scheduler()
        self.stop = threading.Event()
        self.waiter = waiter
        self.on_failure = on_failure  # told once when a job starts failing (staff are alerted)
        self.failing: set[str] = set()
        self.on_wake = self.guarded("wake", on_wake) if on_wake else None

    def every(self, seconds: float, name: str, job: Callable[[], object]) -> None:
        # schedule counts in whole seconds.
        self.scheduler.every(max(1, round(seconds))).seconds.do(self.guarded(name, job))

    def guarded(self, name: str, job: Callable[[], object]) -> Callable[[], None]:
        """A job that logs its failure and runs again at its next time, telling `on_failure`
        once when it starts failing (not at every look); the memory it used goes back after."""
        words = JOB_WORDS.get(name, name)

        def run() -> None:
            try:
                job()
            except Exception as exc:  # a failing job must not stop the daemon
                log.exception("échec de la tâche « %s » ; elle sera reprise à sa prochaine heure", words)
                if name not in self.failing:
                    self.failing.add(name)
                    self._tell(name, exc)
            else:
                if name in self.failing:
                    self.failing.discard(name)
                    log.info("la tâche « %s » réussit de nouveau", words)
            finally:
                give_back_memory()

        return run

    def _tell(self, name: str, exc: BaseException) -> None:
        if self.on_failure is None:
            return
        try:
            self.on_failure(name, exc)
        except Exception:  # telling staff failed too (the store, say): the log has it
            log.exception("impossible de prévenir l’équipe de l’échec de « %s »", JOB_WORDS.get(name, name))

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s reçu : arrêt après la tâche en cours", signal.Signals(signum).name)
        self.stop.set()

    def run(self, install_signals: bool = True) -> None:
        """Run every job once now, then on their intervals until stopped."""
        if install_signals:
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        self.scheduler.run_all()
        while not self.stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            try:
                woke = self.waiter(max(idle or 1.0, 0.05), self.stop)
            except Exception:  # a broken wait (connection lost) must not stop the daemon
                log.exception("l’attente de nouveaux messages a échoué ; relève à intervalles")
                self.stop.wait(1.0)
                woke = False
            if woke and self.on_wake is not None and not self.stop.is_set():
                self.on_wake()
        log.info("mailflow arrêté")


# --- mailflow run ------------------------------------------------------------------------------


def run_dry(settings: Settings, since: datetime | None) -> BatchReport:
    """Decide every waiting message in memory; write, send and move nothing."""
    service = build_service(settings, read_only=True)
    try:
        if since is not None:
            service.store.set_meta("since", since.isoformat())  # dropped with the dry run
        return service.run_batch(dry_run=True)
    finally:
        service.close()


@contextlib.contextmanager
def _started(settings: Settings, since: datetime | None, *, once: bool) -> Iterator[Service]:
    """A writing service, the mailbox read by this process alone (a second daemon, or a --once
    beside one, is refused), leftovers of a killed process cleaned, the journal's index read."""
    mailbox_lock = take_lock(settings.store_path.with_name(settings.store_path.name + ".daemon.lock"),
                             0.0, "un autre mailflow lit déjà cette boîte ({holder}) : arrêtez-le "
                             "d’abord")
    try:
        service = build_service(settings, read_only=False, hold_lock=once)
        try:
            with service.store.session() if not once else contextlib.nullcontext():
                service.clean_leftovers()
                service.store.load_index()
                if since is not None:
                    count_from(service, since)
            yield service
        finally:
            service.close()
    finally:
        mailbox_lock.close()


def run_once(settings: Settings, since: datetime | None,
             show: Callable[[BatchReport], None]) -> None:
    """One batch (`show` tells what it did), then the holds that expired; the digest has its own
    command (`digest --send`)."""
    with _started(settings, since, once=True) as service:
        show(service.run_batch())
        service.expire_holds()
        service.remind_reviews()


def run_forever(settings: Settings, since: datetime | None) -> None:
    """The daemon: its jobs, each in a store session so that staff commands can act in between,
    until SIGTERM or Ctrl-C."""
    with _started(settings, since, once=False) as service:
        _daemon(settings, service).run()


def _tell_past(service: Service, past: Past) -> None:
    """Old mail waiting: logged and told to staff once for as many messages, not at every look."""
    if not past.count or service.store.meta("past_told") == past.count:
        return
    tz = service.settings.tz
    for line in past_lines(past, tz):
        service_log.warning("%s", line)
    with service.store.transaction():
        alert(service, "old-mail", count=str(past.count), since=format_date_fr(past.since, tz),
              first=format_date_fr(past.first, tz) if past.first else "",
              last=format_date_fr(past.last, tz) if past.last else "")
        service.store.set_meta("past_told", past.count)
    service.deliver()


def _daemon(settings: Settings, service: Service) -> Daemon:
    """The daemon's jobs on their intervals, each in a store session."""

    def in_session(job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            with service.store.session():
                job()
        return run

    def batch() -> None:
        report = service.poll()
        if report and (report.handled or report.sent or report.send_failed):
            service_log.info("%s", report.summary())
        if report is not None and report.past is not None:
            _tell_past(service, report.past)

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
    daemon.every(600, "reviews", in_session(service.remind_reviews))
    service_log.info("mailflow démarré : relève de %s toutes les %g s%s ; les réponses partent par %s",
             settings.mailbox.path or settings.mailbox.url, settings.poll_seconds,
             " et dès l’arrivée d’un message (IMAP IDLE)" if settings.mailbox.server
             and settings.mailbox.idle else "", settings.delivery.path or settings.delivery.url)
    return daemon
