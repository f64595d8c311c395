"""One batch: fetch → parse → classify → decide → render → commit → send → acknowledge.

A backlog is taken in chunks, each committed, delivered and acknowledged before the next: the
first members get their answers while the rest is still being read, and a commit stays small.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ..adapters.attachment_dir import describe
from ..core.decide.member import decide, state_after
from ..core.decide.staff_plans import Plan
from ..core.french import answers
from ..core.french import size as size_fr
from ..core.read import authres
from ..core.read.classify import classify
from ..core.read.conversation import resolve, thread_subject
from ..core.read.parse import parse
from ..core.write.render import Renderer
from ..errors import MailflowError, ParseError, RenderError, SourceError, StoreError, TransportError
from ..model.values import CaseKind, Inbound, IntentKind, Outcome, Question, Sent, State
from ..ports import Folder, LedgerEntry, Waiting
from .attachments import keep_idea_attachments
from .context import Context
from .delivery import deliver
from .outbox import Outgoing, alert, alert_message, check_filled, enqueue, outgoing, promotion_alerts
from .past import counted_since, split
from .report import BatchReport, Handled
from .review.answers import review_answered
from .review.held import hold_for_review
from .review.settle import Settle, settle
from .staff import staff_message, stage_plan

log = logging.getLogger("mailflow.intake")

QUARANTINE_COPY_BYTES = 1024 * 1024
CHUNK = 200  # messages decided per commit


@dataclass
class _Result:
    """One message's result before it is recorded: ledger fields, replies, new state."""

    outcome: Outcome
    summary: str
    folder: Folder
    sha256: str
    message_id: str | None = None
    sender: str | None = None
    subject: str = ""
    messages: list[Outgoing] = field(default_factory=list)
    state: State | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (idea id, raw message)
    group: str | None = None
    staged: tuple[Plan, list[Outgoing]] | None = None  # a staff action confirmed, with its mail
    review: Settle | None = None  # a reviewer's answer: what becomes of the reply held


def run_batch(ctx: Context, *, dry_run: bool = False, chunk: int = CHUNK) -> BatchReport:
    """Decide every waiting message, a chunk at a time: commit, deliver, then move them.

    A dry run decides everything in memory and writes, sends and moves nothing.
    """
    report = BatchReport()
    waiting, report.past = split(ctx, ctx.source.pending(), counted_since(ctx, ctx.clock()))
    _check_validity(ctx)
    if not waiting:  # a look at an empty inbox: replies still owed go, the state is not read
        with ctx.store.transaction(dry_run=dry_run):
            pass  # what the look noted: a new UIDVALIDITY, the date mail counts from
        if not dry_run:
            deliver(ctx, report)
        return report
    size = len(waiting) if dry_run else chunk
    chunks = [waiting[i:i + size] for i in range(0, len(waiting), max(size, 1))]
    done = 0
    for part in chunks:
        started = time.perf_counter()
        _run_isolating(ctx, part, report, dry_run=dry_run)
        done += len(part)
        if len(chunks) > 1:  # a backlog: say how far it has gone
            log.info("arriéré : %d messages traités sur %d (les %d derniers en %.3f s)", done,
                     len(waiting), len(part), time.perf_counter() - started)
    return report


#: Failures of the machine, not of a message: the batch stops and is tried again later as it is.
INFRASTRUCTURE = (SourceError, StoreError, TransportError, OSError, MemoryError)


def _run_isolating(ctx: Context, waiting: list[Waiting], report: BatchReport, *,
                   dry_run: bool) -> None:
    """A chunk; when something one of its messages holds makes the chunk fail where no message
    was expected to (its commit, say), the chunk again one message at a time, and the message
    that fails alone set aside, so that every other message is handled as if it were not there."""
    try:
        _run_chunk(ctx, waiting, report, dry_run=dry_run)
    except INFRASTRUCTURE:
        raise
    except Exception as exc:
        if len(waiting) > 1:
            log.warning("un lot de %d messages a échoué (%s) : repris un message à la fois",
                        len(waiting), _said(exc))
            for item in waiting:
                _run_isolating(ctx, [item], report, dry_run=dry_run)
            return
        log.exception("%s : impossible d’enregistrer ce message ; mis de côté en quarantaine",
                      waiting[0].key)
        _set_aside(ctx, waiting[0], report, exc, dry_run=dry_run)


