"""Whether a message asks for several actions at once (« Promouvoir C0003 et C0004 », two lines
each with its action and its object): mailflow does one per message, so that none is half done."""

from __future__ import annotations

import re

from ....model.values import State
from .mentions import find_candidatures, find_groups, find_ideas
from .request import Words, cues_in

#: Actions that are one change seen from two sides (a meeting's day and place, a call closed now
#: or on a date, an idea's steps).
_FAMILY = {"place": "meeting", "deadline": "close", "idea_decline": "idea", "idea_validate": "idea",
           "idea_advance": "idea", "idea_draft": "idea"}
#: Two candidatures' numbers side by side: « C0003 et C0004 », « c3, c4 ».
_IDS = re.compile(r"\bc ?0*\d{1,5}(?: ?(?:,|et|&|\+|puis) ?(?:la |le )?c ?0*\d{1,5})+\b")
#: Where the action's own words end and its reason or an aside begins.
_ASIDE = re.compile(r":|\bcar\b|\bparce\b|\ba la place\b|\bau lieu\b|\bdoublon\b|\bcomme\b|\bvoir\b|\(")


def several(words: Words, state: State) -> bool:
    """Whether the message's own words ask for more than one action (see the module)."""
    body = words.plain.partition("\n")[2]
    lines = [line for line in body.split("\n") if line.strip()]
    if any(_enumerated(_action_part(line), state) for line in lines):
        return True
    asked: list[tuple[frozenset[str], frozenset[str]]] = []
    for line in lines:
        strong = frozenset(_FAMILY.get(a, a) for a, score in cues_in([(line, 1.0)]).items() if score >= 2)
        objects = _objects(line, words.top, state)
        if strong and objects:
            asked.append((strong, objects))
    # two actions, or one action on two different objects, each on its own line
    return any(not (a & b) or not (oa & ob) for i, (a, oa) in enumerate(asked) for b, ob in asked[i + 1:])


def _action_part(line: str) -> str:
    aside = _ASIDE.search(line)
    return line[:aside.start()] if aside else line


def _enumerated(part: str, state: State) -> bool:
    """Two numbers, or two groups named in full, joined in the action's own words."""
    if _IDS.search(part):
        return True
    named = [m for m in find_groups(part, state.groups) if m.score >= 3]
    return len(named) >= 2 and bool(re.search(r"\bet\b|,|&", part))


def _objects(line: str, original: str, state: State) -> frozenset[str]:
    """What one line names surely: groups, candidatures, ideas."""
    found = [m.id for m in find_groups(line, state.groups) if m.score >= 2]
    found += [m.id for m in find_candidatures(line, original, state) if m.score >= 2]
    found += [m.id for m in find_ideas(line, state) if m.score >= 2]
    return frozenset(found)
