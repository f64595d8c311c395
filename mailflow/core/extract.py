"""What a French message tells about its sender (profile) and which groups it names."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from text_to_num import alpha2digit

from ..model import Department, Figure, Group, Profile, Role, Scale, Territory
from .figures import APPROX_WORD, NUMBER, number, reading
from .text import fold, is_closing_line

# --- Aligned folding -------------------------------------------------------------------------
#
# Free-text patterns run on a folded copy of the text that keeps one character per original
# character, so a match's span also slices the original (to keep the sender's casing).

_APOSTROPHE_LIKE = "’‘`´ʼ′"
_ASCII_FOLD = str.maketrans(
    {
        **{chr(c): chr(c).lower() for c in range(ord("A"), ord("Z") + 1)},
        "`": "'", "\t": " ", "\r": " ", "\v": " ", "\f": " ",
        "\x1c": " ", "\x1d": " ", "\x1e": " ", "\x1f": " ",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHE_LIKE:
        return "'"
    if ch in "\u2010\u2011":
        return "-"
    if ch == "\n":
        return ch
    if ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    if len(bare) == 1:
        return bare
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else ch


def _fold_aligned(text: str) -> str:
    """Folded text with exactly one character per character of `text` (newlines kept)."""
    if text.isascii():
        return text.translate(_ASCII_FOLD)
    return "".join(_fold_char(ch) for ch in text)


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each [start, end) span replaced by spaces, keeping its length."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


_REACH = 200


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end offsets of the line holding `pos`, at most `_REACH` characters away."""
    low, high = max(pos - _REACH, 0), min(pos + _REACH, len(text))
    start = text.rfind("\n", low, pos)
    end = text.find("\n", pos, high)
    return (low if start < 0 else start + 1), (high if end < 0 else end)


# --- Form lines ------------------------------------------------------------------------------

_FORM_LINE = re.compile(
    r"^[ \t>*•·\-–—]*+(?P<label>[^:\n]{1,60}?)[ \t*]*+:[ \t*]*+(?P<value>.*)$", re.M
)
_PARENTHESES = re.compile(r"\([^)]*\)")

# Field kind -> the labels it is written with (fullmatch on the folded label, no parentheses).
_FORM_LABELS: tuple[tuple[str, str], ...] = (
    ("first_name", r"(votre )?prenom"),
    (
        "name",
        r"(votre )?(nom|nom complet|identite|nom du candidat|nom de la candidate"
        r"|nom ?(et|&|/|-|,)? ?prenom|prenom ?(et|&|/|-|,)? ?nom|nom et prenom du candidat)",
    ),
    (
        "structure",
        r"(votre |nom de (la |votre |l')?)?(structure|organisme|etablissement|employeur"
        r"|collectivite|entite|office( de tourisme)?|ot)",
    ),
    ("role", r"(votre |intitule (du |de )?)?(fonction|poste|role|qualite|metier)"),
    ("department", r"(votre |n° de |numero de |numero du |code )?(departement|dept\.?|dpt\.?)"),
    (
        "fte",
        r"(nombre |nb |nbre )?(d')?(etp|e\.t\.p\.?)( de la structure| de l'equipe)?"
        r"|(nombre d')?equivalents? temps pleins?|effectif( en etp)?|taille de l'equipe"
        r"|nombre de salaries",
    ),
    (
        "population",
        r"(population|nombre d'habitants|habitants|taille)"
        r"( de la| de votre)?( commune la plus grande| plus grande commune| plus grosse commune"
        r"| ville[- ]centre| commune principale)?"
        r"|(la )?(commune la plus grande|plus grande commune|plus grosse commune|ville[- ]centre)"
        r"( population| nombre d'habitants)?",
    ),
    ("territory", r"(type|typologie) (de|du) territoire|territoire"),
    ("scale", r"echelle( d'intervention| de la structure| de competence)?|perimetre"),
)
_FORM_KINDS = tuple((kind, re.compile(pattern)) for kind, pattern in _FORM_LABELS)

# A form value that tells nothing: empty, dots, dashes, underscores, "[à compléter]", "NC"...
_PLACEHOLDER = re.compile(
    r"^[\s.…_\-–—?x*/\[\]<>()]*$"
    r"|^[\s\[(<]*(a completer|a renseigner|non renseigne|non communique|n/?c|n/?a|tbd|xx+)"
    r"[\s\])>.…]*$"
)


