"""A message as the extraction reads it: its text, an aligned fold of it, and its form lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .text import fold, fold_aligned


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each [start, end) span replaced by spaces, keeping its length."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


REACH = 200


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end offsets of the line holding `pos`, at most `REACH` characters away."""
    low, high = max(pos - REACH, 0), min(pos + REACH, len(text))
    start = text.rfind("\n", low, pos)
    end = text.find("\n", pos, high)
    return (low if start < 0 else start + 1), (high if end < 0 else end)


# --- Form lines ------------------------------------------------------------------------------

_FORM_LINE = re.compile(
    r"^[ \t>*•·\-–—]*+(?P<label>[^:\n]{1,90}?)[ \t*]*+:[ \t*]*+(?P<value>.*)$", re.M
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
        r"|collectivite|entite|office( de tourisme)?|ot)"
        r"|(office|ot) ?/ ?structure|structure ?/ ?(office|ot)",
    ),
    ("role", r"(votre |intitule (du |de )?)?(fonction|poste|role|qualite|metier)( occupee?| exercee?)?"),
    ("department", r"(votre |n° de |numero de |numero du |code )?(departement|dept\.?|dpt\.?)"),
    (
        "fte",
        r"(nombre |nb |nbre )?(d')?(etp|e\.t\.p\.?)( (de|dans|a) (la structure|l'equipe|l'office|votre \w+))?"
        r"|(nombre d')?equivalents? temps pleins?|effectif( en etp)?|taille de l'equipe"
        r"|nombre de salaries|(vos |votre )?effectifs?( en etp)?",
    ),
    (
        "population",
        r"(population|pop\.?|nombre d'habitants|habitants|taille)"
        r"( de la| de votre)?( commune la plus grande| plus grande commune| plus grosse commune"
        r"| ville[- ]centre| commune principale)?"
        r"|(population|nombre d'habitants) (de la|de votre|du|de) [a-z' -]{0,60}"
        r"|(la )?(commune la plus grande|plus grande commune|plus grosse commune|ville[- ]centre)"
        r"( population| nombre d'habitants)?"
        r"|(nombre|nb|nbre) d'habitants( de la| de votre)?( commune principale| ville principale)?"
        r"|(la )?(commune|ville) (la plus (peuplee|importante|grande|grosse)|principale)"
        r"( de (votre|ton|notre|du) territoire)?( nombre d'habitants| population)?",
    ),
    ("territory", r"(type|typologie) (de|du) territoire|(votre |ton )?territoire( est)?( plutot)?"),
    ("group", r"(le |votre )?(groupe|gt)( de travail)?( souhaite| choisi| demande| vise| retenu)?"
              r"|(votre )?choix( du groupe| de groupe)?"),
    ("scale", r"echelle( d'intervention| de la structure| de competence)?|perimetre"
              r"|(votre |ton )?(ot|office|structure) est-(il|elle) communale? ou intercommunale?"),
)
_FORM_KINDS = tuple((kind, re.compile(pattern)) for kind, pattern in _FORM_LABELS)
#: A label inside a line after another's answer (« Groupe : OT ruraux – Fonction : directrice »).
_INNER_LABEL = re.compile(r"(?<=[ \t–—|;,/•·«\"])(?:" + "|".join(p for _, p in _FORM_LABELS) + r")"
                          r"(?:[ \t]*\([^)\n]{0,60}\))?[ \t*]*:(?!\d)")
_VALUE_END = "|–—;,/ \t"

# A form value that tells nothing: empty, dots, dashes, underscores, "[à compléter]", "NC"...
_PLACEHOLDER = re.compile(
    r"^[\s.…_\-–—?x*/\[\]<>()]*$"
    r"|^[\s\[(<]*(a completer|a renseigner|non renseigne|non communique|n/?c|n/?a|tbd|xx+)"
    r"[\s\])>.…]*$"
)


@dataclass(frozen=True)
class Field:
    """One `Label : value` line: its folded label and its original value."""

    label: str
    value: str


def _label_kind(label: str) -> str | None:
    cleaned = " ".join(fold(_PARENTHESES.sub(" ", label)).strip(" *_?").split())
    for kind, pattern in _FORM_KINDS:
        if pattern.fullmatch(cleaned):
            return kind
    return None


