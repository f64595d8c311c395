"""Questions only a person can answer: handed to staff, the member told, closed when answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ...model.values import (
    CaseKind,
    Decision,
    Intent,
    Outcome,
    Question,
    QuestionStatus,
    State,
)
from .places import calls_for
from .replies import answer, describe_place

#: How much of a member's text the question keeps for the digest (the forward carries it all).
TEXT_KEPT = 4000


def find(state: State, question_id: str) -> Question | None:
    """The question with this id (any case), or None."""
    return state.question(question_id)


def _about(intent: Intent) -> str | None:
    case = intent.case
    if case is not None and case.kind in (CaseKind.CANDIDATURE, CaseKind.IDEA):
        return case.id
    return None


def question_decision(state: State, intent: Intent, now: datetime) -> Decision:
    """A question or request mailflow cannot answer: a person will. Staff get the member's
    message at once (the service forwards it), the member is told so, with what she can
    already do; a follow-up in the same thread joins the open question."""
    case = intent.case
    text = intent.message.new_text[:TEXT_KEPT]
    asked = find(state, case.id) if case is not None and case.kind is CaseKind.QUESTION else None
    if asked is not None and asked.email == intent.sender:
        question = replace(asked, status=QuestionStatus.OPEN, follow_ups=asked.follow_ups + 1,
                           text=f"{asked.text}\n\n[suite] {text}"[-TEXT_KEPT:],
                           answered_at=None, answered_by=None)
        summary = f"suite de la question {question.id} de {intent.sender}"
    else:
        question = Question(
            id=state.new_id("Q"), seq=state.next_seq, email=intent.sender, name=intent.name,
            subject=intent.message.subject, text=text, received_at=intent.message.arrived(now),
            message_key=intent.message.key, message_id=intent.message.message_id,
            group_id=intent.group_id, about=_about(intent))
        summary = f"question {question.id} de {intent.sender} transmise à l’équipe"
    # The group she asks about is among the open calls the reply lists: she may want to apply.
    standings = tuple(f"« {state.groups[c.group_id].title} » : {describe_place(state, c)}"
                     for c in state.of_email(intent.sender) if c.status.active and c.group_id in state.groups)
    reply = replace(answer(state, intent, Outcome.QUESTION_FORWARDED, now, group_id=question.group_id,
                           question_id=question.id),
                    calls=calls_for(state, intent.profile, now), standings=standings)
    return Decision(Outcome.QUESTION_FORWARDED, summary, replies=(reply,),
                    group_id=question.group_id, questions=(question,), forward=question)


def with_question(state: State, intent: Intent, decision: Decision, now: datetime) -> Decision:
    """A decision on a message that also asks something a person must answer: the question goes
    to staff too, and the member's reply says so."""
    asked = question_decision(state, intent, now)
    question = asked.questions[0]
    replies = decision.replies
    if replies:
        replies = (replace(replies[0], question_id=question.id), *replies[1:])
    return replace(decision, replies=replies, questions=(*decision.questions, question),
                   forward=question, summary=f"{decision.summary}; {asked.summary}")


def note_staff_message(state: State, intent: Intent, now: datetime) -> Decision:
    """A message from a staff address that asks for no action: in a question's thread it
    answers the question (closed, no reply); anything else is noted, with no reply either."""
    case = intent.case
    question = find(state, case.id) if case is not None and case.kind is CaseKind.QUESTION else None
    if question is not None:
        answered = replace(question, status=QuestionStatus.ANSWERED, answered_at=now,
                           answered_by=intent.sender)
        return Decision(Outcome.QUESTION_ANSWERED,
                        f"question {question.id} répondue par {intent.sender}",
                        questions=(answered,), group_id=question.group_id)
    return Decision(Outcome.STAFF_MESSAGE, f"message de {intent.sender} (équipe) : pas de réponse")


def close(question: Question, by: str, now: datetime) -> Question:
    """A question staff say is answered (`mailflow questions done`)."""
    return replace(question, status=QuestionStatus.ANSWERED, answered_at=now, answered_by=by)


def open_questions(state: State) -> tuple[Question, ...]:
    """The questions still waiting for a person, oldest first."""
    return tuple(q for q in state.questions if q.status is QuestionStatus.OPEN)
