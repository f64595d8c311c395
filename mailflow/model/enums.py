"""The vocabulary of mailflow: every enum, whose values are what the store and headers write."""

from __future__ import annotations

import enum


class Outcome(enum.StrEnum):
    """What happened to one message; the value is the `X-Mailflow-Outcome` header."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REFUSED = "refused"
    NEEDS_INFO = "needs-info"
    DUPLICATE = "duplicate"
    CLOSED = "closed"
    IDEA_RECEIVED = "idea-received"
    WITHDRAWN = "withdrawn"
    HELP = "help"
    NO_REPLY = "no-reply"
    QUARANTINED = "quarantined"
    ALREADY_PROCESSED = "already-processed"
    #: Staff moved a group's first meeting: confirmed members get an updated invitation.
    MEETING_CHANGED = "meeting-changed"
    #: A withdrawal asked by email waits for the registered address to confirm it (token).
    CONFIRM_WITHDRAWAL = "withdrawal-to-confirm"
    #: Double opt-in: the place is held until the member confirms their commitment with a code.
    TO_CONFIRM = "to-confirm"
    #: Where the member's candidatures stand, as they asked.
    STATUS = "status"
    #: A place held for an answer that never came went on to the next person.
    HOLD_EXPIRED = "hold-expired"
    #: A confirmation token that is unknown to this address, used or expired.
    TOKEN_INVALID = "token-invalid"
    #: The member sent the note d'intention of an idea (or staff recorded it).
    IDEA_NOTE_RECEIVED = "idea-note-received"
    #: Staff recorded the board's validation of an idea: the member is told.
    IDEA_VALIDATED = "idea-validated"
    #: Staff declined an idea: the member is told why.
    IDEA_DECLINED = "idea-declined"
    #: A question only a person can answer: forwarded to staff, the member told.
    QUESTION_FORWARDED = "question-forwarded"
    #: A staff member answered a member's question (the mailbox in copy): it is closed.
    QUESTION_ANSWERED = "question-answered"
    #: A member's thanks in a thread: nothing to answer, nothing changes.
    THANKS = "thanks"
    #: A message from staff that is no question's answer: staff mail never gets a member's reply.
    STAFF_MESSAGE = "staff-message"
    #: A staff member asked for an action by email: what will happen, and a code to confirm it.
    STAFF_CONFIRM = "staff-to-confirm"
    #: A staff member confirmed the action with the code: it is done.
    STAFF_DONE = "staff-done"
    #: A staff member's action that changes nothing: already so, or called off.
    STAFF_UNCHANGED = "staff-unchanged"
    #: A staff member's message read as an action but not understood, or not possible now.
    STAFF_UNCLEAR = "staff-unclear"
    #: A member applied for a colleague: the candidature is hers, and she confirms it herself.
    COLLEAGUE_REGISTERED = "colleague-registered"
    #: A reviewer's answer to a reply held for review: sent as drafted, corrected, or held.
    REVIEW_ANSWERED = "review-answered"


class Status(enum.StrEnum):
    """Where a candidature stands."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    NEEDS_INFO = "needs-info"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # the member did not answer our question in time: the place went on
    TO_CONFIRM = "to-confirm"  # double opt-in: the place is held until the member confirms

    @property
    def active(self) -> bool:
        """True while the candidature holds a place or a position."""
        return self in (Status.CONFIRMED, Status.WAITLISTED, Status.NEEDS_INFO, Status.TO_CONFIRM)

    @property
    def holds_place(self) -> bool:
        """Confirmed places and places held while the member answers count against capacity."""
        return self in (Status.CONFIRMED, Status.NEEDS_INFO, Status.TO_CONFIRM)


class IdeaStatus(enum.StrEnum):
    """Where an idea stands, from the first email to a drafted group (or a refusal)."""

    RECEIVED = "received"
    DISCUSSION = "discussion"
    NOTE_RECEIVED = "note-received"
    VALIDATED = "validated"
    DRAFTED = "drafted"
    DECLINED = "declined"

    @property
    def final(self) -> bool:
        """Nothing follows a drafted group or a declined idea."""
        return self in (IdeaStatus.DRAFTED, IdeaStatus.DECLINED)


class Fact(enum.StrEnum):
    """What a candidature may have to tell (a group's `required`, what a reply asks for)."""

    NAME = "name"
    STRUCTURE = "structure"
    ROLE = "role"
    DEPARTMENT = "department"
    FTE = "fte"
    POPULATION = "population"
    TERRITORY = "territory"
    SCALE = "scale"
    GROUP = "group"  # which group: asked when a message names none


class DeliveryStatus(enum.StrEnum):
    """Where a reply waiting in the outbox stands."""

    PENDING = "pending"
    SENDING = "sending"  # written by versions before the accepted log; read as pending
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"  # held for staff to read before it goes (see [review]): never sent as it is
    DROPPED = "dropped"  # held, then made needless by a staff action: never sent


class QuestionStatus(enum.StrEnum):
    """Whether a question handed to staff has been answered."""

    OPEN = "open"
    ANSWERED = "answered"


class CaseKind(enum.StrEnum):
    """What a message we sent was about, so that an answer to it is read in that light."""

    CANDIDATURE = "candidature"
    IDEA = "idea"
    QUESTION = "question"
    REQUEST = "request"  # an application that named no group: we asked which one
    HELP = "help"  # a general answer, about nothing in particular