@dataclass(frozen=True)
class _Field:
    """One `Label : value` line: its folded label and its original value."""

    label: str
    value: str


def _label_kind(label: str) -> str | None:
    cleaned = fold(_PARENTHESES.sub(" ", label)).strip(" *_")
    for kind, pattern in _FORM_KINDS:
        if pattern.fullmatch(cleaned):
            return kind
    return None


def _is_placeholder(value: str) -> bool:
    return _PLACEHOLDER.match(fold(value)) is not None


# --- The analysed message --------------------------------------------------------------------


@dataclass(frozen=True)
class _Doc:
    """The text, its aligned fold, its form fields, and the fold with form labels masked."""

    text: str
    folded: str
    fields: tuple[_Field, ...]
    form: Mapping[str, str]
    scan: str

    @classmethod
    def of(cls, text: str) -> _Doc:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
        folded = _fold_aligned(text)
        fields: list[_Field] = []
        form: dict[str, str] = {}
        masked: list[tuple[int, int]] = []
        for match in _FORM_LINE.finditer(text):
            value = match["value"].strip()
            fields.append(_Field(fold(match["label"]), value))
            kind = _label_kind(match["label"])
            if kind is None:
                continue
            placeholder = _is_placeholder(value)
            masked.append((match.start(), match.end() if placeholder else match.start("value")))
            if not placeholder and kind not in form:
                form[kind] = value
        return cls(text, folded, tuple(fields), form, _blanked(folded, masked))

    def original(self, start: int, end: int) -> str:
        return self.text[start:end]


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
    return not _has_generic_word(line) and not _role_matches(_fold_aligned(line))


def _signature_name(doc: _Doc) -> str | None:
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


def _name(doc: _Doc, fallback_name: str | None) -> str | None:
    last, first = doc.form.get("name"), doc.form.get("first_name")
    found: str | None
    if last and first:
        found = last if fold(first) in fold(last) else f"{first} {last}"
    else:
        found = last or first or _clean_display_name(fallback_name) or _signature_name(doc)
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


def _structure_at(doc: _Doc, match: re.Match[str]) -> str | None:
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


def _structure(doc: _Doc) -> str | None:
    if "structure" in doc.form:
        return doc.form["structure"]
    for match in _STRUCTURE_HEAD.finditer(doc.scan):
        found = _structure_at(doc, match)
        if found:
            return found
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
    _RoleRule(r"(agent|agente|hote|hotesse) d'accueil", Role.OTHER),
    _RoleRule(r"stagiaire", Role.OTHER),
    _RoleRule(r"(vice[- ])?presidente?", Role.OTHER, anywhere=False),
    _RoleRule(r"coordinat(eur|rice)", Role.OTHER),
    _RoleRule(r"assistante?( de direction)?", Role.OTHER, anywhere=False),
    _RoleRule(r"chef(fe)? de projets?", Role.OTHER),
    _RoleRule(
        r"responsable (de la |du |des |de l'|d')?(communication|accueil|promotion|marketing"
        r"|numerique|developpement|boutique|animation|qualite|partenariats?|observatoire"
        r"|administratif|administrative)",
        Role.OTHER,
    ),
    _RoleRule(r"co-?(directeur|directrice)", Role.DIRECTOR),
    _RoleRule(r"directeur|directrice", Role.DIRECTOR),
    _RoleRule(
        r"responsable (de l'office( de tourisme)?|de l'ot|de l'oti|d'office|de la structure|du pat)",
        Role.DIRECTOR,
    ),
    _RoleRule(r"dir\.", Role.DIRECTOR, anywhere=False),
    _RoleRule(r"direction", Role.DIRECTOR, anywhere=False),
)
_ROLE_PATTERNS = tuple(
    (re.compile(rf"(?<![\w-])(?:{rule.pattern})(?!\w)"), rule) for rule in _ROLE_RULES
)

