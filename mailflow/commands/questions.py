"""`mailflow questions list|done`: the questions handed to staff, and closing one once answered."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import UTC, datetime

from ..config import Settings
from ..core import french
from ..core.questions import close, find
from ..core.render import format_date_fr
from ..model import QuestionStatus
from ..store import Store


def _now() -> datetime:
    return datetime.now(UTC)


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
    from ..staff import StaffActionError, actor  # the staff module imports the service

    with Store(settings.store_path, read_only=args.dry_run, wait=30.0) as store:
        state = store.state(settings.groups, settings.departments)
        question = find(state, args.id)
        if question is None:
            known = ", ".join(q.id for q in state.questions if q.status is QuestionStatus.OPEN)
            raise StaffActionError(f"question inconnue « {args.id} » ; questions en attente : "
                                   f"{known or 'aucune'}")
        if question.status is QuestionStatus.ANSWERED:
            print(f"{question.id} : déjà répondue ({question.answered_by or '?'})")
            return 0
        print(f"{question.id} : « {question.subject or '(sans objet)'} » de {question.email} "
              f"→ répondue")
        if args.dry_run:
            print("essai à blanc : rien n’a changé")
            return 0
        who = actor()
        answered = close(question, who, _now())
        after = replace(state, questions=tuple(answered if q.id == question.id else q
                                               for q in state.questions))
        store.save_state(state, after)
        store.record_history({"at": _now().isoformat(), "actor": who, "action": "question-done",
                              "question": question.id, "group": question.group_id,
                              "email": question.email})
        store.commit()
    print(f"{question.id} : fermée")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `questions list|done` to the command line."""
    questions = subparsers.add_parser(
        "questions", help="the questions handed to staff (a person answers them)")
    sub = questions.add_subparsers(dest="questions_command", required=True, metavar="ACTION")
    qlist = sub.add_parser("list", help="the questions waiting for an answer, oldest first")
    qlist.add_argument("--all", action="store_true", help="answered ones too")
    qlist.add_argument("--json", action="store_true", help="print JSON")
    qlist.set_defaults(func=cmd_questions_list)
    done = sub.add_parser("done", help="close a question answered outside the mailbox")
    done.add_argument("id", help="question id, e.g. Q0004 (see questions list)")
    done.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    done.set_defaults(func=cmd_questions_done)
