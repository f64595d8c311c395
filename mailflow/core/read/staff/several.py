"""Whether a message asks for several actions at once (« Promouvoir C0003 et C0004 », two lines
each with its action and its object): mailflow does one per message, so that none is half done."""

from __future__ import annotations

import re

from ....model.values import StaffVerb, State
from .mentions import find_candidatures, find_groups, find_ideas
from .request import Command, Words, cues_in
from .slots import new_capacity

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
    asked = [(a, o) for a, o, _said in _asked(words, state, lines)]
    # two actions, or one action on two different objects, each in its own sentence
    return any(not (a & b) or not (oa & ob) for i, (a, oa) in enumerate(asked) for b, ob in asked[i + 1:])


#: The actions whose ready-to-send line needs no more than their object.
_ON_ONE = {"promote": StaffVerb.PROMOTE, "withdraw": StaffVerb.WITHDRAW, "refuse": StaffVerb.REFUSE}
_ON_A_GROUP = {"close": StaffVerb.CLOSE, "open": StaffVerb.OPEN}


def each_asked(words: Words, state: State) -> tuple[Command, ...]:
    """The actions a message asks for at once, each on the object named in its own sentence
    (« Tu peux faire entrer Hélène ? Luc s'est désisté »: a place for Hélène, Luc withdrawn), as
    lines staff may send one by one."""
    body = words.plain.partition("\n")[2]
    found: list[Command] = []
    for actions, objects, said in _asked(words, state, [line for line in body.split("\n") if line.strip()]):
        for action in sorted(actions):
            if action == "capacity":  # « on passe les porteurs à 20 places »: with its figure
                found += [Command(StaffVerb.CAPACITY, o, "", {"capacity": str(total)})
                          for o in sorted(objects)
                          if o in state.groups and (total := new_capacity(said, state.groups[o].capacity))]
            if action in _ON_ONE:
                found += [Command(_ON_ONE[action], o) for o in sorted(objects)
                          if o[:1] == "C" and o[1:].isdigit()]
            elif action in _ON_A_GROUP:
                found += [Command(_ON_A_GROUP[action], o) for o in sorted(objects) if o in state.groups]
    return tuple(c for i, c in enumerate(found) if c not in found[:i])


def _asked(words: Words, state: State, lines: list[str]) -> list[tuple[frozenset[str], frozenset[str], str]]:
    """(actions asked surely, objects named surely, its words) of each sentence that has both."""
    asked: list[tuple[frozenset[str], frozenset[str], str]] = []
    # each sentence on its own: « Tu peux faire entrer Hélène ? Luc s'est désisté » asks two things
    # and each clause joined by « , et » / « , puis »: « on passe les porteurs à 20, et tu fermes les ruraux »
    sentences = [s for line in lines for s in re.split(r"(?<=[?!.])\s+|,\s*(?:et|puis|ensuite)\s+", line)
                 if s.strip()]
    for line in sentences:
        strong = frozenset(_FAMILY.get(a, a) for a, score in cues_in([(line, 1.0)]).items() if score >= 2)
        objects = _objects(line, words.top, state)
        if strong and objects:
            asked.append((strong, objects, line))
    return asked


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
    for m in find_candidatures(line, original, state):
        cand = state.candidature(m.id) if m.score >= 1.5 else None  # « Luc » alone counts
        # a candidature is also its group: « le groupe ruraux » and « c0003 » are one object
        found += [m.id, cand.group_id] if cand is not None else []
    found += [m.id for m in find_ideas(line, state) if m.score >= 2]
    return frozenset(found)