# First-person statements introducing a role, and the filler words that may follow them.
_FIRST_PERSON = re.compile(
    r"(?<!\w)(je suis|en tant que|en qualite de|je travaille (comme|en tant que)"
    r"|j'occupe (le poste|la fonction|les fonctions) d[e']|j'exerce (le poste|la fonction"
    r"|les fonctions) d[e']|mon poste est|ma fonction est|mon poste :|ma fonction :)\s*"
)
_FILLER = re.compile(r"(actuellement |aujourd'hui |la |le |l'|un |une |nouvelle |nouveau |nouvel )*")
# An article or possessive just before a role: someone else's role (« notre directrice »).
_SOMEONE_ELSE = re.compile(
    r"(?<!\w)(notre|votre|ma|mon|sa|son|leur|le|la|au|du|des|aux|les|l'|nos|vos|ses)\s*$"
)
# What may precede a role that opens a line: nothing, a bullet, or a name and a separator.
_LINE_OPENING = re.compile(r"(^|[|,–—:]|\s-)[\s*•·-]*$")


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


def _first_person_role(doc: _Doc) -> _RoleHit | None:
    for intro in _FIRST_PERSON.finditer(doc.scan):
        filler = _FILLER.match(doc.scan, intro.end())
        hit = _role_at(doc.scan, filler.end() if filler else intro.end())
        if hit:
            return hit
    return None


def _someone_else(doc: _Doc, hit: _RoleHit) -> bool:
    return _SOMEONE_ELSE.search(doc.scan[max(hit.start - 12, 0) : hit.start]) is not None


def _opens_line(doc: _Doc, hit: _RoleHit) -> bool:
    line_start, _ = _line_bounds(doc.scan, hit.start)
    before = doc.scan[line_start : hit.start]
    return _LINE_OPENING.search(before) is not None and not _someone_else(doc, hit)


def _free_role(doc: _Doc) -> _RoleHit | None:
    """A role opening a line (signature style), else one safe to take mid-sentence."""
    hits = _role_matches(doc.scan)
    for hit in hits:
        if _opens_line(doc, hit):
            return hit
    for hit in hits:
        if hit.rule.anywhere and not _someone_else(doc, hit):
            return hit
    return None


def _role(doc: _Doc) -> tuple[Role | None, str | None]:
    value = doc.form.get("role")
    if value:
        hits = _role_matches(_fold_aligned(value))
        if not hits:
            return Role.OTHER, value
        return hits[0].rule.role, value[hits[0].start : hits[0].end]
    hit = _first_person_role(doc) or _free_role(doc)
    if hit is None:
        leads = _LEADS.search(doc.scan)  # « je dirige l’office… » says it without the word
        return (Role.DIRECTOR, doc.original(*leads.span())) if leads else (None, None)
    return hit.rule.role, doc.original(hit.start, hit.end)


_LEADS = re.compile(r"(?<!\w)(je dirige|j'assure la direction d[eu']|je suis a la tete d[eu'])\s*"
                    r"(l'|le |la |cet |cette )?(office|ot|oti|pat|structure|equipe|bureau)")


# --- Department ------------------------------------------------------------------------------

# Abbreviations people write, keyed by the folded department name.
_DEPARTMENT_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = {
    "pyrenees-atlantiques": (r"pyr\.? ?-? ?atl\.?", r"pyrenees[- ]atl\.?", r"pyr\.? atlantiques"),
    "charente-maritime": (r"charente[- ]mar\.", r"char\.? ?-? ?mar\.?"),
    "haute-vienne": (r"hte\.?[- ]vienne",),
    "lot-et-garonne": (r"lot ?& ?garonne",),
}
# Department names that are also ordinary words: only taken when capitalized.
_ORDINARY_WORD_NAMES = frozenset({"creuse", "landes", "vienne", "charente"})
_BOUNDED = r"(?<![\w-])(?:{})(?![\w-])"

_CODE_IN_TEXT = re.compile(
    r"\((?P<code>\d{2})\)"
    r"|(?<!\w)(?:dans le|departement(?: du| :)?|dept\.?|dpt\.?)\s*(?P<code2>\d{2})(?!\d)"
)
_POSTAL_CODE = re.compile(r"(?<![\w+.,/])(?P<code>\d{5})(?!\d)[ \t]+(?P<next>[^\W\d_][\w'-]*)")
_NOT_A_TOWN = frozenset(
    (
        "habitants", "habitant", "hab", "etp", "euros", "eur", "personnes", "visiteurs",
        "nuitees", "salaries", "km",
    )
)  # fmt: skip
# A department name right after these words is a river (« Vallée de la Dordogne »): it only
# counts when no postal code tells the department.
_RIVER_CONTEXT = re.compile(
    r"(?<!\w)(vallee|val|rives?|bords?|berges|gorges|estuaire|sources?|confluence)"
    r" (de la |de l'|du |des |de |d')?$"
)
_NOT_AN_ADDRESS_LINE = re.compile(r"siret|siren|tel|fax|portable|mobile|iban|rib|tva|ape|naf")


