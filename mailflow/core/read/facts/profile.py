"""What a French message tells about its sender (profile) and which groups it names."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ....model.values import Department, Profile, Role
from ..doc import Doc, line_bounds
from ..text import fold, fold_aligned, is_closing_line
from .places import department
from .sizes import numbers_doc, population
from .team import fte
from .territories import scale, territories

# --- Name ------------------------------------------------------------------------------------

_GENERIC_NAME_WORDS = frozenset(
    (
        "office", "tourisme", "touristique", "accueil", "contact", "info", "infos", "information",
        "informations", "mairie", "secretariat", "direction", "communication", "noreply",
        "no-reply", "reply", "reservation", "reservations", "service", "ot", "oti", "pat", "admin",
        "administration", "bureau", "pays", "communaute", "territoire", "comptabilite",
        "webmaster", "newsletter", "mona", "groupe", "equipe", "association",
    )
)  # fmt: skip
_NAME_PARTICLES = frozenset(("de", "du", "des", "d'", "la", "le", "van", "von", "di", "da"))
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’-]*$")
_NAME_QUOTES = "\"'«»“”‘’ \t"
_NAME_SEPARATORS = re.compile(r"\s*(?:[|,/–—]|\s-\s)\s*")


def _has_generic_word(name: str) -> bool:
    return any(word in _GENERIC_NAME_WORDS for word in re.split(r"[^\w-]+", fold(name)))


def _clean_display_name(name: str | None) -> str | None:
    """The From display name, unless it is an address or a shared mailbox."""
    if not name:
        return None
    cleaned = " ".join(name.strip(_NAME_QUOTES).split())
    if not cleaned or "@" in cleaned or any(ch.isdigit() for ch in cleaned):
        return None
    return None if _has_generic_word(cleaned) else cleaned


def _looks_like_person(line: str) -> bool:
    """Two to four capitalized words (particles aside), no digits, no office or role words."""
    words = line.split()
    names = [w for w in words if fold(w) not in _NAME_PARTICLES]
    if not 2 <= len(names) <= 4 or len(words) > 6:
        return False
    if not all(_NAME_WORD.match(w) and w[0].isupper() for w in names):
        return False
    return not _has_generic_word(line) and not _role_matches(fold_aligned(line))


def _signature_name(doc: Doc) -> str | None:
    """A person name on the first line after a closing formula or a `--` delimiter."""
    lines = doc.text.split("\n")
    for index, line in enumerate(lines):
        head, _, rest = line.partition(",")
        candidates: list[str] = []
        if is_closing_line(head) and rest.strip():
            candidates.append(rest)
        elif is_closing_line(line) or line.strip() == "--":
            following = [ln for ln in lines[index + 1 : index + 4] if ln.strip()]
            candidates.extend(following[:1])
        for candidate in candidates:
            first = _NAME_SEPARATORS.split(candidate.strip())[0].strip(_NAME_QUOTES)
            if _looks_like_person(first):
                return first
    return None


#: The sender saying her name: « je m'appelle Kevin Roche », « moi c'est Inès Garat », « mon nom
#: est… »; in a short message, « c'est Kevin Roche » or, phone-typed, « c kevin roche ».
_SAYS_NAME = re.compile(r"(?i:\bje m['’ ]?appelle|\bmon nom(?: complet)? (?:est|c['’ ]?est)"
                        r"|\bmoi,? c['’ ]?est)"
                        r"\s+(?P<name>[^\W\d_][\w'’-]+(?:[ \t]+[^\W\d_][\w'’-]+){1,2})")
_SAYS_NAME_SHORT = re.compile(r"(?i:(?:^|[\s,.!])(?:c['’ ]?est|c|ici))\s+(?P<name>[^\W\d_][\w'’-]+"
                              r"(?:[ \t]+[^\W\d_][\w'’-]+){1,2})(?=\s*(?:[!.,;\n]|$))")
#: Words that end a name said in a sentence (« je m'appelle Kevin Roche et je suis… »).
_AFTER_NAME = frozenset(("et", "de", "du", "je", "j", "a", "à", "au", "pour", "chargee", "chargée", "charge",
                         "directrice", "directeur", "merci", "bonjour", "svp", "stp", "donc"))
#: Words no name is made of (« c'est tout bon », « c'est bien noté »).
_NOT_NAME_WORDS = frozenset((
    "tout", "bon", "bien", "ok", "parfait", "note", "fait", "moi", "nous", "vrai", "juste", "ca", "cela",
    "super", "top", "pas", "plus", "la", "le", "les", "un", "une", "ma", "mon", "notre", "encore", "deja",
    "vous", "toi", "elle", "lui", "oui", "non",
))  # fmt: skip


def _said_name(doc: Doc) -> str | None:
    """The name the sender writes as hers in the message (see `_SAYS_NAME`)."""
    text = doc.text
    if len(text.split()) <= 4 and _looks_like_person(text.strip()):
        return text.strip()  # « Kevin Roche », alone in an answer to « il nous manque vos nom et prénom »
    short = len(text.split()) <= 15
    for pattern in (_SAYS_NAME, *((_SAYS_NAME_SHORT,) if short else ())):
        for m in pattern.finditer(text):
            words = list(itertools.takewhile(lambda w: fold(w) not in _AFTER_NAME, m["name"].split()))
            named = " ".join(words)
            if any(fold(w) in _NOT_NAME_WORDS for w in words):
                continue
            if len(words) >= 2 and not _has_generic_word(named) and not _role_matches(fold_aligned(named)):
                return named
    return None


def _name(doc: Doc, fallback_name: str | None) -> str | None:
    last, first = doc.form.get("name"), doc.form.get("first_name")
    display = _clean_display_name(fallback_name)
    found: str | None
    if last and first:
        found = last if fold(first) in fold(last) else f"{first} {last}"
    elif display and sorted(fold(display).split()) == sorted(fold(last or first or "").split()):
        found = display  # « Nom : Le Goff Yannick » from Yannick Le Goff: as he writes it himself
    else:
        found = last or first or _said_name(doc) or display or _signature_name(doc)
    return person_name(found) if found else None


_CAPS_WORD = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*$")


def _capitalised(word: str) -> str:
    """« ETCHEVERRY » → « Etcheverry », « JEAN-MICHEL » → « Jean-Michel », « D'ARTAGNAN » →
    « d'Artagnan »; particles stay lower case."""
    if fold(word) in _NAME_PARTICLES:
        return word.lower()
    parts = re.split(r"([-'’])", word.lower())
    out = []
    for i, part in enumerate(parts):
        elided = i + 1 < len(parts) and parts[i + 1] in "'’" and fold(part) in ("d", "l")
        out.append(part if elided or part in "-'’" else part[:1].upper() + part[1:])
    return "".join(out)


