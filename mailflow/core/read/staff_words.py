"""Staff actions read from what a staff member writes in French: « Clore l'appel OT ruraux »."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from ...model.values import Department, Group, StaffVerb, canonical_id
from ..french import STAFF_VERB
from .dates import find_date, find_datetime
from .facts.profile import extract_profile, match_groups
from .text import fold_aligned, header_field, history_start

#: What a staff member can write, shown when a message is not understood (and in the README).
EXAMPLES = (
    "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-confolentais.fr, directrice de "
    "l’OT du Confolentais (16), reçue en réunion départementale le 3 mars à 10 h, pour le groupe "
    "OT ruraux",
    "Clore l’appel OT ruraux (ou : Ouvrir l’appel OT ruraux)",
    "Passer la capacité du groupe OT ruraux à 25 places",
    "Première rencontre OT ruraux le mardi 6 avril 2027 à 9 h 30, lieu : Maison du tourisme, "
    "Angoulême",
    "Refuser C0042 : hors profil (la raison est lue par le membre)",
    "Retirer C0042 : désistement par téléphone",
    "Promouvoir C0017",
    "Valider l’idée I0003 (CA du 12 mars) — ajoutez « sans co-animation » s’il y a lieu",
    "Décliner l’idée I0003 : projet déjà couvert par le groupe OT ruraux",
    "Avancer l’idée I0003 (ou : Préparer le groupe de l’idée I0003)",
    "Réponse envoyée Q0002",
    "Transférer (TR) une candidature reçue ailleurs, avec au-dessus : « Ajouter pour le groupe "
    "OT ruraux »",
)


@dataclass(frozen=True)
class Command:
    """A staff action as read from a message: enough to plan it again when it is confirmed."""

    verb: StaffVerb
    target: str = ""  # the group, candidature, idea or question id
    reason: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)  # capacity, when, place, email…

    def to_json(self) -> str:
        return json.dumps({"verb": self.verb.value, "target": self.target, "reason": self.reason,
                           "fields": dict(self.fields)}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Command:
        data = json.loads(text)
        return cls(StaffVerb(data["verb"]), str(data.get("target", "")), str(data.get("reason", "")),
                   {str(k): str(v) for k, v in dict(data.get("fields", {})).items()})


@dataclass(frozen=True)
class Unclear:
    """A message that asks for an action mailflow could not make out: what is missing."""

    why: str


@dataclass(frozen=True)
class Forwarded:
    """A message a staff member forwarded (« TR : »), as its quoted headers tell it."""

    sender: str | None
    name: str | None
    sent_at: datetime | None
    subject: str
    text: str


# --- what the message asks for ------------------------------------------------------------------

_C = r"\bc ?-?0*(\d{1,6})\b"
_I = r"\bi ?-?0*(\d{1,6})\b"
_Q = r"\bq ?-?0*(\d{1,6})\b"
_ANY_ID = re.compile(r"\b([ciq]) ?-?0*(\d{1,6})\b")
_ACTIONS: tuple[tuple[StaffVerb, re.Pattern[str]], ...] = (
    (StaffVerb.QUESTION_DONE, re.compile(
        r"\breponse (deja )?(envoyee|donnee|faite|apportee)\b|\bquestion\b[^\n]{0,40}\b(traitee|close|"
        r"cloturee|repondue|reglee)\b")),
    (StaffVerb.IDEA_DRAFT, re.compile(r"\b(preparer|creer|rediger|brouillon)\b[^\n]{0,40}\bgroupe\b"
                                      r"[^\n]{0,30}\bidee\b")),
    (StaffVerb.IDEA_VALIDATE, re.compile(r"\bvalid(er|e|ee|ez|ons)\b[^\n]{0,20}\bidee\b|\bidee\b"
                                         r"[^\n]{0,20}\bvalidee\b")),
    (StaffVerb.IDEA_DECLINE, re.compile(r"\b(decliner|decline|refuser|ecarter|rejeter|ne pas "
                                        r"retenir)\b[^\n]{0,20}\bidee\b")),
    (StaffVerb.IDEA_ADVANCE, re.compile(r"\b(avancer|passer|faire avancer)\b[^\n]{0,20}\bidee\b|"
                                        r"\bnote d'intention (bien )?recue\b")),
    (StaffVerb.REFUSE, re.compile(r"\b(refuser|refuse|refusez|refusons)\b[^\n]{0,30}" + _C)),
    (StaffVerb.PROMOTE, re.compile(r"\b(promouvoir|promotion|promeut|promue?|donner (une|la|sa) "
                                   r"place|inscrire|passer)\b[^\n]{0,30}" + _C)),
    (StaffVerb.WITHDRAW, re.compile(r"\b(retirer|retire|retirez|desister|desinscrire|annuler|"
                                    r"enlever)\b[^\n]{0,30}" + _C)),
    # « Ajouter 5 places » is about the group's size, not a candidature to add.
    (StaffVerb.CAPACITY, re.compile(r"\b(ajouter|ajoutez|rajouter|rajoutez|augmenter|augmentez|"
                                    r"ouvrir|ouvrez)\b[^\n]{0,20}?\b(\d{1,4}|des|quelques) ?places?\b")),
    (StaffVerb.ADD, re.compile(r"\b(ajouter|ajoute|ajoutez|enregistrer|enregistrez|inscrire|"
                               r"inscrivez|placer|prendre en compte)\b")),
    (StaffVerb.CLOSE, re.compile(r"\b(clore|clos|cloturer|cloturez|fermer|fermez|ferme)\b[^\n]{0,20}"
                                 r"\b(appel|inscriptions|candidatures)\b")),
    (StaffVerb.OPEN, re.compile(r"\b(ouvrir|ouvrez|rouvrir|rouvrez|ouvre|rouvre)\b[^\n]{0,20}"
                                r"\b(appel|inscriptions|candidatures)\b")),
    (StaffVerb.CAPACITY, re.compile(r"\b(capacite|nombre de places)\b|\bpasser\b[^\n]{0,40}\ba \d{1,4} "
                                    r"places\b")),
    (StaffVerb.MEETING, re.compile(r"\b(premiere )?(rencontre|reunion de lancement)\b|\blieu ?:")),
    # The same actions on a candidature named without its number: said to be missing.
    (StaffVerb.REFUSE, re.compile(r"\b(refuser|refusez)\b[^\n]{0,20}\bcandidature\b")),
    (StaffVerb.WITHDRAW, re.compile(r"\b(retirer|retirez|desinscrire)\b[^\n]{0,20}\bcandidature\b")),
    (StaffVerb.PROMOTE, re.compile(r"\b(promouvoir|promouvez)\b")),  # not « chargée de promotion »
)
#: The actions whose id may be followed by a reason (« Refuser C0042 : hors profil »).
_WITH_REASON = (StaffVerb.REFUSE, StaffVerb.WITHDRAW, StaffVerb.PROMOTE, StaffVerb.IDEA_DECLINE)
_LABEL = re.compile(r"^(motif|raison|pourquoi)\s*:\s*", re.I)
_REASON = re.compile(r"^\s*(?:[:\-–—,;]|\bcar\b|\bparce que\b|\bpour\b|\bmotif ?:)\s*(?P<why>\S.*)$")
_COLON = re.compile(r"(?:\s:|:\s)\s*(?P<why>\S.*)$")  # « : » as French and English write it
_WITH_UNIT = re.compile(r"\b(\d{1,4}) ?(places|personnes|participants|membres)\b")
_AFTER_CAPACITY = re.compile(r"\b(?:capacite|nombre de places)\b\D{0,60}?\b(\d{1,4})\b")
_PLACE = re.compile(r"\blieu ?: ?(?P<place>[^\n]+)")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_NAME = re.compile(r"\bcandidature (?:de|d'|du|pour) ?(?P<name>(?:m(?:me|\.)|monsieur|madame)?\s*"
                   r"[A-ZÉÈÀÂÎÔÛÇ][\w'’-]+(?:[ -][A-ZÉÈÀÂÎÔÛÇ][\w'’-]+){0,3})")
_DEPARTMENT = re.compile(r"\((?P<code>\d{2}|2[ab])\)")
_NO_CO_ANIMATION = re.compile(r"\b(sans co-?animation|non co-?anime|pas co-?anime|sans co-?animer)")
_FORWARD_SUBJECT = re.compile(r"^\s*(tr|fw|fwd|transfert)\s*:", re.I)


def read_command(text: str, subject: str, groups: Mapping[str, Group],
                 departments: Mapping[str, Department], now: datetime, tz: ZoneInfo, *,
                 forwarded: Forwarded | None = None, about: str | None = None,
                 own: tuple[str, ...] = ()) -> Command | Unclear | None:
    """The action a staff member's new text asks for; None when it asks for none.

    `about` is the candidature, idea or question the message answers (its thread), used when
    the text names none; `own` are the addresses never taken for a member's (staff, mailbox).
    One action per message: a text that asks for more is answered so, never half done.
    """
    if forwarded is not None and (forwarded.sender in own or (
            forwarded.sender is None and not _FORWARD_SUBJECT.match(subject))):
        forwarded = None  # the quote of our own mail (a digest, an alert answered): no member's
    command = _read(text, subject, groups, departments, now, tz, forwarded, about, own)
    if isinstance(command, Command):
        others = _other_actions(text, command, groups)
        if others:
            asked = " ; ".join(f"{STAFF_VERB[verb]}{_label(target, groups)}"
                               for verb, target in [(command.verb, command.target), *others])
            return Unclear(f"une action par message, s’il vous plaît : j’en ai reconnu plusieurs "
                           f"({asked}). Envoyez-les dans des messages séparés")
    return command


def _read(text: str, subject: str, groups: Mapping[str, Group],
          departments: Mapping[str, Department], now: datetime, tz: ZoneInfo,
          forwarded: Forwarded | None, about: str | None,
          own: tuple[str, ...]) -> Command | Unclear | None:
    folded = fold_aligned(text)
    verb = next((v for v, pattern in _ACTIONS if pattern.search(folded)), None)
    if verb is None and forwarded is not None and _FORWARD_SUBJECT.match(subject):
        verb = StaffVerb.ADD  # a candidature forwarded with a line that names no action
    if verb is StaffVerb.ADD and forwarded is None and "candidature" not in folded and not (
            _EMAIL.search(text)):
        verb = None  # « ajouter » in a staff member's note is no candidature
    if verb is None:
        return None
    if verb is StaffVerb.ADD:
        return _add(text, folded, subject, groups, departments, now, tz, forwarded, own)
    if verb is StaffVerb.MEETING and find_datetime(text, now, tz, past=False) is None and not (
            _PLACE.search(folded)):
        return None  # « la rencontre s'est bien passée »: no new date, no new place
    if verb in (StaffVerb.OPEN, StaffVerb.CLOSE, StaffVerb.CAPACITY, StaffVerb.MEETING):
        return _group_change(verb, text, folded, subject, groups, now, tz)
    series = {"question": "q", "idea": "i"}.get(verb.value.split("-")[0], "c")
    target = _id(folded, series) or (about if about and about[:1].lower() == series else None)
    if target is None:
        what = {"q": "la question (Q0002)", "i": "l’idée (I0003)"}.get(series, "la candidature (C0042)")
        return Unclear(f"je n’ai pas trouvé le numéro de {what} dont il s’agit")
    reason = _reason_after(text, folded, target) if verb in _WITH_REASON else ""
    if verb in (StaffVerb.REFUSE, StaffVerb.IDEA_DECLINE) and not reason:
        return Unclear("il manque la raison, que le membre lira : écrivez-la après deux-points, "
                       f"par exemple « {'Refuser C0042' if series == 'c' else 'Décliner l’idée I0003'}"
                       " : hors profil »")
    fields: dict[str, str] = {}
    if verb is StaffVerb.IDEA_VALIDATE:
        board = find_date(text, now, tz, past=True)
        if board is None:
            return Unclear("il manque la date du conseil d’administration qui a validé l’idée, "
                           "par exemple « Valider l’idée I0003 (CA du 12 mars) »")
        fields["board_date"] = board.day.isoformat()
        if _NO_CO_ANIMATION.search(folded):
            fields["co_animated"] = "no"
    return Command(verb, target, reason, fields)


_GROUP_VERBS = (StaffVerb.OPEN, StaffVerb.CLOSE, StaffVerb.CAPACITY, StaffVerb.MEETING)
#: What may come before an action at the start of its line (« Merci de clore… », « - Promouvoir… »).
_LEAD = re.compile(r"^[\s>*•·\-–—\d.)]*(?:(?:bonjour|merci de|pouvez-vous|pourriez-vous|peux-tu|"
                   r"pourrais-tu|il faut|svp|stp|et|puis|aussi|ensuite|enfin|egalement)[\s,]+)*")
#: Ids written one after the other (« C0003 et C0004 », « C0003, C0004 »).
_AND = re.compile(r"\s*(?:,|;|/|&|\+|et|puis|ainsi que)\s*")


def _other_actions(text: str, command: Command, groups: Mapping[str, Group]
                   ) -> list[tuple[StaffVerb, str]]:
    """The actions a text asks for besides `command`: more groups or ids for the same verb,
    and lines of their own that start with another action (an ADD's group is its own)."""
    folded = fold_aligned(text)
    others: list[tuple[StaffVerb, str]] = []
    if command.verb in _GROUP_VERBS:
        others += [(command.verb, g) for g in match_groups("", text, groups) if g != command.target]
    elif command.verb is not StaffVerb.ADD:
        ids = list(_ANY_ID.finditer(folded))
        first = next((i for i, m in enumerate(ids) if canonical_id(m.group(0)) == command.target), None)
        for before, after in itertools.pairwise(ids[first:] if first is not None else []):
            if after.group(1) != before.group(1) or not _AND.fullmatch(
                    folded[before.end():after.start()]):
                break  # « C0003 et C0004 » asks for both; « C0042 : voir C0041 » for one
            others.append((command.verb, canonical_id(after.group(0))))
    seen = {(command.verb, "" if command.verb is StaffVerb.ADD else command.target), *others}
    for line, low in zip(text.split("\n"), folded.split("\n"), strict=True):
        asked = _line_action(line, low, groups)
        if asked is not None and asked not in seen:
            seen.add(asked)
            others.append(asked)
    return list(dict.fromkeys(others))


def _line_action(line: str, low: str, groups: Mapping[str, Group]) -> tuple[StaffVerb, str] | None:
    """The action a line starts with, with its own group or id; None for any other line."""
    lead = _LEAD.match(low)
    start = lead.end() if lead is not None else 0
    found = next(((v, m) for v, p in _ACTIONS if (m := p.search(low)) is not None), None)
    if found is None:
        return None
    verb, match = found
    if match.start() > start + (12 if verb is StaffVerb.CAPACITY else 0):  # « passer la capacité »
        return None
    if verb is StaffVerb.ADD:
        return (verb, "") if "candidature" in low or _EMAIL.search(line) else None
    if verb in _GROUP_VERBS:
        group = _group(line, "", groups)
        return (verb, group) if group is not None else None
    target = _id(low, {"question": "q", "idea": "i"}.get(verb.value.split("-")[0], "c"))
    return (verb, target) if target is not None else None


def _label(target: str, groups: Mapping[str, Group]) -> str:
    if not target:
        return ""
    return f" « {groups[target].title} »" if target in groups else f" {target}"


def _id(folded: str, series: str) -> str | None:
    """The first id of a series (« c42 », « C0042 », « c-0042 ») written as mailflow writes it."""
    for match in _ANY_ID.finditer(folded):
        if match.group(1) == series:
            return canonical_id(match.group(0))
    return None


def _reason_after(text: str, folded: str, target: str) -> str:
    """What follows the id on its line (« Refuser C0042 : hors profil » → « hors profil »)."""
    series, number = target[0].lower(), int(target[1:])
    for match in _ANY_ID.finditer(folded):
        if match.group(1) == series and int(match.group(2)) == number:
            end = text.find("\n", match.end())
            rest = text[match.end(): end if end >= 0 else len(text)]
            found = _REASON.match(rest)
            if found is None or fold_aligned(found.group(0)).lstrip().startswith("pour"):
                # « Refuser C0042 pour le groupe OT ruraux : hors profil »: the colon says it
                found = _COLON.search(rest) or found
            why = found.group("why").strip().rstrip(".") if found else ""
            return _LABEL.sub("", why)  # « Refuser C0042 - motif : hors profil »
    return ""


def _group(text: str, subject: str, groups: Mapping[str, Group]) -> str | None:
    """The group the message names (its title, alias or id), the text before the subject."""
    named = match_groups("", text, groups) or match_groups(subject, "", groups)
    if named:
        return named[0]
    words = fold_aligned(f"{text}\n{subject}")
    return next((gid for gid in groups if re.search(rf"\b{re.escape(gid.lower())}\b", words)), None)


def _which_group(groups: Mapping[str, Group]) -> Unclear:
    titles = ", ".join(f"« {g.title} »" for g in groups.values())
    return Unclear(f"je n’ai pas trouvé de quel groupe il s’agit ; nommez-le : {titles}")


_TO_TOTAL = re.compile(r"\ba (\d{1,4})\b(?! ?h)")  # not « à 9 h 30 »
_MORE = re.compile(r"\b(ajout|rajout|augment)\w*|\bouvr(ir|ez|e|ons)\b|\b(de plus|en plus|"
                   r"supplementaires?)\b|\+ ?\d")
_LESS = re.compile(r"\b(redui|diminu|baiss|retir|enlev|supprim)\w*|\b(de moins|en moins)\b|"
                   r"(?:^|[\s:(])[-\u2212] ?\d")
_BY = re.compile(r"(?:\bde |[+\-\u2212] ?)(\d{1,4})\b|\b(\d{1,4}) ?(?:places?|personnes)\b")


def _capacity(folded: str, current: int) -> int | None:
    """The new number of places: a total (« à 25 places », « capacité : 30 ») or the current one
    changed by what is written (« ajouter 5 places », « réduire de 3 », « +5 »)."""
    totals = list(_TO_TOTAL.finditer(folded))
    if totals:
        return int(totals[-1].group(1))  # « de 20 à 25 »: the last figure is the new one
    more, less = _MORE.search(folded), _LESS.search(folded)
    by = _BY.search(folded)
    if (more is None) != (less is None) and by is not None:
        change = int(by.group(1) or by.group(2))
        return current + change if more is not None else current - change
    if more is not None or less is not None:
        return None  # « ajouter des places »: how many is not said
    found = _WITH_UNIT.search(folded) or _AFTER_CAPACITY.search(folded)
    return int(found.group(1)) if found is not None else None


def _group_change(verb: StaffVerb, text: str, folded: str, subject: str, groups: Mapping[str, Group],
                  now: datetime, tz: ZoneInfo) -> Command | Unclear:
    group_id = _group(text, subject, groups)
    if group_id is None:
        return _which_group(groups)
    fields: dict[str, str] = {}
    if verb is StaffVerb.CAPACITY:
        capacity = _capacity(folded, groups[group_id].capacity)
        if capacity is None:
            return Unclear("il manque le nombre de places, par exemple « Passer la capacité du groupe "
                           "OT ruraux à 25 places »")
        if capacity < 1:
            return Unclear("le nombre de places ne peut pas descendre sous 1 : écrivez le nouveau "
                           "total, par exemple « Passer la capacité du groupe OT ruraux à 25 places »")
        fields["capacity"] = str(capacity)
    if verb is StaffVerb.MEETING:
        when = find_datetime(text, now, tz, past=False)
        if when is not None:
            if not when.has_time:
                return Unclear("il manque l’heure de la première rencontre, par exemple « le mardi "
                               "6 avril 2027 à 9 h 30 »")
            fields["when"] = when.value.isoformat() if isinstance(when.value, datetime) else ""
        place = _PLACE.search(folded)
        if place is not None:
            fields["place"] = text[place.start("place"):place.end("place")].strip().rstrip(".")
        if not fields:
            return Unclear("il manque la nouvelle date (avec l’heure) ou le nouveau lieu de la "
                           "première rencontre, par exemple « le mardi 6 avril 2027 à 9 h 30, "
                           "lieu : Maison du tourisme, Angoulême »")
    return Command(verb, group_id, "", fields)


def _add(text: str, folded: str, subject: str, groups: Mapping[str, Group],
         departments: Mapping[str, Department], now: datetime, tz: ZoneInfo,
         forwarded: Forwarded | None, own: tuple[str, ...]) -> Command | Unclear:
    """A candidature taken elsewhere: typed by staff, or forwarded with a line of instruction."""
    written = f"{text}\n{forwarded.subject}\n{forwarded.text}" if forwarded else text
    group_id = _group(text, subject, groups) or (
        _group(f"{forwarded.subject}\n{forwarded.text}", "", groups) if forwarded else None)
    if group_id is None:
        return _which_group(groups)
    addresses = [a.lower() for a in _EMAIL.findall(text) if a.lower() not in own]
    email = addresses[0] if addresses else (forwarded.sender if forwarded and forwarded.sender
                                            and forwarded.sender not in own else None)
    profile = extract_profile(forwarded.text if forwarded else text, departments,
                              forwarded.name if forwarded else None)
    name_match = _NAME.search(text)
    name = (name_match.group("name").strip() if name_match else None) or profile.name or (
        forwarded.name if forwarded else None)
    department = _DEPARTMENT.search(written)
    code = department.group("code").upper() if department else profile.department
    missing = [what for what, value in (("l’adresse électronique du membre", email),
                                        ("son nom", name), ("son département, par exemple (16)", code))
               if not value]
    if missing:
        return Unclear(f"il manque {' et '.join(missing)} pour ajouter la candidature")
    assert email is not None and name is not None and code is not None
    received = find_datetime(text, now, tz, past=True)
    if received is not None and not isinstance(received.value, datetime):
        return Unclear("il manque l’heure à laquelle la candidature a été reçue (elle décide de "
                       "son rang), par exemple « reçue le 3 mars à 10 h »")
    fields = {"email": email, "name": name, "department": code}
    if received is not None:
        fields["received_at"] = received.value.isoformat()
        fields["received_how"] = "given"
    elif forwarded is not None and forwarded.sent_at is not None:
        fields["received_at"] = forwarded.sent_at.isoformat()
        fields["received_how"] = "forwarded"
    else:
        fields["received_at"] = now.isoformat()
        fields["received_how"] = "message"
    if profile.structure:
        fields["structure"] = profile.structure
    if profile.role_text:
        fields["role"] = profile.role_text
    return Command(StaffVerb.ADD, group_id, "", fields)


# --- a forwarded message ------------------------------------------------------------------------

_FROM_VALUE = re.compile(r"^\s*\"?(?P<name>[^\"<\[]*?)\"?\s*[<\[](?:mailto:)?(?P<addr>[^>\]\s]+)[>\]]|"
                         r"^\s*(?P<bare>[\w.+'-]+@[\w-]+(?:\.[\w-]+)+)")


def forwarded(text: str, now: datetime, tz: ZoneInfo) -> Forwarded | None:
    """The message under a « TR : », read from the header lines its client quoted above it
    (where a quoted history starts and what its header lines say: core.text)."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = history_start(lines)
    if start is None:
        return None
    values: dict[str, str] = {}
    body_from = len(lines)
    for index in range(start, len(lines)):
        field = header_field(lines[index])
        if field is not None:
            values.setdefault(*field)
        elif values and not lines[index].strip(" >"):
            body_from = index + 1  # the blank line after the headers: the message begins
            break
    if "from" not in values:
        return None
    sender_match = _FROM_VALUE.match(values["from"])
    sender = name = None
    if sender_match is not None:
        sender = (sender_match.group("addr") or sender_match.group("bare") or "").lower() or None
        name = (sender_match.group("name") or "").strip() or None
    sent_at = _forwarded_date(values.get("date", ""), now, tz)
    body = "\n".join(line.lstrip(">").strip() if line.startswith(">") else line
                     for line in lines[body_from:])
    return Forwarded(sender, name, sent_at, values.get("subject", ""), body.strip())


_SECONDS = re.compile(r"\b(\d{1,2}[:h]\d{2}):\d{2}\b")


def _forwarded_date(value: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """« mardi 3 mars 2026 10:02 » as Outlook writes it, or an RFC 5322 date (Thunderbird)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    # Apple Mail writes the seconds (« à 09:15:00 UTC+1 »); the minute is enough.
    found = find_datetime(_SECONDS.sub(r"\1", value), now, tz, past=True)
    return found.value if found is not None and isinstance(found.value, datetime) else None
