"""Plain values shared by every layer: frozen dataclasses (a message, what it asks, a decision, the
state), with the model's enums, network and people re-exported; nothing outside the model imported."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import NamedTuple

from .enums import (
    CallStatus,
    CaseKind,
    DeliveryStatus,
    Fact,
    IdeaStatus,
    IntentKind,
    Occasion,
    Outcome,
    QuestionStatus,
    Role,
    Scale,
    StaffVerb,
    Status,
    Template,
    Territory,
)
from .ids import canonical_id
from .network import Criteria, Department, Group, Meeting, Network
from .people import Applicant, Figure, Profile
from .seats import seated

__all__ = [
    "Applicant",
    "CallStatus",
    "CaseKind",
    "Criteria",
    "DeliveryStatus",
    "Department",
    "Fact",
    "Figure",
    "Group",
    "IdeaStatus",
    "IntentKind",
    "Meeting",
    "Network",
    "Occasion",
    "Outcome",
    "Profile",
    "QuestionStatus",
    "Role",
    "Scale",
    "StaffVerb",
    "Status",
    "Template",
    "Territory",
]


@dataclass(frozen=True)
class Attachment:
    """An attachment's name, type and size (its content is never trusted)."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Inbound:
    """A parsed incoming message: typed values taken from the raw bytes once, at the edge."""

    key: str
    sha256: str
    message_id: str | None
    sender: str | None
    sender_name: str | None
    subject: str
    text: str
    new_text: str
    signature: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "text/plain"
    attachments: tuple[Attachment, ...] = ()
    calendar_method: str | None = None  # an iMIP part's METHOD (REPLY: an answer to an invitation)
    #: Every Authentication-Results header, from the top down (the receiving server's first).
    authentication_results: tuple[str, ...] = ()
    #: When the mailbox received it (IMAP INTERNALDATE, the Maildir name's time); None when
    #: the mailbox does not say, and then the time it was read stands for it.
    received_at: datetime | None = None

    def arrived(self, now: datetime) -> datetime:
        """When the message arrived: the mailbox's time, else `now` (the time it is read)."""
        return self.received_at or now

    def header(self, name: str) -> str | None:
        """The first value of a header kept for classification, case-insensitively."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None


@dataclass(frozen=True)
class Intent:
    """What the message asks for, with what it tells."""

    kind: IntentKind
    message: Inbound
    sender: str
    name: str | None
    group_id: str | None = None
    ambiguous_groups: tuple[str, ...] = ()
    profile: Profile = field(default_factory=Profile)
    reason: str = ""
    tokens: tuple[str, ...] = ()  # confirmation codes (« MF-… ») the message quotes
    #: What the message answers, when it is a reply in one of our threads (see core.conversation).
    case: Case | None = None
    asks: bool = False  # the new text asks something (a « ? »): a person may have to answer
    #: The receiving server vouches for the sender (DMARC passed), or nobody is trusted to say
    #: (no `trusted_authserv_id`): a staff action needs it.
    vouched: bool = False
    #: A colleague the sender applies for (the candidature is hers, never the sender's).
    applicant: Applicant | None = None


@dataclass(frozen=True)
class PendingAction:
    """An action a forged From could abuse, waiting for the registered address to confirm it.

    Only the token's hash is kept; the token itself travels in the mail to that address.
    """

    token_hash: str
    kind: str  # "commit", "withdraw" (a candidature's) or "staff" (a staff action)
    #: What the action is about: a candidature's id (commit, withdraw); for a staff action, what
    #: the command names (a candidature, a group, an idea, a question) or « staff ».
    target: str
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    payload: str = ""  # a staff action: the command, as JSON, planned again when confirmed


@dataclass(frozen=True)
class Candidature:
    """One member's candidature to one group."""

    id: str
    group_id: str
    email: str
    name: str | None
    profile: Profile
    status: Status
    seq: int
    received_at: datetime
    message_key: str
    message_id: str | None = None
    subject: str = ""
    reason: str = ""
    missing: tuple[str, ...] = ()
    updated_at: datetime | None = None
    forced: bool = False  # staff decided beyond the rules (a place, a refusal): left alone
    in_person: bool = False  # taken by staff (a departmental meeting): its profile was checked there
    #: The place it holds in its group, 1 to capacity, while it holds one: told to the member,
    #: it never changes while they keep it (no two holders share one; a freed one is given again).
    seat: int | None = None
    registered_by: str | None = None  # the address of a colleague who applied for her


