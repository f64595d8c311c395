"""Profile rules as data: each says pass, fail with a reason the member reads, or what is missing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..model import Department, Group, Profile, Role, Scale, Territory
from .french import TERRITORY


@dataclass(frozen=True)
class Verdict:
    """A rule's answer: a refusal reason, a missing field, or neither (the rule passes)."""

    refusal: str = ""
    missing: str = ""


PASS = Verdict()


def _number(value: float) -> str:
    """A number as French writes it: 6,5 and 20 000 (narrow no-break space)."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def role_rule(group: Group, profile: Profile) -> Verdict:
    allowed = group.criteria.roles
    if not allowed:
        return PASS
    if profile.role is None:
        return Verdict(missing="role")
    if profile.role in allowed:
        return PASS
    told = f" ; votre message indique « {profile.role_text} »" if profile.role_text else ""
    if allowed == (Role.DIRECTOR,):
        return Verdict(f"ce groupe est réservé aux directeurs et directrices d’office de tourisme{told}")
    return Verdict(f"votre fonction ne correspond pas aux participants attendus{told}")


def territory_rule(group: Group, profile: Profile) -> Verdict:
    excluded = group.criteria.excluded_territories
    if not excluded:
        return PASS
    clash = [t for t in excluded if t in profile.territories]
    if clash:
        words = " ni ".join(TERRITORY[t] for t in excluded)
        return Verdict(
            f"ce groupe s’adresse aux offices de territoires ni {words} ; "
            f"votre message indique un territoire {TERRITORY[clash[0]]}"
        )
    # "Rural" answers the question; so does saying it is none of the excluded kinds.
    if Territory.RURAL in profile.territories or all(t in profile.not_territories for t in excluded):
        return PASS
    return Verdict(missing="territory")


def scale_rule(group: Group, profile: Profile) -> Verdict:
    wanted = group.criteria.scale
    if wanted is None:
        return PASS
    if profile.scale is None:
        return Verdict(missing="scale")
    if wanted is Scale.INTERCOMMUNAL and profile.scale is Scale.COMMUNAL:
        return Verdict(
            "ce groupe s’adresse aux offices intervenant au moins à l’échelle intercommunale ; "
            "votre message indique un office communal"
        )
    return PASS


def fte_rule(group: Group, profile: Profile) -> Verdict:
    limit = group.criteria.fte_below
    if limit is None:
        return PASS
    if profile.fte is None:
        return Verdict(missing="fte")
    if profile.fte >= limit:
        return Verdict(
            f"ce groupe s’adresse aux structures de moins de {_number(limit)} ETP ; "
            f"votre message en indique {_number(profile.fte)}"
        )
    return PASS


def population_rule(group: Group, profile: Profile) -> Verdict:
    limit = group.criteria.max_population
    if limit is None:
        return PASS
    if profile.population is None:
        return Verdict(missing="population")
    if profile.population > limit:
        return Verdict(
            f"ce groupe s’adresse aux territoires dont la plus grande commune compte au plus "
            f"{_number(limit)} habitants ; votre message indique {_number(profile.population)} habitants"
        )
    return PASS


@dataclass(frozen=True)
class Rule:
    """A named profile rule."""

    name: str
    check: Callable[[Group, Profile], Verdict]


PROFILE_RULES: tuple[Rule, ...] = (
    Rule("role", role_rule),
    Rule("territory", territory_rule),
    Rule("scale", scale_rule),
    Rule("fte", fte_rule),
    Rule("population", population_rule),
)

_TOLD: dict[str, Callable[[Profile], object]] = {
    "name": lambda p: p.name,
    "structure": lambda p: p.structure,
    "role": lambda p: p.role,
    "department": lambda p: p.department,
    "fte": lambda p: p.fte,
    "population": lambda p: p.population,
    "territory": lambda p: p.territories or None,
    "scale": lambda p: p.scale,
}


def evaluate(group: Group, profile: Profile) -> tuple[str, tuple[str, ...]]:
    """The first refusal reason ("" if none) and every missing field, in the form's order."""
    missing = [f for f in group.required if _TOLD[f](profile) is None]
    for rule in PROFILE_RULES:
        verdict = rule.check(group, profile)
        if verdict.refusal:
            return verdict.refusal, ()
        if verdict.missing and verdict.missing not in missing:
            missing.append(verdict.missing)
    return "", tuple(missing)


def department_label(departments: Mapping[str, Department], code: str) -> str:
    """A department as replies name it: « Dordogne (24) »."""
    department = departments.get(code)
    if department is None:
        return code
    return f"{department.name} ({code})"