def _said(exc: BaseException) -> str:
    """An unexpected error in a line staff can pass on: its kind and its first words."""
    return f"{type(exc).__name__} : {exc}"[:200]


def _set_aside(ctx: Context, item: Waiting, report: BatchReport, exc: Exception, *,
               dry_run: bool) -> None:
    """A message no step could record, moved to quarantine with the least taken from it (its
    key, the hash of its bytes) and one alert carrying it, so that it never blocks the others."""
    raw = ctx.source.read(item.key, limit=QUARANTINE_COPY_BYTES)
    digest = hashlib.sha256(raw).hexdigest()
    reason = f"erreur interne de mailflow en enregistrant ce message ({_said(exc)})"
    with ctx.store.transaction(dry_run=dry_run):
        handled = _record(ctx, item, _quarantine(ctx, raw, digest, reason, item.key))
    report.handled.append(handled)
    if dry_run:
        return
    deliver(ctx, report)
    ctx.source.ack([item.key], "quarantine")
    report.acked += 1


def _run_chunk(ctx: Context, waiting: list[Waiting], report: BatchReport, *, dry_run: bool) -> None:
    before = state = ctx.state()
    renderer = ctx.renderer.for_groups(state.groups)  # made again when a staff action changes them
    acks: list[tuple[str, Folder]] = []
    to_keep: list[tuple[str, bytes]] = []
    handled: list[Handled] = []
    # Nothing half-decided may reach the disk later: the chunk is committed whole, or not at all.
    with ctx.store.transaction(dry_run=dry_run):
        for item in waiting:
            entry = ctx.store.ledger_entry(item.key)
            if entry is not None:
                # Decided before a crash or a failed move: only the move is owed, and the
                # idea's files if the process died before they were all written.
                report.already += 1
                if entry.attachments_of:
                    to_keep.append((entry.attachments_of, ctx.source.read(item.key)))
                acks.append((item.key, "processed" if entry.folder == "processed" else "quarantine"))
                continue
            result = _handle(ctx, item, state, renderer)
            if result.state is not None:
                if result.state.groups is not state.groups:
                    renderer = ctx.renderer.for_groups(result.state.groups)
                state = result.state
            to_keep += result.attachments
            handled.append(_record(ctx, item, result))
            acks.append((item.key, result.folder))
        if not dry_run:
            check_filled(ctx, before, state)
            ctx.store.save_state(before, state)
    if dry_run:
        report.handled += handled
        return
    for one in handled:
        for line in one.lines():
            log.info("%s", line)
    report.handled += handled
    _keep_attachments(ctx, to_keep)
    deliver(ctx, report)
    for folder in ("processed", "quarantine"):
        keys = [key for key, where in acks if where == folder]
        if keys:
            ctx.source.ack(keys, folder)
            report.acked += len(keys)


def _check_validity(ctx: Context) -> None:
    """Notice when the server renumbered the mailbox (UIDVALIDITY), and tell staff."""
    validity = ctx.source.validity
    if validity is None:
        return
    box = ctx.settings.mailbox
    stored = ctx.store.meta("uidvalidity")
    if isinstance(stored, dict) and stored.get("url") == box.url and stored.get("value") != validity:
        log.warning("le serveur a renuméroté la boîte (UIDVALIDITY %s → %s) : les messages déjà "
                    "traités sont reconnus à leur empreinte", stored.get("value"), validity)
        alert(ctx, "uidvalidity", folder=box.server.folder if box.server else box.url,
              old=str(stored.get("value")), new=validity)
    if not isinstance(stored, dict) or stored.get("value") != validity or stored.get("url") != box.url:
        ctx.store.set_meta("uidvalidity", {"url": box.url, "value": validity})


def _keep_attachments(ctx: Context, pairs: list[tuple[str, bytes]]) -> None:
    """Files sent with ideas, kept on disk once the ideas are recorded; a failure loses no mail."""
    for idea_id, raw in pairs:
        try:
            saved = keep_idea_attachments(ctx.settings, idea_id, raw)
        except (MailflowError, ValueError, OSError) as exc:
            log.error("pièces jointes de l’idée %s non gardées : %s", idea_id, exc)
            continue
        for line in describe(saved):
            log.info("%s: %s", idea_id, line)


