"""A staff member's message: an action planned and shown with a code, applied once confirmed.

Nothing is applied on the first message: the answer says what was understood and exactly what
will happen, with a single-use code; the same registered address sends it back to apply it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ...errors import StaffActionError
from ...model.enums import LETTERS, Template
from ...model.values import (
    CallStatus,
    CaseKind,
    Decision,
    Inbound,
    Intent,
    Outcome,
    PendingAction,
    Reply,
    StaffVerb,
    State,
)
from ..french import STAFF_VERB, format_date_fr
from ..french.staff import command_line, examples, unclear_words, understood
from ..read.classify import only_thanks
from ..read.conversation import TOKEN, pending_for, token_hash
from ..read.review import read_stop
from ..read.staff.forward import forwarded
from ..read.staff.reader import read_request
from ..read.staff.request import Command, Missing, Reading, Unclear
from ..read.text import fold, fold_aligned
from .ideas import IdeaError, advance, decline, draft_group, find, validate
from .questions import note_staff_message
from .review import plan_review_change
from .staff_plans import (
    Plan,
    plan_add,
    plan_candidate_action,
    plan_group_change,
    plan_idea,
    plan_question_done,
)

#: In a staff member's answer to the plan, words that say no or not now…
_NO = re.compile(r"\b(non|nan|annul\w*|stop|abandon\w*|attend\w*|rien|erreur|laisse\w* tomber|"
                 r"pas(?! de (souci|soucis|probleme|problemes)\b))\b")
#: … and words that say yes (an answer with neither is the plain « Répondre » the plan asks for).
_YES = re.compile(r"\b(oui|ok|okay|d'accord|je confirme|confirm\w*|valid\w*|c'est bon|c'est ok|"
                  r"parfait|vas-y|allez-y|go|bien sur|absolument|tout a fait|fai\w*-le)\b")
_GREETING = re.compile(r"^(bonjour|bonsoir|hello|salut|re)\b[^\n]{0,30}$")
#: Subjects of mailflow's own messages to staff (alerts, digest): an answer to one is for us.
_OURS = re.compile(r"\[mailflow\]|\[mf-", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(tr|fw|fwd|transfert)\s*:", re.I)
#: Why an action from a staff address is not taken, as the log and the history say it.
_NOT_VOUCHED = "le serveur de réception ne garantit pas l’expéditeur (DMARC)"
#: What is said for a candidature's withdrawal or promotion when staff give no reason.
_DEFAULT_REASON = {StaffVerb.WITHDRAW: "à la demande du membre", StaffVerb.PROMOTE: "décision de "
                   "l’équipe"}


@dataclass(frozen=True)
class StaffAnswer:
    """What a staff member's message leads to: a decision (the answer to them, the code used or
    drawn) and, when an action is understood, its plan, applied only once `confirmed`."""

    decision: Decision
    plan: Plan | None = None
    confirmed: bool = False  # the action confirmed: its plan is applied with the batch
    #: The plans described, one per reply (a choice between readings has one each); `plan` is
    #: the first, or the one confirmed.
    plans: tuple[Plan, ...] = ()
    #: Why an action from a staff address was not even described (the server does not vouch
    #: for the sender): staff are alerted, since the sender may be one of them or a forger.
    unverified: str = ""


def decide_staff_message(state: State, intent: Intent, now: datetime, token: Callable[[], str],
                         tz: ZoneInfo, own: tuple[str, ...]) -> StaffAnswer:
    """Decide a message from a staff address: a code sent back confirms its action, an action
    understood is planned and shown with a new code (`token` draws one per plan described),
    anything else is noted (`note_staff_message`); `own` are the staff's and the mailbox's
    addresses."""
    case = intent.case
    if case is not None and case.kind is CaseKind.QUESTION:
        return StaffAnswer(note_staff_message(state, intent, now))  # the answer in a question's thread
    confirmed = _confirmation(state, intent, now, tz, own)
    if confirmed is not None:
        return confirmed
    stop = read_stop(intent.message.new_text, tuple(o.value for o in LETTERS))
    if stop is not None:  # « Arrêter la relecture des réponses « confirmed » » (see [review])
        return _stop_reviewing(state, intent, stop, now, token(), tz)
    reading = _read(state, intent, now, tz, own)
    if not reading.asks:
        return _nothing_asked(state, intent, now)
    if not intent.vouched:
        # The server could not vouch for the staff address: no plan, nothing sent to anybody.
        return StaffAnswer(Decision(Outcome.STAFF_MESSAGE, f"action de {intent.sender} ignorée : "
                                    f"{_NOT_VOUCHED}"), unverified=_NOT_VOUCHED)
    if reading.unclear is not None:
        return _not_planned(intent, reading.unclear, state, tz)
    if len(reading.commands) > 1:
        return _choice(state, intent, reading.commands, now, token, tz)
    return _planned(state, intent, reading.commands[0], now, token(), tz)


def _stop_reviewing(state: State, intent: Intent, outcome: str, now: datetime, token: str,
                    tz: ZoneInfo) -> StaffAnswer:
    """Stop reviewing one outcome's replies: planned with a code like any action, once the
    server vouches for the sender; which outcome is asked back when none is named."""
    if not intent.vouched:
        return StaffAnswer(Decision(Outcome.STAFF_MESSAGE, f"action de {intent.sender} ignorée : "
                                    f"{_NOT_VOUCHED}"), unverified=_NOT_VOUCHED)
    if not outcome:
        return _unclear(intent, "je n’ai pas reconnu le type de réponse à ne plus relire : nommez-le "
                        "comme le point du matin l’écrit", lines=tuple(command_line(
                            StaffVerb.REVIEW_STOP, o.value, state, tz) for o in LETTERS[:2]))
    return _planned(state, intent, Command(StaffVerb.REVIEW_STOP, outcome), now, token, tz)


def _read(state: State, intent: Intent, now: datetime, tz: ZoneInfo, own: tuple[str, ...]) -> Reading:
    """The staff member's message read (see core.read.staff), with what it forwards or quotes."""
    message, case = intent.message, intent.case
    arrived = message.arrived(now)
    passed_on = forwarded(message.text, arrived, tz)
    if passed_on is not None and (passed_on.sender in own or _OURS.search(passed_on.subject) or (
            passed_on.sender is None and not _FORWARD_SUBJECT.match(message.subject))):
        passed_on = None  # the quote of our own mail (a digest, an alert answered): no member's
    quoted = message.text[len(message.new_text):] if message.text.startswith(message.new_text) else ""
    if any(address in quoted[:600] for address in own) or _OURS.search(quoted[:600]):
        quoted = ""
    about = case.id if case is not None and case.kind in (CaseKind.CANDIDATURE, CaseKind.IDEA) else None
    return read_request(message.subject, message.new_text, state, arrived, tz, forwarded=passed_on,
                        quoted="" if passed_on else quoted, about=about, own=own,
                        thanks=only_thanks(message.new_text))


