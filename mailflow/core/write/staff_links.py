"""The actions a staff alert or the digest offers: lines to send back, and their mailto: links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...model.values import IdeaStatus
from ..french.staff import stop_review_line
from .digest import Digest
from .mailto import mailto_link

#: More places offered when a group fills (the line is an example: staff write their figure).
MORE_PLACES = 5


@dataclass(frozen=True)
class Action:
    """One action offered to staff: a label, the line that asks for it, the link that sends it."""

    label: str
    line: str
    link: str


def _action(address: str, label: str, line: str) -> Action:
    return Action(label, line, mailto_link(address, label, line))


def alert_actions(kind: str, facts: Mapping[str, str], address: str) -> list[Action]:
    """What staff can answer to an alert, written to the mailbox (see core.staffwords)."""
    if kind == "group-full" and facts.get("group"):
        title = facts["group"]
        capacity = int(facts["capacity"]) if facts.get("capacity", "").isdigit() else 0
        return [_action(address, "Clore l’appel", f"Clore l’appel du groupe « {title} »"),
                _action(address, "Ajouter des places",
                        f"Passer la capacité du groupe « {title} » à {capacity + MORE_PLACES} places")]
    if kind == "question" and facts.get("question"):
        return [_action(address, "Réponse envoyée", f"Réponse envoyée {facts['question']}")]
    return []


def digest_actions(digest: Digest, address: str) -> list[Action]:
    """What the digest offers: the questions to close, the next waiting member, the ideas."""
    actions = [_action(address, f"Réponse envoyée {q.id}", f"Réponse envoyée {q.id}")
               for q in digest.questions]
    for g in digest.groups:
        if g.waiting and not g.closed_reason:
            first = g.waiting[0][1]
            actions.append(_action(address, f"Promouvoir {first.id}",
                                   f"Promouvoir {first.id} ({first.name or first.email}, "
                                   f"groupe « {g.group.title} »)"))
        if g.call.places_left == 0 and not g.closed_reason:
            actions.append(_action(address, f"Clore l’appel « {g.group.title} »",
                                   f"Clore l’appel du groupe « {g.group.title} »"))
    for trusted in digest.reviews.proposals if digest.reviews else ():  # see [review]
        line = stop_review_line(trusted.outcome)
        actions.append(_action(address, line, line))
    for idea in digest.ideas:
        if idea.status is IdeaStatus.NOTE_RECEIVED:
            actions.append(_action(address, f"Valider l’idée {idea.id}",
                                   f"Valider l’idée {idea.id} (CA du …)"))
        elif idea.status is IdeaStatus.VALIDATED:
            actions.append(_action(address, f"Préparer le groupe de l’idée {idea.id}",
                                   f"Préparer le groupe de l’idée {idea.id}"))
        elif idea.status in (IdeaStatus.RECEIVED, IdeaStatus.DISCUSSION):
            actions.append(_action(address, f"Avancer l’idée {idea.id}", f"Avancer l’idée {idea.id}"))
    return actions