@dataclass(frozen=True)
class Idea:
    """A member's idea for a new working group."""

    id: str
    seq: int
    email: str
    name: str | None
    subject: str
    summary: str
    received_at: datetime
    message_key: str
    attachments: tuple[str, ...] = ()
    #: Where the idea stands: received → discussion → note-received → validated → drafted, or
    #: declined.
    status: IdeaStatus = IdeaStatus.RECEIVED
    message_id: str | None = None  # the first message's, so replies thread with it
    history: tuple[tuple[str, str, str], ...] = ()  # (when, what, who), oldest first
    note: str = ""  # the text of the message that brought the note d'intention
    note_received_at: datetime | None = None
    validated_on: date | None = None  # the board's (Conseil d'administration) meeting
    co_animated: bool | None = None  # whether the MONA team co-animates the group (5 a year)
    declined_reason: str = ""
    group_id: str | None = None  # the group drafted from it
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Question:
    """A question only a person can answer, handed to staff until one of them answers it."""

    id: str
    seq: int
    email: str
    name: str | None
    subject: str
    text: str  # what the member wrote (without quotes), as staff read it in the digest
    received_at: datetime
    message_key: str
    message_id: str | None = None
    group_id: str | None = None
    about: str | None = None  # the candidature or idea whose thread it was asked in
    status: QuestionStatus = QuestionStatus.OPEN
    answered_at: datetime | None = None
    answered_by: str | None = None
    follow_ups: int = 0  # later messages of the member in the same thread


@dataclass(frozen=True)
class Case:
    """What an incoming message answers: one of our messages' subject, found by `how`."""

    kind: CaseKind
    id: str  # C0003, I0004, Q0002; for a request or help, our message's Message-ID
    how: str  # "thread", "code", "subject" or "sender": how the message was tied to it
    asked: tuple[str, ...] = ()  # the facts our message asked for (« group » included)
    group_id: str | None = None
    profile: Profile | None = None  # a request's facts so far
    status: str | None = None  # a candidature's status when the message arrived
    owner: str | None = None  # a candidature's address: not the sender's when made for a colleague
    colleague: str | None = None  # our message told its sender of a colleague they applied for


@dataclass(frozen=True, slots=True)  # years of them are looked up in memory: kept small
class Sent:
    """A message we sent, with what it was about: the key to reading the answers to it."""

    message_id: str
    to: str
    subject: str
    kind: CaseKind
    case_id: str
    sent_at: datetime
    asked: tuple[str, ...] = ()
    group_id: str | None = None
    profile: Profile | None = None  # a request's facts, kept until the group is named
    thread: str = ""  # the subject as threads compare it (no prefixes, no code, folded)
    colleague: str | None = None  # told to who applied for her: « Julie Martin <julie.martin@…> »


@dataclass(frozen=True)
class CallSummary:
    """Where a group's call stands, as replies and status show it."""

    group_id: str
    capacity: int
    taken: int
    waiting: int
    accepting: bool

    @property
    def places_left(self) -> int:
        """Places not yet taken or held."""
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class Reply:
    """A reply to send: which template, to whom, with what; rendering comes later."""

    outcome: Outcome
    to: str
    to_name: str | None
    template: Template
    group_id: str | None = None
    candidature_id: str | None = None
    position: int | None = None
    reason: str = ""
    missing: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""
    token: str = ""  # a confirmation code the reply asks the member to send back
    expires_at: datetime | None = None  # when that code stops working
    calls: tuple[CallSummary, ...] = ()
    #: The invitation's SEQUENCE (confirmed, promoted, meeting_changed); for a cancellation,
    #: the SEQUENCE of the last invitation sent, which the cancellation exceeds by one.
    calendar_sequence: int = 0
    #: A withdrawal from a confirmed place: the reply cancels the member's invitation.
    cancels_invitation: bool = False
    passed_on: bool = False  # the place freed went to the next on the waiting list (said so)
    idea: Idea | None = None  # the idea a reply is about (its stage, its subject)
    question_id: str | None = None
    #: Why a figure the member gave does not settle a criterion (one sentence each).
    unclear: tuple[str, ...] = ()
    #: What we know of the member (their role makes the greeting; a request keeps its facts).
    profile: Profile | None = None
    #: Lines for a staff member: what an action will do or did, or examples of what to write.
    details: tuple[str, ...] = ()
    occasion: Occasion = Occasion.ANSWER
    received_at: datetime | None = None  # when the team registered it, when it was received
    #: Where the member stands in each group she applied to (told with an answer to a question).
    standings: tuple[str, ...] = ()
    #: A candidature made for someone else: the other person, as the letter names her.
    colleague: str = ""
    #: Where the candidature stands, for a letter that says it in its own words.
    standing: Status | None = None


