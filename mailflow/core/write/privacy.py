"""The RGPD records: everything held on one person, and the purge of groups that have met."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from ...model.review import Review
from ...model.values import Candidature, Figure, Idea, PendingAction, Profile, Question, State, Status
from ..decide.places import position
from ..french import STATUS, format_date_fr, plural
from .records import (
    ANONYMOUS_DOMAIN,
    attachment_names,
    aware,
    mentions,
    raw_mentions,
    same,
    text_body,
    when,
    word,
)
from .records import (
    raw as raw_bytes,
)

# --- what we hold on one person --------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A record as JSON values, every field of it: new fields join the export by themselves."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Figure):  # as said: a number, or a range with the member's words
        if value.is_exact:
            return value.low
        return {"from": value.low, "to": None if value.high == float("inf") else value.high,
                "said": value.said, **({"people": True} if value.people else {})}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _candidature_json(state: State, cand: Candidature) -> dict[str, Any]:
    group = state.groups.get(cand.group_id)
    ranked = cand.status in (Status.CONFIRMED, Status.WAITLISTED)
    data: dict[str, Any] = _plain(cand)
    data.pop("message_key", None)  # our internal arrival key, nothing about the person
    return {**data, "group_title": group.title if group else None,
            "status_fr": STATUS[cand.status],
            "position": position(state, cand) if ranked else None}


def _idea_json(idea: Idea) -> dict[str, Any]:
    data: dict[str, Any] = _plain(idea)
    data.pop("message_key", None)
    return data


def _pending_json(action: PendingAction) -> dict[str, Any]:
    data: dict[str, Any] = _plain(action)
    data.pop("email", None)  # the export is about that address already
    # Named as the store names it (see `store.codecs.pending_to_json`).
    return {("candidature_id" if key == "target" else key): value for key, value in data.items()}


def _outbox_meta(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {key: doc.get(key) for key in ("id", "to", "outcome", "subject", "status", "created_at",
                                          "sent_at", "attempts", "last_error")}


def _review_json(review: Review) -> dict[str, Any]:
    """A reply to the person held for staff to read: what it is about and what they wrote."""
    return {"number": review.label, "outcome": review.outcome, "subject": review.subject,
            "decided": review.summary, "their_words": review.text, "about": review.about,
            "received_at": review.received_at.isoformat() if review.received_at else None,
            "held_since": review.created_at.isoformat(), "fate": review.fate.value}


def privacy_export(state: State, ledger: Sequence[Mapping[str, Any]],
                   outbox: Sequence[Mapping[str, Any]], history: Sequence[Mapping[str, Any]],
                   email: str, now: datetime, reviews: Sequence[Review] = ()) -> dict[str, Any]:
    """Everything the store holds on one address (RGPD art. 15), as plain JSON values.

    Replies to the person come with their text; staff messages that merely name them (digests,
    alerts) are listed without their text, which tells about other people too. A reply held for
    review keeps their words until it is settled (then only its outcome is kept, nameless).
    """
    cands = [c for c in state.candidatures if same(c.email, email)]
    ids = [c.id for c in cands]
    replies, about = [], []
    for doc in sorted(outbox, key=lambda d: int(d.get("seq", 0))):
        raw = raw_bytes(doc)
        if any(same(str(t), email) for t in doc.get("to", ())):
            replies.append({**_outbox_meta(doc), "text": text_body(raw),
                            "attachments": attachment_names(raw),
                            "body_kept": bool(raw)})
        elif raw_mentions(raw, [email]) or mentions(doc.get("subject"), [email]):
            about.append(_outbox_meta(doc))
    return {
        "email": email,
        "exported_at": now.isoformat(),
        "candidatures": [_candidature_json(state, c) for c in cands],
        # Candidatures they made for a colleague: hers, but the registration was theirs.
        "candidatures_made_for_others": [c.id for c in state.candidatures if same(c.registered_by, email)],
        "ideas": [_idea_json(i) for i in state.ideas if same(i.email, email)],
        "messages_received": [dict(d) for d in ledger if same(d.get("sender"), email)],
        "replies_sent": replies,
        "staff_messages_naming_them": about,
        "questions": [_plain(q) for q in state.questions if same(q.email, email)],
        "history": [dict(h) for h in history if mentions(h, [email, *ids])],
        "pending_confirmations": [_pending_json(p) for p in state.pending
                                  if same(p.email, email) or p.target in ids],
        "replies_held_for_review": [_review_json(r) for r in reviews if same(r.to, email)],
        "not_in_this_export": (
            "Les messages d’origine restent dans la boîte aux lettres du réseau (dossiers de "
            "messages traités et de quarantaine) et les copies des réponses dans son dossier "
            "d’envoi : les chercher par l’adresse dans le client de messagerie. Le texte d’une "
            "réponse n’est gardé par mailflow que jusqu’à son envoi."),
    }


# --- the purge ------------------------------------------------------------------------------


def is_anonymous(email: str | None) -> bool:
    return email is not None and email.casefold().endswith("@" + ANONYMOUS_DOMAIN)


def pseudonym(email: str, salt: bytes) -> str:
    """`anonyme-<sha256 prefix>@invalid`; the same for one address within one purge.

    Salted (a fresh salt per purge): a bare hash of an address is undone by hashing the
    members' directory.
    """
    if is_anonymous(email):
        return email
    digest = hashlib.sha256(salt + email.casefold().encode()).hexdigest()[:16]
    return f"anonyme-{digest}@{ANONYMOUS_DOMAIN}"


_QUOTED = re.compile(r"«[^»]*»")


def _scrub(text: str, names: Mapping[str, str]) -> str:
    """Addresses replaced by their pseudonyms; what a member wrote (quoted « … ») dropped."""
    for real, alias in names.items():
        text = word(real).sub(alias, text)
    return _QUOTED.sub("«…»", text)


def _scrub_json(value: Any, names: Mapping[str, str], people: Sequence[str] = ()) -> Any:
    """Addresses replaced by their pseudonyms, and full names erased, in every string."""
    if isinstance(value, str):
        for real, alias in names.items():
            value = word(real).sub(alias, value)
        for person in people:
            value = word(person).sub("[nom effacé]", value)
        return value
    if isinstance(value, Mapping):
        return {k: _scrub_json(v, names, people) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, names, people) for v in value]
    return value


@dataclass
class PurgePlan:
    """What `privacy purge` changes; every list holds the new values of changed records only."""

    before: datetime
    groups: list[str] = field(default_factory=list)
    candidatures: list[Candidature] = field(default_factory=list)
    pending: list[PendingAction] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] | None = None  # the whole new history, when it changes
    questions: list[Question] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # what our messages were about
    people: int = 0
    kept_people: int = 0  # still in a running group: their messages wait for that group's end
    other_messages: int = 0  # questions, robots, unreadable mail with nothing else kept
    history_changed: int = 0
    unknown_groups: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.candidatures or self.pending or self.ledger or self.outbox
                    or self.history is not None or self.questions or self.sent)

    def counts(self) -> dict[str, int]:
        return {"candidatures": len(self.candidatures), "people": self.people,
                "people_kept_for_a_running_group": self.kept_people,
                "confirmations": len(self.pending), "ledger_entries": len(self.ledger),
                "outbox_bodies": len(self.outbox), "other_messages": self.other_messages,
                "questions": len(self.questions), "conversations": len(self.sent),
                "history_entries": self.history_changed}

    def lines(self) -> list[str]:
        day = format_date_fr(self.before, self.before.tzinfo or UTC)
        out = [f"groupes terminés avant le {day} : " + (", ".join(self.groups) or "aucun")]
        for g in self.unknown_groups:
            out.append(f"à savoir : les candidatures du groupe « {g} », absent de la configuration, "
                       "sont gardées")
        if self.empty:
            out.append("rien à anonymiser")
            return out
        anonymised = plural(len(self.candidatures), "candidature anonymisée", "candidatures anonymisées")
        out.append(f"{anonymised} ({plural(self.people, 'personne')}) ; statuts, groupes, "
                   "départements et dates gardés")
        if self.kept_people:
            out.append(f"{plural(self.kept_people, 'personne')} encore dans un groupe en cours : "
                       "leurs messages restent jusqu’à la fin de ce groupe")
        if self.other_messages:
            out.append(f"{plural(self.other_messages, 'message sans suite', 'messages sans suite')} "
                       "(questions, robots, illisibles) reçus avant cette date : expéditeur anonymisé")
        erased = [plural(len(self.ledger), "message reçu anonymisé", "messages reçus anonymisés"),
                  plural(len(self.outbox), "texte de réponse effacé", "textes de réponse effacés"),
                  plural(len(self.pending), "confirmation anonymisée", "confirmations anonymisées")]
        if self.history_changed:
            erased.append(plural(self.history_changed, "entrée d’historique anonymisée",
                                 "entrées d’historique anonymisées"))
        out.append("registre : " + ", ".join(erased))
        return out


def purge_plan(state: State, ledger: Sequence[Mapping[str, Any]],
               outbox: Sequence[Mapping[str, Any]], history: Sequence[Mapping[str, Any]],
               before: datetime, salt: bytes, staff: Iterable[str] = (),
               sent: Sequence[Mapping[str, Any]] = ()) -> PurgePlan:
    """Anonymise the candidatures of groups whose first meeting came before `before`.

    Kept so that every count stays right: group, status, department, order and dates. A person
    loses their messages' trail (ledger, reply texts, history) only once none of their groups
    still runs. Outbox items not yet sent keep their text: they still have to go, and a later
    purge takes them (their message's record is anonymous by then). `staff` are the addresses
    that are not members (staff, the network's own). Running the plan again on its result finds
    nothing to do.
    """
    plan = PurgePlan(before=before)
    ended = {g.id for g in state.groups.values() if aware(g.first_meeting.starts_at) < before}
    plan.groups = sorted(ended)
    plan.unknown_groups = sorted({c.group_id for c in state.candidatures} - set(state.groups))
    purged = [c for c in state.candidatures if c.group_id in ended]
    names = _candidatures(plan, state, purged, salt)
    # Messages that led to nothing kept (questions, robots, unreadable mail) serve no one after
    # a while: those decided before the date lose their sender too.
    known = {c.email.casefold() for c in state.candidatures} | {i.email.casefold()
                                                                for i in state.ideas}
    running = {c.email.casefold() for c in state.candidatures if c.group_id not in ended}
    gone = {real: alias for real, alias in names.items() if real not in running}
    plan.people = len({c.email.casefold() for c in plan.candidatures})
    plan.kept_people = len(set(names) - set(gone))
    people = _Names(salt, before, gone, dict(gone), known, {a.casefold() for a in staff})
    touched_keys = _ledger(plan, ledger, people, {i.message_key for i in state.ideas})
    _outbox(plan, outbox, people, touched_keys)
    _questions(plan, state, people)
    _sent(plan, sent, people)
    if gone:
        _history(plan, history, purged, gone)
    return plan


@dataclass
class _Names:
    """Who the purge names otherwise: the people wholly gone (their address → pseudonym), every
    pseudonym given so far (strays included), the addresses we hold records of, and ours."""

    salt: bytes
    before: datetime
    gone: dict[str, str]
    aliases: dict[str, str]
    known: set[str]
    ours: set[str]


def _candidatures(plan: PurgePlan, state: State, purged: list[Candidature],
                  salt: bytes) -> dict[str, str]:
    """The purged candidatures and their confirmations, pseudonymised; each real address
    (folded) → its pseudonym."""
    names: dict[str, str] = {}
    for cand in purged:
        alias = pseudonym(cand.email, salt)
        if not is_anonymous(cand.email):
            names[cand.email.casefold()] = alias
        new = replace(
            cand, email=alias, name=None, registered_by=None,
            profile=Profile(department=cand.profile.department),
            message_id=None, subject="", reason=_scrub(cand.reason, {}),
        )
        if new != cand:
            plan.candidatures.append(new)
    purged_ids = {c.id for c in purged}
    for action in state.pending:
        if action.target in purged_ids and not is_anonymous(action.email):
            plan.pending.append(replace(action, email=pseudonym(action.email, salt)))
    return names


def _ledger(plan: PurgePlan, ledger: Sequence[Mapping[str, Any]], people: _Names,
            idea_keys: set[str]) -> set[str]:
    """The messages of the people gone, and the strays before the date, without their sender,
    subject and quoted words; the keys of those touched."""
    touched_keys: set[str] = set()
    for doc in ledger:
        sender = doc.get("sender")
        folded = sender.casefold() if sender else None
        if doc.get("key") in idea_keys:
            continue  # a kept idea keeps its message's record
        if folded is not None and folded in people.gone:
            names_here = people.gone
        elif _stray(doc, people.known | people.ours, people.before):
            names_here = {folded: pseudonym(str(sender), people.salt)} if folded else {}
            people.aliases.update(names_here)
        else:
            continue
        new_doc = {**doc, "sender": names_here.get(folded, sender) if folded else None,
                   "subject": "", "message_id": None,
                   "summary": _scrub(str(doc.get("summary") or ""), names_here)}
        touched_keys.add(str(doc.get("key")))
        if new_doc != dict(doc):
            plan.ledger.append(new_doc)
            if folded not in people.gone:
                plan.other_messages += 1
    return touched_keys


def _outbox(plan: PurgePlan, outbox: Sequence[Mapping[str, Any]], people: _Names,
            touched_keys: set[str]) -> None:
    """The replies sent to them, or about them, without their text and with pseudonyms."""
    kept = people.known | people.ours
    for doc in outbox:
        if doc.get("status") in ("pending", "sending"):
            continue  # still to send: its text is needed; the next purge takes it
        to = [str(t) for t in doc.get("to", ())]
        raw = raw_bytes(doc)
        if not (any(t.casefold() in people.gone for t in to) or doc.get("message_key") in touched_keys
                or raw_mentions(raw, people.gone)):
            continue
        new_doc = {**doc, "to": [_recipient(t, people.aliases, kept, people.salt) for t in to],
                   "raw_b64": "",
                   "subject": "", "last_error": _scrub(str(doc.get("last_error") or ""), people.aliases)}
        if new_doc != dict(doc):
            plan.outbox.append(new_doc)


def _questions(plan: PurgePlan, state: State, people: _Names) -> None:
    """Questions follow their person: gone, or a stray asker before the date."""
    for question in state.questions:
        folded = question.email.casefold()
        stray = question.received_at < people.before and folded not in people.known
        if (folded in people.gone or stray) and not is_anonymous(question.email):
            alias = people.gone.get(folded) or people.aliases.setdefault(
                folded, pseudonym(question.email, people.salt))
            plan.questions.append(replace(question, email=alias, name=None, subject="", text=""))


def _sent(plan: PurgePlan, sent: Sequence[Mapping[str, Any]], people: _Names) -> None:
    """What our messages were about follows its person too (and a purged question's forward)."""
    purged_questions = {q.id for q in plan.questions}
    for doc in sent:
        folded = str(doc.get("to", "")).casefold()
        new_doc = dict(doc)
        if doc.get("kind") == "question" and doc.get("case_id") in purged_questions:
            new_doc.update(subject="", thread="")  # the forward's « Question de <name> : … »
        if folded in people.aliases or folded in people.gone:
            new_doc.update(to=people.aliases.get(folded) or people.gone[folded], subject="",
                           thread="", profile=None)
        if new_doc != dict(doc):
            plan.sent.append(new_doc)


def _history(plan: PurgePlan, history: Sequence[Mapping[str, Any]], purged: list[Candidature],
             gone: Mapping[str, str]) -> None:
    """The history without the addresses of the people gone, nor their full names."""
    old_history = [dict(h) for h in history]
    # Staff write free text (a reason): a full name there goes too; short ones would hit
    # ordinary words.
    people = sorted({n for c in purged if c.email.casefold() in gone
                     for n in (c.name, c.profile.name) if n and len(n) >= 5}, key=len, reverse=True)
    new_history = [_scrub_json(h, gone, people) for h in old_history]
    plan.history_changed = sum(a != b for a, b in zip(old_history, new_history, strict=True))
    if plan.history_changed:
        plan.history = new_history


def _stray(doc: Mapping[str, Any], known: set[str], before: datetime) -> bool:
    """A message decided before the date whose sender we hold nothing else about."""
    decided = when(doc.get("decided_at"))
    if decided is None or decided >= before:
        return False
    sender = doc.get("sender")
    # Already anonymous: nothing to change, but a reply sent since still has to lose its text.
    return not sender or is_anonymous(sender) or sender.casefold() not in known


def _recipient(address: str, aliases: Mapping[str, str], kept: set[str], salt: bytes) -> str:
    """A recipient as the purge leaves it: members and strangers pseudonymised, staff kept."""
    folded = address.casefold()
    if folded in aliases:
        return aliases[folded]
    return address if folded in kept else pseudonym(address, salt)
