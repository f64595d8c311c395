"""What the commands share: who acts, rows or JSON printed, a staff change shown once applied."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ..app.staff import StaffChange, StaffDesk
from ..app.wiring import build_service
from ..config.settings import Settings
from ..core.french import french_typography
from ..core.write.plan_text import divergence_line, plan_lines
from ..errors import StaffActionError
from ..model.network import Divergence


def actor() -> str:
    """Who is acting, for the history: the login behind sudo when there is one."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "inconnu"


def say(*lines: str) -> None:
    """Print lines for people, with French typography (spaces before « : ; ! ? » and in « »)."""
    print("\n".join(french_typography(line) for line in lines))


def columns(rows: list[list[str]]) -> list[str]:
    """Rows as aligned columns, two spaces apart (the last one as it is)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)] if rows else []
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
            for row in rows]


def override_lines(overrides: list[Divergence], settings: Settings, *, prefix: bool = True) -> list[str]:
    """Each setting where staff's change is in force over the groups file, said with the
    command that goes back to the file's value (`prefix`: naming the group first)."""
    return [(f"groupe {d.group_id}, " if prefix else "")
            + divergence_line(d, settings.tz, settings.groups_file.name) for d in overrides]


def emit(args: argparse.Namespace, data: Any, lines: Callable[[], list[str]]) -> int:
    """JSON with --json, else the lines."""
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        say(*lines())
    return 0


def local_time(settings: Settings, text: str, option: str) -> datetime:
    """A date and time an option gives, in the network's time zone unless it names one."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise StaffActionError(f"{option} : date et heure attendues, par exemple 2027-04-06T09:30, "
                               f"et non « {text} »") from None
    return value if value.tzinfo else value.replace(tzinfo=settings.tz)


DRY_RUN_DONE = "Essai à blanc : rien n’a été modifié, aucun message n’est parti."


@contextlib.contextmanager
def desk(settings: Settings, args: argparse.Namespace) -> Iterator[StaffDesk]:
    """The application's desk for staff's changes, for the time of one command (read-only, and
    sending nothing, with --dry-run)."""
    service = build_service(settings, read_only=args.dry_run)
    try:
        yield StaffDesk(service, actor(), dry_run=args.dry_run)
    finally:
        service.close()


def tell(change: StaffChange, settings: Settings, unchanged: str = "") -> int:
    """What a change did (or would do, on a dry run), as `plan_lines` tells it; `unchanged` when
    there was nothing to do."""
    if change.unchanged:
        say(unchanged)
        return 0
    lines = plan_lines(change.plan, change.sends, applied=change.applied, tz=settings.tz)
    say(*lines, *([] if change.applied else [DRY_RUN_DONE]))
    return 0
