"""`candidates export`, `history` and `privacy export|purge`: the records staff and members ask for."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeAlias

from ..config import Settings
from ..core.records import candidates_csv, history_view, privacy_export, purge_plan
from ..files import write_private
from ..staff import StaffActionError, actor
from ..store import LedgerEntry, Store

# A string: argparse's class is generic for type checkers only.
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _now() -> datetime:
    return datetime.now(UTC)


def _docs(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The ledger, the outbox and the history as the store writes them (JSON values)."""
    return [e.to_json() for e in store.ledger()], store.outbox_docs(), store.history()


def cmd_candidates_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write a group's candidatures as a CSV for French Excel, to a file or to stdout (bytes)."""
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)  # drafted groups included
    if args.group not in state.groups:
        print(f"mailflow: unknown group {args.group!r}; known groups: {', '.join(state.groups)}",
              file=sys.stderr)
        return 2
    data = candidates_csv(state, args.group, settings.tz)
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
        print(f"mailflow: {output}: cannot write: {exc.strerror}", file=sys.stderr)
        return 1
    rows = data.count(b"\r\n") - 1
    print(f"{output}: {rows} candidature(s) of {args.group}")
    return 0


def cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    """Print the audit trail, all of it or one group's or one address's, oldest first."""
    target: str | None = args.target
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
        ledger, outbox, history = _docs(store)
    if target is not None and target not in state.groups and "@" not in target:
        print(f"mailflow: {target!r} is neither a group ({', '.join(state.groups)}) nor an "
              f"address", file=sys.stderr)
        return 2
    events = history_view(state, history, ledger, outbox, target)
    if args.json:
        print(json.dumps([e.to_json() for e in events], ensure_ascii=False, indent=2))
    elif not events:
        print("rien dans l’historique" + (f" pour {target}" if target else ""))
    else:
        print("\n".join(e.line(settings.tz) for e in events))
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
        raise StaffActionError(f"--before: expected a date such as 2027-01-31, found {text!r}") from None
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
        for line in plan.lines():
            print(line)
        if plan.empty:
            return 0
        if args.dry_run:
            print("dry run, nothing changed")
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
        store.save_state(state, after)
        store.rewrite_ledger([LedgerEntry.from_json(d) for d in plan.ledger])
        store.rewrite_delivered([{k: v for k, v in doc.items() if k != "raw_b64"}
                                 for doc in plan.outbox])
        if plan.history is not None:
            store.replace_history(plan.history)
        store.rewrite_sent(plan.sent)
        # The record names no one: counts only, so the trail stays without the data it erased.
        store.record_history({"at": _now().isoformat(), "actor": actor(),
                              "action": "privacy-purge", "before": before.isoformat(),
                              "groups": plan.groups, "counts": plan.counts()})
        store.commit()
        store.forget_backup()
    print("done")
    return 0


def register(subparsers: SubParsers, candidates: SubParsers) -> None:
    """Add `candidates export`, `history` and `privacy export|purge` to the command line.

    `candidates` is the existing `candidates` group's subparsers, which `export` joins.
    """
    export = candidates.add_parser(
        "export", help="a group's candidatures as CSV for French Excel (UTF-8 BOM, ';')")
    export.add_argument("group", help="group id, e.g. ot-ruraux")
    export.add_argument("--output", type=Path, default=None,
                        help="write this file (default: standard output)")
    export.set_defaults(func=cmd_candidates_export)

    hist = subparsers.add_parser(
        "history", help="the audit trail: staff actions, messages, replies, oldest first")
    hist.add_argument("target", nargs="?", default=None, metavar="GROUP|EMAIL",
                      help="only this group (its id) or this address (any case)")
    hist.add_argument("--json", action="store_true", help="print JSON")
    hist.set_defaults(func=cmd_history)

    privacy = subparsers.add_parser("privacy", help="personal data (RGPD): export, purge")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    pexport = privacy_sub.add_parser("export", help="everything held on one address, as JSON")
    pexport.add_argument("email", help="the person's address")
    pexport.set_defaults(func=cmd_privacy_export)
    purge = privacy_sub.add_parser(
        "purge", help="anonymise the candidatures of groups that met before DATE, counts kept")
    purge.add_argument("--before", required=True, metavar="DATE",
                       help="groups whose first meeting is before this date (2027-01-31)")
    purge.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    purge.set_defaults(func=cmd_privacy_purge)
