"""`mailflow questions list|done`: the questions handed to staff, and closing one once answered."""

from __future__ import annotations

import argparse
import json

from ..app import views
from ..app.wiring import utc_now
from ..config.settings import Settings
from ..core.french import QUESTION_STATUS, ago, format_date_fr, plural
from ..model.values import QuestionStatus
from .common import desk, say, tell


def cmd_questions_list(settings: Settings, args: argparse.Namespace) -> int:
    """The questions still waiting for a person (all of them with --all), oldest first."""
    shown = [q for q in views.state(settings).questions if args.all or q.status is QuestionStatus.OPEN]
    if args.json:
        print(json.dumps([{
            "id": q.id, "status": q.status.value, "email": q.email, "name": q.name,
            "subject": q.subject, "received_at": q.received_at.isoformat(),
            "group": q.group_id, "about": q.about, "follow_ups": q.follow_ups,
            "answered_by": q.answered_by,
            "answered_at": q.answered_at.isoformat() if q.answered_at else None,
            "text": q.text} for q in shown], ensure_ascii=False, indent=2))
        return 0
    if not shown:
        say("aucune question en attente" if not args.all else "aucune question")
        return 0
    now = utc_now()
    out = [plural(len(shown), "question en attente", "questions en attente") + " :" if not args.all
           else plural(len(shown), "question") + " :"]
    for q in shown:
        who = f"{q.name} <{q.email}>" if q.name else q.email
        status = QUESTION_STATUS[q.status]
        if q.answered_by:
            status += f" par {q.answered_by}"
        out.append(f"{q.id}  {status} — de {who}, reçue le "
                   f"{format_date_fr(q.received_at, settings.tz)} ({ago(q.received_at, now)})")
        out.append(f"       « {q.subject or '(sans objet)'} »"
                   + (f" — groupe {q.group_id}" if q.group_id else "")
                   + (f" — relances : {q.follow_ups}" if q.follow_ups else ""))
    say(*out)
    return 0


def cmd_questions_done(settings: Settings, args: argparse.Namespace) -> int:
    """Close a question answered outside the mailbox (by phone, from another address)."""
    with desk(settings, args) as staff:
        change = staff.close_question(args.id)
    plan = change.plan
    question = next(q for q in plan.before.questions if q.id == plan.history["question"])
    return tell(change, settings, f"Question {question.id} : déjà répondue (par "
                f"{question.answered_by or '?'}).")
