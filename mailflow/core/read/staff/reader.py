"""A staff member's message read as a colleague reads it: the one action it asks for (or a
choice between readings), what is missing for it, or that it asks nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from ....model.values import CallStatus, StaffVerb, State
from . import actions, person
from .actions import Context, Made
from .evidence import evidence
from .forward import Forwarded
from .lexicon import ASKING
from .mentions import PLACE_ONLY
from .person import new_person
from .request import (
    Command,
    Missing,
    Reading,
    Unclear,
    asks,
    mentions,
    said_nothing_to_do,
    scores,
    talks_to_a_colleague,
    words_of,
)
from .several import each_asked, several

#: How each action is made from the message; the order breaks ties (the more specific first).
BUILDERS: dict[str, Callable[[Context], Made]] = {
    "question_done": actions.question_done,
    "idea_validate": actions.idea_validate,
    "idea_decline": actions.idea_decline,
    "idea_draft": actions.idea_draft,
    "idea_advance": actions.idea_advance,
    "deadline": actions.deadline,
    "meeting": actions.meeting,
    "place": actions.place,
    "capacity": actions.capacity,
    "add": person.add,
    "promote": actions.promote,
    "refuse": actions.refuse,
    "withdraw": actions.withdraw,
    "open": actions.open_,
    "close": actions.close,
}
_ORDER = list(BUILDERS)
#: Below this, a cue only hints: an action is made from it when nothing says more.
ENOUGH = 1.0
#: What a plan needs: a phrase that says the action (a verb alone is asked back).
PLAN = 1.5


def read_request(subject: str, new_text: str, state: State, now: datetime, tz: ZoneInfo, *,
                 forwarded: Forwarded | None = None, quoted: str = "", about: str | None = None,
                 own: tuple[str, ...] = (), thanks: bool = False) -> Reading:
    """What a staff member's message asks for (see `Reading`)."""
    words = words_of(subject, new_text, forwarded, quoted, state)
    ctx = Context(words, mentions(words, state, now, tz), state, now, tz, about, own)
    found = scores(words)
    for action, more in evidence(ctx, dict(found)).items():
        found[action] = found.get(action, 0.0) + more
    closing_a_question = found.get("question_done", 0) >= 2 and bool(ctx.found.questions)
    if said_nothing_to_do(words, thanks, state) and not closing_a_question:
        return Reading()
    weighed = [(a, s + _named_bonus(a, ctx)) for a, s in found.items()]
    ranked = sorted(((a, s) for a, s in weighed if s >= ENOUGH),
                    key=lambda item: (-item[1], _ORDER.index(item[0])))
    made = [(action, score, result) for action, score in ranked
            if (result := BUILDERS[action](ctx)) is not None]
    surely = [r for _a, s, r in made if s >= PLAN and isinstance(r, Command)]
    asked = scores(words)  # the words alone, without the evidence
    for action, score, result in made:
        if isinstance(result, Unclear) and asked.get(action, 0.0) >= 2 and score >= PLAN:
            return Reading(unclear=result)  # what is asked in so many words lacks something: asked back
        if isinstance(result, Command) and _as_it_is(result, state) and len(surely) > 1:
            continue  # « on est à 15 inscrits pour 15 places »: a figure said, not the change asked
        if score < PLAN:
            break  # only hinted at (a verb alone, its object named): asked back, never a plan on a guess
        if isinstance(result, Command | tuple) and result and several(words, state):
            first = result if isinstance(result, Command) else result[0]
            return Reading(unclear=Unclear(Missing.SEVERAL, first.verb, _named(ctx), (),
                                           each_asked(words, state)))
        if isinstance(result, Command):
            return Reading(commands=(result,))
        if isinstance(result, tuple) and result:
            return Reading(commands=result)
    unclear = next((r for _a, _s, r in made if isinstance(r, Unclear)), None)
    if unclear is not None and (asks(words) or ranked[0][1] >= 2):
        return Reading(unclear=unclear)
    requested = bool(ASKING.search(words.plain.replace("?", " ")))  # « peux-tu », « merci de »…
    if not ranked and not _named(ctx, surely=True) and (talks_to_a_colleague(words) or not (
            requested or _OURS.search(words.plain))):
        # « Claire, tu as pu regarder le devis ? », « Qui a laissé la galette dans le frigo ? »:
        # nothing of the mailbox's business named, nothing requested of anyone
        return Reading()
    if asks(words) or (ranked and (ranked[0][1] >= 2 or _named(ctx))):
        return Reading(unclear=Unclear(Missing.ACTION, _verb(ranked), _named(ctx), (), closest(ctx)))
    return Reading()


