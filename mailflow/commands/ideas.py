"""`mailflow ideas`: staff follow an idea from its first email to a drafted group, members told."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..app.attachments import kept_attachments
from ..config.settings import Settings
from ..core.decide.ideas import (
    IdeaChange,
    IdeaError,
    advance,
    current,
    decline,
    draft_group,
    find,
    status_of,
    validate,
)
from ..core.decide.staff_plans import Plan, plan_idea
from ..core.french import IDEA_STATUS, format_date_fr, plural, size
from ..core.write.records import when as when_of
from ..errors import StaffActionError
from ..model.values import Idea, IdeaStatus, State
from ..store import Store
from .common import actor, columns, read_state, run_plan, say

# --- reading -----------------------------------------------------------------------------------


def _find(state: State, idea_id: str) -> Idea:
    try:
        return find(state, idea_id)
    except IdeaError as exc:
        raise StaffActionError(str(exc)) from None


def _row(settings: Settings, idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.id,
        "received_at": idea.received_at.isoformat(),
        "email": idea.email,
        "name": idea.name,
        "subject": idea.subject,
        "status": idea.status,
    }


def _what(what: str) -> str:
    """An idea's history step: a status value in French, else the words written then."""
    try:
        return IDEA_STATUS[IdeaStatus(what)]
    except ValueError:
        return what


def cmd_ideas_list(settings: Settings, args: argparse.Namespace) -> int:
    """Every idea in arrival order: id, date, sender, subject, status."""
    ideas = list(current(read_state(settings)).values())
    rows = [_row(settings, i) for i in ideas]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not ideas:
        say("aucune idée pour l’instant")
        return 0
    table = [["n°", "reçue le", "étape", "de", "objet"]]
    table += [[i.id, format_date_fr(i.received_at.astimezone(settings.tz).date(), settings.tz),
               IDEA_STATUS[status_of(i)], i.email, f"« {i.subject} »"] for i in ideas]
    say(plural(len(ideas), "idée") + " :", *columns(table))
    return 0


def cmd_ideas_show(settings: Settings, args: argparse.Namespace) -> int:
    """One idea: everything known, its history, the files kept and refused."""
    state = read_state(settings)
    idea = _find(state, args.idea)
    files = kept_attachments(settings, idea.id)
    with Store(settings.store_path, read_only=True) as store:
        actions = [h for h in store.history() if h.get("idea") == idea.id]
    data = {
        **_row(settings, idea),
        "status_fr": IDEA_STATUS[status_of(idea)],
        "message_id": idea.message_id,
        "summary": idea.summary,
        "note": idea.note,
        "note_received_at": idea.note_received_at.isoformat() if idea.note_received_at else None,
        "validated_on": idea.validated_on.isoformat() if idea.validated_on else None,
        "co_animated": idea.co_animated,
        "declined_reason": idea.declined_reason,
        "group_id": idea.group_id,
        "history": [{"at": w, "what": what, "who": who} for w, what, who in idea.history],
        "staff_actions": actions,
        "attachments_named": list(idea.attachments),
        "attachments": [
            {"name": f.name, "original": f.original, "content_type": f.content_type,
             "size": f.size, "sha256": f.sha256, "path": str(f.path) if f.path else None,
             "refused": f.refused}
            for f in files
        ],
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    tz = settings.tz
    out = [f"Idée {idea.id} : « {idea.subject} »",
           f"de : {idea.name + ' ' if idea.name else ''}<{idea.email}>, reçue le "
           f"{format_date_fr(idea.received_at, tz)}",
           f"étape : {IDEA_STATUS[status_of(idea)]}"]
    if idea.validated_on:
        out.append(f"validée par le CA lors de sa séance du {format_date_fr(idea.validated_on, tz)}, "
                   + ("co-animée par l’équipe de la MONA" if idea.co_animated
                      else "sans co-animation de l’équipe de la MONA"))
    if idea.declined_reason:
        out.append(f"déclinée : {idea.declined_reason}")
    if idea.group_id:
        out.append(f"groupe : {idea.group_id} (mailflow groups show {idea.group_id})")
    out += ["", "texte :", *(f"  {line}" for line in idea.summary.splitlines())]
    if idea.note:
        out += ["", "note d’intention :", *(f"  {line}" for line in idea.note.splitlines())]
    out += ["", "historique :"]
    for when, what, who in idea.history:
        stamp = when_of(when)
        out.append(f"  {format_date_fr(stamp, tz) if stamp else when} : {_what(what)} ({who})")
    out += ["", "pièces jointes :"]
    if files:
        for f in files:
            where = f"gardée dans {f.path}" if f.path else f"refusée : {f.refused}"
            out.append(f"  {f.original or f.name} : {size(f.size)}, {f.content_type} ; {where}")
    else:
        named = ", ".join(idea.attachments)
        out.append(f"  aucune gardée{f' (nommées dans le message : {named})' if named else ''}")
    say(*out)
    return 0


# --- changing ----------------------------------------------------------------------------------


def _run(settings: Settings, args: argparse.Namespace, action: str,
         change: Callable[[State, datetime], IdeaChange]) -> int:
    """Plan a change on the current state, show it, and unless --dry-run apply it in one commit."""

    def make(state: State, now: datetime) -> Plan:
        try:
            return plan_idea(state, change(state, now), action, now)
        except IdeaError as exc:
            raise StaffActionError(str(exc)) from None

    return run_plan(settings, args, make)


def cmd_ideas_advance(settings: Settings, args: argparse.Namespace) -> int:
    """received → discussion → note-received (the member is told their note is on file)."""
    return _run(settings, args, "idea-advance",
                lambda state, now: advance(find(state, args.idea), now, actor()))


def _board_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StaffActionError(f"--board-date : date attendue, par exemple 2027-01-12, et non "
                               f"« {text} »") from None


def cmd_ideas_validate(settings: Settings, args: argparse.Namespace) -> int:
    """The board validated the idea on that date; refused for a 6th co-animated group a year."""
    board = _board_date(args.board_date)
    return _run(settings, args, "idea-validate",
                lambda state, now: validate(state, args.idea, board, not args.not_co_animated, now,
                                            actor()))


def cmd_ideas_decline(settings: Settings, args: argparse.Namespace) -> int:
    """Decline the idea; the member is told the reason."""
    return _run(settings, args, "idea-decline",
                lambda state, now: decline(find(state, args.idea), args.reason, now, actor()))


def cmd_ideas_draft(settings: Settings, args: argparse.Namespace) -> int:
    """A draft group from a validated idea, for staff to complete (`groups set`) and open."""
    return _run(settings, args, "idea-draft",
                lambda state, now: draft_group(state, args.idea, now, actor(), settings.tz,
                                               group_id=args.group_id, title=args.title,
                                               context=args.context))