@dataclass(frozen=True)
class _DepartmentName:
    code: str
    pattern: re.Pattern[str]
    ordinary_word: bool


def _department_names(departments: Mapping[str, Department]) -> list[_DepartmentName]:
    names = []
    for code, department in departments.items():
        folded = fold(department.name)
        spelled = r"[- ]?".join(re.escape(part) for part in re.split(r"[- ]+", folded))
        alternatives = (spelled, *_DEPARTMENT_ABBREVIATIONS.get(folded, ()))
        pattern = re.compile(_BOUNDED.format("|".join(alternatives)))
        names.append(_DepartmentName(code, pattern, folded in _ORDINARY_WORD_NAMES))
    return names


def _named_departments(
    text: str, folded: str, departments: Mapping[str, Department], *, any_case: bool
) -> list[tuple[str, bool]]:
    """(code, is a river) of department names and explicit codes, in order, longest first."""
    found: list[tuple[int, int, str, bool]] = []
    for name in _department_names(departments):
        for m in name.pattern.finditer(folded):
            if any_case or not name.ordinary_word or text[m.start()].isupper():
                river = _RIVER_CONTEXT.search(folded, max(m.start() - 30, 0), m.start())
                found.append((m.start(), m.start() - m.end(), name.code, river is not None))
    for m in _CODE_IN_TEXT.finditer(folded):
        code = m["code"] or m["code2"]
        if code in departments:
            found.append((m.start(), 0, code, False))
    return [(code, river) for _, _, code, river in sorted(found)]


def _postal_department(doc: _Doc, departments: Mapping[str, Department]) -> str | None:
    for m in _POSTAL_CODE.finditer(doc.scan):
        line_start, line_end = _line_bounds(doc.scan, m.start())
        if _NOT_AN_ADDRESS_LINE.search(doc.scan[line_start:line_end]):
            continue
        if not doc.text[m.start("next")].isupper() or m["next"] in _NOT_A_TOWN:
            continue
        if m["code"][:2] in departments:
            return m["code"][:2]
    return None


def _department(doc: _Doc, departments: Mapping[str, Department]) -> str | None:
    value = doc.form.get("department")
    if value:
        code = re.search(r"(?<!\d)(\d{2})(?!\d)", value)
        if code and code[1] in departments:
            return code[1]
        named = _named_departments(value, _fold_aligned(value), departments, any_case=True)
        if named:
            return named[0][0]
    named = _named_departments(doc.text, doc.scan, departments, any_case=False)
    explicit = [code for code, river in named if not river]
    rivers = [code for code, river in named if river]
    return next(iter(explicit), None) or _postal_department(doc, departments) or next(iter(rivers), None)


# --- Figures: team size and population ------------------------------------------------------
#
# Read from the body only (never the signature, nor the quoted part, which the body no longer
# holds), on a copy whose numbers in words are digits (text2num); each figure keeps the words
# around it that make it a range: « environ », « moins de », « une dizaine », « exactement »…

_QTY = (rf"(?P<q>{APPROX_WORD}|(?:entre\s+)?{NUMBER}\s*(?:et|a|-)\s*{NUMBER}(?=\s*[a-z])"
        rf"|(?<![\w.,-]){NUMBER})")
_ETP = r"(?:etp|e\.t\.p\.?|equivalents?[- ]temps[- ]pleins?)"
_HEADCOUNT = r"(?:salaries?|salariees?|agents|employes|collaborat(?:eurs|rices)|permanents|personnes)"
_FTE_PATTERNS = (
    re.compile(rf"{_QTY}\s*{_ETP}(?!\w)"),
    re.compile(rf"(?<!\w){_ETP}\s*(?:de|:|=)?\s*{_QTY}(?![\w-])"),
    # « moins de 10 ETP, 8 exactement »: the exact figure said right after the unit.
    re.compile(rf"(?<!\w){_ETP}\s*[,(;:-]\s*(?:soit |en fait |plus precisement |dont )?"
               rf"(?P<q>{NUMBER})\s+(?=exactement|precisement|pile|tout rond)"),
)
# « 2 temps pleins et un mi-temps »: whole posts plus half posts.
_POSTS = re.compile(rf"(?:(?P<q>{NUMBER}|un|une)\s+(?:postes?\s+(?:a|en)\s+)?temps\s+pleins?)"
                    rf"(?:\s*(?:et|\+|,)\s*(?P<half>{NUMBER}|un|une)\s+mi-?temps)?")
