"""A member's message read for the candidature it makes: what the sender wrote (signature
included), the form they answered inside the message they quote, the facts of their office that
a colleague of the same office wrote below, and whom they apply for: themselves or a colleague."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ....model.values import Applicant, Department, Inbound, Profile
from ..doc import Doc, answered_form
from ..text import first_quoted, fold, quoted_author
from .applicant import colleague
from .profile import extract_profile, role_in

#: Addresses anyone can have: two of them say nothing of one office.
_WEBMAIL = frozenset((
    "gmail.com", "orange.fr", "wanadoo.fr", "laposte.net", "hotmail.fr", "hotmail.com", "yahoo.fr",
    "yahoo.com", "free.fr", "sfr.fr", "outlook.fr", "outlook.com", "live.fr", "icloud.com", "aol.com",
    "neuf.fr", "bbox.fr", "club-internet.fr", "protonmail.com", "proton.me", "gmx.fr", "numericable.fr",
))  # fmt: skip


@dataclass(frozen=True)
class MemberReading:
    """What a member's message tells of the candidature: the applicant's profile and, when the
    sender applies for a colleague, who she is."""

    profile: Profile
    applicant: Applicant | None = None
    quoted_form: bool = False  # the sender answered a form inside the message they quote
    quoted_group: str = ""  # the answer to that form's « Groupe souhaité : » line


def _office_only(profile: Profile) -> Profile:
    """The facts of an office, none of the person (another person wrote them)."""
    return replace(profile, name=None, role=None, role_text=None)


def _same_office(sender: str, author: str | None) -> bool:
    domain = sender.rpartition("@")[2]
    return author is not None and domain not in _WEBMAIL and author.rpartition("@")[2] == domain


def _is_sender(inbound: Inbound, author: tuple[str | None, str | None]) -> bool:
    email, name = author
    if email:
        return email == inbound.sender
    return bool(name and inbound.sender_name and fold(name) == fold(inbound.sender_name))


def _answers_in_quote(inbound: Inbound, mailbox: str | None) -> str:
    """The form lines the sender answered inside the quote: after its « > », or typed into our
    own message quoted without them (Outlook: « De : MONA <groupes@…> », the form below)."""
    lines = answered_form(inbound.text)
    author = quoted_author(inbound.text)[0]
    # ours: the mailbox's, or another address of the network's (the newsletter's « infos@… »)
    ours = (author is not None and mailbox is not None
            and author.rpartition("@")[2] == mailbox.rpartition("@")[2])
    if lines or not ours:
        return lines
    return answered_form(first_quoted(inbound.text), quoted=False)


def _form_answered(inbound: Inbound, departments: Mapping[str, Department], lines: str) -> Profile | None:
    """The facts of a form filled inside the quote, when it names the sender or no one."""
    if not lines:
        return None
    doc = Doc.of(lines)
    named = doc.form.get("name")
    sender = set(fold(inbound.sender_name or "").split())
    if named and sender and not set(fold(named).split()) & sender:
        return None  # someone else's form
    told = extract_profile(lines, departments, inbound.sender_name)
    return told if told.tells_something else None


def _quoted_facts(inbound: Inbound, departments: Mapping[str, Department],
                  author: tuple[str | None, str | None]) -> Profile | None:
    """What the message quoted tells: all of it when it is the sender's own earlier message, the
    office's facts when a colleague of the same office wrote it, nothing otherwise."""
    if inbound.sender is None:
        return None
    mine = _is_sender(inbound, author)
    if not mine and not _same_office(inbound.sender, author[0]):
        return None
    quoted = first_quoted(inbound.text)
    if not quoted:
        return None
    told = extract_profile(quoted, departments, None)
    return told if mine else _office_only(told)


def _for_colleague(inbound: Inbound, subject: str, profile: Profile, quoted: Profile | None,
                   author: tuple[str | None, str | None]) -> MemberReading | None:
    """The reading of a message that registers a colleague: her role as the sender describes her
    (or as her own forwarded message says), never the sender's."""
    found = colleague(inbound.new_text, subject, inbound.sender or "", inbound.sender_name, author)
    if found is None:
        return None
    role, role_text = role_in(found.described)
    if role is None and found.email and found.email == author[0] and quoted is not None:
        own = extract_profile(first_quoted(inbound.text), {}, found.name)
        role, role_text = own.role, own.role_text
    told = replace(profile, name=found.name, role=role, role_text=role_text)
    return MemberReading(told, Applicant(found.email, found.name))


def read_member(inbound: Inbound, departments: Mapping[str, Department], subject: str = "",
                mailbox: str | None = None) -> MemberReading:
    """The candidature a member's message makes: the applicant's profile (what the sender wrote
    first, then the form answered in the quote, then what the quote tells), and the colleague
    applied for, if any. `subject` is the subject as it counts (none in a thread); `mailbox`, the
    network's address (our own message quoted)."""
    profile = extract_profile(inbound.new_text, departments, inbound.sender_name, signature=inbound.signature)
    lines = _answers_in_quote(inbound, mailbox)
    form = _form_answered(inbound, departments, lines)
    if form is not None:
        profile = profile.merged(form)
    author = quoted_author(inbound.text)
    quoted = _quoted_facts(inbound, departments, author)
    if quoted is not None:
        profile = quoted.merged(profile)
    found = _for_colleague(inbound, subject, profile, quoted, author)
    group = Doc.of(lines).form.get("group", "") if form is not None else ""
    return replace(found or MemberReading(profile), quoted_form=form is not None, quoted_group=group)
