"""The daemon loop: batches on a `schedule` interval, jobs that never kill it, a clean stop."""

from __future__ import annotations

import ctypes
import gc
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

import schedule

log = logging.getLogger("mailflow.app.daemon")


#: What each job is, in the words of the log staff read (journalctl) and of their alert.
JOB_WORDS = {"mailbox": "relève de la boîte aux lettres", "wake": "relève à l’arrivée d’un message",
             "delivery": "envoi des réponses", "digest": "point du matin",
             "holds": "fin des places gardées"}
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
