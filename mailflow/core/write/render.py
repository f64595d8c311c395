"""Replies into French emails: Jinja2 templates (text and HTML) into an `EmailMessage`.

The one reading of the disk is the templates' (through Jinja2's FileSystemLoader); the current
time is always passed in, and a renderer is made for the groups it writes about. Every value
taken from an incoming message is cleaned of control characters before it reaches a header, so
no header can be injected.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from ...errors import RenderError
from ...model.enums import Template
from ...model.values import CallSummary, Department, Group, Inbound, Network, Profile, Question, Reply
from ..decide.rules import PROFILE_RULES
from ..french import NBSP, format_date_fr, french_typography, gender, greeting, of, plural, size
from ..read.conversation import strip_prefixes
from ..read.headers import BLANKS, clean, clean_address, clean_block, reply_subject, safe_msgid
from .calendar import WITHDRAW_PHRASE, Method, reply_calendar
from .digest import Digest
from .environment import environment
from .mailto import mailto_link
from .staff_links import alert_actions, digest_actions
from .templates import (
    ALERTS,
    CODE_IN_SUBJECT,
    CONFIRMS,
    GROUP_TEMPLATES,
    MISSING_GROUP,
    MISSING_LABELS,
    STAFF_ACTION_TEMPLATES,
    template_files,
)

_TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _french_groups(groups: Mapping[str, Group]) -> dict[str, Group]:
    """The groups with French spaces in the prose that replies show."""
    return {key: replace(
        group, title=french_typography(group.title), context=french_typography(group.context),
        objectives=tuple(french_typography(o) for o in group.objectives),
        participants=french_typography(group.participants),
        commitment=french_typography(group.commitment),
        first_meeting=replace(group.first_meeting, place=french_typography(group.first_meeting.place)),
    ) for key, group in groups.items()}


@dataclass(frozen=True)
class CallView:
    """A call as templates show it."""

    group: Group
    capacity: int
    taken: int
    waiting: int
    places_left: int
    full: bool


def _first_mail(subject: str) -> str:
    """A subject without the « Re : » of a reply (nothing of the member's is answered): ours, so
    in French typography."""
    return french_typography(subject.removeprefix(f"Re{NBSP}: "))


def _asked_again(group: Group | None, profile: Profile | None) -> frozenset[str]:
    """Facts the member gave too roughly to settle a rule (« environ 20 000 habitants »): the
    reply asks for them again by saying what it read, so they are not also listed as missing."""
    if group is None or profile is None:
        return frozenset()
    return frozenset(v.missing for rule in PROFILE_RULES if (v := rule.check(group, profile)).unclear)


_ORIGINAL = "mailflow-original-message"  # where the member's bytes go, once the rest is written


def with_original(msg: EmailMessage, raw: bytes) -> bytes:
    """`msg` as bytes, the member's message attached as the bytes it came as (message/rfc822).

    Never parsed and written again: the email package re-folds the headers it reads, and raises
    on some that real clients write (Exchange's bracketed Message-IDs), nor can it write 8-bit
    bytes inside message/rfc822. So the part is written with a marker, and the marker replaced by
    the original (line ends made CRLF, as in the rest of the message); its boundary is checked
    against the original's lines.
    """
    part = EmailMessage(policy=SMTP)
    part["Content-Type"] = "message/rfc822"
    part["Content-Disposition"] = 'attachment; filename="message-original.eml"'
    part["Content-Transfer-Encoding"] = "8bit" if not raw.isascii() else "7bit"
    part.set_payload(_ORIGINAL)
    language = msg["Content-Language"]
    del msg["Content-Language"]  # make_mixed moves Content-* headers into the first part
    msg.make_mixed()
    msg.attach(part)
    if language:
        msg["Content-Language"] = str(language)
    body = re.sub(rb"\r?\n", b"\r\n", raw)
    out = msg.as_bytes()
    while f"--{msg.get_boundary()}".encode() in body:  # never seen: 19 random digits
        msg.set_boundary(f"=_mailflow_{secrets.token_hex(16)}")
        out = msg.as_bytes()
    return out.replace(_ORIGINAL.encode(), body, 1)


class Renderer:
    """Renders `Reply` values and quarantine alerts into ready-to-send messages, writing about
    the groups it was made for (see `for_groups`); it never changes once made."""

    def __init__(
        self,
        templates_dir: Path,
        network: Network,
        groups: Mapping[str, Group],
        departments: Mapping[str, Department],
    ) -> None:
        self.templates_dir = Path(templates_dir)
        self.network = network
        self._groups = _french_groups(groups)
        self.departments = dict(departments)
        self.tz = ZoneInfo(network.timezone)
        self._text = environment(self.templates_dir, html=False, tz=self.tz)
        self._html = environment(self.templates_dir, html=True, tz=self.tz)

    # -- public -----------------------------------------------------------------------

    def for_groups(self, groups: Mapping[str, Group]) -> Renderer:
        """A renderer like this one (the same templates, read once) that writes replies with
        these groups: as staff last changed them, or as a plan will leave them."""
        made = copy.copy(self)
        made._groups = _french_groups(groups)
        return made

    def render(self, reply: Reply, now: datetime) -> EmailMessage:
        """The reply as a multipart/alternative message (text/plain + text/html, UTF-8).

        Confirmations, promotions and meeting changes also carry the invitation to the first
        meeting, and a withdrawal from a confirmed place its cancellation (see `_set_body`).
        """
        group = self._group(reply.group_id, reply.template)
        if group is None and reply.template in GROUP_TEMPLATES:
            raise RenderError(f"{reply.template}: this reply needs a group_id")
        try:
            calendar = reply_calendar(reply, group, self.network, now) if group else None
        except ValueError as exc:
            raise RenderError(f"{reply.template}: cannot write the invitation: {exc}") from None
        context = {
            **self._reply_context(reply, group, now),
            "invitation": calendar is not None and calendar[0] == "REQUEST",
            "cancellation": calendar is not None and calendar[0] == "CANCEL",
        }
        text, html = self._render_pair(reply.template, context)

        msg = EmailMessage(policy=SMTP)
        msg["From"] = self._from()
        msg["To"] = self._address(reply.to_name, reply.to, reply.template)
        if reply.template is Template.MEETING_CHANGED and group is not None:
            msg["Subject"] = (f"Groupe de travail «{NBSP}{clean(group.title)}{NBSP}»{NBSP}: "
                              "la première rencontre change")
        else:  # « Re : » only in a thread: a first mail (a registration by staff) is no reply
            subject = reply_subject(reply.subject, group.title if group else None)
            msg["Subject"] = subject if safe_msgid(reply.in_reply_to) else _first_mail(subject)
        # A code quoted back by the member has served: it is not repeated in our answer.
        msg.replace_header("Subject", CODE_IN_SUBJECT.sub("", str(msg["Subject"])))
        if reply.token:
            # In the subject, so that a plain « Répondre » sends the code back.
            msg.replace_header("Subject", f"{msg['Subject']} [{clean(reply.token)}]")
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.network.domain)
        in_reply_to = safe_msgid(reply.in_reply_to)
        references = [r for r in (safe_msgid(x) for x in reply.references) if r]
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
            if in_reply_to not in references:
                references.append(in_reply_to)
        if references:
            msg["References"] = " ".join(references)
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Mailflow-Outcome"] = reply.outcome.value
        if reply.template in STAFF_ACTION_TEMPLATES:  # an answer to staff, no member's reply
            msg["X-Mailflow-Alert"] = "staff-action"
        self._set_body(msg, text, html, calendar)
        msg["Content-Language"] = "fr"  # set last: set_content moves Content-* headers
        return msg

    def render_quarantine_alert(
        self,
        *,
        key: str,
        reason: str,
        sender: str | None,
        subject: str,
        raw: bytes,
        now: datetime,
    ) -> EmailMessage:
        """The staff alert for a quarantined message, with the original as `original.eml`."""
        shown_subject = clean(subject)
        context: dict[str, Any] = {
            **self._base_context(now),
            "name": None,
            "key": clean(key),
            "reason": clean(reason),
            "sender": clean(sender) or None,
            "subject": shown_subject or None,
            "size": size(len(raw)),
        }
        text, html = self._render_pair(Template.STAFF_QUARANTINE, context)

        msg = EmailMessage(policy=SMTP)
        msg["From"] = self._from()
        msg["To"] = [Address(addr_spec=s) for s in self.network.staff]
        msg["Subject"] = (
            f"[mailflow] Message mis en quarantaine{NBSP}: {shown_subject or '(sans objet)'}"
        )
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.network.domain)
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Mailflow-Alert"] = "quarantine"
        self._set_body(msg, text, html)
        msg.add_attachment(
            raw,
            maintype="application",
            subtype="octet-stream",
            filename="original.eml",
        )
        msg["Content-Language"] = "fr"  # set last: add_attachment moves Content-* headers
        return msg

    def render_question(self, question: Question, inbound: Inbound, raw: bytes,
                        now: datetime) -> tuple[EmailMessage, bytes]:
        """A member's question for staff: her words quoted, the original attached, and a
        Reply-To that makes « Répondre » reach her (the mailbox in Cc closes the question)."""
        asker = (f"{clean(question.name)} <{question.email}>" if question.name
                 else question.email)
        group = self._groups.get(question.group_id) if question.group_id else None
        context: dict[str, Any] = {
            **self._base_context(now), "name": None, "question": question, "asker": asker,
            "asker_name": clean(question.name) or question.email, "written_at": now,
            "group": group, "about": clean(question.about) or None,
            "text": clean_block(inbound.new_text or inbound.text)[:8000] or "(message vide)",
            "actions": alert_actions("question", {"question": question.id}, self.network.address),
        }
        text, html = self._render_pair(Template.STAFF_QUESTION, context)
        msg = EmailMessage(policy=SMTP)
        msg["From"] = self._from()
        msg["To"] = [Address(addr_spec=s) for s in self.network.staff]
        # Only staff receive it; the mailbox in Cc makes « Répondre à tous » copy it.
        msg["Cc"] = self._from()
        msg["Reply-To"] = self._address(question.name, question.email, Template.STAFF_QUESTION)
        subject = clean(strip_prefixes(question.subject)) or "(sans objet)"
        msg["Subject"] = f"Question {of(clean(question.name) or question.email)}{NBSP}: {subject}"
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.network.domain)
        member_id = safe_msgid(inbound.message_id or question.message_id)
        if member_id:
            msg["References"] = member_id  # staff's answer threads with her message
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Mailflow-Alert"] = "question"
        self._set_body(msg, text, html)
        msg["Content-Language"] = "fr"
        return msg, with_original(msg, raw)

    def render_staff_alert(self, kind: str, facts: Mapping[str, str], now: datetime) -> EmailMessage:
        """An alert to staff about something that needs a human, with its facts in a table."""
        title, fields = ALERTS[kind]
        clean_facts = {k: clean(v) for k, v in facts.items()}
        rows = [(label, clean_facts[key]) for key, label in fields if clean_facts.get(key)]
        context: dict[str, Any] = {**self._base_context(now), "name": None, "kind": kind,
                                   "facts": clean_facts, "rows": rows,
                                   "actions": alert_actions(kind, clean_facts, self.network.address)}
        text, html = self._render_pair(Template.STAFF_ALERT, context)
        msg = EmailMessage(policy=SMTP)
        msg["From"] = self._from()
        msg["To"] = [Address(addr_spec=s) for s in self.network.staff]
        about = next((clean_facts[k] for k in ("group", "subject", "to", "folder") if clean_facts.get(k)),
                     self.network.address)
        msg["Subject"] = f"[mailflow] {title}{NBSP}: {about}"
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.network.domain)
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Mailflow-Alert"] = kind
        msg["Content-Language"] = "fr"
        self._set_body(msg, text, html)
        return msg

    def render_digest(self, digest: Digest, now: datetime) -> EmailMessage:
        """The staff digest: HTML with tables and inline styles, and a text version of its own."""
        context: dict[str, Any] = {**self._base_context(now), "name": None, "digest": digest,
                                   "actions": digest_actions(digest, self.network.address)}
        text = self._render_one(self._text, f"{Template.DIGEST}.txt.j2", context)
        html = self._render_one(self._html, f"{Template.DIGEST}.html.j2", context)
        msg = EmailMessage(policy=SMTP)
        msg["From"] = self._from()
        msg["To"] = [Address(addr_spec=s) for s in self.network.staff]
        day = format_date_fr(now, self.tz).split(" à ")[0]
        msg["Subject"] = (f"[mailflow] Le point du {day}{NBSP}: "
                          f"{plural(digest.new_candidatures, 'candidature')}, "
                          f"{digest.needs_a_human} à traiter")
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=self.network.domain)
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Mailflow-Alert"] = "digest"
        msg["Content-Language"] = "fr"
        self._set_body(msg, text, html)
        return msg

    def check(self) -> list[str]:
        """Template files that are missing (or, as « name: problem », that do not compile)."""
        problems: list[str] = []
        for name in template_files():
            env = self._html if name.endswith(".html.j2") else self._text
            try:
                env.get_template(name)
            except jinja2.TemplateNotFound:
                problems.append(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(f"{name}: line {exc.lineno}: {exc.message}")
            except (OSError, UnicodeError) as exc:
                problems.append(f"{name}: {exc}")
        return problems

    # -- helpers ----------------------------------------------------------------------

    def _from(self) -> Address:
        return Address(self.network.name, addr_spec=self.network.address)

    def _address(self, name: str | None, addr: str, template: str) -> Address:
        try:
            return Address(clean(name), addr_spec=clean_address(addr))
        except (ValueError, IndexError, MessageError) as exc:
            raise RenderError(f"{template}: cannot address the reply to {addr!r}: {exc}") from None

    def _group(self, group_id: str | None, template: str) -> Group | None:
        if group_id is None:
            return None
        try:
            return self._groups[group_id]
        except KeyError:
            raise RenderError(f"{template}: unknown group {group_id!r}") from None

    def _base_context(self, now: datetime) -> dict[str, Any]:
        return {
            "greeting": "Bonjour,",
            "network": self.network,
            "now": now,
            "departments": self.departments,
            "withdraw_phrase": WITHDRAW_PHRASE,
        }

    def _reply_context(self, reply: Reply, group: Group | None, now: datetime) -> dict[str, Any]:
        missing: list[str] = []
        asked_again = _asked_again(group, reply.profile) if reply.unclear else frozenset()
        for key in reply.missing:
            if key == MISSING_GROUP or key in asked_again:
                continue
            if key not in MISSING_LABELS:
                raise RenderError(f"{reply.template}: unknown missing field {key!r}")
            missing.append(MISSING_LABELS[key])
        name = clean(reply.to_name) or None
        role_text = reply.profile.role_text if reply.profile else None
        return {
            **self._base_context(now),
            "greeting": greeting(name, role_text),
            "gender": gender(name, role_text),  # « f », « m » or None: see `agree`
            "outcome": reply.outcome.value,
            "template": reply.template,
            "name": name,
            "unclear": [french_typography(clean(u)) for u in reply.unclear],
            # (nested, line): a line written indented belongs to the line above it
            "details": [(d[:1].isspace(), french_typography(clean(d))) for d in reply.details],
            "idea": reply.idea,
            "question_id": reply.question_id,
            "email": clean_address(reply.to),
            "group": group,
            "position": reply.position,
            "occasion": reply.occasion.value,
            "passed_on": reply.passed_on,
            "standings": [french_typography(clean(s)) for s in reply.standings],
            "received_at": reply.received_at,
            "reason": french_typography(clean(reply.reason)),
            "missing": missing,
            "missing_keys": list(reply.missing),
            # Alternatives leave out the reply's own group; an answer to a question lists it too.
            "calls": self._calls(reply.calls, exclude=None if reply.question_id and (
                reply.template == "question_received") else reply.group_id),
            "group_call": next(iter(self._calls(tuple(c for c in reply.calls
                                                      if c.group_id == reply.group_id),
                                                exclude=None)), None),
            "colleague": clean(reply.colleague),
            "standing": reply.standing.value if reply.standing else None,
            "token": clean(reply.token),
            "expires_at": reply.expires_at,
            "confirm_link": mailto_link(
                self.network.address,
                f"Confirmation {CONFIRMS.get(reply.template, 'de ma demande')} [{clean(reply.token)}]",
                f"Je confirme. Code : {clean(reply.token)}",
            ) if reply.token else "",
        }

    def _calls(self, calls: tuple[CallSummary, ...], *, exclude: str | None) -> list[CallView]:
        """Open calls other than the reply's own group, skipping unknown groups."""
        views: list[CallView] = []
        for call in calls:
            group = self._groups.get(call.group_id)
            if group is None or not call.accepting or call.group_id == exclude:
                continue
            views.append(
                CallView(
                    group=group,
                    capacity=call.capacity,
                    taken=call.taken,
                    waiting=call.waiting,
                    places_left=call.places_left,
                    full=call.places_left == 0,
                )
            )
        return views

    def _render_pair(self, name: str, context: Mapping[str, Any]) -> tuple[str, str]:
        if not _TEMPLATE_NAME.match(name):
            raise RenderError(f"{name!r}: not a template name")
        text = self._render_one(self._text, f"{name}.txt.j2", context)
        html = self._render_one(self._html, f"{name}.html.j2", context)
        return BLANKS.sub("\n\n", text).strip("\n") + "\n", html

    @staticmethod
    def _render_one(env: jinja2.Environment, file: str, context: Mapping[str, Any]) -> str:
        try:
            return env.get_template(file).render(context)
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"{file}: template not found ({exc.name})") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"{file}: syntax error line {exc.lineno}: {exc.message}") from exc
        except jinja2.UndefinedError as exc:
            raise RenderError(f"{file}: {exc.message}") from exc
        except jinja2.TemplateError as exc:
            raise RenderError(f"{file}: {exc}") from exc
        except (OSError, UnicodeError) as exc:
            raise RenderError(f"{file}: cannot read: {exc}") from exc

    @staticmethod
    def _set_body(msg: EmailMessage, text: str, html: str,
                  calendar: tuple[Method, bytes] | None = None) -> None:
        """Text and HTML alternatives; with an invitation, the iMIP structure Google sends.

        multipart/mixed
          multipart/alternative
            text/plain
            text/html
            text/calendar; method=REQUEST (or CANCEL); charset=UTF-8
          application/ics  (attachment: invitation.ics, or annulation.ics for a cancellation)

        Outlook (and Exchange) turn the message into a meeting request from the text/calendar
        part, which they look for only in the first child of multipart/mixed, with a `method`
        parameter matching METHOD; Gmail shows its event card and Thunderbird its invitation
        bar from the same part. The same bytes as an attachment serve the clients and webmails
        that ignore the inline part (phones, Apple Mail, Roundcube) and people who import it
        by hand. Both are base64, so that CRLF line ends and folded lines reach the client
        byte for byte (quoted-printable and 8bit transports may rewrap or normalise them).
        """
        msg.set_content(text, charset="utf-8", cte="quoted-printable")
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        if calendar is None:
            return
        method, ics = calendar
        msg.add_alternative(ics, maintype="text", subtype="calendar", cte="base64",
                            params={"method": method, "charset": "UTF-8"})
        filename = "annulation.ics" if method == "CANCEL" else "invitation.ics"
        msg.add_attachment(ics, maintype="application", subtype="ics", filename=filename,
                           params={"name": filename})
