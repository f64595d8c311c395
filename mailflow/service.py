"""One batch: fetch → parse → classify → decide → render → commit → send → acknowledge."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from .config import Settings
from .core.classify import classify
from .core.decide import apply, decide
from .core.parse import parse
from .core.render import Renderer
from .errors import ParseError, RenderError, TransportError
from .model import Outcome, State
from .ports import Clock, Folder, MailSource, Transport, Waiting
from .store import LedgerEntry, OutboxItem, Store

log = logging.getLogger("mailflow.service")


@dataclass
class Handled:
    """What became of one message in a batch."""

    key: str
    outcome: Outcome
    summary: str
    replies: list[tuple[str, str, str]] = field(default_factory=list)  # outcome, to, subject


@dataclass
class BatchReport:
    """What a batch did, for the log, the CLI summary and the tests."""

    handled: list[Handled] = field(default_factory=list)
    already: int = 0
    sent: int = 0
    send_failed: int = 0
    acked: int = 0

    def counts(self) -> Counter[str]:
        return Counter(h.outcome.value for h in self.handled)

    def summary(self) -> str:
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.counts().items())]
        handled = ", ".join(parts) if parts else "nothing new"
        return (
            f"{len(self.handled)} message(s) decided ({handled}); {self.already} already decided; "
            f"{self.sent} reply(ies) sent, {self.send_failed} not sent; {self.acked} moved"
        )


@dataclass
class _Outcome:
    """One message's result before it is recorded: ledger fields, replies, new state."""

    outcome: Outcome
    summary: str
    folder: Folder
    sha256: str
    message_id: str | None = None
    sender: str | None = None
    subject: str = ""
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    state: State | None = None


