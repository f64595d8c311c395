"""What staff read about the actions they ask by email: what was understood, what is missing, and
each action as a line they can send back as it is."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from ...model.values import StaffVerb, State
from .address import of
from .words import NBSP, STAFF_VERB, format_date_fr

#: Who an example is about: words that read as a placeholder, never as a member's name.
SOMEONE = "Prénom Nom"


def examples(state: State) -> tuple[str, ...]:
    """What a staff member can write, shown when a message is not understood (and in the README):
    the state's first group by its title, people as « Prénom Nom »."""
    first = next(iter(state.groups.values()), None)
    group = f"« {first.title} »" if first is not None else "« OT ruraux »"
    return (
        f"Ajouter la candidature de {SOMEONE}, prenom.nom@office.fr, directrice de l’office de "
        f"tourisme de …, département 16, reçue en réunion départementale le 3 mars à 10 h, pour le "
        f"groupe {group}",
        f"Clore l’appel du groupe {group}",
        f"Rouvrir l’appel du groupe {group}",
        f"Passer le groupe {group} à 25 places",
        f"Déplacer la première rencontre du groupe {group} au 6 avril à 9 h 30, à Angoulême",
        f"Clore l’appel du groupe {group} le 26 mars",
        f"Refuser la candidature de {SOMEONE} : hors profil",
        f"Retirer la candidature de {SOMEONE} : désistement par téléphone",
        f"Donner une place à {SOMEONE}",
        f"L’idée de {SOMEONE} a été validée au CA du 12 mars",
        f"L’idée de {SOMEONE} est déclinée : projet déjà couvert par un groupe",
        f"Question de {SOMEONE} réglée par téléphone",
        f"Transférer (TR) une candidature reçue ailleurs, avec au-dessus : « À inscrire au groupe "
        f"{group} »",
    )


def _title(state: State, group_id: str) -> str:
    group = state.groups.get(group_id)
    return f"« {group.title} »" if group is not None else group_id


def _who(state: State, candidature_id: str) -> str:
    cand = state.candidature(candidature_id)
    return f"{candidature_id} ({cand.name or cand.email})" if cand is not None else candidature_id


def _day(value: str, tz: ZoneInfo) -> str:
    when = datetime.fromisoformat(value)
    return format_date_fr(when if when.tzinfo else when.replace(tzinfo=tz), tz)


def _date(value: str) -> str:
    return format_date_fr(date.fromisoformat(value), ZoneInfo("UTC")).split(" à ")[0]


def stop_review_line(outcome: str) -> str:
    """The line that stops the review of one outcome's replies (the digest proposes it)."""
    return f"Arrêter la relecture des réponses « {outcome} »"


def command_line(verb: StaffVerb, target: str, state: State, tz: ZoneInfo, *, reason: str = "",
                 fields: Mapping[str, str] | None = None) -> str:
    """The action as a line staff can send back to the mailbox as it is (it reads back as itself)."""
    fields = fields or {}
    group = _title(state, target)
    lines: dict[StaffVerb, str] = {
        StaffVerb.CLOSE: f"Clore l’appel du groupe {group}",
        StaffVerb.OPEN: f"Rouvrir l’appel du groupe {group}",
        StaffVerb.CAPACITY: f"Passer le groupe {group} à {fields.get('capacity', 'N')} places",
        StaffVerb.DEADLINE: (f"Rouvrir l’appel du groupe {group} jusqu’au {_day(fields['closes_at'], tz)}"
                             if fields.get("open") and "closes_at" in fields
                             else f"Clore l’appel du groupe {group} le {_day(fields['closes_at'], tz)}"
                             if "closes_at" in fields else f"Clore l’appel du groupe {group} le …"),
        StaffVerb.ADD: (f"Ajouter la candidature {of(fields.get('name', '…'))}, {fields.get('email', '…')} "
                        f"({fields.get('department', '…')}), au groupe {group}"),
        StaffVerb.REFUSE: f"Refuser la candidature {_who(state, target)} : {reason or 'raison'}",
        StaffVerb.WITHDRAW: f"Retirer la candidature {_who(state, target)} : {reason or 'à sa demande'}",
        StaffVerb.PROMOTE: f"Donner une place à la candidature {_who(state, target)}",
        StaffVerb.IDEA_VALIDATE: (f"Valider l’idée {target} (CA du "
                                  f"{_date(fields['board_date']) if 'board_date' in fields else '…'})"),
        StaffVerb.IDEA_DECLINE: f"Décliner l’idée {target} : {reason or 'raison'}",
        StaffVerb.IDEA_ADVANCE: f"Avancer l’idée {target}",
        StaffVerb.IDEA_DRAFT: f"Préparer le groupe de l’idée {target}",
        StaffVerb.QUESTION_DONE: f"Réponse envoyée {target}",
        StaffVerb.REVIEW_STOP: stop_review_line(target),
    }
    if verb is StaffVerb.MEETING:
        moved = [f"au {_day(fields['when'], tz)}"] if "when" in fields else []
        moved += [f"lieu : {fields['place']}"] if "place" in fields else []
        return f"Déplacer la première rencontre du groupe {group} {', '.join(moved) or 'au …'}"
    return lines[verb]


