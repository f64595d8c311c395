"""What staff read about the actions they ask by email: what was understood, what is missing, and
each action as a line they can send back as it is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ...model.values import StaffVerb, State
from .words import STAFF_VERB, format_date_fr

#: What a staff member can write, shown when a message is not understood (and in the README).
EXAMPLES = (
    "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-confolentais.fr, directrice de "
    "l’OT du Confolentais (16), reçue en réunion départementale le 3 mars à 10 h, pour le groupe "
    "OT ruraux",
    "Clore l’appel OT ruraux (ou : Rouvrir l’appel OT ruraux)",
    "Passer le groupe OT ruraux à 25 places",
    "Déplacer la première réunion des OT ruraux au mardi 6 avril 2027 à 9 h 30, à Angoulême",
    "Clore l’appel OT ruraux le 26 mars",
    "Refuser la candidature de Marie Dupont : hors profil (le membre lit la raison)",
    "Retirer la candidature de Luc Bernard : désistement par téléphone",
    "Donner une place à Hélène Roux",
    "L’idée de Rémi Lamarque a été validée au CA du 12 mars (ajoutez « sans co-animation » s’il y a "
    "lieu)",
    "L’idée de Rémi Lamarque est déclinée : projet déjà couvert par le groupe OT ruraux",
    "Question de Sandrine Aubert réglée par téléphone",
    "Transférer (TR) une candidature reçue ailleurs, avec au-dessus : « À inscrire au groupe OT "
    "ruraux »",
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
        StaffVerb.DEADLINE: (f"Clore l’appel du groupe {group} le {_day(fields['closes_at'], tz)}"
                             if "closes_at" in fields else f"Clore l’appel du groupe {group} le …"),
        StaffVerb.ADD: (f"Ajouter la candidature de {fields.get('name', '…')}, {fields.get('email', '…')} "
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
        return f"Déplacer la première réunion du groupe {group} {', '.join(moved) or 'au …'}"
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
        parts.append(f"clôture le {_day(fields['closes_at'], tz)}")
    if "capacity" in fields:
        parts.append(f"{fields['capacity']} places")
    return f", {', '.join(parts)}" if parts else ""


#: What is missing for each reason a request is no plan (see core.read.staff.request.Missing).
MISSING = {
    "group": "nous n’avons pas trouvé de quel groupe il s’agit",
    "candidature": "nous n’avons pas trouvé de quelle candidature il s’agit",
    "idea": "nous n’avons pas trouvé de quelle idée il s’agit",
    "question": "nous n’avons pas trouvé de quelle question il s’agit",
    "number": "il manque le nouveau nombre de places",
    "date": "il manque la nouvelle date",
    "place": "il manque le nouveau lieu",
    "person": "il manque de quoi inscrire la personne",
    "reason": "il manque la raison, que le membre lira",
    "board-date": "il manque la date du conseil d’administration",
    "several": "un message ne peut demander qu’une action à la fois",
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