def _nothing_asked(state: State, intent: Intent, now: datetime) -> StaffAnswer:
    """Thanks, information, a conversation: no answer, unless it is one to our mail that asked."""
    owner = next((p.email for code in intent.tokens if (p := _staff_action(state, code)) is not None), None)
    if owner is not None:  # a colleague's code (a plan forwarded, « Répondre à tous »)
        return _unclear(intent, f"ce code a été envoyé à {owner} : seule cette adresse peut "
                        "confirmer l’action, en répondant au message qui le porte")
    if _OURS.search(intent.message.subject) and not only_thanks(intent.message.new_text):
        # an answer to an alert or the digest is written to us: say what works
        return _unclear(intent, "nous n’avons pas reconnu d’action dans votre message", state=state)
    return StaffAnswer(note_staff_message(state, intent, now))


def _not_planned(intent: Intent, unclear: Unclear, state: State, tz: ZoneInfo) -> StaffAnswer:
    """What was understood and what is missing, with the closest actions as lines to send."""
    why = unclear_words(unclear.missing.value, unclear.verb, unclear.about, unclear.detail, state)
    lines = tuple(command_line(c.verb, c.target, state, tz, reason=c.reason, fields=c.fields)
                  for c in unclear.closest)
    return _unclear(intent, why, lines=lines, state=state)