def understood(verb: StaffVerb, target: str, state: State, tz: ZoneInfo, *, reason: str = "",
               fields: Mapping[str, str] | None = None) -> str:
    """What mailflow understood, in a sentence: « Vous avez demandé : clore l’appel du groupe « … » »."""
    fields = fields or {}
    if verb is StaffVerb.ADD:
        received = datetime.fromisoformat(fields["received_at"])
        how = {"forwarded": " (date du message transféré)",
               "day": " (heure non précisée : comptée en fin de journée)",
               "message": " (aucune date indiquée : celle de votre message)"}.get(
                   fields.get("received_how", ""), "")
        about = (f"{fields['name']} <{fields['email']}>, département {fields['department']}, groupe "
                 f"{_title(state, target)}, reçue le {format_date_fr(received, tz)}{how}")
    elif target in state.groups:
        about = f"groupe {_title(state, target)}" + _moved(fields, tz)
    elif target[:1] == "C":
        cand = state.candidature(target)
        about = (f"{target}, {cand.name or cand.email}, groupe {_title(state, cand.group_id)}"
                 if cand is not None else target)
    else:
        about = target + (f", CA du {_date(fields['board_date'])}" if "board_date" in fields else "")
        if fields.get("board_said") == "no":
            about += " (date non précisée : celle de votre message ; écrivez-la si elle diffère)"
    said = f", raison que le membre lira : « {reason} »" if reason else ""
    if verb is StaffVerb.PROMOTE:  # her letter says the team gave the place (and beyond a quota)
        said = f", motif noté à l’historique : « {reason} »" if reason else ""
    if verb in (StaffVerb.REFUSE, StaffVerb.IDEA_DECLINE) and not reason:
        said = (" ; aucune raison donnée : le membre lira seulement que sa demande n’est pas retenue "
                "(pour lui en donner une, répondez « non » puis écrivez l’action suivie de « : » et "
                "de la raison)")
    return f"Vous avez demandé : {STAFF_VERB[verb]} — {about}{said}"


def _moved(fields: Mapping[str, str], tz: ZoneInfo) -> str:
    parts = []
    if "when" in fields:
        kept = " (heure inchangée)" if fields.get("time_said") in ("same", "unsaid") else ""
        parts.append(f"le {_day(fields['when'], tz)}{kept}")
    if "place" in fields:
        parts.append(f"à {fields['place']}")
    if "closes_at" in fields:
        parts.append(("appel rouvert, " if fields.get("open") else "")
                     + f"clôture le {_day(fields['closes_at'], tz)}")
    if "capacity" in fields:
        parts.append(f"{fields['capacity']} places")
    return f", {', '.join(parts)}" if parts else ""


#: What is missing for each reason a request is no plan (see core.read.staff.request.Missing).
MISSING = {
    "group": "nous n’avons pas trouvé de quel groupe il s’agit",
    "candidature": "nous n’avons pas trouvé de quelle candidature il s’agit : nommez la personne, "
                   "ou écrivez le numéro de sa candidature tel que le point du matin le donne",
    "idea": "nous n’avons pas trouvé de quelle idée il s’agit : nommez la personne qui l’a "
            "proposée, ou écrivez son numéro tel que le point du matin le donne",
    "question": "nous n’avons pas trouvé de quelle question il s’agit : nommez la personne qui l’a "
                "posée, ou écrivez son numéro tel que le point du matin le donne",
    "number": "il manque le nouveau nombre de places",
    "date": "il manque la nouvelle date",
    "place": "il manque le nouveau lieu",
    "person": "il manque de quoi inscrire la personne",
    "reason": "il manque la raison, que le membre lira",
    "board-date": "il manque la date du conseil d’administration",
    "several": "un message ne peut demander qu’une action à la fois",
    "already": "cette personne a déjà une candidature dans ce groupe, à son adresse : rien à ajouter",
    "action": "nous n’avons pas reconnu d’action que mailflow sache faire",
}
#: What the person's missing facts are called (`Unclear.detail`).
PERSON_FACTS = {"email": "son adresse électronique", "name": "son nom", "department": "son département"}


