"""`candidates export`, `history` and `privacy export|purge`: the records staff and members ask for."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ..config.settings import Settings
from ..core.decide.staff_plans import find_group
from ..core.french import french_typography, plural
from ..core.write.privacy import privacy_export, purge_plan
from ..core.write.records import candidates_csv, history_lines, history_view
from ..errors import StaffActionError
from ..files import write_private
from ..store import Store
from ..store.codecs import ledger_from_json, ledger_to_json
from .common import DRY_RUN_DONE, actor, say


def _now() -> datetime:
    return datetime.now(UTC)


def _docs(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The ledger, the outbox and the history as the store writes them (JSON values)."""
    return [ledger_to_json(e) for e in store.ledger()], store.outbox_docs(), store.history()


def cmd_candidates_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write a group's candidatures as a CSV for French Excel, to a file or to stdout (bytes)."""
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)  # drafted groups included
    group_id = find_group(state, args.group)
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
    target: str | None = args.target
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
        ledger, outbox, history = _docs(store)
    if target is not None and "@" not in target:
        try:
            target = find_group(state, target)
        except StaffActionError:
            raise StaffActionError(f"« {target} » n’est ni un groupe ({', '.join(state.groups)}) "
                                   "ni une adresse") from None
    events = history_view(state, history, ledger, outbox, target, settings.tz)
    if args.json:
        print(json.dumps([e.to_json() for e in events], ensure_ascii=False, indent=2))
    elif not events:
        say("rien dans l’historique" + (f" pour {target}" if target else ""))
    else:
        say(*history_lines(events, settings.tz))
    return 0


def cmd_privacy_export(settings: Settings, args: argparse.Namespace) -> int:
    """Print, as JSON, everything the store holds on one address."""
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
        ledger, outbox, history = _docs(store)
    data = privacy_export(state, ledger, outbox, history, args.email, _now())
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
    with Store(settings.store_path, read_only=args.dry_run) as store:
        state = store.state(settings.groups, settings.departments)
        ledger, outbox, history = _docs(store)
        plan = purge_plan(state, ledger, outbox, history, before, secrets.token_bytes(16),
                          staff=(*settings.network.staff, settings.network.address),
                          sent=store.sent_records())
        say(*plan.lines())
        if plan.empty:
            return 0
        if args.dry_run:
            say(DRY_RUN_DONE)
            return 0
        changed = {c.id: c for c in plan.candidatures}
        after = replace(
            state,
            candidatures=tuple(changed.get(c.id, c) for c in state.candidatures),
            pending=(*[p for p in state.pending
                       if p.token_hash not in {q.token_hash for q in plan.pending}],
                     *plan.pending),
            questions=tuple({q.id: q for q in (*state.questions, *plan.questions)}.values()),
        )
        with store.transaction():
            store.save_state(state, after)
            store.rewrite_ledger([ledger_from_json(d) for d in plan.ledger])
            store.rewrite_delivered([{k: v for k, v in doc.items() if k != "raw_b64"}
                                     for doc in plan.outbox])
            if plan.history is not None:
                store.replace_history(plan.history)
            store.rewrite_sent(plan.sent)
            # The record names no one: counts only, so the trail stays without the data it erased.
            store.record_history({"at": _now().isoformat(), "actor": actor(),
                                  "action": "privacy-purge", "before": before.isoformat(),
                                  "groups": plan.groups, "counts": plan.counts()})
        store.forget_backup()
    say("Anonymisation faite.")
    return 0
