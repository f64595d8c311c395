"""Figures as people write them (« environ 12 500 », « moins de 10 », « une dizaine »): ranges.

A figure is an interval with open or closed ends and the words it came from. A criterion is
settled when the whole interval is on one side of it (« moins de 10 ETP » is fewer than 10), and
asked about when it straddles it (« environ 20 000 » against « at most 20 000 »).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True)
class Figure:
    """What a member said of a quantity: low ≤ x ≤ high, an end excluded where it is open."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    said: str = ""  # the member's words, for replies that quote them

    @classmethod
    def exact(cls, value: float, said: str = "") -> Figure:
        return cls(value, value, said=said)

    @property
    def is_exact(self) -> bool:
        return self.low == self.high and not (self.low_open or self.high_open)

    @property
    def value(self) -> float | None:
        """One number for tables: the exact value, else the middle of a bounded range."""
        if self.is_exact:
            return self.low
        if math.isfinite(self.high) and self.low > 0:
            return (self.low + self.high) / 2
        return None

    def below(self, limit: float) -> bool | None:
        """Strictly below `limit`: True, False, or None when the figure cannot tell."""
        if self.high < limit or (self.high == limit and self.high_open):
            return True
        if self.low >= limit:
            return False
        return None

    def at_most(self, limit: float) -> bool | None:
        """At most `limit`: True, False, or None when the figure cannot tell."""
        if self.high <= limit:
            return True
        if self.low > limit or (self.low == limit and self.low_open):
            return False
        return None

    def narrowed(self, other: Figure) -> Figure:
        """Both statements at once (« moins de 10 ETP, 8 exactement » is 8); the later one when
        they contradict each other."""
        low, low_open = max((self.low, self.low_open), (other.low, other.low_open))
        high, high_open = min((self.high, not self.high_open), (other.high, not other.high_open))
        if low > high or (low == high and (low_open or not high_open)):
            return other
        said = other.said if other.said else self.said
        return Figure(low, high, low_open, not high_open, said)


# --- reading -------------------------------------------------------------------------------------
#
# The text is folded (lower case, no accents) and its numbers in words turned into digits first
# (text2num: « douze mille cinq cents » → 12500); the patterns below read what surrounds them.

_THOUSANDS = r"\d{1,3}(?:[ .]\d{3})+(?![\d.,]\d)"
NUMBER = rf"(?:{_THOUSANDS}|\d+(?:[.,]\d+)?)(?:\s?k(?![a-z]))?"
_APPROX_WORDS = {  # « une dizaine » and its kin: the range people mean
    "dizaine": (8, 12), "douzaine": (10, 14), "quinzaine": (13, 17), "vingtaine": (17, 23),
    "trentaine": (27, 33), "quarantaine": (37, 43), "cinquantaine": (45, 55), "centaine": (90, 110),
    "millier": (800, 1200),
}
APPROX_WORD = rf"(?:une?|d'une?) (?:petite |bonne )?(?:{'|'.join(_APPROX_WORDS)})(?: de| d')?"

# Words before a number and the range they make of it, as (low factor, low open, high factor,
# high open); None stands for 0 below or infinity above.
_BEFORE: tuple[tuple[str, tuple[float | None, bool, float | None, bool]], ...] = (
    (r"un (?:petit )?peu (?:plus|au-dessus) de|legerement (?:plus|au-dessus) de|a peine plus de"
     r"|un poil plus de", (1.0, True, 1.15, False)),
    (r"un (?:petit )?peu moins de|legerement moins de|un poil moins de", (0.85, False, 1.0, True)),
    (r"pres de|presque|quasiment|pas loin de|a peine moins de|bientot", (0.9, False, 1.0, False)),
    (r"environ|env\.?|a peu pres|approximativement|autour de|aux alentours de|grosso modo|dans les"
     r"|de l'ordre de|a vue de nez|~|±", (0.9, False, 1.1, False)),
    (r"pas plus de|au plus|au maximum|maximum|max\.?|jusqu'a|tout au plus|<=|≤", (None, False, 1.0,
                                                                                  False)),
    (r"moins de|inferieure? a|en dessous de|sous les|<", (None, False, 1.0, True)),
    (r"au moins|au minimum|minimum|pas moins de|>=|≥", (1.0, False, None, False)),
    (r"plus de|superieure? a|au-dela de|au-dessus de|>", (1.0, True, None, False)),
)
_BEFORE_PATTERNS = tuple((re.compile(rf"(?:^|[\s(:])(?:{words})\s*$"), shape)
                         for words, shape in _BEFORE)
