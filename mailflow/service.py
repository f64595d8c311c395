"""One batch: fetch → parse → classify → decide → render → commit → send → acknowledge."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from .adapters.attachment_dir import clean_leftovers as clean_attachment_leftovers
from .adapters.attachment_dir import describe
from .commands.ideas import attachments_root, keep_idea_attachments
from .config import Settings
from .core import authres
from .core.classify import classify
from .core.conversation import resolve, sent_about, thread_subject
from .core.decide import apply, decide, expire_unanswered
from .core.digest import Event, Undelivered, build_digest
from .core.parse import parse
from .core.places import call_summary
from .core.render import Renderer
from .errors import MailflowError, ParseError, RenderError, SourceError, TransportError
from .model import CaseKind, Inbound, Outcome, Question, Reply, Sent, State
from .ports import Clock, Folder, MailSource, Transport, Waiting
from .store import LedgerEntry, OutboxItem, Store

log = logging.getLogger("mailflow.service")

QUARANTINE_COPY_BYTES = 1024 * 1024
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read and typed


def new_token() -> str:
    """A fresh confirmation code: about 50 bits, single use, expiring, bound to one address."""
    return "MF-" + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(10))


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


@dataclass(frozen=True)
class Outgoing:
    """A rendered message to queue, with the reply it was rendered from (what it is about)."""

    outcome: str
    to: list[str]
    message: EmailMessage
    reply: Reply | None = None
    about: Sent | None = None  # what it is about, when it is no reply to a member

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


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
    messages: list[Outgoing] = field(default_factory=list)
    state: State | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (idea id, raw message)


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
        self.new_token: Callable[[], str] = new_token
        self._failures = 0
        self._down_since: datetime | None = None
        self._retry_at: datetime | None = None
        self._alerted = False

    def state(self) -> State:
        """The current state; replies are written with the groups as staff last changed them."""
        state = replace(self.store.state(self.settings.groups, self.settings.departments),
                        token_hours=self.settings.confirmation_hours,
                        answer_days=self.settings.answer_within_days)
        self.renderer.use_groups(state.groups)
        return state

    def run_batch(self, *, dry_run: bool = False) -> BatchReport:
        """Decide every waiting message, commit once, deliver, then move the messages."""
        report = BatchReport()
        before = state = self.state()
        acks: list[tuple[str, Folder]] = []
        to_keep: list[tuple[str, bytes]] = []
        try:
            waiting_list = self.source.pending()
            self._check_validity()
            for waiting in waiting_list:
                entry = self.store.ledger_entry(waiting.key)
                if entry is not None:
                    # Decided before a crash or a failed move: only the move is owed, and the
                    # idea's files if the process died before they were all written.
                    report.already += 1
                    if entry.attachments_of:
                        to_keep.append((entry.attachments_of, self.source.read(waiting.key)))
                    acks.append((waiting.key, "processed" if entry.folder == "processed"
                                 else "quarantine"))
                    continue
                result = self._handle(waiting, state)
                if result.state is not None:
                    state = result.state
                to_keep += result.attachments
                handled = self._record(waiting, result)
                report.handled.append(handled)
                acks.append((waiting.key, result.folder))
                log.info("%s %s: %s", waiting.key, result.outcome.value, result.summary)
            if dry_run:
                self.store.rollback()
                return report
            self.check_filled(before, state)
            self.store.save_state(before, state)
            self.store.commit()
        except BaseException:
            self.store.rollback()  # nothing half-decided may reach the disk later
            raise
        self._keep_attachments(to_keep)
        self.deliver(report)
        for key, folder in acks:
            self.source.ack(key, folder)
            report.acked += 1
        return report

    def _check_validity(self) -> None:
        """Notice when the server renumbered the mailbox (UIDVALIDITY), and tell staff."""
        validity = self.source.validity
        if validity is None:
            return
        url = self.settings.mailbox.url
        stored = self.store.meta("uidvalidity")
        if isinstance(stored, dict) and stored.get("url") == url and stored.get("value") != validity:
            log.warning("UIDVALIDITY changed from %s to %s: messages are recognised by their hash",
                        stored.get("value"), validity)
            folder = self.settings.mailbox.server.folder if self.settings.mailbox.server else url
            self._alert("uidvalidity", folder=folder, old=str(stored.get("value")), new=validity)
        if not isinstance(stored, dict) or stored.get("value") != validity or stored.get("url") != url:
            self.store.set_meta("uidvalidity", {"url": url, "value": validity})

    def _keep_attachments(self, pairs: list[tuple[str, bytes]]) -> None:
        """Files sent with ideas, kept on disk once the ideas are recorded; a failure loses no mail."""
        for idea_id, raw in pairs:
            try:
                saved = keep_idea_attachments(self.settings, idea_id, raw)
            except (MailflowError, ValueError, OSError) as exc:
                log.error("attachments of %s not kept: %s", idea_id, exc)
                continue
            for line in describe(saved):
                log.info("%s: %s", idea_id, line)

    def clean_leftovers(self) -> None:
        """Remove what a killed process left half-written (store copies, attachment and reply
        files); the store's lock must be held, so that nobody is writing them now."""
        removed = [*self.store.clean_leftovers(),
                   *clean_attachment_leftovers(attachments_root(self.settings))]
        for adapter in (self.source, self.transport):
            cleaner = getattr(adapter, "clean_leftovers", None)  # only local folders leave any
            if cleaner is not None:
                removed += cleaner()
        for path in removed:
            log.info("removed %s, left half-written by a process that was killed", path)

    def check_filled(self, before: State, after: State) -> None:
        """Tell staff at once when a group has just taken its last place."""
        now = self.clock()
        for group in after.groups.values():
            was = call_summary(before, group, now)
            now_call = call_summary(after, group, now)
            if was.places_left > 0 and now_call.places_left == 0:
                holders = [c for c in after.of_group(group.id) if c.status.holds_place]
                last = max(holders, key=lambda c: (c.updated_at or c.received_at, c.seq))
                self._alert("group-full", group=group.title, capacity=str(group.capacity),
                            last=f"{last.name or last.email} <{last.email}>")

    def expire_holds(self) -> int:
        """Places held for answers that did not come in time go on; the members are told."""
        now = self.clock()
        before = self.state()
        after, decisions = expire_unanswered(before, now, self.settings.answer_within_days)
        if not decisions:
            return 0
        try:
            for decision in decisions:
                for reply in decision.replies:
                    self.enqueue(self.outgoing(reply, now), f"expiry:{reply.candidature_id}")
                self.tell_staff_of_promotions(after, decision.replies)
                log.info("%s", decision.summary)
            self.check_filled(before, after)
            self.store.save_state(before, after)
            self.store.commit()
        except BaseException:
            self.store.rollback()  # all or nothing: never a reply without its state change
            raise
        self.deliver()
        return len(decisions)

    # the daily digest

    def digest(self, *, send: bool) -> EmailMessage | None:
        """The digest since the last one (None on a quiet period); sent to staff when `send`."""
        now = self.clock()
        last = self.store.meta("digest_last_at")
        since = datetime.fromisoformat(last) if last else now - timedelta(days=1)
        events = [
            Event(e.key, e.sender, e.subject, e.outcome, e.summary, e.decided_at)
            for e in self.store.ledger() if since <= e.decided_at < now
        ]
        undelivered = [
            Undelivered(", ".join(i.to), i.subject, i.outcome, i.last_error, i.attempts,
                        i.status == "failed")
            for i in self.store.outbox("pending", "sending", "failed")
            if i.attempts and (i.status != "failed" or since <= (i.next_attempt_at or i.created_at))
        ]
        digest = build_digest(self.state(), events, undelivered, since, now)
        message = self.renderer.render_digest(digest, now) if digest else None
        if send:
            if message is not None:
                self.enqueue(Outgoing("digest", list(self.settings.network.staff), message), "digest")
            self.store.set_meta("digest_last_at", now.isoformat())
            self.store.set_meta("digest_last_day", now.astimezone(self.settings.tz).date().isoformat())
            self.store.commit()
            self.deliver()
        return message

    def digest_if_due(self) -> EmailMessage | None:
        """The daily job: once per local day, at or after the configured time, even after a restart."""
        at = self.settings.digest.at
        if at is None:
            return None
        local = self.clock().astimezone(self.settings.tz)
        if local.time() < at or self.store.meta("digest_last_day") == local.date().isoformat():
            return None
        return self.digest(send=True)

    def poll(self) -> BatchReport | None:
        """One look at the mailbox for the daemon: back off while it is unreachable, tell staff."""
        now = self.clock()
        if self._retry_at is not None and now < self._retry_at:
            return None
        try:
            report = self.run_batch()
        except SourceError as exc:
            self._failures += 1
            self._down_since = self._down_since or now
            delay = min(self.settings.poll_seconds * 2 ** (self._failures - 1), 300.0)
            self._retry_at = now + timedelta(seconds=delay)
            log.error("mailbox unreachable (failure %d since %s); next try in %.0f s: %s",
                      self._failures, self._down_since.isoformat(timespec="seconds"), delay, exc)
            lasting = now - self._down_since >= timedelta(minutes=self.settings.alert_after_minutes)
            if lasting and not self._alerted:
                self._alerted = True
                self._alert("mailbox-unreachable", since=self._down_since.isoformat(timespec="minutes"),
                            error=str(exc))
                self.store.commit()
            self.deliver()  # replies already owed still go out
            return None
        if self._down_since is not None:
            log.info("mailbox reachable again after %d failure(s)", self._failures)
        self._failures, self._down_since, self._retry_at, self._alerted = 0, None, None, False
        return report

    def _handle(self, waiting: Waiting, state: State) -> _Outcome:
        now = self.clock()
        limit = self.settings.mailbox.max_message_bytes
        if waiting.size > limit:
            # Only the start is fetched: enough for staff to see what it was.
            head = self.source.read(waiting.key, limit=64 * 1024)
            return self._quarantine(head, hashlib.sha256(head).hexdigest(), f"message trop volumineux "
                                    f"({waiting.size} octets, limite {limit})", waiting.key)
        raw = self.source.read(waiting.key)
        digest = hashlib.sha256(raw).hexdigest()
        try:
            inbound = parse(raw, waiting.key)
        except ParseError as exc:
            return self._quarantine(raw, digest, str(exc), waiting.key)
        if self.store.seen_before(inbound.sha256, inbound.message_id):
            return _Outcome(Outcome.ALREADY_PROCESSED,
                            f"same message already decided ({inbound.message_id})", "processed",
                            digest, inbound.message_id, inbound.sender, inbound.subject)
        forged = self._forged(inbound)
        if forged:
            return self._quarantine(raw, digest, forged, waiting.key, inbound.sender,
                                    inbound.subject, inbound.message_id)
        try:
            case = resolve(inbound, state, self.store, self.settings.network.staff)
            intent = classify(inbound, self.settings.network, state.groups,
                              self.settings.departments, case)
            decision = decide(state, intent, now, self.new_token())
            messages = [self.outgoing(r, now) for r in decision.replies]
            if decision.forward is not None:
                messages += self._forward(decision.forward, inbound, raw, now)
        except RenderError as exc:
            log.error("%s: cannot write the reply: %s", waiting.key, exc)
            return self._quarantine(raw, digest, f"impossible de rédiger la réponse : {exc}", waiting.key,
                                    inbound.sender, inbound.subject, inbound.message_id)
        except Exception as exc:  # one message must never stop the daemon
            log.exception("%s: cannot decide", waiting.key)
            return self._quarantine(raw, digest, f"erreur interne de mailflow : {exc!r}", waiting.key,
                                    inbound.sender, inbound.subject, inbound.message_id)
        after = apply(state, decision)
        self.tell_staff_of_promotions(after, decision.replies)
        kept = [(idea.id, raw) for idea in decision.ideas] if inbound.attachments else []
        summary = decision.summary + (f" [reply to {case.kind.value} {case.id}, by {case.how}]"
                                      if case is not None else "")
        return _Outcome(decision.outcome, summary, "processed", digest,
                        inbound.message_id, inbound.sender, inbound.subject,
                        self._within_cap(messages, now), after, kept)

    def _forward(self, question: Question, inbound: Inbound, raw: bytes,
                 now: datetime) -> list[Outgoing]:
        """The member's question to staff, the original attached; « Répondre » reaches her."""
        message = self.renderer.render_question(question, inbound, raw[:QUARANTINE_COPY_BYTES], now)
        about = Sent(str(message["Message-ID"]), self.settings.network.staff[0],
                     str(message["Subject"]), CaseKind.QUESTION, question.id, now,
                     group_id=question.group_id, thread=thread_subject(str(message["Subject"])))
        return [Outgoing("staff-question", list(self.settings.network.staff), message, about=about)]

    def _forged(self, inbound: Inbound) -> str:
        """Why the receiving server does not vouch for the sender, or "" (see core.authres).

        A message staff put back from quarantine is theirs to vouch for: it is not checked again.
        """
        authserv = self.settings.mailbox.trusted_authserv_id
        if not authserv or inbound.sender is None or self.store.quarantined_before(inbound.sha256):
            return ""
        verdict = authres.check(inbound.authentication_results, authserv,
                                inbound.sender.rpartition("@")[2])
        if verdict.passed is None:
            log.warning("%s: %s; the sender is not checked", inbound.key, verdict.reason)
        return f"expéditeur non authentifié : {verdict.reason}" if verdict.passed is False else ""

    def tell_staff_of_promotions(self, state: State, replies: Sequence[Reply]) -> None:
        """Each member promoted from the waiting list: staff hear of it at once, too."""
        for reply in replies:
            if reply.template != "promoted" or reply.group_id not in state.groups:
                continue
            group = state.groups[reply.group_id]
            self._alert("promoted", group=group.title, member=f"{reply.to_name or ''} <{reply.to}>".strip(),
                        place=f"{reply.position} / {group.capacity}")

    def _within_cap(self, messages: list[Outgoing], now: datetime) -> list[Outgoing]:
        """Drop replies to an address that already had its share today (mail loops); the
        question forwarded with a dropped reply goes too (the digest still lists it)."""
        cap = self.settings.max_replies_per_sender_per_day
        since = now - timedelta(hours=24)
        kept: list[Outgoing] = []
        for item in messages:
            if item.outcome == "staff-question" and not any(k.reply is not None for k in kept):
                continue  # its member reply was dropped: the member is looping
            if item.reply is not None and self.store.replies_since(item.to[0], since) >= cap:
                log.warning("reply to %s suppressed: %d replies in 24 hours", item.to[0], cap)
                continue
            kept.append(item)
        return kept

    def _quarantine(self, raw: bytes, digest: str, reason: str, key: str,
                    sender: str | None = None, subject: str = "",
                    message_id: str | None = None) -> _Outcome:
        # The original stays in the quarantine folder; the alert carries at most its first MiB.
        alert = self.renderer.render_quarantine_alert(
            key=key, reason=reason, sender=sender, subject=subject, raw=raw[:QUARANTINE_COPY_BYTES],
            now=self.clock()
        )
        return _Outcome(Outcome.QUARANTINED, reason, "quarantine", digest, message_id, sender,
                        subject, [Outgoing("staff-alert", list(self.settings.network.staff), alert)])

    def _record(self, waiting: Waiting, result: _Outcome) -> Handled:
        """Queue the result's messages and write its ledger entry (in memory until commit)."""
        handled = Handled(waiting.key, result.outcome, result.summary)
        owner = result.attachments[0][0] if result.attachments else None
        reply_ids = []
        for item in result.messages:
            reply_ids.append(self.enqueue(item, waiting.key))
            handled.replies.append((item.outcome, ", ".join(item.to), item.subject))
        self.store.record(LedgerEntry(
            key=waiting.key, sha256=result.sha256, message_id=result.message_id,
            sender=result.sender, subject=result.subject, outcome=result.outcome.value,
            summary=result.summary, decided_at=self.clock(), folder=result.folder,
            replies=reply_ids, attachments_of=owner,
        ))
        return handled

    # delivery

    def _retry_delay(self, attempts: int) -> timedelta:
        delays = self.settings.delivery.retry_seconds
        return timedelta(seconds=delays[min(attempts, len(delays)) - 1])

    def _was_sent(self, item: OutboxItem) -> bool:
        """After a crash mid-send: the Sent folder tells whether the server took it."""
        try:
            return self.source.has_sent(item.id)
        except SourceError as exc:
            log.warning("cannot look for %s in the Sent folder: %s", item.id, exc)
            return False

    def deliver(self, report: BatchReport | None = None) -> None:
        """Send what is due, in order per recipient; retry 4xx later, report 5xx to staff."""
        if self.transport is None:
            return
        report = report or BatchReport()
        for _round in range(2):  # a second round sends the alerts the first one raised
            if not self._deliver_round(report):
                break

    def _deliver_round(self, report: BatchReport) -> bool:
        assert self.transport is not None
        now = self.clock()
        blocked: set[str] = set()  # recipients with an earlier reply still owed: keep the order
        due: list[OutboxItem] = []
        alerts = 0
        for item in self.store.outbox("pending", "sending"):
            # « sending » is what older versions wrote before handing a reply over: the Sent
            # folder tells whether it went. Replies accepted since are in the store's log.
            if item.status == "sending" and self._was_sent(item):
                item.status, item.sent_at = "sent", now
                self.store.update_outbox(item)
                continue
            if blocked.intersection(item.to) or (item.next_attempt_at and item.next_attempt_at > now):
                blocked.update(item.to)
                continue
            due.append(item)
        try:
            for item in due:
                if blocked.intersection(item.to):
                    continue
                alerts += self._send_one(item, now, blocked, report)
        finally:
            self.transport.close()
            self.store.commit()
        return alerts > 0

    def _send_one(self, item: OutboxItem, now: datetime, blocked: set[str],
                  report: BatchReport) -> int:
        """Send one item and record what happened; return how many staff alerts it raised."""
        assert self.transport is not None
        alerts = 0
        try:
            try:
                refused = self.transport.send(item.id, item.to, item.raw,
                                              f"{item.seq:06d}-{item.outcome}")
            except TransportError:
                raise
            except Exception as unexpected:  # one bad item must not block every reply behind it
                log.exception("reply %s: unexpected failure while sending", item.id)
                raise TransportError(f"{type(unexpected).__name__}: {unexpected}",
                                     permanent=True) from unexpected
        except TransportError as exc:
            item.attempts += 1
            item.last_error = str(exc)
            report.send_failed += 1
            give_up = now - item.created_at > timedelta(hours=self.settings.delivery.give_up_after_hours)
            if exc.permanent or give_up:
                item.status = "failed"
                log.error("reply %s to %s failed for good: %s", item.id, item.to, exc)
                if item.outcome not in ("staff-alert", "digest"):  # alerting about an alert loops
                    alerts += self._alert("delivery-failed", to=", ".join(item.to),
                                          subject=item.subject, outcome=item.outcome,
                                          error=str(exc), attempts=str(item.attempts))
            else:
                item.status = "pending"
                item.next_attempt_at = now + self._retry_delay(item.attempts)
                blocked.update(item.to)
                late = now - item.created_at >= timedelta(hours=self.settings.delivery.alert_after_hours)
                if late and not item.alerted and item.outcome not in ("staff-alert", "digest"):
                    item.alerted = True
                    alerts += self._alert("delivery-late", to=", ".join(item.to), subject=item.subject,
                                          since=item.created_at.isoformat(timespec="minutes"),
                                          attempts=str(item.attempts), error=str(exc))
                log.warning("reply %s to %s not sent (attempt %d, next at %s): %s", item.id,
                            item.to, item.attempts, item.next_attempt_at.isoformat(), exc)
        else:
            # Before anything else (the Sent copy is a network step): never sent twice.
            self.store.accepted(item.id, now)
            item.status, item.sent_at = "sent", now
            report.sent += 1
            if refused:
                item.last_error = f"refused: {refused}"
                log.error("reply %s: recipients refused: %s", item.id, refused)
                if item.outcome != "staff-alert":
                    alerts += self._alert("recipient-refused", to=", ".join(refused),
                                          subject=item.subject, error="; ".join(refused.values()))
            try:
                self.source.save_sent(item.raw)
            except SourceError as exc:
                log.warning("reply %s sent, but its copy in the Sent folder failed: %s", item.id, exc)
        self.store.update_outbox(item)
        return alerts

    def _alert(self, kind: str, **facts: str) -> int:
        """Queue an alert to staff (sent with the next delivery round)."""
        message = self.renderer.render_staff_alert(kind, facts, self.clock())
        self.enqueue(Outgoing("staff-alert", list(self.settings.network.staff), message), f"alert:{kind}")
        log.warning("staff alerted: %s %s", kind, facts)
        return 1

    def outgoing(self, reply: Reply, now: datetime) -> Outgoing:
        """A reply rendered, ready to queue."""
        return Outgoing(reply.outcome.value, [reply.to], self.renderer.render(reply, now), reply)

    def enqueue(self, item: Outgoing, key: str) -> str:
        """Queue a message (its Message-ID fixed) and remember what a reply is about."""
        message_id = str(item.message["Message-ID"])
        now = self.clock()
        self.store.enqueue(OutboxItem(
            id=message_id, seq=self.store.next_outbox_seq(), to=item.to, outcome=item.outcome,
            message_key=key, created_at=now, raw=item.message.as_bytes(), subject=item.subject,
        ))
        about = item.about or (sent_about(item.reply, message_id, item.subject, now)
                               if item.reply is not None else None)
        if about is not None:
            self.store.remember_sent(about)
        return message_id
