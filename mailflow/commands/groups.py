"""`mailflow status` and `mailflow groups list|show|open|close|set`: the calls, and changing them."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from ..app.wiring import utc_now
from ..config import Settings
from ..core.french import format_date_fr
from ..core.places import call_summary, closed_reason
from ..core.staff import Plan, plan_group_change
from ..errors import StaffActionError
from ..model import CallStatus, State, Status
from .common import emit, local_time, read_state, run_plan


def _rows(state: State, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for group in state.groups.values():
        summary = call_summary(state, group, now)
        mine = state.of_group(group.id)
        rows.append({
            "id": group.id,
            "title": group.title,
            "call": group.call.value,
            "accepting": summary.accepting,
            "closed_reason": closed_reason(group, now),
            "full": summary.places_left == 0,
            "capacity": group.capacity,
            "confirmed": sum(c.status is Status.CONFIRMED for c in mine),
            "needs_info": sum(c.status is Status.NEEDS_INFO for c in mine),
            "taken": summary.taken,
            "left": summary.places_left,
            "waiting": summary.waiting,
            "closes_at": group.closes_at.isoformat() if group.closes_at else None,
            "first_meeting": group.first_meeting.starts_at.isoformat(),
            "place": group.first_meeting.place,
        })
    return rows


def _call_label(row: dict[str, Any]) -> str:
    if not row["accepting"]:
        return "clos"
    return "complet" if row["full"] else "ouvert"


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    rows = _rows(read_state(settings), utc_now())

    def lines() -> list[str]:
        out = [f"{'groupe':<20} {'appel':<8} {'places':>9} {'libres':>6} {'attente':>7}"]
        for r in rows:
            out.append(f"{r['id']:<20} {_call_label(r):<8} {r['taken']:>4} / {r['capacity']:<2} "
                       f"{r['left']:>6} {r['waiting']:>7}")
        return out

    return emit(args, rows, lines)


def cmd_groups_list(settings: Settings, args: argparse.Namespace) -> int:
    rows = _rows(read_state(settings), utc_now())

    def lines() -> list[str]:
        return [f"{r['id']:<20} {_call_label(r):<8} {r['title']} — première rencontre "
                f"{r['first_meeting'][:10]}, {r['place']}" for r in rows]

    return emit(args, rows, lines)


def cmd_groups_show(settings: Settings, args: argparse.Namespace) -> int:
    state = read_state(settings)
    if args.group not in state.groups:
        raise StaffActionError(f"unknown group {args.group!r}; known groups: {', '.join(state.groups)}")
    group = state.groups[args.group]
    row = next(r for r in _rows(state, utc_now()) if r["id"] == args.group)
    row.update({
        "context": group.context, "participants": group.participants,
        "commitment": group.commitment, "quotas": {"coastal": group.quota_coastal,
                                                   "inland": group.quota_inland},
        "criteria": {"roles": [r.value for r in group.criteria.roles or ()],
                     "excluded_territories": [t.value for t in group.criteria.excluded_territories],
                     "scale": group.criteria.scale.value if group.criteria.scale else None,
                     "fte_below": group.criteria.fte_below,
                     "max_population": group.criteria.max_population},
        "meeting_sequence": group.first_meeting.sequence,
    })

    def lines() -> list[str]:
        tz = settings.tz
        out = [f"« {group.title} » ({group.id})",
               f"appel : {_call_label(row)}" + (f" — {row['closed_reason']}" if row["closed_reason"] else ""),
               f"places : {row['taken']} / {row['capacity']} prises, {row['left']} libres, "
               f"{row['waiting']} en liste d’attente",
               f"première rencontre : {format_date_fr(group.first_meeting.starts_at, tz)}, "
               f"{group.first_meeting.place}"]
        if group.closes_at:
            out.append(f"clôture : {format_date_fr(group.closes_at, tz)}")
        if group.quota_coastal is not None or group.quota_inland is not None:
            out.append(f"quotas : {group.quota_coastal} par département littoral, "
                       f"{group.quota_inland} par autre département")
        return out

    return emit(args, row, lines)


def cmd_groups_set(settings: Settings, args: argparse.Namespace) -> int:
    closes: datetime | str | None = "keep"
    if args.closes_at is not None:
        closes = None if args.closes_at.lower() in ("none", "aucune") else local_time(
            settings, args.closes_at, "--closes-at")
    starts = local_time(settings, args.meeting_date, "--meeting-date") if args.meeting_date else None
    group_id = args.group

    def make(state: State, now: datetime) -> Plan:
        return plan_group_change(state, group_id, now, call=CallStatus(args.call) if args.call else None,
                                 capacity=args.capacity, starts_at=starts, place=args.place,
                                 closes_at=closes)

    def header(plan: Plan) -> list[str]:
        return [*(f"{group_id}: {key} → {value}" for key, value in plan.override.items()),
                *(f"note: {note}" for note in plan.notes)]

    return run_plan(settings, args, make, header=header,
                    done=lambda plan, sent: f"{group_id}: done; {len(sent)} message(s) sent",
                    unchanged=lambda plan: None if plan.override else f"{group_id}: nothing to change")
