"""`[review]`: which replies staff read before they go, who reads them, and when to remind them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..model.enums import LETTERS
from .tomlfile import Table, address, shown

#: The outcomes staff may review, as `X-Mailflow-Outcome` writes them, in the table's order.
KNOWN = tuple(outcome.value for outcome in LETTERS)
EVERY = "all"


@dataclass(frozen=True)
class ReviewSettings:
    """The replies held for review (by their outcome) and who reviews them; none by default."""

    outcomes: tuple[str, ...] = ()
    every: bool = False  # `["all"]`: every letter to a member, whatever its outcome
    reviewers: tuple[str, ...] = ()  # addresses, lower case; the staff's when the file says none
    remind_after_hours: float = 24.0  # a reply waiting this long is shown to the reviewers again
    trust_after: int = 30  # this many sent as drafted in a row: the digest proposes to stop


def load_review(table: Table, staff: tuple[str, ...]) -> ReviewSettings:
    """The `[review]` table (absent: nothing waits); unknown outcomes are refused, with the
    known ones listed."""
    named = table.strings("outcomes", [])
    every = EVERY in named
    if every and len(named) > 1:
        raise table.fail("outcomes", f"« {EVERY} » se suffit à lui-même : écrivez [\"{EVERY}\"] "
                                     "ou la liste des types de réponses")
    for i, value in enumerate(named):
        if value != EVERY and value not in KNOWN:
            near = difflib.get_close_matches(value, KNOWN, n=1, cutoff=0.6)
            hint = f" ; vouliez-vous dire « {near[0]} » ?" if near else ""
            raise table.fail(f"outcomes[{i}]", f"type de réponse inconnu {shown(value)}{hint} ; "
                                               f"valeurs possibles : {', '.join(KNOWN)}, ou {EVERY}")
    reviewers = tuple(address(table, "reviewers", r) for r in table.strings("reviewers", list(staff)))
    if not reviewers:
        raise table.fail("reviewers", "au moins une adresse (par défaut : network.staff)")
    return ReviewSettings(
        outcomes=KNOWN if every else tuple(dict.fromkeys(named)),
        every=every,
        reviewers=reviewers,
        remind_after_hours=table.positive("remind_after_hours", 24.0),
        trust_after=table.at_least("trust_after", 30, 1),
    )