def _planned(state: State, intent: Intent, command: Command, now: datetime, token: str,
             tz: ZoneInfo) -> StaffAnswer:
    """One action understood: its plan and a code to confirm it (a question is closed at once)."""
    try:
        plan = plan_command(state, command, now, tz, intent.sender)
    except StaffActionError as exc:
        return _unclear(intent, exc.by_email)
    said = _understood(command, state, tz)
    if plan.empty:
        return StaffAnswer(_to_staff(intent, Outcome.STAFF_UNCHANGED, Template.STAFF_DONE,
                                     f"{said} : rien à changer, c’est déjà le cas.",
                                     summary=f"{_what(command)} demandé par {intent.sender} : rien "
                                             "à changer"))
    if command.verb is StaffVerb.QUESTION_DONE:  # closing a question changes no member's lot
        return StaffAnswer(_to_staff(intent, Outcome.STAFF_DONE, Template.STAFF_DONE, f"{said} : c’est fait.",
                                     summary=f"question {command.target} close par {intent.sender}"),
                           plan, confirmed=True, plans=(plan,))
    action, reply = _to_confirm(state, intent, command, now, token, f"{said}.")
    return StaffAnswer(Decision(Outcome.STAFF_CONFIRM, f"{_what(command)} demandé par "
                                f"{intent.sender} : en attente de son code",
                                replies=(reply,), pending=(action,), group_id=plan.group_id), plan,
                       plans=(plan,))


def _to_confirm(state: State, intent: Intent, command: Command, now: datetime, token: str,
                said: str) -> tuple[PendingAction, Reply]:
    action = PendingAction(token_hash(token), "staff", command.target or "staff", intent.sender, now,
                           now + timedelta(hours=state.token_hours), payload=command.to_json())
    reply = replace(_reply(intent, Outcome.STAFF_CONFIRM, Template.STAFF_CONFIRM, said), token=token,
                    expires_at=action.expires_at)
    return action, reply


def _choice(state: State, intent: Intent, commands: tuple[Command, ...], now: datetime,
            token: Callable[[], str], tz: ZoneInfo) -> StaffAnswer:
    """Two readings remain (two groups, two people of that name): one plan and one code each, in
    a mail each, so that the staff member answers the one they meant."""
    actions, replies, plans = [], [], []
    for command in commands:
        try:
            plan = plan_command(state, command, now, tz, intent.sender)
        except StaffActionError:
            continue
        said = (f"{_understood(command, state, tz)} (une lecture parmi {len(commands)} : répondez « oui » "
                "au message de celle que vous vouliez dire, et rien aux autres).")
        action, reply = _to_confirm(state, intent, command, now, token(), said)
        actions.append(action)
        replies.append(reply)
        plans.append(plan)
    if not plans:
        return _planned(state, intent, commands[0], now, token(), tz)
    return StaffAnswer(Decision(Outcome.STAFF_CONFIRM, f"{len(plans)} lectures possibles du message de "
                                f"{intent.sender} : en attente de son code",
                                replies=tuple(replies), pending=tuple(actions),
                                group_id=plans[0].group_id), plans[0], plans=tuple(plans))


def _confirmation(state: State, intent: Intent, now: datetime, tz: ZoneInfo,
                  own: tuple[str, ...]) -> StaffAnswer | None:
    """The code of a staff action sent back by the address it was sent to: the action applied."""
    for code in intent.tokens:
        action = _staff_action(state, code)
        if action is None or action.email != intent.sender:
            continue  # not ours, or another address's code: it confirms nothing
        if not intent.vouched:
            return StaffAnswer(Decision(Outcome.STAFF_MESSAGE, f"code de {intent.sender} ignoré : "
                                        f"{_NOT_VOUCHED}"), unverified=_NOT_VOUCHED)
        used = replace(action, used_at=action.used_at or now)
        if action.used_at is not None or now >= action.expires_at:
            why = ("ce code a déjà servi ou a expiré : rien n’a été fait de nouveau. Pour refaire "
                   "l’action, écrivez-la dans un nouveau message")
            return _unclear(intent, why, pending=(used,))
        command = Command.from_json(action.payload)
        answer = said_yes(intent.message.new_text)
        # « OK merci », « oui merci Claire »: a yes in a few words asks nothing else
        brief = (answer is True and len(re.findall(r"\w+", intent.message.new_text)) <= 5
                 and _BRIEF_YES.match(fold(intent.message.new_text)) is not None)
        other = None if brief else _other_action(command, read_request(
            "", intent.message.new_text, state, now, tz, own=own, about=command.target))
        if other is not None:
            # « Plutôt promouvoir C0004 » answering the plan of C0003: neither is done.
            why = (f"votre réponse demande une autre action ({other}) : répondez « oui » ou « non » "
                   f"à l’action décrite ({STAFF_VERB[command.verb]} {command.target}), et écrivez "
                   "l’autre dans un nouveau message")
            return _unclear(intent, why)
        if answer is None:
            why = (f"nous ne savons pas si vous confirmez « {STAFF_VERB[command.verb]} » : répondez "
                   "« oui » pour le faire ou « non » pour l’abandonner ; le code reste valable "
                   f"jusqu’au {format_date_fr(action.expires_at, tz)}")
            return _unclear(intent, why)
        if not answer:
            return StaffAnswer(_to_staff(intent, Outcome.STAFF_UNCHANGED, Template.STAFF_DONE,
                                         f"{_understood(command, state, tz)} : action annulée, rien n’a "
                                         "changé.", pending=(used,),
                                         summary=f"{_what(command)} annulé par {intent.sender}"))
        return _confirmed(state, intent, command, used, now, tz)
    return None


