"""`mailflow review list|show|send|hold|stats|stop|resume`: replies waiting for staff, and trust."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
from collections.abc import Iterator
from datetime import datetime

from ..app.context import Context
from ..app.review.desk import ReviewDesk, Waiting, figures, one, waiting
from ..app.review.held import InForce, in_force_of, reviewed
from ..app.wiring import build_service, open_store, utc_now
from ..config.settings import Settings
from ..core.french import ago, format_date_fr, outcome_words, plural
from ..errors import MailflowError, StaffActionError
from .common import DRY_RUN_DONE, actor, columns, say, tell


@contextlib.contextmanager
def _reading(settings: Settings) -> Iterator[Context]:
    service = build_service(settings, read_only=True)
    try:
        yield service
    finally:
        service.close()


def _number(typed: str) -> int:
    """A review's number as people type it: « 3 », « R3 », « r0003 »."""
    found = re.fullmatch(r"\s*[rR]?\s*-?\s*0*(\d{1,9})\s*", typed)
    if found is None:
        raise StaffActionError(f"numéro de relecture attendu (3, ou R0003), et non « {typed} »")
    return int(found.group(1))


def _head(w: Waiting, settings: Settings) -> list[str]:
    r = w.review
    who = f"{r.name} <{r.to}>" if r.name else r.to
    since = f"{format_date_fr(r.created_at, settings.tz)} ({ago(r.created_at, utc_now())})"
    held = (f" — gardée par {r.held_by} le {format_date_fr(r.held_at, settings.tz)}" if r.held_at else "")
    about = ", ".join(x for x in (r.about, f"groupe {r.group}" if r.group else "") if x)
    return [f"{r.label}  « {outcome_words(r.outcome)} » à {who} — en attente depuis le {since}",
            f"       « {w.draft.subject} »" + (f" — {about}" if about else "") + held]


def cmd_review_list(settings: Settings, args: argparse.Namespace) -> int:
    """The replies waiting for a reviewer, oldest first."""
    with _reading(settings) as ctx:
        found, outcomes = waiting(ctx), reviewed(ctx)
    if args.json:
        print(json.dumps([{
            "number": w.review.number, "label": w.review.label, "outcome": w.review.outcome,
            "to": w.review.to, "name": w.review.name, "subject": w.draft.subject,
            "created_at": w.review.created_at.isoformat(), "about": w.review.about or None,
            "group": w.review.group, "held_by": w.review.held_by or None,
            "held_at": w.review.held_at.isoformat() if w.review.held_at else None,
        } for w in found], ensure_ascii=False, indent=2))
        return 0
    said = (f"relues avant de partir : {', '.join(outcomes)}" if outcomes
            else "la relecture est arrêtée : [review] outcomes ne nomme aucun type de réponse")
    if not found:
        say(f"aucune réponse en attente de relecture ({said})")
        return 0
    lines = [plural(len(found), "réponse en attente de relecture", "réponses en attente de relecture")
             + f" ({said}) :"]
    for w in found:
        lines += _head(w, settings)
    lines.append("Pour la lire : mailflow review show NUMÉRO ; l’envoyer telle quelle : mailflow "
                 "review send NUMÉRO ; la garder : mailflow review hold NUMÉRO.")
    say(*lines)
    return 0


def cmd_review_show(settings: Settings, args: argparse.Namespace) -> int:
    """One reply waiting: the member's words, the decision, the reply as the member will read it."""
    with _reading(settings) as ctx:
        w = one(ctx, _number(args.target))
    r = w.review
    lines = [*_head(w, settings), "", f"Décision : {r.summary}", ""]
    if r.text:
        received = f" (reçu le {format_date_fr(r.received_at, settings.tz)})" if r.received_at else ""
        lines += [f"Message du membre{received} :", *(f"  {line}" for line in r.text.splitlines()), ""]
    lines += [f"Réponse, telle que le membre la lira (à {w.draft.to}) :", "-" * 68,
              *w.draft.text.rstrip("\n").splitlines(), "-" * 68]
    lines += [f"Avec elle : {line}" for line in r.with_it]
    lines.append(f"Pour l’envoyer telle quelle : mailflow review send {r.number} ; pour la garder : "
                 f"mailflow review hold {r.number} ; pour la corriger, répondez au courriel de relecture.")
    say(*lines)
    return 0


def _settle(settings: Settings, args: argparse.Namespace, send: bool) -> int:
    service = build_service(settings, read_only=args.dry_run)
    try:
        desk = ReviewDesk(service, actor(), dry_run=args.dry_run)
        w, _change = desk.send(_number(args.target)) if send else desk.hold(_number(args.target))
    finally:
        service.close()
    done = (f"la réponse à {w.review.to} part telle quelle" if send
            else f"la réponse à {w.review.to} reste en attente ; un « OK » ou mailflow review send "
                 f"{w.review.number} l’enverra plus tard")
    say(f"Relecture {w.review.label} : {done}.", *([DRY_RUN_DONE] if args.dry_run else []))
    return 0


