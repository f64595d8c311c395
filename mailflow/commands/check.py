"""`mailflow check-config`: the configuration validated, the servers tried, what was found said."""

from __future__ import annotations

import argparse
import sys

from ..adapters.imap import ImapSource
from ..adapters.smtp import SmtpTransport
from ..app.past import counted_since, split
from ..app.wiring import build_renderer, build_service, utc_now
from ..config.settings import Settings
from ..core.decide.overrides import Divergence, divergences
from ..core.decide.places import call_summary, closed_reason
from ..core.french import french_typography, plural
from ..errors import MailflowError
from ..model.values import State
from ..store import Store
from .common import override_lines, say
from .old import past_lines


def cmd_check_config(settings: Settings, args: argparse.Namespace) -> int:
    problems: list[str] = []
    problems += [f"modèle absent : {name}" for name in build_renderer(settings).check()]
    state: State | None = None
    overrides: list[Divergence] = []
    try:
        with Store(settings.store_path, read_only=True) as store:
            state = store.state(settings.groups, settings.departments)
            overrides = divergences(settings.groups, state.groups, store.group_overrides())
            unknown = {c.group_id for c in state.candidatures} - set(state.groups)
            problems += [f"le fichier des données contient des candidatures du groupe inconnu « {g} »"
                         for g in unknown]
    except MailflowError as exc:
        problems.append(str(exc))
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
    problems += _check_servers(settings)
    coastal = sum(d.coastal for d in settings.departments.values())
    say(f"départements : {len(settings.departments)} (dont {coastal} littoraux)")
    warnings = _groups(settings, state, overrides)
    past = _past(settings, problems)
    warnings += past
    for problem in problems:
        print(french_typography(f"problème : {problem}"), file=sys.stderr)
    verdict = ("configuration correcte" if not problems else plural(len(problems), "problème")
               + " trouvé" + ("s" if len(problems) > 1 else ""))
    say(verdict + (f", {plural(len(warnings), 'avertissement')} (attention ci-dessus)"
                   if warnings else ""))
    return 0 if not problems else 1


def _groups(settings: Settings, state: State | None, overrides: list[Divergence]) -> list[str]:
    """Each group as it is in force (staff's changes over the file), and what to look at."""
    now = utc_now()
    warnings: list[str] = []
    groups = state.groups if state is not None else settings.groups
    for group in groups.values():
        status = closed_reason(group, now) or "appel ouvert"
        say(f"groupe {group.id} : {plural(group.capacity, 'place')}, {status}")
        mine = override_lines([d for d in overrides if d.group_id == group.id], settings)
        taken = call_summary(state, group, now).taken if state is not None else 0
        if taken > group.capacity:
            mine.append(f"groupe {group.id} : {plural(group.capacity, 'place')} pour {taken} déjà "
                        "prises : personne ne perd sa place, les nouvelles candidatures attendront")
        for line in mine:
            say(f"attention : {line}")
        warnings += mine
    return warnings


def _past(settings: Settings, problems: list[str]) -> list[str]:
    """The old mail waiting in the inbox, unanswered (a first start on a used mailbox)."""
    if problems:  # the store or the mailbox is unreadable: said already
        return []
    service = build_service(settings, read_only=True)
    try:
        _current, past = split(service, service.source.pending(), counted_since(service, utc_now()))
    except MailflowError as exc:
        problems.append(f"boîte aux lettres : {exc}")
        return []
    finally:
        service.close()
    lines = past_lines(past, settings)
    for line in lines:
        say(f"attention : {line}")
    return lines[:1]


def _check_servers(settings: Settings) -> list[str]:
    """Connect and log in to the configured servers; say in plain words what fails."""
    problems: list[str] = []
    box = settings.mailbox
    if box.server is not None:
        source = ImapSource(box.server, box.processed_folder, box.quarantine_folder, box.sent_folder)
        try:
            folders = source.check()
            say(f"boîte aux lettres : connexion à {box.server.host}:{box.server.port} en tant que "
                f"{box.server.auth.user} ; dossiers : {', '.join(folders)}")
            if box.server.folder not in folders:
                problems.append(f"boîte aux lettres : le dossier « {box.server.folder} » n’existe pas")
        except MailflowError as exc:
            problems.append(f"boîte aux lettres : {exc}")
        finally:
            source.close()
    if settings.delivery.server is not None:
        transport = SmtpTransport(settings.delivery.server, settings.network.address)
        try:
            say(f"envoi : {transport.check()}")
        except MailflowError as exc:
            problems.append(f"envoi : {exc}")
    return problems