@dataclass(frozen=True)
class Decision:
    """What `decide` concluded for one message: the outcome, the state changes and the replies."""

    outcome: Outcome
    summary: str
    candidatures: tuple[Candidature, ...] = ()
    ideas: tuple[Idea, ...] = ()
    replies: tuple[Reply, ...] = ()
    group_id: str | None = None
    pending: tuple[PendingAction, ...] = ()  # new or used confirmations
    questions: tuple[Question, ...] = ()  # new, followed up or answered
    forward: Question | None = None  # the member's question to hand to staff with this message


@dataclass(frozen=True)
class State:
    """Everything `decide` needs to know: the configuration and the candidatures so far.

    A value: a change makes a new state. Its lookups (`indexes`) are worked out once and carried
    to the states made from it by `with_candidatures` and `evolve`; nothing else writes them.
    """

    groups: dict[str, Group]
    departments: dict[str, Department]
    candidatures: tuple[Candidature, ...] = ()
    ideas: tuple[Idea, ...] = ()
    next_seq: int = 1
    pending: tuple[PendingAction, ...] = ()
    token_hours: float = 72.0  # how long a confirmation code stays valid
    questions: tuple[Question, ...] = ()
    answer_days: float = 14.0  # how long a place is held while the member answers our question
    #: The last number given in each series of ids (C candidatures, I ideas, Q questions): each
    #: series counts on its own, C0001, C0002… beside I0001…
    numbers: dict[str, int] = field(default_factory=dict)
    #: The lookups worked out from this very state (see `indexes`): a state never changes, so
    #: they are worked out once. `replace` starts without them.
    _memo: dict[str, Indexes] = field(default_factory=dict, init=False, repr=False, compare=False)

    def new_id(self, series: str) -> str:
        """The next id of a series: « C », « I » or « Q » and four digits (more past 9999)."""
        return f"{series}{self.last_number(series) + 1:04d}"

    def last_number(self, series: str) -> int:
        """The last number given in a series (read from the records when not counted yet)."""
        if series in self.numbers:
            return self.numbers[series]
        ids = ([c.id for c in self.candidatures] if series == "C" else
               [i.id for i in self.ideas] if series == "I" else
               [q.id for q in self.questions] if series == "Q" else [])
        return max((int(i[1:]) for i in ids if i[:1] == series and i[1:].isdigit()), default=0)

    def numbered(self, *ids: str) -> dict[str, int]:
        """The numbers of each series once these ids are given."""
        numbers = dict(self.numbers)
        for given in ids:
            series, digits = given[:1], given[1:]
            if digits.isdigit():
                numbers[series] = max(numbers.get(series, self.last_number(series)), int(digits))
        return numbers

    def of_group(self, group_id: str) -> list[Candidature]:
        """The group's candidatures in arrival order (a candidature taken in person at its time)."""
        return list(self.by_group().get(group_id, ()))

    def by_group(self) -> dict[str, tuple[Candidature, ...]]:
        """Every group's candidatures in arrival order."""
        return self.indexes()[0]

    # One lookup by id per record: the id as typed (« c12 »), the record or None.
    def candidature(self, candidature_id: str) -> Candidature | None:
        found = self.indexes()[1].get(candidature_id)
        return found if found is not None else self.indexes()[1].get(canonical_id(candidature_id))

    def idea(self, idea_id: str) -> Idea | None:  # the latest version (a batch may hold an older)
        return next((i for i in reversed(self.ideas) if i.id == canonical_id(idea_id)), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in reversed(self.questions) if q.id == canonical_id(question_id)), None)

    def of_email(self, email: str) -> tuple[Candidature, ...]:
        """This address's candidatures, oldest first."""
        return self.indexes()[2].get(email, ())

    def counts(self, group_id: str) -> tuple[int, int]:
        """(places held, waiting list) in the group."""
        return self.indexes()[3].get(group_id, (0, 0))

    def indexes(self) -> Indexes:
        """The candidatures' lookups, worked out at the first use."""
        found = self._memo.get("indexes")
        if found is None:
            found = self._memo["indexes"] = Indexes.of(self.candidatures)
        return found

    def evolve(self, **changes: object) -> State:
        """The state with these fields changed; what was worked out from the candidatures stays
        when they did not change."""
        after = replace(self, **changes)  # type: ignore[arg-type]
        if "candidatures" not in changes and "indexes" in self._memo:
            after._memo["indexes"] = self._memo["indexes"]
        return after

    def with_candidatures(self, *changed: Candidature) -> State:
        """The state with these candidatures added (at the end) or replaced (in their place, by
        id); its lookups are carried over, so that a decision stays cheap however many
        candidatures the store holds."""
        cands = list(self.candidatures)
        indexes = self.indexes().changed(cands, *seated(self.of_group, changed))
        after = replace(self, candidatures=tuple(cands))
        after._memo["indexes"] = indexes
        return after


