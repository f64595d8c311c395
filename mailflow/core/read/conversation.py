"""What an incoming message answers: one of our messages, found by its thread, a code, its
subject, or the sender's only open case, so that it is read in the light of what we asked."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Protocol

from ...model.values import (
    Case,
    CaseKind,
    Fact,
    Idea,
    IdeaStatus,
    Inbound,
    PendingAction,
    QuestionStatus,
    Reply,
    Sent,
    State,
    Template,
)
from .text import fold

# A leading chain of reply/forward prefixes: « Re: », « RE : », « Réf : », « TR : », « Fwd: »,
# « Fw: », « AW: », « WG: », « Re[2]: », with or without a (non-breaking) space before the colon.
REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|r[ée]f|tr|fwd?|aw|wg|sv|antw)(?:\s*\[\d+\])?[\s\u00a0\u202f]*:)+\s*",
    re.IGNORECASE,
)
# Confirmation codes we send (« MF- » and ten letters or digits, without look-alikes).
TOKEN = re.compile(r"\bMF-[A-HJ-NP-Z2-9]{10}\b")
_CODE_IN_SUBJECT = re.compile(r"\s*\[MF-[A-Z0-9]{10}\]")


def strip_prefixes(subject: str) -> str:
    """The subject without its chain of « Re : », « TR : »… prefixes."""
    return REPLY_PREFIX.sub("", subject).strip()


def thread_subject(subject: str) -> str:
    """A subject as threads compare it: no prefixes, no code, folded."""
    return fold(_CODE_IN_SUBJECT.sub("", strip_prefixes(subject)))


def is_reply(message: Inbound) -> bool:
    """Whether the message presents itself as an answer (threading headers or a « Re : »)."""
    return bool(message.in_reply_to or message.references
                or REPLY_PREFIX.match(message.subject))


def token_hash(token: str) -> str:
    """What the store keeps of a confirmation code: its hash, never the code."""
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


def pending_for(state: State, code: str, kind: str | None = None) -> PendingAction | None:
    """The action waiting for this confirmation code (of that kind), whoever it was sent to."""
    digest = token_hash(code)
    return next((p for p in state.pending if p.token_hash == digest and kind in (None, p.kind)), None)


class Threads(Protocol):
    """Where the messages we sent are found again (the store keeps them)."""

    def sent(self, message_id: str) -> Sent | None:
        """Our message with this Message-ID, if we sent one."""
        ...

    def sent_in_thread(self, to: str, thread: str) -> Sent | None:
        """Our latest message to `to` whose subject has this `thread_subject`."""
        ...


def _case(sent: Sent, state: State, how: str) -> Case:
    status = owner = None
    if sent.kind is CaseKind.CANDIDATURE:
        cand = state.candidature(sent.case_id)
        status, owner = (cand.status.value, cand.email) if cand is not None else (None, None)
    return Case(sent.kind, sent.case_id, how, sent.asked, sent.group_id, sent.profile, status, owner,
                sent.colleague)


def _asked_by(state: State, question_id: str, sender: str) -> bool:
    return any(q.id == question_id and q.email == sender for q in state.questions)


def _candidature_case(state: State, candidature_id: str, how: str) -> Case | None:
    cand = state.candidature(candidature_id)
    if cand is None:
        return None
    return Case(CaseKind.CANDIDATURE, cand.id, how, cand.missing, cand.group_id, None,
                cand.status.value, cand.email)


def open_cases(state: State, sender: str) -> list[Case]:
    """The sender's cases still waiting for something: a candidature that is not settled, an
    idea on its way, a question not answered yet."""
    cases = [Case(CaseKind.CANDIDATURE, c.id, "sender", c.missing, c.group_id, None, c.status.value,
                  c.email) for c in state.of_email(sender) if c.status.active]
    cases += [Case(CaseKind.IDEA, i.id, "sender") for i in _latest_ideas(state)
              if i.email == sender and not IdeaStatus(i.status).final]
    cases += [Case(CaseKind.QUESTION, q.id, "sender", group_id=q.group_id) for q in state.questions
              if q.email == sender and q.status is QuestionStatus.OPEN]
    return cases


def _latest_ideas(state: State) -> list[Idea]:
    latest: dict[str, Idea] = {}
    for idea in state.ideas:
        latest[idea.id] = idea
    return list(latest.values())


def resolve(message: Inbound, state: State, threads: Threads, staff: tuple[str, ...] = ()) -> Case | None:
    """The case the message answers, or None for a message that starts something new.

    In order: its threading headers name one of our messages (to this sender, or a staff
    member answering a question we forwarded); it quotes a confirmation code we sent to this
    address; its subject is the subject of one of our messages to this address; it presents
    itself as an answer and its sender has exactly one open case.
    """
    sender = message.sender or ""
    for message_id in (message.in_reply_to, *reversed(message.references)):
        sent = threads.sent(message_id) if message_id else None
        if sent is None:
            continue
        if sent.to == sender or (sent.kind is CaseKind.QUESTION and (
                sender in staff or _asked_by(state, sent.case_id, sender))):
            # Our forward of a question is in the thread of staff's answer and of the asker's
            # reply to it (« Répondre à tous »): both are about that question.
            return _case(sent, state, "thread")
    for token in TOKEN.findall(f"{message.subject}\n{message.text}"):
        digest = token_hash(token)
        action = next((p for p in state.pending if p.token_hash == digest), None)
        if action is not None and action.email == sender:
            found = _candidature_case(state, action.target, "code")
            if found is not None:
                return found
    if strip_prefixes(message.subject):
        sent = threads.sent_in_thread(sender, thread_subject(message.subject))
        if sent is not None and is_reply(message):
            return _case(sent, state, "subject")
    if is_reply(message):
        cases = open_cases(state, sender)
        if len(cases) == 1:
            return cases[0]
    return None


def sent_about(reply: Reply, message_id: str, subject: str, at: datetime) -> Sent:
    """What a reply we send is about, kept so that the member's answer is read in its light."""
    if reply.candidature_id:
        kind, case_id = CaseKind.CANDIDATURE, reply.candidature_id
    elif reply.idea is not None:
        kind, case_id = CaseKind.IDEA, reply.idea.id
    elif reply.question_id:
        kind, case_id = CaseKind.QUESTION, reply.question_id
    elif Fact.GROUP.value in reply.missing:
        kind, case_id = CaseKind.REQUEST, message_id
    else:
        kind, case_id = CaseKind.HELP, message_id
    # A request, a closed call, a refusal before any candidature: the facts the member gave go on
    # into her answer.
    keep = reply.profile if kind in (CaseKind.REQUEST, CaseKind.HELP) and reply.profile and (
        reply.profile.tells_something) else None
    # To who applied for a colleague: what they write next is about her, unless they apply.
    colleague = reply.colleague if reply.template is Template.COLLEAGUE_REGISTERED else ""
    return Sent(message_id, reply.to, subject, kind, case_id, at, reply.missing, reply.group_id, keep,
                thread_subject(subject), colleague or None)
