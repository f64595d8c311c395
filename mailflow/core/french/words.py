"""French for people: one table of words per enum (the only copy of each), dates, typography."""

from __future__ import annotations

import enum
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from ...model.enums import ReviewFate
from ...model.values import (
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
    Territory,
)

#: Where a candidature stands, as staff read it in listings, the digest and exports.
STATUS: Mapping[Status, str] = {
    Status.CONFIRMED: "confirmée",
    Status.WAITLISTED: "liste d’attente",
    Status.NEEDS_INFO: "informations demandées",
    Status.REFUSED: "refusée",
    Status.WITHDRAWN: "retirée",
    Status.EXPIRED: "sans réponse (place passée)",
    Status.TO_CONFIRM: "engagement à confirmer",
}

#: What became of a message (`X-Mailflow-Outcome`), as staff read it.
OUTCOME: Mapping[Outcome, str] = {
    Outcome.CONFIRMED: "inscription confirmée",
    Outcome.WAITLISTED: "liste d’attente",
    Outcome.REFUSED: "candidature refusée",
    Outcome.NEEDS_INFO: "informations demandées",
    Outcome.DUPLICATE: "candidature en double",
    Outcome.CLOSED: "appel clos",
    Outcome.IDEA_RECEIVED: "idée reçue",
    Outcome.WITHDRAWN: "désistement",
    Outcome.HELP: "aide envoyée",
    Outcome.NO_REPLY: "sans réponse (message automatique)",
    Outcome.QUARANTINED: "mis en quarantaine",
    Outcome.ALREADY_PROCESSED: "déjà traité",
    Outcome.MEETING_CHANGED: "rencontre modifiée",
    Outcome.CONFIRM_WITHDRAWAL: "désistement à confirmer",
    Outcome.TO_CONFIRM: "engagement à confirmer",
    Outcome.STATUS: "point sur la candidature",
    Outcome.HOLD_EXPIRED: "place passée à la personne suivante",
    Outcome.TOKEN_INVALID: "code de confirmation périmé",
    Outcome.IDEA_NOTE_RECEIVED: "note d’intention reçue",
    Outcome.IDEA_VALIDATED: "idée validée",
    Outcome.IDEA_DECLINED: "idée déclinée",
    Outcome.QUESTION_FORWARDED: "question transmise à l’équipe",
    Outcome.QUESTION_ANSWERED: "question répondue par l’équipe",
    Outcome.THANKS: "remerciement (sans réponse)",
    Outcome.STAFF_MESSAGE: "message de l’équipe (sans réponse)",
    Outcome.STAFF_CONFIRM: "action de l’équipe à confirmer",
    Outcome.STAFF_DONE: "action de l’équipe faite",
    Outcome.STAFF_UNCHANGED: "action de l’équipe sans effet (déjà faite ou annulée)",
    Outcome.STAFF_UNCLEAR: "demande de l’équipe non comprise",
    Outcome.COLLEAGUE_REGISTERED: "candidature transmise pour une collègue, à confirmer par elle",
    Outcome.REVIEW_ANSWERED: "réponse relue par l’équipe",
}

#: What a staff member asks for by email, as the confirmation names it.
STAFF_VERB: Mapping[StaffVerb, str] = {
    StaffVerb.ADD: "ajouter une candidature",
    StaffVerb.OPEN: "ouvrir l’appel",
    StaffVerb.CLOSE: "clore l’appel",
    StaffVerb.CAPACITY: "changer le nombre de places",
    StaffVerb.MEETING: "changer la première rencontre",
    StaffVerb.DEADLINE: "changer la date de clôture de l’appel",
    StaffVerb.WITHDRAW: "retirer une candidature",
    StaffVerb.REFUSE: "refuser une candidature",
    StaffVerb.PROMOTE: "donner une place à une candidature en attente",
    StaffVerb.IDEA_ADVANCE: "faire avancer une idée d’une étape",
    StaffVerb.IDEA_VALIDATE: "enregistrer la validation d’une idée par le CA",
    StaffVerb.IDEA_DECLINE: "décliner une idée",
    StaffVerb.IDEA_DRAFT: "préparer le groupe issu d’une idée",
    StaffVerb.QUESTION_DONE: "clore une question",
    StaffVerb.REVIEW_STOP: "arrêter la relecture d’un type de réponse",
}

