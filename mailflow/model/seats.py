"""The places of a group: each holder has its own number, 1 to capacity, which it keeps."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from .enums import Status


class Seated(Protocol):
    """What a place is given to (a candidature)."""

    @property
    def id(self) -> str: ...
    @property
    def group_id(self) -> str: ...
    @property
    def status(self) -> Status: ...
    @property
    def seat(self) -> int | None: ...


C = TypeVar("C", bound=Seated)
#: A group's candidatures in arrival order, by the group's id.
OfGroup = Callable[[str], Sequence[Any]]


def seats(of_group: OfGroup, group_id: str) -> dict[str, int]:
    """Each holder's place in the group: the one it was given, else (a record from before places
    were kept) the smallest free one, in arrival order."""
    holders = [c for c in of_group(group_id) if c.status.holds_place]
    given: dict[str, int] = {c.id: c.seat for c in holders if c.seat is not None}
    taken = set(given.values())
    for cand in holders:
        if cand.id not in given:
            given[cand.id] = _smallest_free(taken)
            taken.add(given[cand.id])
    return given


def free_seat(of_group: OfGroup, group_id: str) -> int:
    """The place a new holder of the group takes: the smallest no holder has."""
    return _smallest_free(set(seats(of_group, group_id).values()))


def seated(of_group: OfGroup, changed: Iterable[C]) -> list[C]:
    """The candidatures with their places: a holder keeps its place or takes the smallest free
    one, in the order given; one that no longer holds a place gives it back."""
    changed = list(changed)
    ids = {c.id for c in changed}
    taken: dict[str, set[int]] = {}
    out: list[C] = []
    for cand in changed:
        group = cand.group_id
        if cand.status.holds_place:
            if group not in taken:  # the places of those the change leaves as they are
                taken[group] = {n for i, n in seats(of_group, group).items() if i not in ids} | {
                    c.seat for c in changed if c.seat is not None and c.group_id == group
                    and c.status.holds_place}
            if cand.seat is None:
                seat = _kept(of_group, cand, taken[group])
                cand = replace(cand, seat=seat)  # type: ignore[type-var]
                taken[group].add(seat)
        elif cand.seat is not None:
            cand = replace(cand, seat=None)  # type: ignore[type-var]
        out.append(cand)
    return out


def _kept(of_group: OfGroup, cand: Seated, taken: set[int]) -> int:
    """The place of a holder from before places were kept (its record has none) as it was told,
    else the smallest free one."""
    stored = next((c for c in of_group(cand.group_id) if c.id == cand.id), None)
    if stored is not None and stored.seat is None and stored.status.holds_place:
        before = seats(of_group, cand.group_id).get(cand.id)
        if before is not None and before not in taken:
            return before
    return _smallest_free(taken)


def _smallest_free(taken: set[int]) -> int:
    return next(n for n in range(1, len(taken) + 2) if n not in taken)
