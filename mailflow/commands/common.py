"""What the commands share: the state read, rows or JSON printed, a staff plan shown and applied."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..app.staff import apply_plan, render_plan
from ..app.wiring import build_service, utc_now
from ..config.settings import Settings
from ..core.decide.overrides import Divergence, divergence_line, divergences
from ..core.decide.staff_plans import Plan
from ..core.french import french_typography
from ..core.write.plan_text import plan_lines
from ..errors import StaffActionError
from ..model.values import State
from ..store import Store


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


def read_state(settings: Settings) -> State:
    """The state as it stands, with the groups staff drafted and changed; nothing locked."""
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments)


def override_lines(overrides: list[Divergence], settings: Settings, *, prefix: bool = True) -> list[str]:
    """Each setting where staff's change is in force over the groups file, said with the
    command that goes back to the file's value (`prefix`: naming the group first)."""
    return [(f"groupe {d.group_id}, " if prefix else "")
            + divergence_line(d, settings.tz, settings.groups_file.name) for d in overrides]


def read_state_and_overrides(settings: Settings) -> tuple[State, list[Divergence]]:
    """The state as it stands, and every setting where staff's change overrides groups.toml."""
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
        return state, divergences(settings.groups, state.groups, store.group_overrides())


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


def run_plan(settings: Settings, args: argparse.Namespace, make: Callable[[State, datetime], Plan], *,
             unchanged: Callable[[Plan], str | None] | None = None) -> int:
    """Plan a staff change on the current state, show it, and unless --dry-run apply it;
    `unchanged` says when there is nothing to do.

    What is shown, before and after, is `plan_lines`: what changes and the mail it sends.
    The store's lock is held from the plan to the commit: the plan applied is the one shown.
    """
    service = build_service(settings, read_only=args.dry_run)
    try:
        plan = make(service.state(), utc_now())
        said = unchanged(plan) if unchanged is not None else None
        if said:
            say(said)  # nothing to change
            return 0
        messages = render_plan(service, plan)
        sends = [(item.outcome, item.to, item.subject) for item in messages]
        if args.dry_run:
            say(*plan_lines(plan, sends, applied=False, tz=settings.tz), DRY_RUN_DONE)
            return 0
        apply_plan(service, plan, messages, actor())
        say(*plan_lines(plan, sends, applied=True, tz=settings.tz))
        return 0
    finally:
        service.close()
