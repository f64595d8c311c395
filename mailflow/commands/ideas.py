"""`mailflow ideas`: staff follow an idea from its first email to a drafted group, members told."""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import replace
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..adapters.attachment_dir import describe, kept
from ..app.attachments import save_attachments
from ..config import Settings
from ..core.french import IDEA_STATUS
from ..core.ideas import (
    IdeaChange,
    IdeaError,
    advance,
    current,
    decline,
    draft_group,
    drafted_extra,
    find,
    status_of,
    validate,
)
from ..model import Idea, State
from ..ports import SavedAttachment
from ..store import Store

if TYPE_CHECKING:
    from ..service import Service

# Nothing here imports the service at load time (staff and the CLI are imported when a command
# runs), so that the service may import `keep_idea_attachments` from this module.

log = logging.getLogger("mailflow.ideas")



# --- attachments -------------------------------------------------------------------------------


def attachments_root(settings: Settings) -> Path:
    """Where the attachments of ideas are kept: `attachments/` beside the store."""
    return settings.store_path.parent / "attachments"


def keep_idea_attachments(settings: Settings, idea_id: str, raw: bytes) -> list[SavedAttachment]:
    """Keep the attachments of a message about an idea under `<store folder>/attachments/<id>/`.

    Call it once the idea is committed, with the raw message; calling it again for the same
    message writes nothing. Refused files (type, size, count) are listed with the reason.
    """
    saved = save_attachments(raw, idea_id, attachments_root(settings))
    for line in describe(saved):
        log.info("idea %s: attachment %s", idea_id, line)
    return saved


def kept_attachments(settings: Settings, idea_id: str) -> list[SavedAttachment]:
    """What was kept (or refused) for an idea, read from its folder's index; never follows a link."""
    return kept(attachments_root(settings), idea_id)


# --- reading -----------------------------------------------------------------------------------


def _state(settings: Settings) -> State:
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments)


def _refused(message: str) -> Exception:
    """The error the CLI reports with exit code 2."""
    from ..staff import StaffActionError

    return StaffActionError(message)


def _actor() -> str:
    from ..staff import actor

    return actor()


def _find(state: State, idea_id: str) -> Idea:
    try:
        return find(state, idea_id)
    except IdeaError as exc:
        raise _refused(str(exc)) from None


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
    ideas = list(current(_state(settings)).values())
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
    state = _state(settings)
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


def _service(settings: Settings, *, read_only: bool) -> Service:
    from ..cli import build_service  # the CLI wires the adapters; it imports this module

    return build_service(settings, read_only=read_only)


def _now() -> datetime:
    from ..cli import utc_now

    return utc_now()


def _run(settings: Settings, args: argparse.Namespace, action: str,
         plan: Any) -> int:
    """Plan a change on the current state, show it, and unless --dry-run apply it in one commit."""
    service = _service(settings, read_only=args.dry_run)
    try:
        now = _now()
        state = service.state()
        try:
            change: IdeaChange = plan(state, now)
        except IdeaError as exc:
            raise _refused(str(exc)) from None
        message: EmailMessage | None = None
        if change.group is not None:
            service.renderer.use_groups({**state.groups, change.group.id: change.group})
        if change.reply is not None:
            message = service.renderer.render(change.reply, now)
        idea = change.after
        print(f"{idea.id}: {change.before.status} → {idea.status}")
        if change.group is not None:
            g = change.group
            print(f"{idea.id}: draft group {g.id} « {g.title} », call draft, capacity {g.capacity} "
                  f"(placeholder), first meeting {g.first_meeting.starts_at.isoformat(timespec='minutes')} "
                  f"at {g.first_meeting.place} (placeholder)")
        for note in change.notes:
            print(f"note: {note}")
        if message is not None:
            verb = "would send" if args.dry_run else "sends"
            assert change.reply is not None
            print(f"    {verb} {change.reply.outcome.value} → {change.reply.to}: {message['Subject']}")
        if args.dry_run:
            print("dry run, nothing changed")
            return 0
        _apply(service, state, change, message, action, now)
        sent = 1 if message is not None else 0
        print(f"{idea.id}: done; {sent} message(s) sent")
        return 0
    finally:
        service.source.close()
        service.store.close()


