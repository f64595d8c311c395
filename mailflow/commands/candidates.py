"""`mailflow candidates list|add|withdraw|refuse|promote`: a group's candidatures, and staff's acts."""

from __future__ import annotations

import argparse

from ..app import views
from ..config.settings import Settings
from ..core.french import STATUS, fact_short, format_date_fr
from ..model.values import Status
from .common import columns, desk, emit, local_time, tell


def cmd_candidates_add(settings: Settings, args: argparse.Namespace) -> int:
    received = local_time(settings, args.received_at, "--received-at") if args.received_at else None
    with desk(settings, args) as staff:
        change = staff.add_candidature(args.group, email=args.email, name=args.name,
                                       department=args.department, structure=args.structure,
                                       role=args.role, received_at=received)
    return tell(change, settings)


def cmd_candidates_action(settings: Settings, args: argparse.Namespace) -> int:
    with desk(settings, args) as staff:
        change = staff.act_on_candidature(args.action, args.id, args.reason)
    return tell(change, settings)


def cmd_candidates_list(settings: Settings, args: argparse.Namespace) -> int:
    state, group_id, rows = views.candidatures(settings, args.group)  # drafted groups too

    def lines() -> list[str]:
        if not rows:
            return [f"aucune candidature pour le groupe {group_id}"]
        table = [["n°", "statut", "nom", "adresse", "dép.", "reçue", "précisions"]]
        for cand, r in zip(state.of_group(group_id), rows, strict=True):
            where = STATUS[cand.status]
            if r["position"]:
                rank = "place" if cand.status is Status.CONFIRMED else "position"
                where += f" ({rank} {r['position']})"
            extra = r["reason"] or (
                "manque : " + ", ".join(map(fact_short, r["missing"])) if r["missing"] else "")
            table.append([cand.id, where, cand.name or "?", cand.email, cand.profile.department or "?",
                          format_date_fr(cand.received_at, settings.tz), extra])
        return [f"Candidatures du groupe « {state.groups[group_id].title} » ({group_id}), "
                f"par ordre d’arrivée :", *columns(table)]

    return emit(args, rows, lines)
