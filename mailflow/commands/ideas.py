"""`mailflow ideas`: staff follow an idea from its first email to a drafted group, members told."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..app import views
from ..config.settings import Settings
from ..core.french import IDEA_STATUS, format_date_fr, plural, size
from ..core.write.records import when as when_of
from ..errors import StaffActionError
from ..model.values import Idea, IdeaStatus
from .common import columns, desk, say, tell

# --- reading -----------------------------------------------------------------------------------


def _row(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.id,
        "received_at": idea.received_at.isoformat(),
        "email": idea.email,
        "name": idea.name,
        "subject": idea.subject,
        "status": idea.status.value,
    }


def _what(what: str) -> str:
    """An idea's history step: a status value in French, else the words written then."""
    try:
        return IDEA_STATUS[IdeaStatus(what)]
    except ValueError:
        return what


def cmd_ideas_list(settings: Settings, args: argparse.Namespace) -> int:
    """Every idea in arrival order: id, date, sender, subject, status."""
    ideas = views.ideas(settings)
    rows = [_row(i) for i in ideas]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not ideas:
        say("aucune idée pour l’instant")
        return 0
    table = [["n°", "reçue le", "étape", "de", "objet"]]
    table += [[i.id, format_date_fr(i.received_at.astimezone(settings.tz).date(), settings.tz),
               IDEA_STATUS[i.status], i.email, f"« {i.subject} »"] for i in ideas]
    say(plural(len(ideas), "idée") + " :", *columns(table))
    return 0


def cmd_ideas_show(settings: Settings, args: argparse.Namespace) -> int:
    """One idea: everything known, its history, the files kept and refused."""
    shown = views.idea(settings, args.idea)
    if args.json:
        print(json.dumps(_idea_json(shown), ensure_ascii=False, indent=2))
    else:
        say(*_idea_lines(shown.idea, settings.tz), *_file_lines(shown))
    return 0


def _idea_json(shown: views.IdeaView) -> dict[str, Any]:
    """Everything known of the idea, for programs (`--json`)."""
    idea = shown.idea
    return {
        **_row(idea),
        "status_fr": IDEA_STATUS[idea.status],
        "message_id": idea.message_id,
        "summary": idea.summary,
        "note": idea.note,
        "note_received_at": idea.note_received_at.isoformat() if idea.note_received_at else None,
        "validated_on": idea.validated_on.isoformat() if idea.validated_on else None,
        "co_animated": idea.co_animated,
        "declined_reason": idea.declined_reason,
        "group_id": idea.group_id,
        "history": [{"at": w, "what": what, "who": who} for w, what, who in idea.history],
        "staff_actions": shown.actions,
        "attachments_named": list(idea.attachments),
        "attachments": [
            {"name": f.name, "original": f.original, "content_type": f.content_type,
             "size": f.size, "sha256": f.sha256, "path": str(f.path) if f.path else None,
             "refused": f.refused}
            for f in shown.files
        ],
    }


def _idea_lines(idea: Idea, tz: ZoneInfo) -> list[str]:
    """The idea for people: who sent it, where it stands, its text and note, its history."""
    out = [f"Idée {idea.id} : « {idea.subject} »",
           f"de : {idea.name + ' ' if idea.name else ''}<{idea.email}>, reçue le "
           f"{format_date_fr(idea.received_at, tz)}",
           f"étape : {IDEA_STATUS[idea.status]}"]
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
    return out


def _file_lines(shown: views.IdeaView) -> list[str]:
    """The files of the idea's messages: kept where, or refused why."""
    out = ["", "pièces jointes :"]
    for f in shown.files:
        where = f"gardée dans {f.path}" if f.path else f"refusée : {f.refused}"
        out.append(f"  {f.original or f.name} : {size(f.size)}, {f.content_type} ; {where}")
    if not shown.files:
        named = ", ".join(shown.idea.attachments)
        out.append(f"  aucune gardée{f' (nommées dans le message : {named})' if named else ''}")
    return out


# --- changing ----------------------------------------------------------------------------------


def cmd_ideas_advance(settings: Settings, args: argparse.Namespace) -> int:
    """received → discussion → note-received (the member is told their note is on file)."""
    with desk(settings, args) as staff:
        change = staff.advance_idea(args.idea)
    return tell(change, settings)


def _board_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StaffActionError(f"--board-date : date attendue, par exemple 2027-01-12, et non "
                               f"« {text} »") from None


def cmd_ideas_validate(settings: Settings, args: argparse.Namespace) -> int:
    """The board validated the idea on that date; refused for a 6th co-animated group a year."""
    board = _board_date(args.board_date)
    with desk(settings, args) as staff:
        change = staff.validate_idea(args.idea, board, not args.not_co_animated)
    return tell(change, settings)


def cmd_ideas_decline(settings: Settings, args: argparse.Namespace) -> int:
    """Decline the idea; the member is told the reason."""
    if not args.reason.strip():
        raise StaffActionError("--reason : un motif est nécessaire, le membre le lira")
    with desk(settings, args) as staff:
        change = staff.decline_idea(args.idea, args.reason)
    return tell(change, settings)


def cmd_ideas_draft(settings: Settings, args: argparse.Namespace) -> int:
    """A draft group from a validated idea, for staff to complete (`groups set`) and open."""
    with desk(settings, args) as staff:
        change = staff.draft_group(args.idea, group_id=args.group_id, title=args.title,
                                   context=args.context)
    return tell(change, settings)