def person_name(name: str) -> str:
    """A name as people write it: « Jean-Michel Etcheverry », whether the mail said
    « ETCHEVERRY Jean-Michel », « Etcheverry, Jean-Michel » or « jean-michel etcheverry »."""
    text = " ".join(name.split())
    if text.count(",") == 1:  # « Etcheverry, Jean-Michel » (a directory's order)
        last, first = (part.strip() for part in text.split(","))
        if last and first and " " not in last:
            text = f"{first} {last}"
    words = text.split()
    if not words or not all(_CAPS_WORD.match(w) for w in words):
        return text
    shouting = [w for w in words if w.isupper() and len(w) > 1]
    if shouting and len(shouting) < len(words) and words[0] in shouting:
        # « ETCHEVERRY Jean-Michel »: the family name in capitals first, as directories write it.
        lead = len(list(itertools.takewhile(lambda w: w in shouting, words)))
        words = words[lead:] + words[:lead]
    if any(w.isupper() and len(w) > 1 for w in words) or all(w.islower() for w in words):
        return " ".join(_capitalised(w) for w in words)
    return " ".join(words)


# --- Structure -------------------------------------------------------------------------------

_STRUCTURE_HEAD = re.compile(
    r"(?<![\w-])(?P<head>"
    r"office (?:de|du) tourisme(?: (?:intercommunal|communautaire|communal|municipal)e?)?"
    r"|office (?:intercommunal|communautaire|municipal|communal) (?:de|du) tourisme"
    r"|pays d'accueil touristique|bureau d'information touristique|maison du tourisme"
    r"|oti|ot|pat)(?![\w-])"
)
# Heads that only count in capitals (« OT », « PAT »): lowercase ones are ordinary words.
_UPPERCASE_HEADS = frozenset({"ot", "oti", "pat"})
_STRUCTURE_TAIL = re.compile(r"[^\n,;:()|–—!?«»\"]*")
_STRUCTURE_STOP = re.compile(
    r"(?<!\bst)(?<!\bste)\.(?:\s|$)|\s-\s"
    r"|\s(?:et|en|depuis|qui|ou|pour|avec|dans|a|au|sur|je|nous|situee?|car|mais)(?=\s|$)"
)
# Words after a head that name a kind of office, not one office (the « OT ruraux » group).
_NOT_A_NAME = frozenset({"rural", "ruraux", "rurale", ""})