def _confirmed(state: State, intent: Intent, command: Command, used: PendingAction, now: datetime,
               tz: ZoneInfo) -> StaffAnswer:
    """A plan confirmed: made again on the state as it is now, and applied if it still changes
    something (a colleague may have done it meanwhile: then nothing is applied nor recorded)."""
    try:
        plan = plan_command(state, command, now, tz, intent.sender)
    except StaffActionError as exc:
        return _unclear(intent, f"l’action n’est plus possible : {exc.by_email}", pending=(used,))
    said = _understood(command, state, tz)
    if plan.empty:
        return StaffAnswer(_to_staff(intent, Outcome.STAFF_UNCHANGED, Template.STAFF_DONE,
                                     f"{said} : rien à changer, c’est déjà le cas ; rien n’est "
                                     "inscrit à l’historique.", pending=(used,),
                                     summary=f"{_what(command)} confirmé par {intent.sender} : "
                                             "rien à changer"))
    decision = _to_staff(intent, Outcome.STAFF_DONE, Template.STAFF_DONE, f"{said} : c’est fait.",
                         pending=(used,), summary=f"{_what(command)} confirmé par {intent.sender}")
    return StaffAnswer(replace(decision, group_id=plan.group_id), plan, confirmed=True, plans=(plan,))


#: A yes that opens a short answer: « OK merci », « oui merci Claire », « parfait, go ».
_BRIEF_YES = re.compile(r"\W*(?:bonjour\W+)?(?:ok|oui|parfait|d'accord|daccord|go|yes|c'est bon|je confirme"
                        r"|valide|vas-y|top|super)\b")


def _other_action(command: Command, reading: Reading) -> str | None:
    """The other action an answer to a plan asks for, in words, if it asks for one."""
    for other in reading.commands:
        if (other.verb, other.target) != (command.verb, command.target):
            return STAFF_VERB[other.verb] + (f" {other.target}" if other.target else "")
    unclear = reading.unclear
    if unclear is not None and unclear.verb is not None and unclear.missing is not Missing.ACTION:
        return STAFF_VERB[unclear.verb]  # an action whose object is not the plan's (« C0007 »)
    return None


def _staff_action(state: State, code: str) -> PendingAction | None:
    """The staff action waiting for this code, whoever it was sent to."""
    return pending_for(state, code, "staff")


def said_yes(text: str) -> bool | None:
    """Whether an answer to a plan confirms it (True), abandons it (False) or is both (None).

    Its first paragraph counts, after a greeting: « Bonjour,\n\nNon, finalement on attend. »
    says no as surely as « Non »; an answer that says neither (sent as it is) confirms.
    """
    lines = [line.strip() for line in fold_aligned(TOKEN.sub(" ", text)).split("\n")]
    while lines and (not lines[0] or _GREETING.match(lines[0])):
        lines.pop(0)
    first = " ".join(lines[:lines.index("")] if "" in lines else lines)
    no, yes = _NO.search(first), _YES.search(first)
    if no is not None:
        return None if yes is not None else False
    return True


