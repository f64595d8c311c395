"""`mailflow quarantine list|show|retry`: the messages set aside, and putting them back."""

from __future__ import annotations

import argparse
import json

from ..app import views
from ..app.quarantine import Quarantined
from ..config.settings import Settings
from ..core.french import format_date_fr, plural, size
from .common import desk, say


def _line(item: Quarantined, settings: Settings) -> list[str]:
    entry = item.entry
    when = format_date_fr(item.arrived_at, settings.tz) if item.arrived_at else "date inconnue"
    who = entry.sender if entry and entry.sender else "expéditeur inconnu"
    subject = entry.subject if entry and entry.subject else "(sans objet)"
    why = entry.summary if entry else "déposé là hors de mailflow"
    return [f"{item.number}. arrivé le {when} — {who} — « {subject} » ({size(item.size)})",
            f"   raison : {why}"]


def cmd_quarantine_list(settings: Settings, args: argparse.Namespace) -> int:
    """The messages set aside, oldest first, numbered as `show` and `retry` name them."""
    found = views.quarantine(settings)
    if args.json:
        print(json.dumps([{"number": q.number, "key": q.key, "size": q.size,
                           "arrived_at": q.arrived_at.isoformat() if q.arrived_at else None,
                           "sender": q.entry.sender if q.entry else None,
                           "subject": q.entry.subject if q.entry else None,
                           "reason": q.entry.summary if q.entry else None} for q in found],
                         ensure_ascii=False, indent=2))
        return 0
    if not found:
        say("la quarantaine est vide")
        return 0
    lines = [plural(len(found), "message en quarantaine", "messages en quarantaine") + " :"]
    for item in found:
        lines += _line(item, settings)
    lines.append("Pour le remettre dans la boîte : mailflow quarantine retry NUMÉRO (ou --all).")
    say(*lines)
    return 0


def cmd_quarantine_show(settings: Settings, args: argparse.Namespace) -> int:
    """One message set aside: why, from whom, and the start of what it says."""
    item, text = views.quarantined(settings, args.number)
    lines = [*_line(item, settings), "", *text.splitlines()[:30]]
    say(*lines)
    return 0


def cmd_quarantine_retry(settings: Settings, args: argparse.Namespace) -> int:
    """Put messages back in the inbox: decided at the next look, their arrival kept."""
    with desk(settings, args) as staff:
        chosen = staff.put_back(args.numbers, every=args.all)
    if not chosen:
        say("la quarantaine est vide : rien à remettre")
        return 0
    if args.dry_run:
        say(*[f"serait remis dans la boîte : {line}" for q in chosen for line in _line(q, settings)[:1]],
            "Essai à blanc : rien n’a été déplacé.")
        return 0
    say(plural(len(chosen), "message remis", "messages remis") + " dans la boîte : mailflow les "
        "traite à sa prochaine relève (ou tout de suite : mailflow run --once), avec leur heure "
        "d’arrivée d’origine.")
    return 0