_NEXT_LINE = re.compile(r"\n(?:[ \t]*\n)?[ \t]*(?P<value>[^\n]+)")


def _value_below(text: str, end: int) -> tuple[int, int] | None:
    """The span of the answer written under an empty form line, when the next line (a blank one
    aside) is no form line itself."""
    m = _NEXT_LINE.match(text, end)
    if m is None:
        return None
    label = _FORM_LINE.match(m["value"])
    if (label and _label_kind(label["label"])) or m["value"].lstrip().startswith(">"):
        return None
    return m.span("value")


#: A form's question without a colon, answered below (« > Votre OT est-il communal ou intercommunal ? »).
_ASKED = re.compile(r"^[ \t*•·\-–—]*(?P<label>[^:\n?]{3,80}?)[ \t]*\?[ \t]*(?P<value>)$")
#: The choices a form line offers, not an answer: « rural / littoral / montagne / urbain ? ».
_OPTIONS = re.compile(r"^[\w' -]+(?: ?/ ?[\w' -]+){2,}\s*\??$|^.*\?$")


def answered_form(text: str, quoted: bool = True) -> str:
    """The form lines a member answered inside the message they quote (« > Fonction :
    directrice », or « > Fonction : » with the answer typed unquoted on the line below), as plain
    « Label : value » lines; with `quoted` False, every answered form line of `text` (the
    member typed into our message, quoted without « > »)."""
    lines = one_field_a_line(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    answered = []
    for index, line in enumerate(lines):
        if quoted and not line.lstrip().startswith(">"):
            continue
        unquoted = re.sub(r"^\s*(?:>\s?)+", "", line)
        m = _FORM_LINE.match(unquoted) or _ASKED.match(unquoted)
        if m is None or _label_kind(m["label"]) is None:
            continue
        value = m["value"].strip()
        if _OPTIONS.match(fold(value)):  # « rural / littoral / montagne / urbain ? »: the choices
            value = ""
        below = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if not value and below and not lines[index + 1].lstrip().startswith(">"):
            value = below
        if value and not _is_placeholder(value):
            answered.append(f"{m['label'].strip()} : {value}")
    return "\n".join(answered)


def _is_placeholder(value: str) -> bool:
    return _PLACEHOLDER.match(fold(value)) is not None


# --- The analysed message --------------------------------------------------------------------


def one_field_a_line(text: str) -> str:
    """A form answered on one line (« Groupe : OT ruraux – Fonction : directrice – Département :
    23 ») with each label on its own line; same length, nothing else changed."""
    chars = list(text)
    folded = fold_aligned(text)
    for line in _FORM_LINE.finditer(text):
        inner = list(_INNER_LABEL.finditer(folded, line.start("value"), line.end()))
        # A line that opens with a label, or one that holds two after a few words of its own
        # (« Je copie le formulaire : « Groupe : OT ruraux – Nom : … »).
        if _label_kind(line["label"]) is not None or len(inner) >= 2:
            for label in inner:
                chars[label.start() - 1] = "\n"
    return "".join(chars)


@dataclass(frozen=True)
class Doc:
    """The text, its aligned fold, its form fields, and the fold with form labels masked."""

    text: str
    folded: str
    fields: tuple[Field, ...]
    form: Mapping[str, str]
    scan: str

    @classmethod
    def of(cls, text: str) -> Doc:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = one_field_a_line(text.replace("\u00a0", " ").replace("\u202f", " "))
        folded = fold_aligned(text)
        fields: list[Field] = []
        form: dict[str, str] = {}
        masked: list[tuple[int, int]] = []
        for match in _FORM_LINE.finditer(text):
            value = match["value"].strip().rstrip(_VALUE_END)
            kind = _label_kind(match["label"])
            below = _value_below(text, match.end()) if kind is not None and not value else None
            if below is not None:  # « Nombre d’ETP : » and the answer on the line below
                value = text[below[0]:below[1]].strip()
            fields.append(Field(fold(match["label"]), value))
            if kind is None:
                continue
            placeholder = _is_placeholder(value)
            masked.append((match.start(), match.end() if placeholder else match.start("value")))
            if not placeholder and kind not in form:
                form[kind] = value
        return cls(text, folded, tuple(fields), form, blanked(folded, masked))

    def original(self, start: int, end: int) -> str:
        return self.text[start:end]


