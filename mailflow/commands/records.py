"""`candidates export`, `history` and `privacy export|purge`: the records staff and members ask for."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time
from pathlib import Path

from ..app import views
from ..config.settings import Settings
from ..core.french import french_typography, plural
from ..core.write.records import candidates_csv, history_lines
from ..errors import StaffActionError
from ..files import write_private
from .common import DRY_RUN_DONE, desk, say


def cmd_candidates_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write a group's candidatures as a CSV for French Excel, to a file or to stdout (bytes)."""
    state, group_id = views.group_state(settings, args.group)  # drafted groups included
    data = candidates_csv(state, group_id, settings.tz)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    output: Path = args.output
    try:
        # Whole or not at all (Excel may hold the old file open), and for its owner only.
        write_private(output, data, sync=False)
    except OSError as exc:
        print(french_typography(f"mailflow : {output} : écriture impossible ({exc.strerror})"),
              file=sys.stderr)
        return 1
    rows = data.count(b"\r\n") - 1
    say(f"{output} : {plural(rows, 'candidature')} du groupe {group_id}")
    return 0


def cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    """Print the audit trail, all of it or one group's or one address's, oldest first."""
    target, events = views.history(settings, args.target)
    if args.json:
        print(json.dumps([e.to_json() for e in events], ensure_ascii=False, indent=2))
    elif not events:
        say("rien dans l’historique" + (f" pour {target}" if target else ""))
    else:
        say(*history_lines(events, settings.tz))
    return 0


def cmd_privacy_export(settings: Settings, args: argparse.Namespace) -> int:
    """Print, as JSON, everything the store holds on one address."""
    data = views.personal_data(settings, args.email)
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def _before(settings: Settings, text: str) -> datetime:
    """A date (midnight) or a date and time, local to the network unless it names a zone."""
    try:
        if "T" in text or " " in text.strip():
            value = datetime.fromisoformat(text)
        else:
            value = datetime.combine(date.fromisoformat(text), time(0, 0))
    except ValueError:
        raise StaffActionError(f"--before : date attendue, par exemple 2027-01-31, et non "
                               f"« {text} »") from None
    return value if value.tzinfo else value.replace(tzinfo=settings.tz)


def cmd_privacy_purge(settings: Settings, args: argparse.Namespace) -> int:
    """Anonymise the candidatures of the groups that met before the date; one commit."""
    before = _before(settings, args.before)
    with desk(settings, args) as staff:
        plan = staff.purge(before)
    say(*plan.lines())
    if plan.empty:
        return 0
    if args.dry_run:
        say(DRY_RUN_DONE)
        return 0
    say("Anonymisation faite.")
    return 0