_HEADCOUNT_PATTERNS = (
    re.compile(rf"(?:equipe|effectif) (?:de |d')?{_QTY} (?:{_HEADCOUNT})"),
    re.compile(rf"{_QTY} {_HEADCOUNT}(?!\w)"),
    re.compile(rf"nous sommes {_QTY}(?: dans l'equipe| a l'office|(?=[ ,.]))(?! ?habitant)"),
)
_POPULATION = re.compile(rf"{_QTY}\s*(?:habitants?|hab\b\.?)")
_HEADCOUNT_LABEL = re.compile(r"salari|effectif|equipe|personnes")
#: No office has more people than this: a larger number next to « ETP » is a year or a count of
#: something else (« ETP 2025 : 8 », « nous sommes 12 000 habitants »).
MAX_FTE = 200


def _numbers_doc(text: str) -> _Doc:
    """The text with numbers in words as digits (« douze mille cinq cents » → 12500)."""
    try:
        converted = alpha2digit(text, "fr", threshold=1.5)  # « un » stays an article
    except Exception:  # a library failure must not lose the message's other facts
        converted = text
    return _Doc.of(converted)


def _reading(doc: _Doc, start: int, end: int, span_end: int | None = None) -> Figure:
    """The figure at [start, end) of the scan, with the member's words from its qualifier (the
    « environ » or « moins de » before it) to the end of its unit."""
    line_start = doc.scan.rfind("\n", 0, start) + 1
    before = doc.scan[max(line_start, start - 60):start]
    after = doc.scan[end:end + 30].split("\n", 1)[0]
    figure, used = reading(before, doc.scan[start:end], after)
    said = " ".join(doc.original(start - used, span_end or end).split())
    return replace(figure, said=said)


def _headcount_bound(figure: Figure) -> Figure:
    """A team of N people works at most N full-time equivalents."""
    return Figure(0.0, figure.high, True, figure.high_open, figure.said)


def _narrowed(figures: list[Figure]) -> Figure | None:
    found: Figure | None = None
    for figure in figures:
        found = figure if found is None else found.narrowed(figure)
    return found


def _posts(doc: _Doc) -> list[Figure]:
    found = []
    for m in _POSTS.finditer(doc.scan):
        whole = 1.0 if m["q"] in ("un", "une") else number(m["q"])
        half = m["half"]
        halves = 0.0 if half is None else (1.0 if half in ("un", "une") else number(half))
        said = " ".join(doc.original(m.start(), m.end()).split())
        found.append(Figure.exact(whole + 0.5 * halves, said))
    return found


def _fte(doc: _Doc) -> Figure | None:
    value = doc.form.get("fte")
    if value:
        line = _Doc.of(value)
        m = re.search(_QTY, line.scan)
        if m is None:
            return None
        figure = _reading(line, m.start("q"), m.end("q"), len(value))
        label = next((f.label for f in doc.fields if f.value == value), "")
        return _headcount_bound(figure) if _HEADCOUNT_LABEL.search(label) else figure
    hits = sorted({(m.start("q"), m.end("q"), m.end()) for pattern in _FTE_PATTERNS
                   for m in pattern.finditer(doc.scan)})
    stated = [f for f in (_reading(doc, start, end, whole) for start, end, whole in hits)
              if f.low <= MAX_FTE] + _posts(doc)
    if stated:
        return _narrowed(stated)
    spans: dict[tuple[int, int], int] = {}
    for pattern in _HEADCOUNT_PATTERNS:
        for m in pattern.finditer(doc.scan):  # the same figure seen twice: with its unit, longest
            spans[m.start("q"), m.end("q")] = max(spans.get((m.start("q"), m.end("q")), 0), m.end())
    heads = sorted((start, end, whole) for (start, end), whole in spans.items())
    # Several headcounts (« 3 agents à l'accueil et 11 personnes au total »): the largest bounds.
    counts = [f for f in (_reading(doc, start, end, whole) for start, end, whole in heads)
              if f.low <= MAX_FTE]
    return _headcount_bound(max(counts, key=lambda f: f.high)) if counts else None