def _handle(ctx: Context, waiting: Waiting, state: State, renderer: Renderer) -> _Result:
    """One message decided, its mail written (by `renderer`, made for the state's groups):
    nothing of it is in the store yet. Whatever the message makes a step raise, it alone goes to
    quarantine with the reason."""
    limit = ctx.settings.mailbox.max_message_bytes
    if waiting.size > limit:
        # Only the start is fetched: enough for staff to see what it was.
        head = ctx.source.read(waiting.key, limit=64 * 1024)
        return _quarantine(ctx, head, hashlib.sha256(head).hexdigest(), f"message trop volumineux "
                           f"({size_fr(waiting.size)}, limite {size_fr(limit)})", waiting.key)
    raw = ctx.source.read(waiting.key)  # a mailbox that fails is no message's fault: it stops
    digest = hashlib.sha256(raw).hexdigest()
    inbound: Inbound | None = None
    try:
        inbound = parse(raw, waiting.key)
        return _decided(ctx, waiting, state, renderer, raw, inbound)
    except ParseError as exc:
        return _quarantine(ctx, raw, digest, str(exc), waiting.key)
    except RenderError as exc:
        log.error("%s : impossible de rédiger la réponse : %s", waiting.key, exc)
        return _quarantine(ctx, raw, digest, f"impossible de rédiger la réponse : {exc}", waiting.key,
                           inbound)
    except INFRASTRUCTURE:
        raise
    except Exception as exc:  # one message must never stop the others
        log.exception("%s : erreur en traitant ce message ; mis en quarantaine", waiting.key)
        return _quarantine(ctx, raw, digest, f"erreur interne de mailflow ({_said(exc)})",
                           waiting.key, inbound)


def _decided(ctx: Context, waiting: Waiting, state: State, renderer: Renderer, raw: bytes,
             inbound: Inbound) -> _Result:
    now = ctx.clock()
    digest = inbound.sha256
    # Arrival is the mailbox's: what « reçue le » says, and what deadlines are compared with.
    inbound = replace(inbound, received_at=min(waiting.arrived_at or now, now))
    if ctx.store.seen_before(inbound.sha256, inbound.message_id):
        return _Result(Outcome.ALREADY_PROCESSED, f"même message déjà traité ({inbound.message_id})",
                       "processed", digest, inbound.message_id, inbound.sender, inbound.subject)
    forged, vouched = _vouch(ctx, inbound)
    if forged:
        return _quarantine(ctx, raw, digest, forged, waiting.key, inbound)
    answered = review_answered(ctx, state, inbound, vouched, now)
    if answered is not None:  # an answer to a reply held for review (see app.review)
        return _Result(answered.outcome, answered.summary, "processed", digest, inbound.message_id,
                       inbound.sender, inbound.subject, answered.messages, answered.after,
                       group=answered.group, staged=answered.staged, review=answered.change)
    case = resolve(inbound, state, ctx.store, ctx.settings.network.staff)
    intent = replace(classify(inbound, ctx.settings.network, state.groups,
                              ctx.settings.departments, case), vouched=vouched)
    staged = None
    if intent.kind is IntentKind.STAFF:
        staff = staff_message(ctx, state, intent, now)
        decision, after, messages, staged = staff.decision, staff.after, staff.messages, staff.staged
    else:
        decision = decide(state, intent, now, ctx.new_token())
        messages = [outgoing(renderer, r, now) for r in decision.replies]
        after = state_after(state, decision)
        messages += promotion_alerts(ctx, after, decision.replies)
    if decision.forward is not None:
        messages += _forward(ctx, renderer, decision.forward, inbound, raw, now)
    kept = [(idea.id, raw) for idea in decision.ideas] if inbound.attachments else []
    # What a message answers, when it says something: an answer to a general help, or a staff
    # member's to one of our answers to staff, is no case of anyone's.
    summary = decision.summary + (f" [{answers(case.kind, case.id, case.how)}]"
                                  if case is not None and case.kind is not CaseKind.HELP else "")
    messages = _within_cap(ctx, messages, now)
    if intent.kind is not IntentKind.STAFF:  # staff's own actions were read before they asked them
        messages = hold_for_review(ctx, messages, decision.summary, inbound, now)
    return _Result(decision.outcome, summary, "processed", digest, inbound.message_id, inbound.sender,
                   inbound.subject, messages, after, kept, decision.group_id, staged)


