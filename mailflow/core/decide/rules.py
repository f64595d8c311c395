"""Profile rules as data: each says pass, fail with a reason the member reads, or what is missing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ...model.values import Department, Figure, Group, Profile, Role, Scale, Territory
from ..french import TERRITORY, number
from ..read.facts.figures import describe


@dataclass(frozen=True)
class Verdict:
    """A rule's answer: a refusal reason, a missing field, or neither (the rule passes)."""

    refusal: str = ""
    missing: str = ""
    unclear: str = ""  # why what the member said does not settle it (a figure too rough)


PASS = Verdict()


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


def _told(figure: Figure, unit: str = "") -> str:
    """A figure as the member said it when they said it roughly, else its value."""
    return f"« {figure.said} »" if figure.said and not figure.is_exact else describe(figure, unit)


def fte_rule(group: Group, profile: Profile) -> Verdict:
    limit = group.criteria.fte_below
    if limit is None:
        return PASS
    if profile.fte is None:
        return Verdict(missing="fte")
    below = profile.fte.below(limit)
    if below is False:
        return Verdict(
            f"ce groupe s’adresse aux structures de moins de {number(limit)} ETP ; "
            f"votre message en indique {_told(profile.fte)}"
        )
    if below is None:
        return Verdict(missing="fte", unclear=(
            f"vous indiquez « {profile.fte.said or describe(profile.fte)} » : ce groupe s’adresse "
            f"aux structures de moins de {number(limit)} ETP, et ce chiffre ne permet pas de "
            f"savoir si la vôtre en fait partie ; pouvez-vous nous donner le nombre exact d’ETP ?"))
    return PASS


def population_rule(group: Group, profile: Profile) -> Verdict:
    limit = group.criteria.max_population
    if limit is None:
        return PASS
    if profile.population is None:
        return Verdict(missing="population")
    within = profile.population.at_most(limit)
    if within is False:
        return Verdict(
            f"ce groupe s’adresse aux territoires dont la plus grande commune compte au plus "
            f"{number(limit)} habitants ; votre message indique "
            f"{_told(profile.population, 'habitants')}"
        )
    if within is None:
        return Verdict(missing="population", unclear=(
            f"vous indiquez « {profile.population.said or describe(profile.population)} » : ce "
            f"groupe s’adresse aux territoires dont la plus grande commune compte au plus "
            f"{number(limit)} habitants, et ce chiffre ne permet pas de le savoir ; pouvez-vous "
            f"nous donner la population exacte de la plus grande commune ?"))
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


def unclear(group: Group, profile: Profile) -> tuple[str, ...]:
    """What the member said that does not settle a criterion, each with why, for the reply."""
    return tuple(v.unclear for rule in PROFILE_RULES if (v := rule.check(group, profile)).unclear)


def eligible(group: Group, profile: Profile) -> bool:
    """Whether nothing known of the member rules this group out (missing facts do not)."""
    return not evaluate(group, profile)[0]


def department_label(departments: Mapping[str, Department], code: str) -> str:
    """A department as replies name it: « Dordogne (24) »."""
    department = departments.get(code)
    if department is None:
        return code
    return f"{department.name} ({code})"