# Every "N habitants" figure is classed by the words closest to it in its sentence: the largest
# town (taken first), the whole territory (never taken as the town's population), or neutral
# (taken when no town figure is given). A territory figure alone gives None.

# Sentences end at punctuation or a blank line (plain text mail is hard-wrapped).
_SENTENCE_END = re.compile(r"[!?;]|\.(?!\d)|\n[ \t]*\n")
_TOWN_WORDS = re.compile(
    r"plus (grande|grosse|importante|peuplee) (commune|ville)"
    r"|(commune|ville) la plus (grande|grosse|importante|peuplee)"
    r"|(ville|commune|bourg)[- ]centre|(ville|commune) principale|ville[- ]siege"
    r"|(la|notre) plus (grande|grosse|importante|peuplee)(,| compte| a | avec| :| regroupe)"
)
_TERRITORY_WORDS = re.compile(
    r"territoire|communaute (de communes|d'agglomeration|urbaine)|intercommunalite|(?<!\w)epci"
    r"|agglomeration|(?<!\w)cdc(?!\w)|(?<!\w)communes(?!\w)|bassin|destination|departement"
    r"|(?<!\w)pays(?!\w)|au total|en tout|population totale|perimetre"
)
_WEAK_TOWN_WORDS = re.compile(r"(?<!\w)(commune|ville|bourg)(?!\w)")


def _classify(before: str, after: str) -> str:
    """ "town", "territory" or "neutral" for a figure, from the words either side of it."""
    for text in (before, after):
        if _TOWN_WORDS.search(text):
            return "town"
        if _TERRITORY_WORDS.search(text):
            return "territory"
        if _WEAK_TOWN_WORDS.search(text):
            return "town"
    return "neutral"


def _figures(doc: _Doc) -> Iterator[tuple[str, Figure]]:
    """(class, figure) of each population figure in the text."""
    text = doc.scan
    matches = list(_POPULATION.finditer(text))
    stops = [(e.start(), e.end()) for e in _SENTENCE_END.finditer(text)]
    starts, ends = [start for start, _ in stops], [end for _, end in stops]
    for i, m in enumerate(matches):
        before = bisect.bisect_right(ends, m.start())
        after = bisect.bisect_left(starts, m.end())
        start = max(
            ends[before - 1] if before else 0,
            matches[i - 1].end() if i else 0,
            m.start() - _REACH,
        )
        end = min(
            starts[after] if after < len(starts) else len(text),
            matches[i + 1].start() if i + 1 < len(matches) else len(text),
            m.end() + _REACH,
        )
        kind = _classify(text[start : m.start()], text[m.end() : end])
        yield kind, _reading(doc, m.start("q"), m.end("q"), m.end())


def _population(doc: _Doc) -> Figure | None:
    value = doc.form.get("population")
    if value:
        line = _Doc.of(value)
        kinds = [kind for kind, _ in _figures(line)]
        m = re.search(_QTY, line.scan)
        if m and "territory" not in kinds:
            return _reading(line, m.start("q"), m.end("q"), len(value))
    figures = list(_figures(doc))
    for wanted in ("town", "neutral"):
        for kind, figure in figures:
            if kind == wanted:
                return figure
    return None


# --- Territories and scale -------------------------------------------------------------------

_TERRITORY_WORDINGS: tuple[tuple[Territory, str], ...] = (
    (Territory.RURAL, r"rura(l|le|les|ux)"),
    (
        Territory.COASTAL,
        r"littora(l|le|les|ux)|cotier(e|s|es)?|bord de (la )?mer|(stations? )?balneaires?"
        r"|front de mer",
    ),
    (Territory.MOUNTAIN, r"montagnes?|montagnarde?s?|stations? de ski|sports d'hiver"),
    (Territory.URBAN, r"urbaine?s?"),
)
_TERRITORY_PATTERNS = tuple(
    (territory, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"))
    for territory, pattern in _TERRITORY_WORDINGS
)
# Group names that say "rural" without telling anything about the sender's territory.
_GROUP_NAMES = re.compile(
    r"(?<!\w)(groupe (des |de travail )?)?((offices|ot) (de tourisme )?ruraux|groupe rural)(?!\w)"
)
_CLAUSE_CUT = re.compile(r"[.,;:!?()\n]|(?<!\w)(et|mais|plutot|donc|car)(?!\w)")
_NEGATION = re.compile(r"(?<!\w)(ni|pas|non|hors|sans|aucune?|jamais|loin)(?!\w)")
_YES_NO = re.compile(r"^\W*(oui|non)\b")
_TERRITORY_LABEL_PREFIX = re.compile(r"^(territoire|zone|secteur|station) (de |d')?")


def _negated(text: str, pos: int) -> bool:
    """True when a negation precedes `pos` in its clause (« ni littoral », « pas en montagne »)."""
    window = text[max(pos - 50, 0) : pos]
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(window)]
    return _NEGATION.search(window[max(cuts, default=0) :]) is not None


