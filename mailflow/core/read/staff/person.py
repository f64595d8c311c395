"""A candidature staff took elsewhere (a phone call, a meeting, a mail forwarded): who, from
where, in which group, received when."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from ....model.values import StaffVerb, State
from ..dates import find_dates
from ..facts.communes import find_communes
from ..facts.profile import extract_profile
from ..text import fold, fold_aligned
from .actions import Context, Made, _group
from .request import Command, Missing, Unclear

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_CODE = re.compile(r"\((?P<code>\d{2})\)|\b(?:dept|dpt|departement|département)\.?\s*:?\s*(?P<code2>\d{2})\b"
                   r"|\b(?P<post>\d{5})\b|[(,;]\s*(?P<code3>\d{2})\s*(?=[),;]|\s[-–]\s)", re.I)
_NAME = re.compile(r"\b(?:(?:M\.|Mme|Mr|Madame|Monsieur)\s+)?(?P<name>[A-ZÉÈÀÂÎÔÛÇ][\w'’-]+"
                   r"(?:[ \t]+(?:de[ \t]+|d'|le[ \t]+|la[ \t]+)?[A-ZÉÈÀÂÎÔÛÇ][\w'’-]+){1,2})")
_NOT_PEOPLE = frozenset(("office", "tourisme", "ot", "oti", "groupe", "mona", "bonjour", "merci", "salut",
                         "candidature", "communaute", "communes", "pays", "destination", "maison", "bureau",
                         "reunion", "departementale", "vallee", "grand", "haute", "basse", "nouvelle",
                         "aquitaine", "charente", "maritime", "dordogne", "gironde", "landes", "creuse",
                         "correze", "vienne", "deux", "sevres", "pyrenees", "atlantiques", "lot", "garonne",
                         "info", "directrice", "directeur", "mail", "mails", "ses", "son", "sa", "elle",
                         "il"))


def add(ctx: Context) -> Made:
    """A candidature to add: a person not yet a candidate of that group, with an address."""
    if not new_person(ctx) and not named_person(ctx):
        email = _email(ctx, set(ctx.own))
        known = [c for c in ctx.state.candidatures if email and c.email == email and c.status.active]
        if known:  # « Ajouter la candidature de Kevin Roche, kevin.roche@… » who has one: say so
            return Unclear(Missing.ALREADY, StaffVerb.ADD, (known[0].id,))
        return None  # nobody to register: « enregistrer » said of something else
    found = _group(ctx, StaffVerb.ADD)
    if found is None:
        return Unclear(Missing.GROUP, StaffVerb.ADD, _people(ctx))
    if isinstance(found, tuple | Unclear):
        return None if isinstance(found, Unclear) else Unclear(Missing.GROUP, StaffVerb.ADD, found)
    group_id = found
    email = _email(ctx, set(ctx.own))
    own_words = email is not None and email in ctx.words.top.lower()
    text = ctx.words.top if own_words else f"{ctx.words.top}\n{ctx.words.below}"
    name = _name(text, email, ctx)
    department = _department(text, ctx.state)
    missing = tuple(what for what, value in (("email", email), ("name", name), ("department", department))
                    if not value)
    already = [c for c in ctx.state.candidatures
               if c.email == email and c.group_id == group_id and c.status.active]
    if already:  # « Ajouter la candidature de Kevin Roche… » who has one: say so, and where she stands
        return Unclear(Missing.ALREADY, StaffVerb.ADD, (already[0].id,))
    if missing:
        return Unclear(Missing.PERSON, StaffVerb.ADD, (group_id,), missing)
    assert email is not None and name is not None and department is not None
    fields = {"email": email, "name": name, "department": department, **_received(ctx)}
    profile = extract_profile(text, ctx.state.departments, name)
    if profile.structure:
        fields["structure"] = profile.structure
    if profile.role_text:
        fields["role"] = profile.role_text
    return Command(StaffVerb.ADD, group_id, "", fields)


_APPLYING = re.compile(r"\b(?:candidat\w*|inscri\w*|rejoindre|participer|integrer|faire partie|"
                       r"postul\w*)\b", re.I)


def new_person(ctx: Context) -> bool:
    """Whether the message brings someone who is no candidate yet: an address of theirs, or their
    own mail forwarded, asking to join."""
    email = _email(ctx, set(ctx.own))
    if email is None or any(c.email == email for c in ctx.state.candidatures):
        return False
    forwarded = ctx.words.forwarded
    return forwarded is None or forwarded.sender != email or bool(_APPLYING.search(forwarded.text))


def named_person(ctx: Context) -> bool:
    """A person's name the message gives that is no candidate's."""
    name = _name(ctx.words.top, None, ctx)
    return name is not None and not any(c.name and fold(c.name) == fold(name) for c in ctx.state.candidatures)


def _people(ctx: Context) -> tuple[str, ...]:
    email = _email(ctx, set(ctx.own))
    return (email,) if email else ()


#: An address dictated or typed out: « p point laborde arobase nerac-tourisme point fr ».
_SPELLED = re.compile(r"(?i)(?<![\w.@-])(?P<local>[\w-]+(?:\s+point\s+[\w-]+)*)\s+(?:arobase|arrobase|at)\s+"
                      r"(?P<domain>[\w-]+(?:\s+point\s+[\w-]+)+)(?![\w-])")


def _spelled_out(text: str) -> str:
    """The text with an address written in words turned into the address itself."""
    def joined(m: re.Match[str]) -> str:
        dot = re.compile(r"(?i)\s+point\s+")
        return f"{dot.sub('.', m['local'])}@{dot.sub('.', m['domain'])}"
    return _SPELLED.sub(joined, text)


def _email(ctx: Context, own: set[str]) -> str | None:
    staff_like = {c.email for c in ctx.state.candidatures}
    for text in (ctx.words.top, ctx.words.below):
        for found in _EMAIL.finditer(_spelled_out(text or "")):
            address = found.group(0).lower().rstrip(".")
            if address not in own and not address.endswith("monatourisme.fr"):
                return address
    forwarded = ctx.words.forwarded
    sender = forwarded.sender if forwarded else None
    if sender and sender not in staff_like and not sender.endswith("monatourisme.fr"):
        return sender
    return None


def _name(text: str, email: str | None, ctx: Context) -> str | None:
    """The person's name: the one whose family name the address holds, else the first
    capitalised name of two or three words that is no office, place or group."""
    local = fold(email.split("@")[0]) if email else ""
    names = []
    for match in _NAME.finditer(text):
        name = match.group("name").strip()
        words = [w for w in re.split(r"[\s'’-]+", fold(name)) if w]
        if any(w in _NOT_PEOPLE for w in words) or len(words) < 2:
            continue
        names.append((name, words))
    for name, words in names:
        if local and any(len(w) > 2 and w in local for w in words[1:]):
            return name
    forwarded = ctx.words.forwarded
    if forwarded and forwarded.name and "@" not in forwarded.name:
        return forwarded.name.strip()
    return names[0][0] if names else _name_of_address(text, local)


def _name_of_address(text: str, local: str) -> str | None:
    """« inscrire martine péré », mail martine.pere@…: the name as the address spells it, written
    in the message in lower case; given its capitals."""
    parts = [p for p in re.split(r"[._-]", local) if len(p) > 1]
    if len(parts) < 2:
        return None
    aligned = fold_aligned(text)
    found = re.search(r"\b" + r"[\s-]+".join(re.escape(p) for p in parts) + r"\b", aligned)
    if found is None:
        return None
    said = text[found.start():found.end()]
    return " ".join(w[:1].upper() + w[1:] for w in said.split())


def _department(text: str, state: State) -> str | None:
    for match in _CODE.finditer(text):
        code = (match.group("code") or match.group("code2") or match.group("code3")
                or (match.group("post") or "")[:2])
        if code in state.departments:
            return code
    profile = extract_profile(text, state.departments)
    if profile.department:
        return profile.department
    for _start, _end, commune in find_communes(text):
        if commune.department in state.departments:
            return commune.department
    return _department_named(text, state)


def _department_named(text: str, state: State) -> str | None:
    """« elle est dans les landes »: a department by its name, in any case, the longest first
    (« Haute-Vienne » before « Vienne »)."""
    folded = f" {' '.join(re.findall(r'[a-z0-9]+', fold(text)))} "
    names = sorted(state.departments.items(), key=lambda item: -len(item[1].name))
    for code, department in names:
        name = " ".join(re.findall(r"[a-z0-9]+", fold(department.name)))
        if f" {name} " in folded:
            return code
    return None


def _received(ctx: Context) -> dict[str, str]:
    """When the candidature was received: the day (and time) said, else the forwarded message's
    date, else the staff message's own arrival."""
    body = ctx.words.plain.partition("\n")[2]  # a subject's date is the thread's (« Le point du 30 »)
    dates = [d for d in find_dates(body, ctx.now, ctx.tz, past=True) if _past(d.value, ctx)]
    if dates:
        value = dates[0].value
        if isinstance(value, datetime):
            return {"received_at": value.isoformat(), "received_how": "given"}
        at = min(datetime.combine(value, time(23, 59), tzinfo=ctx.tz), ctx.now)
        return {"received_at": at.isoformat(), "received_how": "day"}
    forwarded = ctx.words.forwarded
    if forwarded is not None and forwarded.sent_at is not None:
        return {"received_at": forwarded.sent_at.isoformat(), "received_how": "forwarded"}
    return {"received_at": ctx.now.isoformat(), "received_how": "message"}


def _past(value: date | datetime, ctx: Context) -> bool:
    if isinstance(value, datetime):
        return value <= ctx.now
    return value <= ctx.now.astimezone(ctx.tz).date()
