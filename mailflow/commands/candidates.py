"""`mailflow candidates list|add|withdraw|refuse|promote`: a group's candidatures, and staff's acts."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from ..config.settings import Settings
from ..core import french
from ..core.decide.places import position
from ..core.decide.staff_plans import Plan, find_group, plan_add, plan_candidate_action
from ..model.values import State, Status
from .common import columns, emit, local_time, read_state, run_plan


def _run(settings: Settings, args: argparse.Namespace, make: Any) -> int:
    return run_plan(settings, args, make)


def cmd_candidates_add(settings: Settings, args: argparse.Namespace) -> int:
    received = local_time(settings, args.received_at, "--received-at") if args.received_at else None

    def make(state: State, now: datetime) -> Plan:
        return plan_add(state, args.group, now, email=args.email, name=args.name,
                        department=args.department, structure=args.structure, role=args.role,
                        received_at=received or now)

    return _run(settings, args, make)


def cmd_candidates_action(settings: Settings, args: argparse.Namespace) -> int:
    return _run(settings, args, lambda state, now: plan_candidate_action(
        state, args.action, args.id, args.reason, now))


def cmd_candidates_list(settings: Settings, args: argparse.Namespace) -> int:
    state = read_state(settings)  # with the groups staff drafted from ideas
    group_id = find_group(state, args.group)
    rows: list[dict[str, Any]] = []
    for cand in state.of_group(group_id):
        rows.append({
            "id": cand.id,
            "status": cand.status.value,
            "position": position(state, cand) if cand.status in (Status.CONFIRMED,
                                                                  Status.WAITLISTED) else None,
            "name": cand.name,
            "email": cand.email,
            "structure": cand.profile.structure,
            "role": cand.profile.role_text,
            "department": cand.profile.department,
            "received_at": cand.received_at.isoformat(),
            "reason": cand.reason,
            "missing": list(cand.missing),
        })

    def lines() -> list[str]:
        if not rows:
            return [f"aucune candidature pour le groupe {group_id}"]
        table = [["n°", "statut", "nom", "adresse", "dép.", "reçue", "précisions"]]
        for cand, r in zip(state.of_group(group_id), rows, strict=True):
            where = french.STATUS[cand.status]
            if r["position"]:
                rank = "place" if cand.status is Status.CONFIRMED else "position"
                where += f" ({rank} {r['position']})"
            extra = r["reason"] or (
                "manque : " + ", ".join(map(french.fact_short, r["missing"])) if r["missing"] else "")
            table.append([cand.id, where, cand.name or "?", cand.email, cand.profile.department or "?",
                          french.format_date_fr(cand.received_at, settings.tz), extra])
        return [f"Candidatures du groupe « {state.groups[group_id].title} » ({group_id}), "
                f"par ordre d’arrivée :", *columns(table)]

    return emit(args, rows, lines)