def _as_it_is(command: Command, state: State) -> bool:
    """A number of places the group has already."""
    group = state.groups.get(command.target)
    return (command.verb is StaffVerb.CAPACITY and group is not None
            and command.fields.get("capacity") == str(group.capacity))


#: What the mailbox deals with: a message that names none of it asks nothing of the mailbox.
_OURS = re.compile(r"\b(?:candidat\w*|inscri\w*|groupes?|gt|places?|idees?|propositions?|questions?|"
                   r"reunions?|rencontres?|appels?|membres?|ot|offices?|liste|attente|mailflow|boite|"
                   r"code|plan|action|capacite|quota|ca|bureau|note)\b")


_ON_CANDIDATURES = ("promote", "refuse", "withdraw")
_ON_IDEAS = ("idea_validate", "idea_decline", "idea_advance", "idea_draft")


def _named_bonus(action: str, ctx: Context) -> float:
    """Between two actions asked as surely, the one whose object the message names surely."""
    found = ctx.found
    if action in _ON_CANDIDATURES:
        return 0.5 if found.candidatures and found.candidatures[0].score >= 2 else 0.0
    if action in _ON_IDEAS:
        return 0.5 if found.ideas and found.ideas[0].score >= 1.5 else 0.0
    if action == "question_done":
        return 0.5 if found.questions and found.questions[0].score >= 2 else 0.0
    if action == "add":  # someone new: an address no candidature has, or a member's mail forwarded
        return 1.0 if new_person(ctx) else 0.0
    if not found.groups:
        return 0.0
    return 0.5 if found.groups[0].score >= 2 else 0.25


def _verb(ranked: list[tuple[str, float]]) -> StaffVerb | None:
    if not ranked:
        return None
    action = ranked[0][0]
    return StaffVerb.MEETING if action == "place" else StaffVerb(action.replace("_", "-"))


def _named(ctx: Context, surely: bool = False) -> tuple[str, ...]:
    """What the message names; `surely`: leaving out a group named only by the town it meets in."""
    found = ctx.found
    groups = [m for m in found.groups[:2] if not surely or m.score > PLACE_ONLY]
    return tuple(m.id for m in [*groups, *found.candidatures[:2], *found.ideas[:1], *found.questions[:1]])


def closest(ctx: Context) -> tuple[Command, ...]:
    """The actions staff may have meant, from what the message names, ready to send."""
    found = ctx.found
    lines: list[Command] = []
    for mention in found.candidatures[:1]:
        cand = ctx.state.candidature(mention.id)
        lines += [Command(StaffVerb.WITHDRAW, mention.id), Command(StaffVerb.REFUSE, mention.id)]
        if cand is not None and cand.status.value == "waitlisted":
            lines.insert(0, Command(StaffVerb.PROMOTE, mention.id))
    for mention in found.groups[:1]:
        group = ctx.state.groups.get(mention.id)
        is_open = group is not None and group.call is CallStatus.OPEN
        # the call's other state only: « Rouvrir » is no help for a call that is open
        lines += [Command(StaffVerb.CLOSE if is_open else StaffVerb.OPEN, mention.id),
                  Command(StaffVerb.CAPACITY, mention.id)]
    for mention in found.ideas[:1]:
        lines += [Command(StaffVerb.IDEA_VALIDATE, mention.id), Command(StaffVerb.IDEA_DECLINE, mention.id)]
    for mention in found.questions[:1]:
        lines.append(Command(StaffVerb.QUESTION_DONE, mention.id))
    return tuple(lines[:4])
