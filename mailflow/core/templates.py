"""The templates mailflow writes with: their names, the alert kinds and the files they need."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..model import Fact
from .calendar import MEETING_CHANGED_TEMPLATE
from .french import FACT

#: Every reply template name (the `Reply.template` values).
REPLY_TEMPLATES = (
    "confirmed",
    "waitlisted",
    "refused",
    "needs_info",
    "duplicate",
    "closed",
    "idea_received",
    "withdrawn",
    "help",
    "promoted",
    "confirm_withdrawal",
    "status",
    "hold_expired",
    "confirm_commitment",
    "idea_note_received",
    "idea_validated",
    "idea_declined",
    "question_received",
    "idea_status",
)
#: Reply templates sent on staff's initiative (not answering a member's message).
STAFF_REPLY_TEMPLATES = (MEETING_CHANGED_TEMPLATE,)
#: Answers to a staff member who acts by email: the plan and its code, done, not understood.
STAFF_ACTION_TEMPLATES = ("staff_confirm", "staff_done", "staff_unclear")
#: The staff alert sent when a message is quarantined.
QUARANTINE_TEMPLATE = "staff_quarantine"
#: A member's question forwarded to staff, for a person to answer.
QUESTION_TEMPLATE = "staff_question"
#: What a confirmation code confirms, as the prepared reply's subject says it.
CONFIRMS = {"confirm_withdrawal": "du désistement", "confirm_commitment": "de mon engagement",
            "staff_confirm": "de l’action"}
#: A confirmation code as subjects carry it.
CODE_IN_SUBJECT = re.compile(r"\s*\[MF-[A-Z0-9]{10}\]")
#: The daily digest sent to staff.
DIGEST_TEMPLATE = "digest"
#: The other staff alerts (delivery failures, mailbox events), one template told apart by `kind`.
ALERT_TEMPLATE = "staff_alert"
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
                                                               ("place", "Place"))),
    "group-full": ("Groupe complet", (("group", "Groupe"), ("capacity", "Places"),
                                      ("last", "Dernière place prise par"))),
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
SHARED_TEMPLATES = ("_layout.txt.j2", "_layout.html.j2", "_macros.txt.j2", "_macros.html.j2")

#: Reply templates that cannot be written without a group.
GROUP_TEMPLATES = frozenset(("confirmed", "waitlisted", "duplicate", "withdrawn", "promoted",
                             MEETING_CHANGED_TEMPLATE))


def template_files() -> list[str]:
    """Every file the templates folder must hold: shared layouts, then each text/HTML pair."""
    pairs = [
        f"{name}.{kind}.j2"
        for name in (*REPLY_TEMPLATES, *STAFF_REPLY_TEMPLATES, *STAFF_ACTION_TEMPLATES,
                     QUARANTINE_TEMPLATE, QUESTION_TEMPLATE,
                     ALERT_TEMPLATE, DIGEST_TEMPLATE)
        for kind in ("txt", "html")
    ]
    return [*SHARED_TEMPLATES, *pairs]


#: What to ask for, per missing profile field (`Reply.missing` keys); « group » is asked apart.
MISSING_LABELS: Mapping[str, str] = {f.value: w.asked for f, w in FACT.items() if f is not Fact.GROUP}
#: A `Reply.missing` key without label: the group itself, asked for when `group_id` is None.
MISSING_GROUP = Fact.GROUP.value