def _apply(service: Service, before: State, change: IdeaChange, message: EmailMessage | None,
           action: str, now: datetime) -> None:
    """Record the idea (and its group), queue the member's mail, keep the history: one commit."""
    idea = change.after
    after = replace(before, ideas=(*[i for i in before.ideas if i.id != idea.id], idea))
    service.store.save_state(before, after)
    if change.group is not None:
        service.store.save_drafted_group(change.group, drafted_extra(idea, now))
    from ..service import Outgoing  # the service imports this module

    sent: list[str] = []
    if message is not None and change.reply is not None:
        service.enqueue(Outgoing(change.reply.outcome.value, [change.reply.to], message, change.reply),
                        f"staff:{idea.id}")
        sent.append(f"{change.reply.outcome.value} → {change.reply.to}")
    service.store.record_history({
        "at": now.isoformat(), "actor": _actor(), "action": action, "idea": idea.id,
        "from": change.before.status, "to": idea.status,
        "changes": {k: v for k, v in {
            "validated_on": idea.validated_on.isoformat() if idea.validated_on else None,
            "co_animated": idea.co_animated, "declined_reason": idea.declined_reason or None,
            "group": idea.group_id}.items() if v is not None},
        "sent": sent,
    })
    service.store.commit()
    log.info("idea %s: %s → %s by %s", idea.id, change.before.status, idea.status, _actor())
    service.deliver()


def cmd_ideas_advance(settings: Settings, args: argparse.Namespace) -> int:
    """received → discussion → note-received (the member is told their note is on file)."""
    return _run(settings, args, "idea-advance",
                lambda state, now: advance(find(state, args.idea), now, _actor()))


def _board_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _refused(f"--board-date: expected a date such as 2027-01-12, found {text!r}") from None


def cmd_ideas_validate(settings: Settings, args: argparse.Namespace) -> int:
    """The board validated the idea on that date; refused for a 6th co-animated group a year."""
    board = _board_date(args.board_date)
    return _run(settings, args, "idea-validate",
                lambda state, now: validate(state, args.idea, board, not args.not_co_animated, now,
                                            _actor()))


def cmd_ideas_decline(settings: Settings, args: argparse.Namespace) -> int:
    """Decline the idea; the member is told the reason."""
    return _run(settings, args, "idea-decline",
                lambda state, now: decline(find(state, args.idea), args.reason, now, _actor()))


def cmd_ideas_draft(settings: Settings, args: argparse.Namespace) -> int:
    """A draft group from a validated idea, for staff to complete (`groups set`) and open."""
    return _run(settings, args, "idea-draft",
                lambda state, now: draft_group(state, args.idea, now, _actor(), settings.tz,
                                               group_id=args.group_id, title=args.title,
                                               context=args.context))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ideas list|show|advance|validate|decline|draft` to the command line."""
    ideas = subparsers.add_parser("ideas", help="the ideas of new working groups")
    sub = ideas.add_subparsers(dest="ideas_command", required=True, metavar="ACTION")
    ilist = sub.add_parser("list", help="every idea: id, date, sender, status, subject")
    ilist.add_argument("--json", action="store_true", help="print JSON")
    ilist.set_defaults(func=cmd_ideas_list)
    ishow = sub.add_parser("show", help="one idea: its text, note, history and attachments")
    ishow.add_argument("idea", help="idea id, e.g. I0005")
    ishow.add_argument("--json", action="store_true", help="print JSON")
    ishow.set_defaults(func=cmd_ideas_show)

    def changing(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("idea", help="idea id, e.g. I0005")
        p.add_argument("--dry-run", action="store_true",
                       help="show what would change and be sent; change nothing")
        return p

    iadv = changing("advance", "received → discussion → note-received (the member is told)")
    iadv.set_defaults(func=cmd_ideas_advance)
    ival = changing("validate", "record the board's validation (the member is told)")
    ival.add_argument("--board-date", required=True, help="the board's meeting: 2027-01-12")
    ival.add_argument("--not-co-animated", action="store_true",
                      help="the MONA team will not co-animate it (outside the 5 a year)")
    ival.set_defaults(func=cmd_ideas_validate)
    idec = changing("decline", "decline the idea (the member is told why)")
    idec.add_argument("--reason", required=True, help="why, in French: the member reads it")
    idec.set_defaults(func=cmd_ideas_decline)
    idra = changing("draft", "draft a group from a validated idea, to complete and open")
    idra.add_argument("--group-id", help="the new group's id (default: from the subject)")
    idra.add_argument("--title", help="the group's title (default: from the subject)")
    idra.add_argument("--context", help="the group's context (default: the idea's text)")
    idra.set_defaults(func=cmd_ideas_draft)
