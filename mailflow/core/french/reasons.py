"""The words of the reasons the core decides (why a call takes no candidature, why a member
waits, why a place was given): a reason is a value, its words live here."""

from __future__ import annotations

from .words import plural

CALL_DRAFT = "l’appel à candidatures de ce groupe n’est pas encore ouvert"
CALL_CLOSED = "l’appel à candidatures de ce groupe est clos"
CALL_PAST = "la date limite de l’appel à candidatures est passée"
CALL_NOT_YET = ("votre message nous est parvenu avant l’ouverture de l’appel à candidatures ; si vous "
                "souhaitez toujours rejoindre ce groupe, répondez « oui » à ce message")
GROUP_FULL = "le groupe est complet"
#: Why a member placed before the others goes back to the waiting list.
DISPLACED = ("une candidature reçue avant la vôtre, lors d’une réunion départementale, a pris la "
             "dernière place")


def quota_reached(quota: int, department: str) -> str:
    """« le quota de 2 places pour le département Dordogne (24) est atteint »."""
    return f"le quota de {plural(quota, 'place')} pour le département {department} est atteint"


def beyond_quota(quota: int, department: str) -> str:
    """« au-delà du quota de 2 places prévu pour le département Dordogne (24) »."""
    return f"au-delà du quota de {plural(quota, 'place')} prévu pour le département {department}"