#: Where an idea stands.
IDEA_STATUS: Mapping[IdeaStatus, str] = {
    IdeaStatus.RECEIVED: "reçue",
    IdeaStatus.DISCUSSION: "en discussion",
    IdeaStatus.NOTE_RECEIVED: "note d’intention reçue",
    IdeaStatus.VALIDATED: "validée par le CA",
    IdeaStatus.DRAFTED: "groupe en préparation",
    IdeaStatus.DECLINED: "déclinée",
}

#: A group's call for candidates.
CALL: Mapping[CallStatus, str] = {
    CallStatus.DRAFT: "en préparation",
    CallStatus.OPEN: "ouvert",
    CallStatus.CLOSED: "clos",
}

#: What a message asks for.
INTENT: Mapping[IntentKind, str] = {
    IntentKind.CANDIDATURE: "candidature",
    IntentKind.IDEA: "idée de groupe",
    IntentKind.WITHDRAWAL: "désistement",
    IntentKind.QUESTION: "question",
    IntentKind.STATUS: "demande de suivi",
    IntentKind.ROBOT: "message automatique",
    IntentKind.THANKS: "remerciement",
    IntentKind.STAFF: "message de l’équipe",
}

#: A question handed to staff.
QUESTION_STATUS: Mapping[QuestionStatus, str] = {
    QuestionStatus.OPEN: "en attente de réponse",
    QuestionStatus.ANSWERED: "répondue",
}

#: Why a member got a letter, as the history and the plans say it.
OCCASION: Mapping[Occasion, str] = {
    Occasion.ANSWER: "réponse à son message",
    Occasion.TEAM_PLACE: "place attribuée par l’équipe",
    Occasion.TEAM_REGISTERED: "candidature enregistrée par l’équipe",
    Occasion.PLACES_ADDED: "place ajoutée par l’équipe",
    Occasion.TEAM_DECISION: "décision de l’équipe",
}

#: What a message we sent was about.
CASE: Mapping[CaseKind, str] = {
    CaseKind.CANDIDATURE: "candidature",
    CaseKind.IDEA: "idée de groupe",
    CaseKind.QUESTION: "question",
    CaseKind.REQUEST: "candidature sans groupe",
    CaseKind.HELP: "aide",
}

#: The roles the rules know.
ROLE: Mapping[Role, str] = {
    Role.DIRECTOR: "directeur ou directrice",
    Role.OTHER: "autre fonction",
}

#: Territories, as an adjective after « territoire » (« un territoire littoral »).
TERRITORY: Mapping[Territory, str] = {
    Territory.RURAL: "rural",
    Territory.COASTAL: "littoral",
    Territory.MOUNTAIN: "de montagne",
    Territory.URBAN: "urbain",
}

#: The scale an office works at, after « échelle ».
SCALE: Mapping[Scale, str] = {
    Scale.COMMUNAL: "communale",
    Scale.INTERCOMMUNAL: "intercommunale",
}

#: A reply in the outbox.
DELIVERY: Mapping[DeliveryStatus, str] = {
    DeliveryStatus.PENDING: "à envoyer",
    DeliveryStatus.SENDING: "en cours d’envoi",
    DeliveryStatus.SENT: "envoyée",
    DeliveryStatus.FAILED: "non remise",
    DeliveryStatus.HELD: "en attente de relecture",
    DeliveryStatus.DROPPED: "retenue, jamais envoyée",
}

#: What became of a reply held for review.
REVIEW_FATE: Mapping[ReviewFate, str] = {
    ReviewFate.WAITING: "en attente de relecture",
    ReviewFate.SENT: "envoyée telle quelle",
    ReviewFate.CORRECTED: "envoyée corrigée",
    ReviewFate.DROPPED: "jamais envoyée (remplacée par une action de l’équipe)",
}


#: Mail for staff in the outbox (no member's outcome, so not in OUTCOME).
STAFF_MAIL: Mapping[str, str] = {
    "staff-alert": "alerte à l’équipe",
    "staff-question": "question transmise à l’équipe",
    "digest": "point quotidien à l’équipe",
    "staff-review": "réponse à relire, pour l’équipe",
}

#: Staff actions as the history names them (`Plan.action`, `privacy-purge`).
ACTION: Mapping[str, str] = {
    "group-change": "modification du groupe",
    "group-reset": "retour aux valeurs de groups.toml",
    "candidate-add": "candidature ajoutée par l’équipe",
    "candidate-withdraw": "retrait d’une candidature",
    "candidate-refuse": "refus d’une candidature",
    "candidate-promote": "place donnée par l’équipe",
    "idea-advance": "idée avancée d’une étape",
    "idea-validate": "idée validée par le CA",
    "idea-decline": "idée déclinée",
    "idea-draft": "groupe préparé à partir d’une idée",
    "question-done": "question close",
    "privacy-purge": "anonymisation (RGPD)",
    "review-stop": "fin de la relecture d’un type de réponse",
    "review-resume": "reprise de la relecture d’un type de réponse",
    "review-sent": "réponse relue, envoyée telle quelle",
    "review-corrected": "réponse relue, envoyée corrigée",
    "review-held": "réponse relue, gardée en attente",
    "review-dropped": "réponse relue, jamais envoyée",
}