def _structure_at(doc: Doc, match: re.Match[str]) -> str | None:
    head = match["head"]
    if head in _UPPERCASE_HEADS and doc.original(*match.span("head")) != head.upper():
        return None
    tail = _STRUCTURE_TAIL.match(doc.folded, match.end())
    end = tail.end() if tail else match.end()
    stop = _STRUCTURE_STOP.search(doc.folded, match.end(), end)
    end = stop.start() if stop else end
    name = doc.original(match.end(), end).strip()
    if fold(name) in _NOT_A_NAME or not any(ch.isupper() for ch in name):
        return None
    return doc.original(match.start("head"), end).strip()


#: An office named by its brand, « Brive Tourisme », « Médoc Atlantique Tourisme », « Tourisme Creuse
#: Sud »: capitalised words beside « Tourisme », after « à », « chez », « de » or at a line's start.
_BRAND = re.compile(r"(?:(?<=\bà )|(?<=\bchez )|(?<=\bde )|(?<=\bdu )|(?<=^))(?P<name>"
                    r"(?:[A-ZÉÈÂÎÔ][\w'’-]+ ){1,4}Tourisme|Tourisme(?: [A-ZÉÈÂÎÔ][\w'’-]+){1,3})\b", re.M)
#: Words that open a sentence and are no brand (« Office de Tourisme » is a head, see above).
_NOT_BRANDS = frozenset({"office", "offices", "bonjour", "le", "la", "les", "notre", "mon", "ma", "un", "une",
                         "comite", "agence", "direction", "ministere"})


def _structure(doc: Doc) -> str | None:
    if "structure" in doc.form:
        return doc.form["structure"]
    for match in _STRUCTURE_HEAD.finditer(doc.scan):
        found = _structure_at(doc, match)
        if found:
            return found
    for brand in _BRAND.finditer(doc.text):
        if fold(brand["name"].split()[0]) not in _NOT_BRANDS:
            return brand["name"]
    return None


# --- Role ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RoleRule:
    """A way of writing a role; `anywhere` when it is safe to take in the middle of a sentence."""

    pattern: str
    role: Role
    anywhere: bool = True


