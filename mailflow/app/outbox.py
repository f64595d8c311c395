"""Messages to send: rendered, queued with their fixed Message-ID, remembered for the answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from ..core.read.conversation import sent_about
from ..core.write.render import Renderer
from ..model.values import Reply, Sent
from ..ports import OutboxItem, StatePort


@dataclass(frozen=True)
class Outgoing:
    """A rendered message to queue, with the reply it was rendered from (what it is about).

    Its bytes are written when it is made, not when it is queued: a message the email package
    cannot write fails with the one message that asked for it, never with a whole batch.
    """

    outcome: str
    to: list[str]
    message: EmailMessage
    reply: Reply | None = None
    about: Sent | None = None  # what it is about, when it is no reply to a member
    raw: bytes = field(default=b"", repr=False)  # the bytes, when written otherwise than by `message`

    def __post_init__(self) -> None:
        if not self.raw:
            object.__setattr__(self, "raw", self.message.as_bytes())

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def line(self) -> str:
        """« outcome → to: subject », as commands and the history show it."""
        return f"{self.outcome} → {', '.join(self.to)}: {self.subject}"


def outgoing(renderer: Renderer, reply: Reply, now: datetime) -> Outgoing:
    """A reply rendered, ready to queue."""
    return Outgoing(reply.outcome.value, [reply.to], renderer.render(reply, now), reply)


def enqueue(store: StatePort, item: Outgoing, key: str, now: datetime) -> str:
    """Queue a message (its Message-ID fixed) and remember what a reply is about."""
    message_id = str(item.message["Message-ID"])
    group = item.reply.group_id if item.reply is not None else (
        item.about.group_id if item.about is not None else None)
    store.enqueue(OutboxItem(
        id=message_id, seq=store.next_outbox_seq(), to=item.to, outcome=item.outcome,
        message_key=key, created_at=now, raw=item.raw, subject=item.subject,
        group=group,
    ))
    about = item.about or (sent_about(item.reply, message_id, item.subject, now)
                           if item.reply is not None else None)
    if about is not None:
        store.remember_sent(about)
    return message_id