def _form_territories(doc: _Doc) -> tuple[set[Territory], set[Territory]]:
    """Yes/no form lines such as `Littoral : non` or `Zone de montagne : oui`."""
    said: set[Territory] = set()
    denied: set[Territory] = set()
    for field in doc.fields:
        answer = _YES_NO.match(fold(field.value))
        label = _TERRITORY_LABEL_PREFIX.sub("", field.label)
        for territory, pattern in _TERRITORY_PATTERNS:
            if answer and pattern.fullmatch(label):
                (said if answer[1] == "oui" else denied).add(territory)
    return said, denied


def _territories(doc: _Doc) -> tuple[frozenset[Territory], frozenset[Territory]]:
    scan = _GROUP_NAMES.sub(lambda m: " " * len(m[0]), doc.scan)
    said, denied = _form_territories(doc)
    for territory, pattern in _TERRITORY_PATTERNS:
        for m in pattern.finditer(scan):
            (denied if _negated(scan, m.start()) else said).add(territory)
    return frozenset(said - denied), frozenset(denied)


_SCALE_PATTERNS: tuple[tuple[Scale, re.Pattern[str]], ...] = (
    (
        Scale.INTERCOMMUNAL,
        re.compile(
            r"(?<![\w-])(intercommuna(l|le|les|ux)|communautaires?|communaute (de communes"
            r"|d'agglomeration|urbaine)|epci|cdc|oti)(?!\w)"
        ),
    ),
    (Scale.COMMUNAL, re.compile(r"(?<![\w-])(communa(l|le|les|ux)|municipa(l|le|les|ux))(?!\w)")),
)


def _first_scale(text: str) -> Scale | None:
    hits = sorted(
        (m.start(), scale)
        for scale, pattern in _SCALE_PATTERNS
        for m in pattern.finditer(text)
        if not _negated(text, m.start())
    )
    return hits[0][1] if hits else None


def _scale(doc: _Doc) -> Scale | None:
    value = doc.form.get("scale")
    found = _first_scale(_fold_aligned(value)) if value else None
    return found or _first_scale(doc.scan)


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
    doc = _Doc.of(f"{text}\n{signature}" if signature else text)
    numbers = _numbers_doc(text)
    role, role_text = _role(doc)
    territories, not_territories = _territories(doc)
    return Profile(
        name=_name(doc, fallback_name),
        structure=_structure(doc),
        role=role,
        role_text=role_text,
        department=_department(doc, departments),
        fte=_fte(numbers),
        population=_population(numbers),
        territories=territories,
        not_territories=not_territories,
        scale=_scale(doc),
    )


_NON_WORD = re.compile(r"\W+")


def _words(text: str) -> str:
    """Folded text with punctuation, quotes, hyphens and apostrophes as single spaces."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _needles(group: Group) -> tuple[str, ...]:
    names = (group.id, group.title, *group.aliases)
    return tuple(dict.fromkeys(w for w in map(_words, names) if w))


def _positions(text: str, groups: Mapping[str, Group]) -> list[tuple[int, str]]:
    """(first position, group id) of every group `text` names, in order of position."""
    haystack = f" {_words(text)} "
    found = []
    for group_id, group in groups.items():
        spots = [haystack.find(f" {needle} ") for needle in _needles(group)]
        spots = [spot for spot in spots if spot >= 0]
        if spots:
            found.append((min(spots), group_id))
    return sorted(found)


def match_groups(subject: str, body: str, groups: Mapping[str, Group]) -> tuple[str, ...]:
    """Ids of the groups the message names: subject matches first, then body, no duplicates."""
    ordered = [gid for _, gid in _positions(subject, groups) + _positions(body, groups)]
    return tuple(dict.fromkeys(ordered))