_ROLE_RULES = (
    _RoleRule(r"(directeur|directrice)[- ](general |generale )?(adjoint|adjointe)", Role.OTHER),
    _RoleRule(r"adjointe? (a la |de la |de )direction", Role.OTHER),
    _RoleRule(r"adjointe? (au directeur|a la directrice)", Role.OTHER),
    _RoleRule(r"(?<!en )(?<!la )chargee? (de |d')(la |l')?[a-z'-]+", Role.OTHER),
    _RoleRule(r"conseill(er|ere) en sejour", Role.OTHER),
    _RoleRule(r"conseill(er|ere)( en [a-z-]+)?", Role.OTHER, anywhere=False),
    _RoleRule(r"animat(eur|rice)( numerique| de reseau| de territoire| du territoire)?", Role.OTHER),
    _RoleRule(r"technicien(ne)?", Role.OTHER),
    _RoleRule(r"(agent|agente|hote|hotesse) d'? ?accueil", Role.OTHER),
    _RoleRule(r"stagiaire", Role.OTHER),
    _RoleRule(r"adjointe?", Role.OTHER, anywhere=False),
    # « je bosse à l'accueil de l'OT », « je bosse à la com »: a service, not the direction.
    _RoleRule(r"je (travaille|bosse|suis) (a|au|en|dans) (la |l'|l |le )?(accueil|com|communication|promo"
              r"|promotion|marketing|numerique|animation|reservation|boutique|billetterie|compta"
              r"|comptabilite|service)", Role.OTHER),
    _RoleRule(r"(a|de) l'accueil(?= (de l'|du |de la |d')(ot|oti|office|bit|bureau)\b)", Role.OTHER,
              anywhere=False),
    # « Jessica accueil OT Oloron », phone-typed: the front desk of an office.
    _RoleRule(r"(?<![a-z]')(?<!espace )(?<!point )accueil(?= (ot|oti|bit)\b)", Role.OTHER),
    # « je suis toujours à la direction de l'office »: its director.
    _RoleRule(r"(je suis|je travaille) (toujours |encore |donc )?a la direction( (de l'|du |de la |d')"
              r"(office|ot|oti|structure|pat|bureau))?(?! (adjointe|generale adjointe))", Role.DIRECTOR),
    # « en charge de la direction de l'office »: its director.
    _RoleRule(r"(en charge|chargee?) de la direction(?! (adjointe|generale adjointe))", Role.DIRECTOR),
    _RoleRule(r"(vice[- ])?presidente?", Role.OTHER, anywhere=False),
    _RoleRule(r"coordinat(eur|rice)", Role.OTHER),
    _RoleRule(r"assistante?( de direction)?", Role.OTHER, anywhere=False),
    _RoleRule(r"chef(fe)? de projets?", Role.OTHER),
    _RoleRule(
        r"(responsable|resp\.?) (de la |du |des |de l'|d')?(communication|com|accueil|promotion|marketing"
        r"|numerique|developpement|boutique|animation|qualite|partenariats?|observatoire"
        r"|administratif|administrative)",
        Role.OTHER,
    ),
    _RoleRule(r"responsable (du |de |d')(bureau|point|site|antenne|accueil)", Role.OTHER),
    _RoleRule(r"attachee? (de|a la) direction", Role.OTHER),
    _RoleRule(r"co-?(directeur|directrice)", Role.DIRECTOR),
    # The one who runs a small office: « gérante de l'office », « manager de l'OT ».
    _RoleRule(r"(gerante?|manager)(?= (de l'|de la |du |d')(office|ot|oti|structure|pat)\b)", Role.DIRECTOR),
    _RoleRule(r"directeur|directrice|dirlo", Role.DIRECTOR),
    _RoleRule(
        r"responsable (de l'office( de tourisme)?|de l'ot|de l'oti|d'office|de la structure|de structure"
        r"|du pat)",
        Role.DIRECTOR,
    ),
    _RoleRule(r"dir\.", Role.DIRECTOR, anywhere=False),
    # « dir de l'OT », « la dir de l OT », « DG de l'office »: short, but only before an office.
    _RoleRule(r"(dir|dg)\.?(?= (de l'? ?|de la |du |d'|de )?(ot|oti|office|structure|pat)\b)", Role.DIRECTOR),
    _RoleRule(r"dg", Role.DIRECTOR, anywhere=False),
    _RoleRule(r"direction", Role.DIRECTOR, anywhere=False),
)
_ROLE_PATTERNS = tuple(
    (re.compile(rf"(?<![\w-])(?:{rule.pattern})(?!\w)"), rule) for rule in _ROLE_RULES
)