@dataclass(frozen=True)
class FactWords:
    """A fact named two ways: short for staff's tables, as a question's object for members."""

    short: str
    asked: str


#: What a candidature tells, or what a reply asks for.
FACT: Mapping[Fact, FactWords] = {
    Fact.NAME: FactWords("nom", "vos nom et prénom"),
    Fact.STRUCTURE: FactWords("structure", "le nom de votre structure"),
    Fact.ROLE: FactWords("fonction", "votre fonction"),
    Fact.DEPARTMENT: FactWords("département", "votre département"),
    Fact.FTE: FactWords("ETP", "le nombre d’ETP de votre structure"),
    Fact.POPULATION: FactWords("population", "la population de la plus grande commune de votre "
                                             "territoire"),
    Fact.TERRITORY: FactWords("type de territoire", "le type de territoire (rural, littoral, "
                                                    "montagne)"),
    Fact.SCALE: FactWords("échelle d’intervention", "l’échelle d’intervention de votre office "
                                                     "(communale ou intercommunale)"),
    Fact.GROUP: FactWords("groupe", "le groupe de travail qui vous intéresse"),
}

#: Every table above with its enum, so that one test checks each value has its words.
TABLES: tuple[tuple[type[enum.Enum], Mapping[Any, object]], ...] = (
    (Status, STATUS), (Outcome, OUTCOME), (IdeaStatus, IDEA_STATUS), (CallStatus, CALL),
    (IntentKind, INTENT), (Role, ROLE), (Territory, TERRITORY), (Scale, SCALE),
    (DeliveryStatus, DELIVERY), (Fact, FACT), (QuestionStatus, QUESTION_STATUS), (CaseKind, CASE),
    (StaffVerb, STAFF_VERB), (Occasion, OCCASION), (ReviewFate, REVIEW_FATE),
)


