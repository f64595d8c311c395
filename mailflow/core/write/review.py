"""Review in messages: the mail to the reviewers, the reply as the member reads it, a text made the reply."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from ...errors import RenderError
from ...model.enums import Template
from ...model.review import Review
from ..french import NBSP, outcome_words
from ..read.headers import BLANKS, clean, clean_block
from .environment import environment
from .render import Renderer

#: What a reply's attachments are, as reviewers read it.
ATTACHMENTS = {"invitation.ics": "une invitation à la première rencontre, pour son agenda (invitation.ics)",
               "annulation.ics": "l’annulation de son invitation à la première rencontre (annulation.ics)"}
MEMBER_TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Draft:
    """A held reply as the member will read it: to whom, its subject, its text, its files."""

    to: str
    subject: str
    text: str
    attachments: tuple[str, ...]


def _parsed(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.SMTP).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def read_draft(raw: bytes) -> Draft:
    """The reply's bytes as the member will read them (its text part, its attachments)."""
    message = _parsed(raw)
    body = message.get_body(("plain",))
    text = str(body.get_content()) if body is not None else ""
    files = tuple(str(part.get_filename()) for part in message.iter_attachments() if part.get_filename())
    return Draft(str(message["To"] or ""), str(message["Subject"] or ""), text.replace("\r\n", "\n"),
                 files)


def with_it(draft: Draft, others: Sequence[tuple[str, Sequence[str], str]]) -> tuple[str, ...]:
    """What goes with a reply: its attachments, and the other mail its decision sends
    (outcome, recipients, subject), as lines for the reviewers."""
    lines = [ATTACHMENTS.get(name, f"la pièce jointe {name}") for name in draft.attachments]
    lines += [f"{outcome_words(outcome)} → {', '.join(to)} : « {clean(subject)} »"
              for outcome, to, subject in others]
    return tuple(lines)


def member_text(text: str) -> str:
    """What the member wrote, as the review mail quotes it (and the store keeps it, a while)."""
    cleaned = clean_block(text)
    return cleaned if len(cleaned) <= MEMBER_TEXT_LIMIT else cleaned[:MEMBER_TEXT_LIMIT] + " […]"


@functools.lru_cache(maxsize=8)
def _environments(templates_dir: Path, tz: str) -> tuple[jinja2.Environment, jinja2.Environment]:
    zone = ZoneInfo(tz)
    return environment(templates_dir, html=False, tz=zone), environment(templates_dir, html=True, tz=zone)


def _render(renderer: Renderer, context: dict[str, Any]) -> tuple[str, str]:
    text_env, html_env = _environments(renderer.templates_dir, renderer.network.timezone)
    out = []
    for env, kind in ((text_env, "txt"), (html_env, "html")):
        name = f"{Template.REVIEW}.{kind}.j2"
        try:
            out.append(env.get_template(name).render(context))
        except (jinja2.TemplateError, OSError, UnicodeError) as exc:
            raise RenderError(f"{name}: {exc}") from exc
    return BLANKS.sub("\n\n", out[0]).strip("\n") + "\n", out[1]


def review_mail(renderer: Renderer, review: Review, draft_raw: bytes, token: str,
                reviewers: Sequence[str], now: datetime, *, reminder: bool = False) -> EmailMessage:
    """The mail that asks the reviewers to read a held reply: the member's words, what was
    decided and why, the reply as the member will read it and what goes with it, how to answer;
    its code in the subject (a reminder repeats it all, with a code of its own)."""
    network = renderer.network
    draft = read_draft(draft_raw)
    who = clean(review.name) or review.to
    context: dict[str, Any] = {
        "greeting": "Bonjour,", "network": network, "now": now, "review": review, "draft": draft,
        "member": f"{clean(review.name)} <{review.to}>" if review.name else review.to,
        "outcome_said": outcome_words(review.outcome), "with_it": review.with_it, "token": token,
        "reviewers": list(reviewers), "reminder": reminder,
    }
    text, html_text = _render(renderer, context)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(network.name, addr_spec=network.address)
    msg["To"] = [Address(addr_spec=r) for r in reviewers]
    again = f"{NBSP}(rappel)" if reminder else ""
    msg["Subject"] = (f"[mailflow] Relecture {review.label}{again}{NBSP}: "
                      f"{outcome_words(review.outcome)} pour {who} [{clean(token)}]")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=network.domain)
    if reminder and review.mails:
        msg["In-Reply-To"] = review.mails[0]
        msg["References"] = review.mails[0]
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Mailflow-Alert"] = "review"
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html_text, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.add_attachment(_parsed(draft_raw), filename="reponse-au-membre.eml")
    msg["Content-Language"] = "fr"
    return msg


# --- a reviewer's text in the draft's place ------------------------------------------------------


def text_to_html(text: str) -> str:
    """An HTML part made from plain text: its paragraphs and line breaks, nothing else."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
    body = "\n".join('<p style="margin:0 0 16px 0;">' + "<br>\n".join(
        html.escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)
    return ('<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n</head>\n'
            '<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;'
            f'line-height:1.55;color:#222222;">\n{body}\n</body>\n</html>\n')


def corrected(draft_raw: bytes, text: str) -> bytes:
    """The draft with a reviewer's text in place of its own: the same headers (threading, subject,
    Message-ID), the same attachments and invitation; its HTML part made from the text."""
    message = _parsed(draft_raw)
    plain = message.get_body(("plain",))
    if plain is None:
        raise RenderError("la réponse en attente n’a pas de partie texte à remplacer")
    written = text.replace("\r\n", "\n").strip("\n") + "\n"
    # MIMEPart's own: EmailMessage's would give the part a MIME-Version of its own.
    MIMEPart.set_content(plain, written, charset="utf-8", cte="quoted-printable")
    rich = message.get_body(("html",))
    if rich is not None:
        MIMEPart.set_content(rich, text_to_html(written), subtype="html", charset="utf-8",
                             cte="quoted-printable")
    return message.as_bytes()
