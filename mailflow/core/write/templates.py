"""The templates mailflow writes with: their names, the alert kinds and the files they need."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...model.values import Fact, Template
from ..french import FACT

#: Answers to a staff member who acts by email: the plan and its code, done, not understood.
STAFF_ACTION_TEMPLATES = (Template.STAFF_CONFIRM, Template.STAFF_DONE, Template.STAFF_UNCLEAR)
#: Letters to staff: their answers, alerts, forwarded questions, the digest.
STAFF_TEMPLATES = frozenset((*STAFF_ACTION_TEMPLATES, Template.STAFF_QUARANTINE, Template.STAFF_QUESTION,
                             Template.STAFF_ALERT, Template.DIGEST, Template.REVIEW))
#: Letters answering a member's message (staff's own initiatives, like a moved meeting, apart).
REPLY_TEMPLATES = tuple(t for t in Template if t not in STAFF_TEMPLATES and t is not Template.MEETING_CHANGED)
#: What a confirmation code confirms, as the prepared reply's subject says it.
CONFIRMS = {Template.CONFIRM_WITHDRAWAL: "du désistement",
            Template.CONFIRM_COMMITMENT: "de mon engagement", Template.STAFF_CONFIRM: "de l’action",
            Template.CONFIRM_REGISTRATION: "de ma candidature"}
#: A confirmation code as subjects carry it.
CODE_IN_SUBJECT = re.compile(r"\s*\[MF-[A-Z0-9]{10}\]")
#: What each alert kind says in its subject and which facts it lists, with their French labels.
ALERTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "delivery-failed": ("Réponse non remise", (("to", "Destinataire"), ("subject", "Objet"),
                                               ("outcome", "Issue"), ("error", "Erreur"),
                                               ("attempts", "Essais"))),
    "recipient-refused": ("Destinataires refusés", (("to", "Destinataires refusés"),
                                                    ("subject", "Objet"), ("error", "Réponse"))),
    "uidvalidity": ("Dossier renuméroté sur le serveur", (("folder", "Dossier"),
                                                          ("old", "Ancienne UIDVALIDITY"),
                                                          ("new", "Nouvelle UIDVALIDITY"))),
    "mailbox-unreachable": ("Boîte aux lettres injoignable", (("since", "Depuis"),
                                                              ("error", "Dernière erreur"))),
    "promoted": ("Place attribuée depuis la liste d’attente", (("group", "Groupe"),
                                                               ("member", "Membre"),
                                                               ("candidature", "Candidature"),
                                                               ("place", "Place"))),
    "group-full": ("Groupe complet", (("group", "Groupe"), ("capacity", "Places"),
                                      ("last", "Dernière place prise par"),
                                      ("candidature", "Sa candidature"))),
    "staff-unverified": ("Action de l’équipe non vérifiée", (("sender", "Expéditeur"),
                                                              ("subject", "Objet"),
                                                              ("reason", "Raison"))),
    "delivery-late": ("Réponse en souffrance", (("to", "Destinataire"), ("subject", "Objet"),
                                                ("since", "En attente depuis"),
                                                ("attempts", "Essais"), ("error", "Dernière erreur"))),
    "job-failing": ("Une tâche de mailflow échoue", (("job", "Tâche"), ("since", "Depuis"),
                                                    ("error", "Erreur"), ("log", "Détails"))),
    "old-mail": ("Anciens messages en attente", (("count", "Messages"), ("first", "Du"),
                                                 ("last", "Au"), ("since", "Compté depuis"))),
    "staff-loop": ("Beaucoup de réponses à une adresse de l’équipe", (
        ("to", "Adresse"), ("count", "Réponses en 24 heures"), ("limit", "Limite des membres"))),
}
#: Shared files the templates extend or import.
SHARED_TEMPLATES = ("_layout.txt.j2", "_layout.html.j2", "_macros.txt.j2", "_macros.html.j2",
                    "_review.txt.j2", "_review.html.j2")

#: Reply templates that cannot be written without a group.
GROUP_TEMPLATES = frozenset((Template.CONFIRMED, Template.WAITLISTED, Template.DUPLICATE,
                             Template.WITHDRAWN, Template.PROMOTED, Template.MEETING_CHANGED))


def template_files() -> list[str]:
    """Every file the templates folder must hold: shared layouts, then each text/HTML pair."""
    pairs = [f"{name}.{kind}.j2" for name in Template for kind in ("txt", "html")]
    return [*SHARED_TEMPLATES, *pairs]


#: What to ask for, per missing profile field (`Reply.missing` keys); « group » is asked apart.
MISSING_LABELS: Mapping[str, str] = {f.value: w.asked for f, w in FACT.items() if f is not Fact.GROUP}
#: A `Reply.missing` key without label: the group itself, asked for when `group_id` is None.
MISSING_GROUP = Fact.GROUP.value