class Indexes(NamedTuple):
    """A state's candidatures looked up without a scan: by group (arrival order), by id, by
    address, and each group's counts; carried from state to state as candidatures change."""

    by_group: dict[str, tuple[Candidature, ...]]
    by_id: dict[str, Candidature]
    by_email: dict[str, tuple[Candidature, ...]]
    counts: dict[str, tuple[int, int]]
    positions: dict[str, int]  # where each is in `State.candidatures`

    @classmethod
    def of(cls, candidatures: tuple[Candidature, ...]) -> Indexes:
        groups: dict[str, list[Candidature]] = {}
        emails: dict[str, list[Candidature]] = {}
        for cand in sorted(candidatures, key=arrival):
            groups.setdefault(cand.group_id, []).append(cand)
        for cand in candidatures:
            emails.setdefault(cand.email, []).append(cand)
        by_group = {g: tuple(cs) for g, cs in groups.items()}
        return cls(by_group, {c.id: c for c in candidatures},
                   {e: tuple(cs) for e, cs in emails.items()},
                   {g: _counts(cs) for g, cs in by_group.items()},
                   {c.id: i for i, c in enumerate(candidatures)})

    def changed(self, candidatures: list[Candidature], *changed: Candidature) -> Indexes:
        """The indexes with these candidatures added or replaced (a candidature keeps its group
        and its place); `candidatures`, the state's list, is changed in place to match."""
        positions = dict(self.positions)
        for cand in changed:
            at = positions.get(cand.id)
            if at is None:
                positions[cand.id] = len(candidatures)
                candidatures.append(cand)
            else:
                candidatures[at] = cand
        by_group, by_id, by_email = dict(self.by_group), dict(self.by_id), dict(self.by_email)
        counts = dict(self.counts)
        for cand in changed:
            old = by_id.get(cand.id)
            group = list(by_group.get(cand.group_id, ()))
            taken, waiting = counts.get(cand.group_id, (0, 0))
            if old is not None:  # found by its arrival in O(log n), then by id among equals
                at = bisect.bisect_left(group, arrival(old), key=arrival)
                while at < len(group) and group[at].id != old.id:
                    at += 1
                if at < len(group):
                    del group[at]
                    taken -= old.status.holds_place
                    waiting -= old.status is Status.WAITLISTED
            bisect.insort(group, cand, key=arrival)
            by_group[cand.group_id] = tuple(group)
            counts[cand.group_id] = (taken + cand.status.holds_place,
                                     waiting + (cand.status is Status.WAITLISTED))
            by_id[cand.id] = cand
        for cand in changed:  # an address's few candidatures, in their place in the state
            mine = list(by_email.get(cand.email, ()))
            at = next((i for i, c in enumerate(mine) if c.id == cand.id), None)
            if at is None:
                mine.append(cand)
            else:
                mine[at] = cand
            by_email[cand.email] = tuple(mine)
        return Indexes(by_group, by_id, by_email, counts, positions)


def _counts(cands: tuple[Candidature, ...]) -> tuple[int, int]:
    return (sum(c.status.holds_place for c in cands),
            sum(c.status is Status.WAITLISTED for c in cands))


def arrival(cand: Candidature) -> tuple[datetime, int]:
    """The order of first come: time of arrival, then the order mailflow read them in."""
    return cand.received_at, cand.seq