_EXACT_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?(?:exactement|tout rond|pile|precisement|tout juste)\b")
_APPROX_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?(?:environ|a peu pres|approximativement|grosso modo)\b")
_MAX_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?(?:au plus|maximum|max\b|au maximum|tout au plus)")
_HALF_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?et demie?\b")
_RANGE = re.compile(rf"(?:entre\s+)?(?P<a>{NUMBER})\s*(?:et|a|-|/)\s*(?P<b>{NUMBER})(?=\s*[a-z])")


def number(text: str) -> float:
    """A number as written: « 12 500 », « 12.500 », « 4,5 », « 4.5 », « 7k »."""
    text = text.strip()
    scale = 1
    if text.endswith("k"):
        text, scale = text[:-1].strip(), 1000
    if re.fullmatch(_THOUSANDS, text):
        return float(re.sub(r"[ .]", "", text)) * scale
    return float(text.replace(",", ".")) * scale


def _shape(value: float, shape: tuple[float | None, bool, float | None, bool], said: str) -> Figure:
    low_factor, low_open, high_factor, high_open = shape
    low = 0.0 if low_factor is None else value * low_factor
    high = INF if high_factor is None else value * high_factor
    if low_factor is None:
        low_open = False
    return Figure(low, high, low_open, high_open, said)


def reading(before: str, token: str, after: str, said: str) -> Figure:
    """The figure `token` stands for, read with the words just before and after it (folded)."""
    approx = re.fullmatch(rf"(?:une?|d'une?) (?:petite |bonne )?(?P<w>{'|'.join(_APPROX_WORDS)})"
                          r"(?: de| d')?", token.strip())
    if approx:
        low, high = _APPROX_WORDS[approx["w"]]
        return Figure(low, high, said=said)
    ranged = _RANGE.fullmatch(token.strip())
    if ranged:
        a, b = number(ranged["a"]), number(ranged["b"])
        return Figure(min(a, b), max(a, b), said=said)
    value = number(token)
    if _HALF_AFTER.match(after):
        value += 0.5
    if _EXACT_AFTER.match(after):
        return Figure.exact(value, said)
    if _APPROX_AFTER.match(after):
        return _shape(value, (0.9, False, 1.1, False), said)
    if _MAX_AFTER.match(after):
        return _shape(value, (None, False, 1.0, False), said)
    clause = re.split(r"[,;:.!?\n]| et | mais ", before)[-1] if before else ""
    for pattern, shape in _BEFORE_PATTERNS:
        if pattern.search(clause):
            return _shape(value, shape, said)
    return Figure.exact(value, said)


def describe(figure: Figure, unit: str = "") -> str:
    """A figure in French words, as staff tables show it: « 6,5 », « moins de 10 », « 11 à 14 »."""
    def shown(value: float) -> str:
        text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"
        return text.replace(",", "\u202f").replace(".", ",")

    suffix = f" {unit}" if unit else ""
    if figure.is_exact:
        return shown(figure.low) + suffix
    if figure.high == INF:
        return f"{'plus de' if figure.low_open else 'au moins'} {shown(figure.low)}{suffix}"
    if figure.low == 0:
        return f"{'moins de' if figure.high_open else 'au plus'} {shown(figure.high)}{suffix}"
    return f"{shown(figure.low)} à {shown(figure.high)}{suffix}"
