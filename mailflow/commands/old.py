"""`mailflow old list|archive`: mail older than mailflow's start, left waiting; set it aside."""

from __future__ import annotations

import argparse

from ..app import views
from ..app.past import past_lines
from ..config.settings import Settings
from ..core.french import format_date_fr, plural
from .common import desk, say


def cmd_old_list(settings: Settings, args: argparse.Namespace) -> int:
    past = views.old_mail(settings)
    lines = past_lines(past, settings.tz)
    if not lines:
        say(f"aucun ancien message : mailflow compte le courrier arrivé depuis le "
            f"{format_date_fr(past.since, settings.tz)}")
        return 0
    for item in past.waiting:
        when = format_date_fr(item.arrived_at, settings.tz) if item.arrived_at else "?"
        lines.append(f"  {item.key} — arrivé le {when}")
    say(*lines)
    return 0


def cmd_old_archive(settings: Settings, args: argparse.Namespace) -> int:
    with desk(settings, args) as staff:
        past = staff.archive_old_mail()
    if args.dry_run:
        say(f"{plural(past.count, 'ancien message serait rangé', 'anciens messages seraient rangés')}"
            f" dans « {settings.mailbox.archive_folder} », sans réponse.",
            "Essai à blanc : rien n’a été déplacé.")
        return 0
    say(f"{plural(past.count, 'ancien message rangé', 'anciens messages rangés')} dans « "
        f"{settings.mailbox.archive_folder} », sans réponse ; l’historique le note.")
    return 0