class IntentKind(enum.StrEnum):
    """What a message asks for, once classified."""

    CANDIDATURE = "candidature"
    IDEA = "idea"
    WITHDRAWAL = "withdrawal"
    QUESTION = "question"
    STATUS = "status"  # « où en est ma candidature ? »
    ROBOT = "robot"
    THANKS = "thanks"  # « merci ! » in a thread: nothing to answer
    STAFF = "staff"  # written by a staff member (an answer to a question, say)


class Occasion(enum.StrEnum):
    """Why a member gets a letter they did not ask for by their own message (the letter says so)."""

    ANSWER = ""  # an answer to their message, or what followed from it (a place freed)
    TEAM_PLACE = "team-place"  # the team gave them a place (beyond a quota, it may be)
    TEAM_REGISTERED = "team-registered"  # the team registered their candidature (in person)
    PLACES_ADDED = "places-added"  # the team opened more places in the group: one is theirs
    TEAM_DECISION = "team-decision"  # the team decided on their candidature (a refusal)


class CallStatus(enum.StrEnum):
    """The state of a group's call for candidates, as staff set it."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Role(enum.StrEnum):
    """The member's role, as far as the rules need it."""

    DIRECTOR = "director"
    OTHER = "other"


class Territory(enum.StrEnum):
    """Territory types named by the profile criteria."""

    RURAL = "rural"
    COASTAL = "coastal"
    MOUNTAIN = "mountain"
    URBAN = "urban"


class Scale(enum.StrEnum):
    """The scale an office works at."""

    COMMUNAL = "communal"
    INTERCOMMUNAL = "intercommunal"


class StaffVerb(enum.StrEnum):
    """An action a staff member can ask for by email (each a command of the command line)."""

    ADD = "add"  # candidates add
    OPEN = "open"  # groups open
    CLOSE = "close"  # groups close
    CAPACITY = "capacity"  # groups set --capacity
    MEETING = "meeting"  # groups set --meeting-date / --place
    DEADLINE = "deadline"  # groups set --closes-at
    WITHDRAW = "withdraw"  # candidates withdraw
    REFUSE = "refuse"  # candidates refuse
    PROMOTE = "promote"  # candidates promote
    IDEA_ADVANCE = "idea-advance"  # ideas advance
    IDEA_VALIDATE = "idea-validate"  # ideas validate
    IDEA_DECLINE = "idea-decline"  # ideas decline
    IDEA_DRAFT = "idea-draft"  # ideas draft
    QUESTION_DONE = "question-done"  # questions done
    REVIEW_STOP = "review-stop"  # review stop: replies of one outcome go without review


class Template(enum.StrEnum):
    """The letters mailflow writes, each a pair of templates (`NAME.txt.j2`, `NAME.html.j2`):
    the one table of their names."""

    # To members, answering their message
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REFUSED = "refused"
    NEEDS_INFO = "needs_info"
    DUPLICATE = "duplicate"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    HELP = "help"
    PROMOTED = "promoted"
    CONFIRM_WITHDRAWAL = "confirm_withdrawal"
    CONFIRM_COMMITMENT = "confirm_commitment"
    CONFIRM_REGISTRATION = "confirm_registration"  # to a colleague someone applied for
    COLLEAGUE_REGISTERED = "colleague_registered"  # to who applied for her
    STATUS = "status"
    HOLD_EXPIRED = "hold_expired"
    QUESTION_RECEIVED = "question_received"
    IDEA_RECEIVED = "idea_received"
    IDEA_NOTE_RECEIVED = "idea_note_received"
    IDEA_VALIDATED = "idea_validated"
    IDEA_DECLINED = "idea_declined"
    IDEA_STATUS = "idea_status"
    # To members, on staff's initiative
    MEETING_CHANGED = "meeting_changed"
    # To staff
    STAFF_CONFIRM = "staff_confirm"
    STAFF_DONE = "staff_done"
    STAFF_UNCLEAR = "staff_unclear"
    STAFF_QUARANTINE = "staff_quarantine"
    STAFF_QUESTION = "staff_question"
    STAFF_ALERT = "staff_alert"
    DIGEST = "digest"
    REVIEW = "review"  # a reply held for staff to read, with its code


class ReviewFate(enum.StrEnum):
    """What became of a reply held for review."""

    WAITING = "waiting"  # no reviewer has let it go yet (it may have been held)
    SENT = "sent"  # sent as drafted
    CORRECTED = "corrected"  # a reviewer's text went in the draft's place
    DROPPED = "dropped"  # a staff action made it needless: never sent


#: The outcomes of letters to members (`X-Mailflow-Outcome`): those staff may read before they go.
LETTERS = (Outcome.CONFIRMED, Outcome.WAITLISTED, Outcome.REFUSED, Outcome.NEEDS_INFO,
           Outcome.DUPLICATE, Outcome.CLOSED, Outcome.IDEA_RECEIVED, Outcome.TO_CONFIRM,
           Outcome.CONFIRM_WITHDRAWAL, Outcome.WITHDRAWN, Outcome.STATUS, Outcome.HOLD_EXPIRED,
           Outcome.HELP, Outcome.MEETING_CHANGED, Outcome.QUESTION_FORWARDED,
           Outcome.IDEA_NOTE_RECEIVED, Outcome.IDEA_VALIDATED, Outcome.IDEA_DECLINED)
