"""The departments and groups files: read, checked, and turned into the model's values."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from ..model.values import CallStatus, Criteria, Department, Fact, Group, Meeting, Role, Scale, Territory
from .tomlfile import Table, entry_label, local_time, read_toml, shown, values

PROFILE_FIELDS = tuple(f.value for f in Fact if f is not Fact.GROUP)


def load_departments(file: Path) -> dict[str, Department]:
    """The departments file: code → Department."""
    root = Table(file, "", read_toml(file, "fichier des départements"))
    entries = root.get("department", list)
    departments: dict[str, Department] = {}
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise root.fail(f"department n° {i + 1}", "table attendue")
        table = Table(file, "", raw, label=entry_label("département", i + 1, raw.get("code")))
        code = table.text("code")
        if code in departments:
            raise table.fail("code", f"le département {code} figure deux fois")
        departments[code] = Department(code, table.text("name"), table.get("coastal", bool))
        table.check_unknown()
    if not departments:
        raise root.fail("department", "aucun département")
    root.check_unknown()
    return departments


def _criteria(table: Table) -> Criteria:
    roles_raw = table.get("roles", list, None, required=False)
    roles = (
        tuple(table.choice("roles", Role, str(r), values(Role)) for r in roles_raw)
        if roles_raw else None
    )
    excluded = tuple(
        table.choice("excluded_territories", Territory, t, values(Territory))
        for t in table.strings("excluded_territories", [])
    )
    scale_raw = table.get("scale", str, None, required=False)
    fte = table.get("fte_below", float, None, required=False)
    population = table.get("max_population", int, None, required=False)
    return Criteria(
        roles=roles,
        excluded_territories=excluded,
        scale=table.choice("scale", Scale, scale_raw, values(Scale)) if scale_raw else None,
        fte_below=fte,
        max_population=population,
    )


def _positive(table: Table, name: str) -> float | None:
    value = table.get(name, float, None, required=False)
    if value is not None and value <= 0:
        raise table.fail(name, f"doit être positif, trouvé {value:g}")
    return value


def _group(table: Table, tz: ZoneInfo) -> Group:
    group_id = table.text("id")
    if not group_id.replace("-", "").isalnum() or group_id != group_id.lower() or not group_id.isascii():
        raise table.fail("id", f"lettres minuscules sans accent, chiffres et tirets, trouvé "
                               f"{shown(group_id)}")
    capacity = table.get("capacity", int)
    if capacity < 1:
        raise table.fail("capacity", f"doit valoir au moins 1, trouvé {capacity}")
    quotas = table.table("quotas", required=False)
    meeting = table.table("first_meeting")
    required = table.strings("required", ["name", "structure", "role", "department"])
    for item in required:
        if item not in PROFILE_FIELDS:
            raise table.fail("required", f"champ inconnu {shown(item)} ; champs possibles : "
                                         f"{', '.join(PROFILE_FIELDS)}")
    starts_at = local_time(meeting, "starts_at", tz, required=True, with_time=True)
    assert starts_at is not None
    return Group(
        id=group_id,
        title=table.text("title"),
        aliases=table.strings("aliases", []),
        context=table.text("context"),
        objectives=table.strings("objectives", []),
        participants=table.text("participants"),
        capacity=capacity,
        quota_coastal=quotas.get("coastal", int, None, required=False),
        quota_inland=quotas.get("inland", int, None, required=False),
        criteria=_criteria(table.table("criteria", required=False)),
        required=required,
        first_meeting=Meeting(starts_at, meeting.text("place")),
        commitment=table.text("commitment"),
        call=table.choice("call", CallStatus, table.text("call", "open"), values(CallStatus)),
        closes_at=local_time(table, "closes_at", tz, required=False),
        confirm_within_hours=_positive(table, "confirm_within_hours"),
    )


def load_groups(file: Path, tz: ZoneInfo) -> dict[str, Group]:
    """The groups file: id → Group, in file order."""
    root = Table(file, "", read_toml(file, "fichier des groupes"))
    groups: dict[str, Group] = {}
    for i, raw in enumerate(root.get("group", list)):
        if not isinstance(raw, dict):
            raise root.fail(f"group n° {i + 1}", "table attendue ([[group]])")
        table = Table(file, "", raw, label=entry_label("groupe", i + 1, raw.get("id")))
        group = _group(table, tz)
        if group.id in groups:
            raise table.fail("id", f"le groupe « {group.id} » est défini deux fois")
        table.check_unknown()
        groups[group.id] = group
    root.check_unknown()
    return groups
