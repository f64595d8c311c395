"""`mailflow ideas`: staff follow an idea from its first email to a drafted group, members told."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..app.attachments import kept_attachments
from ..config import Settings
from ..core.french import IDEA_STATUS
from ..core.ideas import (
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
from ..core.staff import Plan, plan_idea
from ..errors import StaffActionError
from ..model import Idea, State
from ..store import Store
from .common import actor, read_state, run_plan

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


def _local_day(settings: Settings, when: datetime) -> str:
    return when.astimezone(settings.tz).date().isoformat()


def cmd_ideas_list(settings: Settings, args: argparse.Namespace) -> int:
    """Every idea in arrival order: id, date, sender, subject, status."""
    ideas = list(current(read_state(settings)).values())
    rows = [_row(settings, i) for i in ideas]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not ideas:
        print("no idea yet")
    for i in ideas:
        print(f"{i.id}  {_local_day(settings, i.received_at)}  {i.status:<13} {i.email:<36} "
              f"{i.subject}")
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
    out = [f"{idea.id}  {idea.subject}",
           f"from: {idea.name + ' ' if idea.name else ''}<{idea.email}>, "
           f"received {idea.received_at.astimezone(settings.tz).isoformat(timespec='minutes')}",
           f"status: {idea.status} ({IDEA_STATUS[status_of(idea)]})"]
    if idea.validated_on:
        out.append(f"validated by the board on {idea.validated_on.isoformat()}, "
                   + ("co-animated by the MONA" if idea.co_animated else "not co-animated"))
    if idea.declined_reason:
        out.append(f"declined: {idea.declined_reason}")
    if idea.group_id:
        out.append(f"group: {idea.group_id} (mailflow groups show {idea.group_id})")
    out += ["", "summary:", *(f"  {line}" for line in idea.summary.splitlines())]
    if idea.note:
        out += ["", "note d'intention:", *(f"  {line}" for line in idea.note.splitlines())]
    out += ["", "history:", *(f"  {w}  {what}  ({who})" for w, what, who in idea.history)]
    out += ["", "attachments:"]
    if files:
        for f in files:
            where = f"kept at {f.path}" if f.path else f"refused: {f.refused}"
            out.append(f"  {f.original or f.name}: {f.size} bytes, {f.content_type}; {where}")
    else:
        named = ", ".join(idea.attachments)
        out.append(f"  none kept{f' (named in the mail: {named})' if named else ''}")
    print("\n".join(out))
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

    def header(plan: Plan) -> list[str]:
        out = [plan.summary]
        if plan.drafted is not None:
            g = plan.drafted[0]
            out.append(f"{plan.history['idea']}: draft group {g.id} « {g.title} », call draft, "
                       f"capacity {g.capacity} (placeholder), first meeting "
                       f"{g.first_meeting.starts_at.isoformat(timespec='minutes')} at "
                       f"{g.first_meeting.place} (placeholder)")
        return [*out, *(f"note: {note}" for note in plan.notes)]

    return run_plan(settings, args, make, header=header,
                    done=lambda plan, sent: f"{plan.history['idea']}: done; {len(sent)} message(s) sent")


def cmd_ideas_advance(settings: Settings, args: argparse.Namespace) -> int:
    """received → discussion → note-received (the member is told their note is on file)."""
    return _run(settings, args, "idea-advance",
                lambda state, now: advance(find(state, args.idea), now, actor()))


def _board_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StaffActionError(f"--board-date: expected a date such as 2027-01-12, found {text!r}") from None


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