def cmd_review_send(settings: Settings, args: argparse.Namespace) -> int:
    """Let a reply waiting for review go as drafted."""
    return _settle(settings, args, send=True)


def cmd_review_hold(settings: Settings, args: argparse.Namespace) -> int:
    """Keep a reply waiting (it counts as held in the trust figures)."""
    return _settle(settings, args, send=False)


def cmd_review_stats(settings: Settings, args: argparse.Namespace) -> int:
    """How review went over 30 days, per outcome: as drafted, corrected, held, waiting."""
    with _reading(settings) as ctx:
        found = figures(ctx)
    if args.json:
        print(json.dumps({"reviewed": list(found.reviewed), "trust_after": found.trust_after,
                          "outcomes": [{"outcome": t.outcome, "drafted": t.drafted,
                                        "corrected": t.corrected, "held": t.held,
                                        "waiting": t.waiting, "in_a_row": t.in_a_row,
                                        "proposed": found.proposed(t)} for t in found.figures]},
                         ensure_ascii=False, indent=2))
        return 0
    said = ", ".join(found.reviewed) or "aucun type de réponse"
    if not found.figures:
        say(f"aucune réponse relue ces 30 derniers jours (relues avant de partir : {said})")
        return 0
    rows = [["type", "telles quelles", "corrigées", "retenues", "en attente", "de suite"]]
    rows += [[t.outcome, str(t.drafted), str(t.corrected), str(t.held), str(t.waiting), str(t.in_a_row)]
             for t in found.figures]
    lines = ["Relecture sur les 30 derniers jours :", *columns(rows), "",
             f"Relues avant de partir : {said} ; l’arrêt est proposé après "
             f"{plural(found.trust_after, 'réponse')} de suite partie{'s' if found.trust_after > 1 else ''} "
             "telle" + ("s quelles" if found.trust_after > 1 else " quelle") + "."]
    lines += [f"« {t.said} » : {t.in_a_row} de suite telles quelles ; pour ne plus les relire : "
              f"mailflow review stop {t.outcome}" for t in found.figures if found.proposed(t)]
    say(*lines)
    return 0


def _change(settings: Settings, args: argparse.Namespace, on: bool) -> int:
    service = build_service(settings, read_only=args.dry_run)
    try:
        change = ReviewDesk(service, actor(), dry_run=args.dry_run).change(args.target, on)
    finally:
        service.close()
    return tell(change, settings)


def cmd_review_stop(settings: Settings, args: argparse.Namespace) -> int:
    """Stop reviewing one outcome's replies: they go at once, as before review."""
    return _change(settings, args, on=False)


def cmd_review_resume(settings: Settings, args: argparse.Namespace) -> int:
    """Review one outcome's replies again."""
    return _change(settings, args, on=True)


def _in_force(settings: Settings) -> InForce | None:
    """The review in force as the store says it (None when it cannot be read: said elsewhere)."""
    try:
        with open_store(settings, read_only=True) as store:
            return in_force_of(store, settings)
    except MailflowError:
        return None


def review_lines(settings: Settings) -> list[str]:
    """What `check-config` says of review (printed), and staff's changes over `[review]` (the
    warnings returned)."""
    review = settings.review
    found = _in_force(settings)
    outcomes = found.outcomes if found is not None else review.outcomes
    if outcomes:
        every = " (toutes : [\"all\"])" if review.every and outcomes == review.outcomes else ""
        say(f"relecture : {', '.join(outcomes)}{every}, par {', '.join(review.reviewers)} ; rappel après "
            f"{review.remind_after_hours:g} h ; arrêt proposé après {review.trust_after} réponses de "
            "suite parties telles quelles")
    else:
        say("relecture : aucune ([review] outcomes vide) : les réponses partent dès la décision")
    warnings = []
    for outcome, change in (found.changes if found is not None else {}).items():
        on, by = change.get("review") is True, change.get("by", "?")
        at = format_date_fr(datetime.fromisoformat(change["at"]), settings.tz) if change.get("at") \
            else "date inconnue"
        file = settings.file.name
        warnings.append(
            f"relecture de « {outcome} » : {file} {'ne la demande pas' if on else 'la demande'} ; "
            f"l’équipe l’a {'reprise' if on else 'arrêtée'} le {at} par {by} : c’est l’équipe qui "
            f"vaut ; pour revenir au fichier : mailflow review {'stop' if on else 'resume'} {outcome}")
    for line in warnings:
        say(f"attention : {line}")
    return warnings