# First-person statements introducing a role, and the filler words that may follow them.
_FIRST_PERSON = re.compile(
    r"(?<!\w)(je suis|j'en suis|chui|chuis|jsuis|j'suis|en tant que|en qualite de"
    r"|je travaille (comme|en tant que)"
    r"|j'occupe (le poste|la fonction|les fonctions) d[e']|j'exerce (le poste|la fonction"
    r"|les fonctions) d[e']|mon poste est|ma fonction est|mon poste :|ma fonction :)\s*"
)
_FILLER = re.compile(r"(actuellement |aujourd'hui |donc |aussi |egalement |bien |la |le |l'|un |une "
                     r"|nouvelle |nouveau |nouvel )*")
# An article or possessive just before a role: someone else's role (« notre directrice »).
_SOMEONE_ELSE = re.compile(
    r"(?<!\w)(notre|votre|ma|mon|sa|son|leur|le|la|au|du|des|aux|les|l'|nos|vos|ses)\s*$"
)
# What may precede a role that opens a line or a sentence: nothing, a bullet, a name and a
# separator, an article (« La Directrice » under a signature).
_LINE_OPENING = re.compile(r"(^|[|,–—:]|\s-|[.!?]\s)[\s*•·-]*$")
_LINE_ARTICLE = re.compile(r"^[\s*•·-]*(la|le|l')\s*$")


@dataclass(frozen=True)
class _RoleHit:
    start: int
    end: int
    rule: _RoleRule


