"""`mailflow status` and `mailflow groups list|show|open|close|set`: the calls, and changing them."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from ..app import views
from ..app.wiring import utc_now
from ..config.settings import Settings
from ..core.french import CALL, ROLE, SCALE, TERRITORY, fact_short, format_date_fr, number, plural
from ..model.values import CallStatus, Group
from .common import columns, desk, emit, local_time, override_lines, tell


def _call_label(row: dict[str, Any]) -> str:
    call = CallStatus(row["call"])
    if call is not CallStatus.OPEN:
        return CALL[call]
    if not row["accepting"]:
        return "clos (date passée)"
    return "complet" if row["full"] else CALL[call]


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    seen = views.overview(settings)
    rows = views.group_rows(seen.state, utc_now(), seen.overrides)

    def lines() -> list[str]:
        out = [f"{'groupe':<20} {'appel':<8} {'places':>9} {'libres':>6} {'attente':>7}"]
        for r in rows:
            out.append(f"{r['id']:<20} {_call_label(r):<8} {r['taken']:>4} / {r['capacity']:<2} "
                       f"{r['left']:>6} {r['waiting']:>7}")
        return out + (["", *override_lines(seen.overrides, settings)] if seen.overrides else [])

    return emit(args, rows, lines)


def cmd_groups_list(settings: Settings, args: argparse.Namespace) -> int:
    state = views.state(settings)
    rows = views.group_rows(state, utc_now())

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
    group, row, overrides = views.group_detail(settings, args.group)

    def lines() -> list[str]:
        tz = settings.tz
        out = [f"« {group.title} » ({group.id})",
               f"appel : {_call_label(row)}" + (f" — {row['closed_reason']}" if row["closed_reason"] else ""),
               f"places : {plural(row['taken'], 'prise')} sur {row['capacity']}, "
               f"{plural(row['left'], 'libre')}, "
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
    with desk(settings, args) as staff:
        change = staff.change_group(args.group, call=CallStatus(args.call) if args.call else None,
                                    capacity=args.capacity, starts_at=starts, place=args.place,
                                    closes_at=closes)
    return tell(change, settings, f"Groupe {change.plan.group_id} : rien à changer.")


def cmd_groups_reset(settings: Settings, args: argparse.Namespace) -> int:
    with desk(settings, args) as staff:
        change, keys = staff.reset_group(args.group, args.key)
    what = f"à {', '.join(keys)} " if keys else ""
    return tell(change, settings, f"Groupe {change.plan.group_id} : l’équipe n’a rien changé {what}; "
                "les valeurs de groups.toml sont déjà en vigueur, rien à rétablir.")
