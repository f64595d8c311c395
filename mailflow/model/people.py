"""What members tell of themselves: figures as people write them, and the profile they add up to."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .enums import Role, Scale, Territory


@dataclass(frozen=True)
class Figure:
    """What a member said of a quantity: low ≤ x ≤ high, an end excluded where it is open.

    `people`: the member counted people, not full-time equivalents (« on est 3 », « 11
    salariés »): low and high are that count, and the team's ETP is at most `high` (part-time
    may hide in it), so a criterion on ETP is settled only when that bound settles it."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    said: str = field(default="", compare=False)  # the member's words, for replies to quote
    people: bool = False

    @classmethod
    def exact(cls, value: float, said: str = "") -> Figure:
        return cls(value, value, said=said)

    @property
    def is_exact(self) -> bool:
        return self.low == self.high and not (self.low_open or self.high_open or self.people)

    @property
    def value(self) -> float | None:
        """One number for tables: the exact value, else the middle of a bounded range."""
        if self.is_exact:
            return self.low
        if self.high != math.inf and self.low > 0 and not self.people:
            return (self.low + self.high) / 2
        return None

    def below(self, limit: float) -> bool | None:
        """Strictly below `limit`: True, False, or None when the figure cannot tell."""
        if self.high < limit or (self.high == limit and self.high_open):
            return True
        if self.low >= limit and not self.people:
            return False
        return None

    def at_most(self, limit: float) -> bool | None:
        """At most `limit`: True, False, or None when the figure cannot tell."""
        if self.high <= limit:
            return True
        if (self.low > limit or (self.low == limit and self.low_open)) and not self.people:
            return False
        return None

    def narrowed(self, other: Figure) -> Figure:
        """Both statements at once (« moins de 10 ETP, 8 exactement » is 8). Two that contradict
        each other (« 6 ETP, 12 ETP en haute saison ») span both: a criterion between them is
        asked about, never decided on one of them. A figure in ETP says more than a count of
        people (« 11 salariés pour 8,5 ETP » is 8,5)."""
        if self.people != other.people:
            return other if self.people else self
        if self.low == other.low:
            low, low_open = self.low, self.low_open or other.low_open
        else:
            low, low_open = max((self.low, self.low_open), (other.low, other.low_open))
        if self.high == other.high:
            high, high_open = self.high, self.high_open or other.high_open
        else:
            high, high_open = min((self.high, self.high_open), (other.high, other.high_open))
        said = " ; ".join(w for w in (self.said, other.said) if w)
        if low > high or (low == high and (low_open or high_open)):
            return Figure(min(self.low, other.low), max(self.high, other.high), said=said,
                          people=self.people)
        return Figure(low, high, low_open, high_open, said, self.people)


@dataclass(frozen=True)
class Profile:
    """What a member tells about themselves; None where the message does not say."""

    name: str | None = None
    structure: str | None = None
    role: Role | None = None
    role_text: str | None = None
    department: str | None = None
    fte: Figure | None = None  # full-time equivalents, as said (a range when approximate)
    population: Figure | None = None  # of the largest town of the territory
    territories: frozenset[Territory] = frozenset()
    not_territories: frozenset[Territory] = frozenset()
    scale: Scale | None = None

    @property
    def tells_something(self) -> bool:
        """Whether any fact of a candidature is known (a name alone comes from the From)."""
        return any((self.structure, self.role, self.department, self.fte, self.population,
                    self.territories, self.not_territories, self.scale))

    def merged(self, newer: Profile) -> Profile:
        """This profile completed by what a later message tells (later values win)."""
        return Profile(
            name=newer.name or self.name,
            structure=newer.structure or self.structure,
            role=newer.role or self.role,
            role_text=newer.role_text or self.role_text,
            department=newer.department or self.department,
            fte=newer.fte if newer.fte is not None else self.fte,
            population=newer.population if newer.population is not None else self.population,
            territories=(self.territories - newer.not_territories) | newer.territories,
            not_territories=(self.not_territories - newer.territories) | newer.not_territories,
            scale=newer.scale or self.scale,
        )


@dataclass(frozen=True)
class Applicant:
    """Someone a member applies for (« j'inscris ma collègue… »): her address, when the message
    gives it, and her name."""

    email: str | None
    name: str | None