def plan_command(state: State, command: Command, now: datetime, tz: ZoneInfo, actor: str) -> Plan:
    """The plan of a staff command, as the command line would make it."""
    verb, target, fields = command.verb, command.target, command.fields
    if verb is StaffVerb.ADD:
        received = datetime.fromisoformat(fields["received_at"])
        return plan_add(state, target, now, email=fields["email"], name=fields["name"],
                        department=fields["department"], structure=fields.get("structure"),
                        role=fields.get("role"), received_at=min(received, now))
    if verb in (StaffVerb.OPEN, StaffVerb.CLOSE):
        return plan_group_change(state, target, now, call=CallStatus.OPEN if verb is StaffVerb.OPEN
                                 else CallStatus.CLOSED)
    if verb is StaffVerb.CAPACITY:
        return plan_group_change(state, target, now, capacity=int(fields["capacity"]))
    if verb is StaffVerb.DEADLINE:
        return plan_group_change(state, target, now, closes_at=datetime.fromisoformat(fields["closes_at"]),
                                 call=CallStatus.OPEN if fields.get("open") else None)
    if verb is StaffVerb.MEETING:
        starts = datetime.fromisoformat(fields["when"]) if "when" in fields else None
        return plan_group_change(state, target, now, starts_at=starts, place=fields.get("place"))
    if verb in (StaffVerb.WITHDRAW, StaffVerb.REFUSE, StaffVerb.PROMOTE):
        reason = command.reason or _DEFAULT_REASON.get(verb, "")
        return plan_candidate_action(state, verb.value, target, reason, now)
    if verb is StaffVerb.QUESTION_DONE:
        return plan_question_done(state, target, actor, now)
    if verb is StaffVerb.REVIEW_STOP:
        return plan_review_change(state, target, on=False)
    try:
        if verb is StaffVerb.IDEA_ADVANCE:
            change = advance(find(state, target), now, actor)
        elif verb is StaffVerb.IDEA_VALIDATE:
            change = validate(state, target, date.fromisoformat(fields["board_date"]),
                              fields.get("co_animated") != "no", now, actor)
        elif verb is StaffVerb.IDEA_DECLINE:
            change = decline(find(state, target), command.reason, now, actor)
        else:
            change = draft_group(state, target, now, actor, tz)
    except IdeaError as exc:
        raise StaffActionError(str(exc), by_email=exc.by_email) from None
    return plan_idea(state, change, verb.value, now)


def _understood(command: Command, state: State, tz: ZoneInfo) -> str:
    return understood(command.verb, command.target, state, tz, reason=command.reason, fields=command.fields)


def _what(command: Command) -> str:
    """The action in a few words, for the log: « clore l’appel (ot-ruraux) »."""
    return f"{STAFF_VERB[command.verb]} ({command.target})" if command.target else STAFF_VERB[command.verb]


def _title(state: State, group_id: str) -> str:
    group = state.groups.get(group_id)
    return group.title if group is not None else group_id


def _reply(intent: Intent, outcome: Outcome, template: Template, reason: str,
           details: tuple[str, ...] = ()) -> Reply:
    message: Inbound = intent.message
    return Reply(outcome=outcome, to=intent.sender, to_name=intent.name, template=template,
                 reason=reason, in_reply_to=message.message_id, references=message.references,
                 subject=message.subject, details=details)


def _to_staff(intent: Intent, outcome: Outcome, template: Template, reason: str, *, summary: str,
              pending: tuple[PendingAction, ...] = ()) -> Decision:
    return Decision(outcome, summary, replies=(_reply(intent, outcome, template, reason),),
                    pending=pending)


def _unclear(intent: Intent, why: str, *, state: State | None = None,
             pending: tuple[PendingAction, ...] = (), lines: tuple[str, ...] = ()) -> StaffAnswer:
    """Nothing done, and why; with the lines to send instead: `lines`, or the examples written
    for `state`'s groups (none when neither is given)."""
    shown = lines or (examples(state) if state is not None else ())
    reply = _reply(intent, Outcome.STAFF_UNCLEAR, Template.STAFF_UNCLEAR, why, shown)
    return StaffAnswer(Decision(Outcome.STAFF_UNCLEAR, f"message de {intent.sender} (équipe) non "
                                f"compris : {why}",
                                replies=(reply,), pending=pending))
