"""`mailflow run`: the daemon, one pass (--once), or a dry run that decides and changes nothing."""

from __future__ import annotations

import argparse

from ..app.daemon import run_dry, run_forever, run_once
from ..app.past import past_lines
from ..app.report import BatchReport
from ..config.settings import Settings
from .common import DRY_RUN_DONE, local_time, say


def _print_report(report: BatchReport, settings: Settings, *, dry_run: bool) -> None:
    """Each message and its replies, then the counts: once, in French (the log says no more)."""
    lines = [line for handled in report.handled for line in handled.lines(dry_run=dry_run)]
    lines.append(report.summary() + ".")
    if report.past is not None:
        lines += past_lines(report.past, settings.tz)
    if dry_run:
        lines.append(DRY_RUN_DONE)
    say(*lines)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    since = local_time(settings, args.since, "--since") if args.since else None
    if args.dry_run:
        _print_report(run_dry(settings, since), settings, dry_run=True)
    elif args.once:
        run_once(settings, since, lambda report: _print_report(report, settings, dry_run=False))
    else:
        run_forever(settings, since)
    return 0
