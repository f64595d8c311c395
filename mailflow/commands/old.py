"""`mailflow old list|archive`: mail older than mailflow's start, left waiting; set it aside."""

from __future__ import annotations

import argparse

from ..app.past import Past, archive, counted_since, split
from ..app.wiring import build_service, utc_now
from ..config.settings import Settings
from ..core.french import format_date_fr, plural
from .common import actor, say


def past_lines(past: Past, settings: Settings) -> list[str]:
    """What the command line and the log say of the past waiting (nothing when there is none)."""
    if not past.count:
        return []
    tz = settings.tz
    span = (f" (du {format_date_fr(past.first, tz)} au {format_date_fr(past.last, tz)})"
            if past.first and past.last else "")
    day = (past.first or past.since).astimezone(tz).date().isoformat()  # all of it would count
    return [f"{plural(past.count, 'ancien message attend', 'anciens messages attendent')}{span}, "
            f"arrivé{'s' if past.count > 1 else ''} avant le {format_date_fr(past.since, tz)}, "
            "date depuis laquelle mailflow compte le courrier : aucune réponse n’y a été faite.",
            f"Pour y répondre : mailflow run --once --since {day} (ou la clé mailbox.since) ; "
            "pour les ranger sans réponse : mailflow old archive."]


def cmd_old_list(settings: Settings, args: argparse.Namespace) -> int:
    service = build_service(settings, read_only=True)
    try:
        _current, past = split(service, service.source.pending(), counted_since(service, utc_now()))
    finally:
        service.close()
    lines = past_lines(past, settings)
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
    service = build_service(settings, read_only=args.dry_run)
    try:
        if args.dry_run:
            _current, past = split(service, service.source.pending(),
                                   counted_since(service, utc_now()))
            say(f"{plural(past.count, 'ancien message serait rangé', 'anciens messages seraient rangés')}"
                f" dans « {settings.mailbox.archive_folder} », sans réponse.",
                "Essai à blanc : rien n’a été déplacé.")
            return 0
        past = archive(service, actor(), utc_now())
    finally:
        service.close()
    say(f"{plural(past.count, 'ancien message rangé', 'anciens messages rangés')} dans « "
        f"{settings.mailbox.archive_folder} », sans réponse ; l’historique le note.")
    return 0
