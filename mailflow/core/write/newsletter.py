"""Blocks for the MONA Infos newsletter: each call with a « Je candidate » mailto link (RFC 6068)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import jinja2

from ...errors import RenderError
from ...model.values import CallStatus, Group, Network, State
from ..decide.places import call_summary, closed_reason
from ..french import NBSP, format_date_fr, french_typography, wrap_text
from .environment import environment
from .mailto import mailto_link

#: The two templates, one per format (the HTML one imports `_newsletter_macros.html.j2`).
TEMPLATES = {"html": "newsletter.html.j2", "text": "newsletter.txt.j2"}

#: The label of each profile field on the form, in the form's order (the extractor reads them).
FORM_LABELS: Mapping[str, str] = {
    "name": "Nom",
    "structure": "Structure",
    "role": "Fonction",
    "department": "Département",
    "fte": "Nombre d’ETP",
    "population": "Population de la plus grande commune",
    "territory": "Type de territoire (rural, littoral, montagne)",
    "scale": "Échelle d’intervention (communale, intercommunale)",
}
#: Asked on every form, whatever the group.
ALWAYS_ASKED = ("name", "structure", "role", "department")

IDEA_SUBJECT = "Idée de groupe de travail"
IDEA_LABELS = ("Thème", "Objectifs", "Qui pourrait participer", "Nom", "Structure")
IDEA_TITLE = "Vous avez une idée de groupe de travail ?"

_BLANK_RUNS = re.compile(r"\n{4,}")

CallKind = Literal["open", "full", "closed"]
#: The line above each block's title.
LABELS = {
    "open": "Appel à candidatures",
    "full": "Groupe de travail complet",
    "closed": "Appel à candidatures clos",
    "draft": "Appel à candidatures à venir",
}


def form_fields(group: Group) -> tuple[str, ...]:
    """The profile fields the group's form asks for: the usual four, then what the group needs."""
    criteria = group.criteria
    needed = set(ALWAYS_ASKED) | set(group.required)
    needed |= {
        field
        for field, wanted in (
            ("role", criteria.roles),
            ("territory", criteria.excluded_territories),
            ("scale", criteria.scale is not None),
            ("fte", criteria.fte_below is not None),
            ("population", criteria.max_population is not None),
        )
        if wanted
    }
    return tuple(field for field in FORM_LABELS if field in needed)


def _quoted(title: str) -> str:
    return f"«{NBSP}{title.strip()}{NBSP}»"


def _form(first_line: str, labels: Sequence[str]) -> str:
    lines = [french_typography(first_line), "", *(f"{label}{NBSP}: " for label in labels)]
    return "\n".join(lines) + "\n"


def candidature_subject(group: Group) -> str:
    """« Candidature – groupe « <title> » »."""
    return french_typography(f"Candidature – groupe {_quoted(group.title)}")


def waitlist_subject(group: Group) -> str:
    """« Liste d’attente – groupe « <title> » »."""
    return french_typography(f"Liste d’attente – groupe {_quoted(group.title)}")


def candidature_form(group: Group, *, waiting_list: bool = False) -> str:
    """The body a member fills in: one sentence that applies, then one line per field asked."""
    if waiting_list:
        first = f"Je souhaite m’inscrire sur la liste d’attente du groupe de travail {_quoted(group.title)}."
    else:
        first = f"Je souhaite candidater au groupe de travail {_quoted(group.title)}."
    return _form(first, [FORM_LABELS[field] for field in form_fields(group)])


def idea_form() -> str:
    """The body of an idea: what the group would work on, and who proposes it."""
    return _form("J’ai une idée de groupe de travail à proposer au réseau.", IDEA_LABELS)


@dataclass(frozen=True)
class CallBlock:
    """One group's call as the newsletter shows it; every text already in French typography."""

    group_id: str
    kind: CallKind
    label: str
    title: str
    context: str
    participants: str
    commitment: str
    meeting_date: str
    meeting_place: str
    capacity: int
    places_left: int
    places: str
    closes: str
    closes_date: str
    closed: str
    button: str
    subject: str
    body: str
    href: str


@dataclass(frozen=True)
class IdeaBlock:
    """The call for ideas of new working groups."""

    title: str
    button: str
    subject: str
    body: str
    href: str


