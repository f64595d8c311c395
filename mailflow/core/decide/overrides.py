"""Staff's changes to a group where its file says otherwise: which value is in force (told in
French by `core.write.plan_text`), and the plan that goes back to the file's value (`mailflow
groups reset`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ...errors import StaffActionError
from ...model.network import Divergence
from ...model.values import CallStatus, Group, State
from .staff_plans import Plan, find_group, plan_group_change

#: The settings staff may change, as groups.toml names them → the store's field for each.
FIELDS: Mapping[str, str] = {
    "capacity": "capacity",
    "call": "call",
    "closes_at": "closes_at",
    "first_meeting.starts_at": "meeting_starts_at",
    "first_meeting.place": "meeting_place",
}

#: A name that stands for several keys at once (`groups reset GROUP first_meeting`).
KEY_SETS: Mapping[str, tuple[str, ...]] = {
    "first_meeting": ("first_meeting.starts_at", "first_meeting.place"),
}

_VALUES: Mapping[str, Callable[[Group], object]] = {
    "capacity": lambda g: g.capacity,
    "call": lambda g: g.call,
    "closes_at": lambda g: g.closes_at,
    "first_meeting.starts_at": lambda g: g.first_meeting.starts_at,
    "first_meeting.place": lambda g: g.first_meeting.place,
}

GROUPS_FILE = "groups.toml"


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def divergences(configured: Mapping[str, Group], in_force: Mapping[str, Group],
                overrides: Mapping[str, Mapping[str, Any]]) -> list[Divergence]:
    """Every setting staff changed that the groups file now says otherwise, in file order.

    An override equal to the file's value is moot: it is not one of them.
    """
    found: list[Divergence] = []
    for group_id, from_file in configured.items():
        override, group = overrides.get(group_id) or {}, in_force.get(group_id)
        if group is None:
            continue
        changed = override.get("changed")
        changed = changed if isinstance(changed, Mapping) else {}
        for key, field in FIELDS.items():
            file_value, value = _VALUES[key](from_file), _VALUES[key](group)
            if field not in override or file_value == value:
                continue
            origin = changed.get(field)
            origin = origin if isinstance(origin, Mapping) else {}
            by = origin.get("by")
            found.append(Divergence(group_id, key, file_value, value, _when(origin.get("at")),
                                    by if isinstance(by, str) and by else None))
    return found


def divergence_json(item: Divergence) -> dict[str, Any]:
    """The same for programs (`--json`): values as the configuration writes them."""
    def plain(value: object) -> object:
        if isinstance(value, CallStatus):
            return value.value
        return value.isoformat() if isinstance(value, datetime) else value

    return {"key": item.key, "file": plain(item.in_file), "in_force": plain(item.in_force),
            "changed_at": item.at.isoformat() if item.at else None, "changed_by": item.by}


def reset_keys(asked: Sequence[str]) -> list[str]:
    """The keys `groups reset` was asked for, as groups.toml names them (« closes-at » too)."""
    keys: list[str] = []
    for word in asked:
        key = word.strip().lower().replace("-", "_")
        if key in KEY_SETS:
            keys += KEY_SETS[key]
        elif key in FIELDS:
            keys.append(key)
        else:
            known = ", ".join([*FIELDS, *KEY_SETS])
            raise StaffActionError(f"clé inconnue « {word} » ; clés possibles : {known}")
    return [k for k in FIELDS if k in keys]


def plan_group_reset(state: State, group_id: str, configured: Mapping[str, Group],
                     override: Mapping[str, Any], keys: Sequence[str], now: datetime) -> Plan:
    """Back to the groups file's values: every key staff changed, or those named. Whoever the
    change concerns is told as for any change (a new date, places that promote the waiting list)."""
    group_id = find_group(state, group_id)
    from_file = configured.get(group_id)
    if from_file is None:
        raise StaffActionError(f"le groupe « {group_id} » n’est pas dans {GROUPS_FILE} (il a été "
                               "préparé à partir d’une idée) : pas de valeur du fichier où revenir")
    wanted = list(keys) or list(FIELDS)
    fields = [FIELDS[k] for k in wanted if FIELDS[k] in override]
    meeting = from_file.first_meeting
    current = state.groups[group_id].first_meeting
    if "meeting_starts_at" in fields and meeting.starts_at != current.starts_at and meeting.starts_at <= now:
        raise StaffActionError(f"{GROUPS_FILE} : la première rencontre du groupe {group_id} "
                               f"(first_meeting.starts_at) est passée ; corrigez le fichier avant d’y "
                               "revenir")
    plan = plan_group_change(
        state, group_id, now,
        call=from_file.call if "call" in fields else None,
        capacity=from_file.capacity if "capacity" in fields else None,
        starts_at=meeting.starts_at if "meeting_starts_at" in fields else None,
        place=meeting.place if "meeting_place" in fields else None,
        closes_at=from_file.closes_at if "closes_at" in fields else "keep")
    reset = [k for k in wanted if FIELDS[k] in fields]
    # The invitations' SEQUENCE stays with the store: a meeting moved back is a new invitation.
    kept = {k: v for k, v in plan.override.items() if k == "meeting_sequence"}
    return replace(plan, action="group-reset",
                   summary=(f"Retour aux valeurs de {GROUPS_FILE} pour le groupe « {from_file.title} » "
                            f"({group_id}) : {', '.join(reset)}"),
                   override=kept, reset=tuple(fields),
                   history={"group": group_id, "reset": reset, "changes": plan.override,
                            "was": plan.history.get("was", {})})
