"""`mailflow status` and `mailflow groups list|show|open|close|set`: the calls, and changing them."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from ..app.wiring import utc_now
from ..config.settings import Settings
from ..core.decide.overrides import (
    Divergence,
    divergence_json,
    plan_group_reset,
    reset_keys,
)
from ..core.decide.places import call_summary, closed_reason
from ..core.decide.staff_plans import Plan, find_group, plan_group_change
from ..core.french import CALL, ROLE, SCALE, TERRITORY, fact_short, format_date_fr, number, plural
from ..model.values import CallStatus, Group, State, Status
from ..store import Store
from .common import (
    columns,
    emit,
    local_time,
    override_lines,
    read_state,
    read_state_and_overrides,
    run_plan,
)


def _rows(state: State, now: datetime, overrides: list[Divergence] | None = None) -> list[dict[str, Any]]:
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
            **({"overrides": [divergence_json(d) for d in overrides if d.group_id == group.id]}
               if overrides is not None else {}),
        })
    return rows


def _call_label(row: dict[str, Any]) -> str:
    call = CallStatus(row["call"])
    if call is not CallStatus.OPEN:
        return CALL[call]
    if not row["accepting"]:
        return "clos (date passée)"
    return "complet" if row["full"] else CALL[call]


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    state, overrides = read_state_and_overrides(settings)
    rows = _rows(state, utc_now(), overrides)

    def lines() -> list[str]:
        out = [f"{'groupe':<20} {'appel':<8} {'places':>9} {'libres':>6} {'attente':>7}"]
        for r in rows:
            out.append(f"{r['id']:<20} {_call_label(r):<8} {r['taken']:>4} / {r['capacity']:<2} "
                       f"{r['left']:>6} {r['waiting']:>7}")
        return out + (["", *override_lines(overrides, settings)] if overrides else [])

    return emit(args, rows, lines)


def cmd_groups_list(settings: Settings, args: argparse.Namespace) -> int:
    state = read_state(settings)
    rows = _rows(state, utc_now())

    def lines() -> list[str]:
        return columns([[r["id"], _call_label(r), f"« {r['title']} », première rencontre le "
                         f"{format_date_fr(state.groups[r['id']].first_meeting.starts_at, settings.tz)}, "
                         f"{r['place']}"] for r in rows])

    return emit(args, rows, lines)


def criteria_lines(group: Group) -> list[str]:
    """Who may apply to the group, in French, from the one table of words per enum."""
    rules = group.criteria
    out = []
    if rules.roles:
        out.append("fonction : " + " ou ".join(ROLE[r] for r in rules.roles))
    if rules.excluded_territories:
        out.append("territoire : ni " + " ni ".join(TERRITORY[t] for t in rules.excluded_territories))
    if rules.scale is not None:
        out.append(f"échelle d’intervention : {SCALE[rules.scale]} au moins")
    if rules.fte_below is not None:
        out.append(f"équipe : moins de {number(rules.fte_below)} ETP")
    if rules.max_population is not None:
        out.append(f"plus grande commune du territoire : {number(rules.max_population)} habitants "
                   "au plus")
    return out or ["ouvert à tous les profils"]


def quota_line(group: Group) -> str:
    """The group's quotas per department, or that it has none."""
    if group.quota_coastal is None and group.quota_inland is None:
        return "aucun quota par département"

    def per(quota: int | None, where: str) -> str:
        return f"pas de limite par département {where}" if quota is None else (
            f"{plural(quota, 'place')} par département {where}")

    return f"{per(group.quota_coastal, 'littoral')}, {per(group.quota_inland, 'de l’intérieur')}"


def cmd_groups_show(settings: Settings, args: argparse.Namespace) -> int:
    state, every_override = read_state_and_overrides(settings)
    group = state.groups[find_group(state, args.group)]
    overrides = [d for d in every_override if d.group_id == group.id]
    row = next(r for r in _rows(state, utc_now(), overrides) if r["id"] == group.id)
    row.update({
        "context": group.context, "participants": group.participants,
        "commitment": group.commitment, "quotas": {"coastal": group.quota_coastal,
                                                   "inland": group.quota_inland},
        "criteria": {"roles": [r.value for r in group.criteria.roles or ()],
                     "excluded_territories": [t.value for t in group.criteria.excluded_territories],
                     "scale": group.criteria.scale.value if group.criteria.scale else None,
                     "fte_below": group.criteria.fte_below,
                     "max_population": group.criteria.max_population},
        "required": list(group.required),
        "confirm_within_hours": group.confirm_within_hours,
        "meeting_sequence": group.first_meeting.sequence,
    })

    def lines() -> list[str]:
        tz = settings.tz
        out = [f"« {group.title} » ({group.id})",
               f"appel : {_call_label(row)}" + (f" — {row['closed_reason']}" if row["closed_reason"] else ""),
               f"places : {row['taken']} prises sur {row['capacity']}, {row['left']} libres, "
               f"{plural(row['waiting'], 'personne')} en liste d’attente",
               f"première rencontre : {format_date_fr(group.first_meeting.starts_at, tz)}, "
               f"{group.first_meeting.place}"]
        if group.closes_at:
            out.append(f"clôture de l’appel : {format_date_fr(group.closes_at, tz)}")
        out.append(f"quotas : {quota_line(group)}")
        out += ["qui peut candidater :", *(f"  - {line}" for line in criteria_lines(group))]
        out.append("à indiquer : " + ", ".join(fact_short(f) for f in group.required))
        if group.confirm_within_hours is not None:
            out.append(f"engagement à confirmer par le membre dans les "
                       f"{plural(round(group.confirm_within_hours), 'heure')} (double confirmation)")
        return out + override_lines(overrides, settings, prefix=False)

    return emit(args, row, lines)


def cmd_groups_set(settings: Settings, args: argparse.Namespace) -> int:
    closes: datetime | str | None = "keep"
    if args.closes_at is not None:
        closes = None if args.closes_at.lower() in ("none", "aucune") else local_time(
            settings, args.closes_at, "--closes-at")
    starts = local_time(settings, args.meeting_date, "--meeting-date") if args.meeting_date else None

    def make(state: State, now: datetime) -> Plan:
        return plan_group_change(state, args.group, now,
                                 call=CallStatus(args.call) if args.call else None,
                                 capacity=args.capacity, starts_at=starts, place=args.place,
                                 closes_at=closes)

    return run_plan(settings, args, make, unchanged=lambda plan: None if plan.override else
                    f"Groupe {plan.group_id} : rien à changer.")


def cmd_groups_reset(settings: Settings, args: argparse.Namespace) -> int:
    keys = reset_keys([args.key] if args.key else [])

    def make(state: State, now: datetime) -> Plan:
        group_id = find_group(state, args.group)
        # Read under the lock `run_plan` holds: the same committed store as `state`.
        with Store(settings.store_path, read_only=True) as store:
            override = store.group_overrides().get(group_id, {})
        return plan_group_reset(state, group_id, settings.groups, override, keys, now)

    def unchanged(plan: Plan) -> str | None:
        if plan.reset:
            return None
        what = f"à {', '.join(keys)} " if keys else ""
        return (f"Groupe {plan.group_id} : l’équipe n’a rien changé {what}; les valeurs de "
                "groups.toml sont déjà en vigueur, rien à rétablir.")

    return run_plan(settings, args, make, unchanged=unchanged)