def places_text(left: int, capacity: int) -> str:
    """« 12 places disponibles sur 15 », « 1 place disponible sur 15 », « complet (15 places) »."""
    if left <= 0:
        return f"complet ({capacity} places)"
    plural = "s" if left > 1 else ""
    return f"{left} place{plural} disponible{plural} sur {capacity}"


def _sentence(reason: str) -> str:
    return reason[:1].upper() + reason[1:] + "." if reason else ""


def call_block(state: State, network: Network, group: Group, now: datetime) -> CallBlock:
    """The block of one group: open, full (waiting list) or closed (no button)."""
    tz = ZoneInfo(network.timezone)
    summary = call_summary(state, group, now)
    reason = closed_reason(group, now)
    kind: CallKind = "closed" if reason else "full" if summary.places_left == 0 else "open"
    draft = bool(reason) and group.call is CallStatus.DRAFT
    if kind == "full":
        subject, body = waitlist_subject(group), candidature_form(group, waiting_list=True)
        button = "M’inscrire sur la liste d’attente"
    else:
        subject, body, button = candidature_subject(group), candidature_form(group), "Je candidate"
    closes_date = format_date_fr(group.closes_at, tz) if group.closes_at and kind != "closed" else ""
    fr = french_typography
    return CallBlock(
        group_id=group.id,
        kind=kind,
        label=LABELS["draft" if draft else kind],
        title=fr(group.title),
        context=fr(group.context),
        participants=fr(group.participants),
        commitment=fr(group.commitment),
        meeting_date=format_date_fr(group.first_meeting.starts_at, tz),
        meeting_place=fr(group.first_meeting.place),
        capacity=summary.capacity,
        places_left=summary.places_left,
        places=places_text(summary.places_left, summary.capacity),
        closes=f"Candidatures jusqu’au {closes_date}" if closes_date else "",
        closes_date=closes_date,
        closed=fr(f"{_sentence(reason)} Il n’est {'pas encore' if draft else 'plus'} possible de "
                  "candidater à ce groupe.") if reason else "",
        button=button if kind != "closed" else "",
        subject=subject,
        body=body,
        href=mailto_link(network.address, subject, body) if kind != "closed" else "",
    )


def idea_block(network: Network) -> IdeaBlock:
    """The « Vous avez une idée de groupe de travail ? » block."""
    body = idea_form()
    return IdeaBlock(
        title=french_typography(IDEA_TITLE),
        button="Proposer une idée",
        subject=IDEA_SUBJECT,
        body=body,
        href=mailto_link(network.address, IDEA_SUBJECT, body),
    )


def call_blocks(state: State, network: Network, now: datetime,
                group_ids: Sequence[str] = ()) -> tuple[CallBlock, ...]:
    """The blocks of the groups asked (in that order), else of every open call (in file order).

    Without ids, closed and draft calls are left out; asked by id, they say they are closed.
    """
    unknown = [g for g in group_ids if g not in state.groups]
    if unknown:
        raise ValueError(f"unknown group {', '.join(unknown)}; known groups: {', '.join(state.groups)}")
    if group_ids:
        chosen = [state.groups[g] for g in dict.fromkeys(group_ids)]
    else:
        chosen = [g for g in state.groups.values() if not closed_reason(g, now)]
    return tuple(call_block(state, network, group, now) for group in chosen)


def render_newsletter(templates_dir: Path, network: Network, state: State, now: datetime,
                      group_ids: Sequence[str] = (), *, html: bool) -> str:
    """The newsletter blocks (the calls, then the idea block) as an HTML fragment or plain text."""
    name = TEMPLATES["html" if html else "text"]
    context = {
        "network": network,
        "calls": call_blocks(state, network, now, group_ids),
        "idea": idea_block(network),
    }
    env = environment(Path(templates_dir), html=html, tz=ZoneInfo(network.timezone))
    try:
        out = env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"{name}: template not found ({exc.name})") from exc
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: {exc}") from exc
    except (OSError, UnicodeError) as exc:
        raise RenderError(f"{name}: cannot read: {exc}") from exc
    if html:
        return out  # the HTML template writes its French spaces as &nbsp; itself
    # Plain text has no markup: French spaces first (so they hold), then lines of 72 characters;
    # the links have no space, so they stay whole on their line.
    text = wrap_text(french_typography(out))
    return _BLANK_RUNS.sub("\n\n\n", text).strip("\n") + "\n"