def _role_matches(folded: str) -> list[_RoleHit]:
    """Role mentions in `folded`, earliest first, the longest one where two start together."""
    hits = [
        _RoleHit(m.start(), m.end(), rule)
        for pattern, rule in _ROLE_PATTERNS
        for m in pattern.finditer(folded)
    ]
    hits.sort(key=lambda hit: (hit.start, hit.start - hit.end))
    kept: list[_RoleHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def _role_at(folded: str, pos: int) -> _RoleHit | None:
    """The longest role mention starting exactly at `pos`."""
    hits = [
        _RoleHit(m.start(), m.end(), rule)
        for pattern, rule in _ROLE_PATTERNS
        if (m := pattern.match(folded, pos))
    ]
    return max(hits, key=lambda hit: hit.end - hit.start) if hits else None


#: A role denied: « même si je suis pas directeur », « je ne suis pas la directrice ».
_DENIED = re.compile(r"(?<!\w)(pas|plus|non|jamais)\s+((un|une|le|la|l')\s*)?$")


def _denied(doc: Doc, hit: _RoleHit) -> bool:
    return _DENIED.search(doc.scan[max(hit.start - 16, 0):hit.start]) is not None


def _first_person_role(doc: Doc) -> _RoleHit | None:
    for intro in _FIRST_PERSON.finditer(doc.scan):
        filler = _FILLER.match(doc.scan, intro.end())
        hit = _role_at(doc.scan, filler.end() if filler else intro.end())
        if hit and not _denied(doc, hit):
            return hit
    return None


def _someone_else(doc: Doc, hit: _RoleHit, me: frozenset[str] = frozenset()) -> bool:
    """Whether an article or a possessive makes the role someone else's (« notre directrice »),
    unless it follows the sender's own first name (« Marina, la dir de l'OT »)."""
    before = doc.scan[max(hit.start - 12, 0) : hit.start]
    if _SOMEONE_ELSE.search(before) is None:
        return False
    named = _NAMED.search(doc.scan, max(hit.start - 40, 0), hit.start)
    return named is None or named["who"] not in me


#: The sender naming herself right before her role: « Marina, la dir », « moi c'est Kevin, le ».
_NAMED = re.compile(r"(?:^|\n|[.!?]\s)\W*(?:moi c'est |c'est |ici )?(?P<who>[a-z][\w-]+)\s*,\s*"
                    r"(?:la|le|l')\s*$")


def _opens_line(doc: Doc, hit: _RoleHit, me: frozenset[str]) -> bool:
    line_start, line_end = line_bounds(doc.scan, hit.start)
    before = doc.scan[line_start : hit.start]
    if _LINE_ARTICLE.match(before):  # « La Directrice » alone on its line, under a signature
        return re.match(r"\s*([|–—,-]|$)", doc.scan[hit.end:line_end]) is not None
    return _LINE_OPENING.search(before) is not None and not _someone_else(doc, hit, me)


def _free_role(doc: Doc, me: frozenset[str]) -> _RoleHit | None:
    """A role opening a line (signature style), else one safe to take mid-sentence."""
    hits = [hit for hit in _role_matches(doc.scan) if not _denied(doc, hit)]
    for hit in hits:
        if _opens_line(doc, hit, me):
            return hit
    for hit in hits:
        if hit.rule.anywhere and not _someone_else(doc, hit, me):
            return hit
    return None


#: A role corrected in the same breath: « directrice adjointe, pardon, directrice ».
_ROLE_FIX = re.compile(r"[\s,]*(?:pardon|enfin|non|ou plutot|plutot|je veux dire|en fait|euh|oups)"
                       r"[\s,:]*(?:(?:la|le|l')\s*)?")


def _as_corrected(doc: Doc, hit: _RoleHit) -> _RoleHit:
    fix = _ROLE_FIX.match(doc.scan, hit.end)
    return (_role_at(doc.scan, fix.end()) or hit) if fix else hit


def _role(doc: Doc, me: frozenset[str] = frozenset()) -> tuple[Role | None, str | None]:
    """The sender's role: the form's line, else said in the first person (« je suis… », « je
    dirige l'office »), else a role opening a line or safe mid-sentence; `me`, the sender's
    first names (folded)."""
    value = doc.form.get("role")
    if value:
        hits = _role_matches(fold_aligned(value))
        if not hits:
            return Role.OTHER, value
        return hits[0].rule.role, value[hits[0].start : hits[0].end]
    hit = _first_person_role(doc)
    leads = _LEADS.search(doc.scan)  # « je dirige l’office… » says it without the word
    if hit is None and leads is not None:
        return Role.DIRECTOR, doc.original(*leads.span())
    hit = hit or _free_role(doc, me)
    if hit is None:
        return None, None
    hit = _as_corrected(doc, hit)
    return hit.rule.role, doc.original(hit.start, hit.end)


def role_in(text: str) -> tuple[Role | None, str | None]:
    """The first role a short text names (« notre directrice, Mme Laure Pécout »)."""
    hits = _role_matches(fold_aligned(text))
    return (hits[0].rule.role, text[hits[0].start:hits[0].end]) if hits else (None, None)


_LEADS = re.compile(r"(?<!\w)(je (co-?)?dirige|je pilote|j'assure la direction d[eu']"
                    r"|(c'est )?moi qui (co-?)?dirige|je suis a la tete d[eu'])\s*"
                    r"(l'|le |la |cet |cette |notre |un |une )?(petite? |modeste |jeune |toute petite )?"
                    r"(office|ot|oti|pat|structure|equipe|bureau)"
                    r"|(?<!\w)j'en (assure|ai) la direction"
                    # « l'OT que je dirige », « l'office du Ribéracois, je le dirige depuis 2019 »
                    r"|(office|ot|oti|pat|structure|equipe|bureau)\b[^.;!?\n]{0,80}(que je|je l[ae] |je l')"
                    r" ?(co-?)?dirige")


# --- Public API ------------------------------------------------------------------------------


def extract_profile(
    text: str, departments: Mapping[str, Department], fallback_name: str | None = None,
    signature: str = "",
) -> Profile:
    """What the message tells about its sender; None where it does not.

    `text` is what the sender wrote in this message (no quoted part); the signature adds who
    they are (name, office, role, department) but never a figure: a phone number, a postal code
    or an office's slogan is not an answer.
    """
    doc = Doc.of(f"{text}\n{signature}" if signature else text)
    numbers = numbers_doc(text)
    signed = numbers_doc(signature) if signature else None
    name = _name(doc, fallback_name)
    me = frozenset(fold(w) for w in (name or "").replace("-", " ").split())
    role, role_text = _role(doc, me)
    found, not_found = territories(doc)
    return Profile(
        name=name,
        structure=_structure(doc),
        role=role,
        role_text=role_text,
        department=department(doc, departments, (name,) if name else ()),
        fte=fte(numbers, signed),
        population=population(numbers, signed),
        territories=found,
        not_territories=not_found,
        scale=scale(doc),
    )