def unclear_words(missing: str, verb: StaffVerb | None, about: tuple[str, ...], detail: tuple[str, ...],
                  state: State) -> str:
    """Why nothing was planned, and what was recognised (« groupe « OT ruraux », C0003 »)."""
    said = MISSING[missing]
    if missing == "person" and detail:
        said = f"il manque {' et '.join(PERSON_FACTS.get(d, d) for d in detail)} pour inscrire la personne"
    if missing == "group":
        said += " ; nommez-le : " + ", ".join(f"« {g.title} »" for g in state.groups.values())
    seen = [_recognised(item, state) for item in about]
    if verb is not None and missing != "action":
        seen.insert(0, f"l’action « {STAFF_VERB[verb]} »")
    return said + (f". Nous avons reconnu : {', '.join(seen)}" if seen else "")


def _recognised(item: str, state: State) -> str:
    if item in state.groups:
        return f"le groupe {_title(state, item)}"
    if item[:1] == "C" and state.candidature(item) is not None:
        return f"la candidature {_who(state, item)}"
    return item


#: A reason written to the member (the rules, the places, a hold that expired), as staff read
#: it: about the member, in the third person. Longest first; staff's own words pass unchanged
#: unless they too spoke to the member (« Refuser C0003 : votre office n'est pas classé rural »).
_TO_STAFF = tuple((re.compile(rf"\b{said}\b", re.IGNORECASE), told) for said, told in (
    ("votre message en indique", "son message en indique"),
    ("votre message indique", "son message indique"),
    ("votre message", "son message"),
    ("vous indiquez", "sa candidature indique"),
    ("de votre part", "de sa part"),
    ("la vôtre", "la sienne"),
    ("le vôtre", "le sien"),
    ("votre fonction", "sa fonction"),
    ("votre engagement", "son engagement"),
    ("votre candidature", "sa candidature"),
    ("votre place", "sa place"),
    ("votre office", "son office"),
    ("votre structure", "sa structure"),
    ("votre territoire", "son territoire"),
    ("votre demande", "sa demande"),
))


def for_staff(reason: str) -> str:
    """A reason the member read, as staff read it: « ce groupe est réservé aux directeurs… ;
    son message indique « chargée d’accueil » » (the member read « votre message indique »)."""
    for said, told in _TO_STAFF:
        reason = said.sub(partial(_as_written, told), reason)
    return reason


def _as_written(told: str, said: re.Match[str]) -> str:
    """`told` with a capital where the member's words had one (« Votre message… »)."""
    return told[:1].upper() + told[1:] if said.group(0)[:1].isupper() else told


_QUOTED = re.compile(r"^(?:> ?)+")


def quote(text: str, width: int = 72) -> str:
    """A member's text quoted for staff, each line of it wrapped with its « > » (a quote of a
    quote keeps its own, « >> »), so that wrapping the mail at `width` never loses one."""
    out: list[str] = []
    for line in text.splitlines() or [""]:
        marks = _QUOTED.match(line)
        depth = marks.group(0).count(">") if marks else 0
        prefix = ">" * (depth + 1) + " "
        body = line[marks.end() if marks else 0:].rstrip()
        if not body:
            out.append(prefix.rstrip())
            continue
        for piece in textwrap.wrap(body, width - len(prefix), break_long_words=False,
                                   break_on_hyphens=False):
            # A word longer than the line (an address, a link) is held to its « > » by a
            # no-break space: the mail's own wrapping breaks lines at plain spaces only.
            joint = prefix if len(prefix) + len(piece) <= width else prefix[:-1] + NBSP
            out.append(joint + piece)
    return "\n".join(out)