class Service:
    """Runs batches over a mail source, a store and a transport; knows nothing of the CLI."""

    def __init__(
        self,
        settings: Settings,
        source: MailSource,
        transport: Transport | None,
        store: Store,
        renderer: Renderer,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.source = source
        self.transport = transport
        self.store = store
        self.renderer = renderer
        self.clock = clock

    def state(self) -> State:
        return self.store.state(self.settings.groups, self.settings.departments)

    def run_batch(self, *, dry_run: bool = False) -> BatchReport:
        """Decide every waiting message, commit once, deliver, then move the messages."""
        report = BatchReport()
        before = state = self.state()
        acks: list[tuple[str, Folder]] = []
        try:
            for waiting in self.source.pending():
                entry = self.store.ledger_entry(waiting.key)
                if entry is not None:
                    # Decided before a crash or a failed move: only the move is owed.
                    report.already += 1
                    acks.append((waiting.key, "processed" if entry.folder == "processed"
                                 else "quarantine"))
                    continue
                result = self._handle(waiting, state)
                if result.state is not None:
                    state = result.state
                handled = self._record(waiting, result)
                report.handled.append(handled)
                acks.append((waiting.key, result.folder))
                log.info("%s %s: %s", waiting.key, result.outcome.value, result.summary)
            if dry_run:
                return report
            self.store.save_state(before, state)
            self.store.commit()
        finally:
            if dry_run:
                self.store.rollback()
        self.deliver(report)
        for key, folder in acks:
            self.source.ack(key, folder)
            report.acked += 1
        return report

    def _handle(self, waiting: Waiting, state: State) -> _Outcome:
        now = self.clock()
        limit = self.settings.mailbox.max_message_bytes
        raw = self.source.read(waiting.key)
        digest = hashlib.sha256(raw).hexdigest()
        if waiting.size > limit:
            return self._quarantine(raw[: 64 * 1024], digest, f"message too large "
                                    f"({waiting.size} bytes, limit {limit})", waiting.key)
        try:
            inbound = parse(raw, waiting.key)
        except ParseError as exc:
            return self._quarantine(raw, digest, str(exc), waiting.key)
        if self.store.seen_before(inbound.sha256, inbound.message_id):
            return _Outcome(Outcome.ALREADY_PROCESSED,
                            f"same message already decided ({inbound.message_id})", "processed",
                            digest, inbound.message_id, inbound.sender, inbound.subject)
        try:
            intent = classify(inbound, self.settings.network, self.settings.groups,
                              self.settings.departments)
            decision = decide(state, intent, now)
            messages = [
                (r.outcome.value, [r.to], self.renderer.render(r, now)) for r in decision.replies
            ]
        except RenderError as exc:
            log.error("%s: cannot write the reply: %s", waiting.key, exc)
            return self._quarantine(raw, digest, f"cannot write the reply: {exc}", waiting.key,
                                    inbound.sender, inbound.subject, inbound.message_id)
        except Exception as exc:  # one message must never stop the daemon
            log.exception("%s: cannot decide", waiting.key)
            return self._quarantine(raw, digest, f"internal error: {exc!r}", waiting.key,
                                    inbound.sender, inbound.subject, inbound.message_id)
        return _Outcome(decision.outcome, decision.summary, "processed", digest,
                        inbound.message_id, inbound.sender, inbound.subject,
                        self._within_cap(messages, now), apply(state, decision))

    def _within_cap(self, messages: list[tuple[str, list[str], EmailMessage]],
                    now: datetime) -> list[tuple[str, list[str], EmailMessage]]:
        """Drop replies to an address that already had its share today (mail loops)."""
        cap = self.settings.max_replies_per_sender_per_day
        kept = []
        since = now - timedelta(hours=24)
        for outcome, to, message in messages:
            if self.store.replies_since(to[0], since) >= cap:
                log.warning("reply to %s suppressed: %d replies in 24 hours", to[0], cap)
                continue
            kept.append((outcome, to, message))
        return kept

    def _quarantine(self, raw: bytes, digest: str, reason: str, key: str,
                    sender: str | None = None, subject: str = "",
                    message_id: str | None = None) -> _Outcome:
        alert = self.renderer.render_quarantine_alert(
            key=key, reason=reason, sender=sender, subject=subject, raw=raw, now=self.clock()
        )
        return _Outcome(Outcome.QUARANTINED, reason, "quarantine", digest, message_id, sender,
                        subject, [("staff-alert", list(self.settings.network.staff), alert)])

    def _record(self, waiting: Waiting, result: _Outcome) -> Handled:
        """Queue the result's messages and write its ledger entry (in memory until commit)."""
        handled = Handled(waiting.key, result.outcome, result.summary)
        seq = self.store.next_outbox_seq()
        reply_ids = []
        for outcome, to, message in result.messages:
            message_id_out = str(message["Message-ID"])
            raw = message.as_bytes()
            self.store.enqueue(OutboxItem(
                id=message_id_out, seq=seq, to=to, outcome=outcome, message_key=waiting.key,
                created_at=self.clock(), raw=raw,
            ))
            seq += 1
            reply_ids.append(message_id_out)
            handled.replies.append((outcome, ", ".join(to), str(message["Subject"])))
        self.store.record(LedgerEntry(
            key=waiting.key, sha256=result.sha256, message_id=result.message_id,
            sender=result.sender, subject=result.subject, outcome=result.outcome.value,
            summary=result.summary, decided_at=self.clock(), folder=result.folder,
            replies=reply_ids,
        ))
        return handled

    def deliver(self, report: BatchReport | None = None) -> None:
        """Send every pending reply in order; mark each; commit once at the end."""
        if self.transport is None:
            return
        report = report or BatchReport()
        pending = self.store.outbox("pending")
        for item in pending:
            try:
                self.transport.send(item.id, item.to, item.raw, f"{item.seq:06d}-{item.outcome}")
            except TransportError as exc:
                item.attempts += 1
                item.last_error = str(exc)
                if exc.permanent:
                    item.status = "failed"
                report.send_failed += 1
                log.error("reply %s to %s not sent: %s", item.id, item.to, exc)
            else:
                item.status, item.sent_at = "sent", self.clock()
                report.sent += 1
            self.store.update_outbox(item)
        if pending:
            self.store.commit()
