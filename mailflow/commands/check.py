"""`mailflow check-config`: the configuration validated, the servers tried, what was found said."""

from __future__ import annotations

import argparse
import sys

from ..app import views
from ..app.past import past_lines
from ..app.wiring import build_renderer, check_servers
from ..config.settings import Settings
from ..core.french import french_typography, plural
from ..errors import MailflowError
from .common import override_lines, say
from .review import review_lines


def cmd_check_config(settings: Settings, args: argparse.Namespace) -> int:
    problems: list[str] = []
    problems += [f"modèle absent : {name}" for name in build_renderer(settings).check()]
    store = views.check_store(settings)
    problems += store.problems
    state = store.state
    say(f"configuration : {settings.file}",
        f"réseau : {settings.network.name} <{settings.network.address}>, équipe : "
        f"{', '.join(settings.network.staff)}, fuseau horaire : {settings.network.timezone}",
        f"boîte aux lettres : {settings.mailbox.url} (messages traités → "
        f"{settings.mailbox.processed_folder}, quarantaine → {settings.mailbox.quarantine_folder})")
    authserv = settings.mailbox.trusted_authserv_id
    say("vérification des expéditeurs : " + (
        f"DMARC (sinon SPF ou DKIM alignés), tel que « {authserv} » l’inscrit dans "
        "Authentication-Results" if authserv else
        "désactivée (pas de mailbox.trusted_authserv_id) : un expéditeur usurpé n’est pas détecté"),
        f"envoi : {settings.delivery.url}",
        f"données : {settings.store_path}"
        + (f" ({plural(len(state.candidatures), 'candidature')}, {plural(len(state.ideas), 'idée')})"
           if state else ""),
        f"modèles : {settings.templates_dir}")
    found, failing = check_servers(settings)
    if found:
        say(*found)
    problems += failing
    coastal = sum(d.coastal for d in settings.departments.values())
    say(f"départements : {len(settings.departments)} (dont {coastal} littoraux)")
    warnings = _groups(settings, store)
    warnings += review_lines(settings)
    warnings += _past(settings, problems)
    for problem in problems:
        print(french_typography(f"problème : {problem}"), file=sys.stderr)
    verdict = ("configuration correcte" if not problems else plural(len(problems), "problème")
               + " trouvé" + ("s" if len(problems) > 1 else ""))
    say(verdict + (f", {plural(len(warnings), 'avertissement')} (attention ci-dessus)"
                   if warnings else ""))
    return 0 if not problems else 1


def _groups(settings: Settings, store: views.StoreCheck) -> list[str]:
    """Each group as it is in force (staff's changes over the file), and what to look at."""
    warnings: list[str] = []
    for row in store.rows:
        group_id, capacity, taken = row["id"], row["capacity"], row["taken"]
        say(f"groupe {group_id} : {plural(capacity, 'place')}, {row['closed_reason'] or 'appel ouvert'}")
        mine = override_lines([d for d in store.overrides if d.group_id == group_id], settings)
        if taken > capacity:
            mine.append(f"groupe {group_id} : {plural(capacity, 'place')} pour {taken} déjà "
                        "prises : personne ne perd sa place, les nouvelles candidatures attendront")
        for line in mine:
            say(f"attention : {line}")
        warnings += mine
    return warnings


def _past(settings: Settings, problems: list[str]) -> list[str]:
    """The old mail waiting in the inbox, unanswered (a first start on a used mailbox)."""
    if problems:  # the store or the mailbox is unreadable: said already
        return []
    try:
        past = views.old_mail(settings)
    except MailflowError as exc:
        problems.append(f"boîte aux lettres : {exc}")
        return []
    lines = past_lines(past, settings.tz)
    for line in lines:
        say(f"attention : {line}")
    return lines[:1]