def number(value: float) -> str:
    """A number as French writes it: « 6,5 », « 20 000 » (a narrow no-break space per thousand)."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def plural(count: int, one: str, many: str | None = None, *, none: str | None = None) -> str:
    """« 1 idée », « 2 idées », « aucune idée » (`none`, when given): 0 and 1 take the singular."""
    if count == 0 and none is not None:
        return none
    return f"{number(count)} {one if abs(count) < 2 else many or one + 's'}"


def size(n_bytes: int) -> str:
    """A size in one scale everywhere: « 0,5 Ko », « 1,2 Ko », « 25 Mo » (1 Ko = 1 024 octets)."""
    kib = n_bytes / 1024
    value, unit = (kib, "Ko") if round(kib, 1) < 1024 else (kib / 1024, "Mo")
    shown = round(value, 1) if value >= 0.1 or not n_bytes else 0.1  # a file is never « 0 Ko »
    return f"{number(shown)}{NBSP}{unit}"


def ago(then: datetime, now: datetime) -> str:
    """How long ago, as French says it: « à l’instant », « il y a 5 minutes », « il y a 3 jours »,
    « il y a 2 mois », « il y a 1 an »; the unit is the largest one reached, counted down."""
    seconds = (now - then).total_seconds()
    if abs(seconds) < 60:
        return "à l’instant"
    minutes = int(abs(seconds) // 60)
    hours, days = minutes // 60, minutes // 1440
    if minutes < 60:
        span = plural(minutes, "minute")
    elif hours < 24:
        span = plural(hours, "heure")
    elif days < 30:
        span = plural(days, "jour")
    elif days < 365:
        span = plural(days // 30, "mois", "mois")
    else:
        span = plural(days // 365, "an")
    return f"il y a {span}" if seconds > 0 else f"dans {span}"


def outcome_words(value: str) -> str:
    """What a message sent or decided is, from its outcome value (the OUTCOME table, and the
    mail staff get, which is no member's outcome); an unknown value is shown as it is."""
    try:
        return OUTCOME[Outcome(value)]
    except ValueError:
        return STAFF_MAIL.get(value, value)


#: How an incoming message was tied to what we had sent (`Case.how`).
_TIED_BY = {"thread": "par le fil", "code": "par son code", "subject": "par l’objet",
            "sender": "par l’expéditeur"}


def answers(kind: CaseKind, case_id: str, how: str) -> str:
    """« réponse à candidature C0001, reconnue par l’objet », for the log and the ledger."""
    return f"réponse à {CASE[kind]} {case_id}, reconnue {_TIED_BY.get(how, how)}"


def fact_short(key: str) -> str:
    """A fact's short name for staff; an unknown key (an older store) is shown as it is."""
    try:
        return FACT[Fact(key)].short
    except ValueError:
        return key


# --- writing French: dates, spaces, lines -------------------------------------------------------

NBSP = "\u00a0"
NNBSP = "\u202f"

#: The days and months as French writes them (dates written here and read in core.when).
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# A plain space before a colon that ends a word group (not « http:// » nor « 9:30 »).
_BEFORE_COLON = re.compile(r" (?=:(?:\s|$))")
_BEFORE_PUNCT = re.compile(r" ([;!?])")
_AFTER_OPEN = re.compile(r"« ?(?=\S)")
_BEFORE_CLOSE = re.compile(r"(?<=\S) ?»")

def format_date_fr(value: datetime | date, tz: tzinfo) -> str:
    """« mardi 6 avril 2027 à 9 h 30 » in `tz`; « à 9 h » on the hour; just the date at midnight.

    A naive datetime is taken as local time in `tz`.
    """
    if not isinstance(value, datetime):  # a day (a board's meeting): no time to tell
        value = datetime.combine(value, time(0, 0), tzinfo=tz)
    local = value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    day = "1er" if local.day == 1 else str(local.day)
    text = f"{DAYS[local.weekday()]} {day} {MONTHS[local.month - 1]} {local.year}"
    if local.hour == 0 and local.minute == 0:
        return text
    # No line may break inside the time: « 9 h 30 » holds together.
    minutes = f"{NBSP}{local.minute:02d}" if local.minute else ""
    return f"{text} à{NBSP}{local.hour}{NBSP}h{minutes}"


_FINAL_STOP = re.compile(r"[\s.;:,]+$")
_SENTENCE_END = ".!?…"
_FIRST_WORD = re.compile(r"([^\W\d_]+)(\.?)")


def clause(text: str) -> str:
    """Words made to follow a colon inside one of our sentences (a reason, the public a group
    expects): trimmed, without their final « . ; : , », and in lower case unless their first
    word is an acronym (« OT », « PAT ») or an initial (« M. »)."""
    text = _FINAL_STOP.sub("", text.strip())
    first = _FIRST_WORD.match(text)
    if first is None or (first.group(1).isupper() and len(first.group(1)) > 1) or first.group(2):
        return text  # « OT ruraux… », « M. Dupont… », or no word first
    return text[0].lower() + text[1:]


def closed(text: str) -> str:
    """A sentence's end, said once: « . » added unless it already ends « . ! ? … »."""
    text = text.rstrip()
    return text if not text or text[-1] in _SENTENCE_END else text + "."


def fitted(text: str) -> str:
    """Words from the configuration (or a colleague) ending our sentence after a colon:
    « Public attendu dans ce groupe : directeurs et directrices… » (see `clause`, `closed`)."""
    return closed(clause(text))


def sentence(text: str) -> str:
    """A clause made a sentence of its own: a capital first, and its end said once."""
    text = text.strip()
    return closed(text[:1].upper() + text[1:]) if text else ""


def wrap_text(text: str, width: int = 72) -> str:
    """Each line wrapped at `width` on ASCII spaces only (non-breaking spaces hold).

    Continuation lines keep the line's indentation, plus two spaces after a « - » bullet;
    blank lines and line breaks are kept as they are.
    """
    out: list[str] = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        if not body or len(line) <= width:
            out.append(line.rstrip(" "))
            continue
        hanging = indent + ("  " if body.startswith("- ") else "")
        out.extend(
            textwrap.wrap(
                body,
                width=width,
                initial_indent=indent,
                subsequent_indent=hanging,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def french_typography(text: str) -> str:
    """Prose with the French spaces: NBSP inside « » and before « : », NNBSP before ; ! ?.

    Only plain spaces are replaced (or added after « and before »), so the text of staff
    and members is kept as written otherwise; applying it twice changes nothing.
    """
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _BEFORE_PUNCT.sub(lambda m: NNBSP + m.group(1), text)
    text = _AFTER_OPEN.sub("«" + NBSP, text)
    return _BEFORE_CLOSE.sub(NBSP + "»", text)