def _forward(ctx: Context, renderer: Renderer, question: Question, inbound: Inbound, raw: bytes,
             now: datetime) -> list[Outgoing]:
    """The member's question to staff, the original attached; « Répondre » reaches her."""
    message, written = renderer.render_question(question, inbound, raw[:QUARANTINE_COPY_BYTES], now)
    subject = str(message["Subject"])
    about = Sent(str(message["Message-ID"]), ctx.staff[0], subject, CaseKind.QUESTION, question.id,
                 now, group_id=question.group_id, thread=thread_subject(subject))
    return [Outgoing("staff-question", ctx.staff, message, about=about, raw=written)]


def _vouch(ctx: Context, inbound: Inbound) -> tuple[str, bool]:
    """Why the receiving server says the sender is forged (or ""), and whether it vouches for
    the sender: a staff action needs it where its results are trusted (see core.authres).

    A message staff put back from quarantine is theirs to vouch for: it is not checked again.
    """
    authserv = ctx.settings.mailbox.trusted_authserv_id
    if not authserv or ctx.store.quarantined_before(inbound.sha256):
        return "", True
    if inbound.sender is None:
        return "", False
    verdict = authres.check(inbound.authentication_results, authserv, inbound.sender.rpartition("@")[2])
    if verdict.passed is None:
        log.warning("%s : %s ; l’expéditeur n’est pas vérifié", inbound.key, verdict.reason)
    forged = f"expéditeur non authentifié : {verdict.reason}" if verdict.passed is False else ""
    return forged, verdict.passed is True


def _within_cap(ctx: Context, messages: list[Outgoing], now: datetime) -> list[Outgoing]:
    """Drop replies to a member who already had her share today (mail loops); the question
    forwarded with a dropped reply goes too (the digest still lists it). Staff are never left
    without an answer: past the share, their replies go and staff are alerted once a day."""
    cap = ctx.settings.max_replies_per_sender_per_day
    since = now - timedelta(hours=24)
    staff = ctx.settings.network.staff
    kept: list[Outgoing] = []
    for item in messages:
        if item.outcome == "staff-question" and not any(k.reply is not None for k in kept):
            continue  # its member reply was dropped: the member is looping
        if item.reply is None:
            kept.append(item)
            continue
        to = item.to[0]
        count = ctx.store.replies_since(to, since)
        if count == cap and to in staff:  # crossing the share: told once, not at every reply
            kept.append(alert_message(ctx, "staff-loop", to=to, count=str(count + 1),
                                      limit=str(cap)))
        elif count >= cap and to not in staff:
            log.warning("réponse à %s non envoyée : déjà %d réponses en 24 heures (garde contre "
                        "les boucles)", to, cap)
            continue
        kept.append(item)
    return kept


def _quarantine(ctx: Context, raw: bytes, digest: str, reason: str, key: str,
                inbound: Inbound | None = None) -> _Result:
    # The original stays in the quarantine folder; the alert carries at most its first MiB.
    sender = inbound.sender if inbound else None
    subject = inbound.subject if inbound else ""
    message = ctx.renderer.render_quarantine_alert(
        key=key, reason=reason, sender=sender, subject=subject, raw=raw[:QUARANTINE_COPY_BYTES],
        now=ctx.clock())
    return _Result(Outcome.QUARANTINED, reason, "quarantine", digest,
                   inbound.message_id if inbound else None, sender, subject,
                   [Outgoing("staff-alert", ctx.staff, message)])


def _record(ctx: Context, waiting: Waiting, result: _Result) -> Handled:
    """Queue the result's messages and write its ledger entry (in memory until commit)."""
    handled = Handled(waiting.key, result.outcome, result.summary)
    now = ctx.clock()
    for item in result.messages:
        enqueue(ctx.store, item, waiting.key, now)
        held = " (en attente de relecture)" if item.held else ""
        handled.replies.append((item.outcome, ", ".join(item.to) + held, item.subject))
    ctx.store.record(LedgerEntry(
        key=waiting.key, sha256=result.sha256, message_id=result.message_id, sender=result.sender,
        subject=result.subject, outcome=result.outcome.value, summary=result.summary,
        decided_at=now, folder=result.folder,
        attachments_of=result.attachments[0][0] if result.attachments else None,
        group=result.group,
    ))
    if result.staged is not None:
        plan, members = result.staged
        stage_plan(ctx, plan, members, result.sender or "")
    if result.review is not None:
        settle(ctx, result.review)
    return handled
