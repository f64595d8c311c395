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

log = logging.getLogger("mailflow.daemon")


def guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
    """A job that logs its failure and lets the scheduler run it again at its next time; the
    memory it used goes back to the system when it is done."""

    def run() -> None:
        try:
            job()
        except Exception:  # a failing job must not stop the daemon
            log.exception("job %s failed; it runs again at its next time", name)
        finally:
            give_back_memory()

    return run


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
                 on_wake: Callable[[], object] | None = None) -> None:
        self.scheduler = schedule.Scheduler()
        self.stop = threading.Event()
        self.waiter = waiter
        self.on_wake = guarded("wake", on_wake) if on_wake else None

    def every(self, seconds: float, name: str, job: Callable[[], object]) -> None:
        # schedule counts in whole seconds.
        self.scheduler.every(max(1, round(seconds))).seconds.do(guarded(name, job))

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current job", signal.Signals(signum).name)
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
                log.exception("waiting for new mail failed; polling instead")
                self.stop.wait(1.0)
                woke = False
            if woke and self.on_wake is not None and not self.stop.is_set():
                self.on_wake()
        log.info("stopped")
