"""`mailflow questions list|done`: the questions handed to staff, and closing one once answered."""

from __future__ import annotations

import argparse
import json

from ..app.apply import apply_plan
from ..app.wiring import build_service, utc_now
from ..config import Settings
from ..core import french
from ..core.french import format_date_fr
from ..core.staff import plan_question_done
from ..model import QuestionStatus
from ..store import Store
from .common import actor


def cmd_questions_list(settings: Settings, args: argparse.Namespace) -> int:
    """The questions still waiting for a person (all of them with --all), oldest first."""
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
    shown = [q for q in state.questions if args.all or q.status is QuestionStatus.OPEN]
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
        print("aucune question en attente" if not args.all else "aucune question")
        return 0
    for q in shown:
        who = f"{q.name} <{q.email}>" if q.name else q.email
        status = french.QUESTION_STATUS[q.status]
        if q.answered_by:
            status += f" par {q.answered_by}"
        print(f"{q.id}  {status:<24} {format_date_fr(q.received_at, settings.tz)}  {who}")
        print(f"       « {q.subject or '(sans objet)'} »"
              + (f" — groupe {q.group_id}" if q.group_id else "")
              + (f" — relances : {q.follow_ups}" if q.follow_ups else ""))
    return 0


def cmd_questions_done(settings: Settings, args: argparse.Namespace) -> int:
    """Close a question answered outside the mailbox (by phone, from another address)."""
    service = build_service(settings, read_only=args.dry_run)
    try:
        who = actor()
        plan = plan_question_done(service.state(), args.id, who, utc_now())
        question = next(q for q in plan.before.questions if q.id == plan.history["question"])
        if plan.empty:
            print(f"{question.id} : déjà répondue ({question.answered_by or '?'})")
            return 0
        print(f"{question.id} : « {question.subject or '(sans objet)'} » de {question.email} "
              f"→ répondue")
        if args.dry_run:
            print("essai à blanc : rien n’a changé")
            return 0
        apply_plan(service, plan, [], who)
    finally:
        service.close()
    print(f"{question.id} : fermée")
    return 0
