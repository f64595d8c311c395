"""What the commands share: the state read, rows or JSON printed, a staff plan shown and applied."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..app.apply import apply_plan, render_plan
from ..app.outbox import Outgoing
from ..app.wiring import build_service, utc_now
from ..config import Settings
from ..core.staff import Plan
from ..errors import StaffActionError
from ..model import State
from ..store import Store


def actor() -> str:
    """Who is acting, for the history: the login behind sudo when there is one."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def read_state(settings: Settings) -> State:
    """The state as it stands, with the groups staff drafted and changed; nothing locked."""
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments)


def emit(args: argparse.Namespace, data: Any, lines: Callable[[], list[str]]) -> int:
    """JSON with --json, else the lines."""
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines()))
    return 0


def local_time(settings: Settings, text: str, option: str) -> datetime:
    """A date and time an option gives, in the network's time zone unless it names one."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise StaffActionError(f"{option}: expected a date and time such as 2027-04-06T09:30, "
                               f"found {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=settings.tz)


def run_plan(settings: Settings, args: argparse.Namespace, make: Callable[[State, datetime], Plan], *,
             header: Callable[[Plan], list[str]], done: Callable[[Plan, list[Outgoing]], str],
             unchanged: Callable[[Plan], str | None] | None = None) -> int:
    """Plan a staff change on the current state, show it, and unless --dry-run apply it;
    `unchanged` says when there is nothing to do.

    The store's lock is held from the plan to the commit: the plan applied is the one shown.
    """
    service = build_service(settings, read_only=args.dry_run)
    try:
        plan = make(service.state(), utc_now())
        said = unchanged(plan) if unchanged is not None else None
        if said:
            print(said)  # nothing to change
            return 0
        messages = render_plan(service, plan)
        for line in header(plan):
            print(line)
        verb = "would send" if args.dry_run else "sends"
        for item in messages:
            print(f"    {verb} {item.outcome} → {', '.join(item.to)}: {item.subject}")
        if args.dry_run:
            print("dry run, nothing changed")
            return 0
        apply_plan(service, plan, messages, actor())
        print(done(plan, messages))
        return 0
    finally:
        service.close()
