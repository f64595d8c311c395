"""The sender's territories (rural, coastal…, or not) and scale, read from a message."""

from __future__ import annotations

import re

from ....model.values import Scale, Territory
from ..doc import Doc
from ..text import fold, fold_aligned

# --- Territories and scale -------------------------------------------------------------------

_TERRITORY_WORDINGS: tuple[tuple[Territory, str], ...] = (
    (Territory.RURAL,
     r"rura(l|le|les|ux)|ruralite|(en |pleine |la |de la |a la |100 ?% )campagne(?! (de|d'))"),
    (
        Territory.COASTAL,
        r"littora(l|le|les|ux)|cotier(e|s|es)?|bord de (la )?mer|(stations? )?balneaires?|front de mer"
        r"|(sur|de|a|face a|vers) (la |l')(mer|ocean)|(sur|de|a|vers) la cote"
        r"|(en |au )?bord (de la |du |de l')(mer|ocean)"
        r"|cote (atlantique|basque|landaise|charentaise|girondine|d'argent|de beaute|de lumiere)"
        r"|(l'|une |sur l'|sur une |notre |les )iles?(?! de france)|ile (de re|d'oleron|d'aix|madame)"
        r"|presqu'iles?|(bassin|ports?) ostreicoles?|seaside|(atlantic|the) coast",
    ),
    (Territory.MOUNTAIN, r"montagnes?|montagnarde?s?|stations? de ski|sports d'hiver"),
    (Territory.URBAN, r"urbaine?s?|(en |grande )ville(?![\w-])|metropole"),
)
_TERRITORY_PATTERNS = tuple(
    (territory, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"))
    for territory, pattern in _TERRITORY_WORDINGS
)
# Group names that say "rural" without telling anything about the sender's territory.
_GROUP_NAMES = re.compile(
    r"(?<!\w)(groupe (des |de travail )?)?((offices|ot) (de tourisme )?ruraux|groupe rural)(?!\w)"
    r"|(?<!\w)((groupe|gt|grp) (des |sur les )?|(aux|les) )ruraux(?!\w)"
)
_CLAUSE_CUT = re.compile(r"[.,;:!?()\n]|(?<!\w)(et|mais|plutot|donc|car)(?!\w)")
_NEGATION = re.compile(r"(?<!\w)(ni|pas|non|hors|sans|aucune?|jamais|loin|km|kilometres|minutes|heures?"
                       r"|\d+ ?h|\d+ ?min|a l'oppose|plutot que)(?!\w)")
#: Doubt is no denial: « je ne sais pas si le caractère montagne nous exclut ».
_DOUBT = re.compile(r"(?<!\w)(ne )?sais pas si|pas sure? que|je me demande si|ne suis pas sure?")
_YES_NO = re.compile(r"^\W*(oui|non)\b")
_TERRITORY_LABEL_PREFIX = re.compile(r"^(territoire|zone|secteur|station) (de |d')?")


#: A denial that tells the group's rule, not the member's territory: « le groupe n'est en principe
#: pas ouvert aux territoires de montagne ».
_THE_GROUPS_RULE = re.compile(r"(?<!\w)(groupe|gt|ouverte?|s'adresse|reservee?|criteres?|en principe|public"
                              r"|eligibles?)(?!\w)[^.;!?\n]*$")


def _negated(text: str, pos: int) -> bool:
    """True when a negation precedes `pos` in its clause (« ni littoral », « pas en montagne »)."""
    window = text[max(pos - 50, 0) : pos]
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(window)]
    clause = window[max(cuts, default=0) :]
    return _NEGATION.search(clause) is not None and not _DOUBT.search(clause)


def _form_territories(doc: Doc) -> tuple[set[Territory], set[Territory]]:
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


def territories(doc: Doc) -> tuple[frozenset[Territory], frozenset[Territory]]:
    scan = _GROUP_NAMES.sub(lambda m: " " * len(m[0]), doc.scan)
    said, denied = _form_territories(doc)
    for territory, pattern in _TERRITORY_PATTERNS:
        for m in pattern.finditer(scan):
            if not _negated(scan, m.start()):
                said.add(territory)
            elif not _THE_GROUPS_RULE.search(scan[max(m.start() - 80, 0):m.start()]):
                denied.add(territory)
    return frozenset(said - denied), frozenset(denied)


_SCALE_PATTERNS: tuple[tuple[Scale, re.Pattern[str]], ...] = (
    (
        Scale.INTERCOMMUNAL,
        re.compile(
            r"(?<![\w-])(intercommuna(l|le|les|ux)|interco|communautaires?|communaute (de communes"
            r"|d'agglomeration|urbaine)|com ?com|epci|cdc|oti|agglomeration|agglo|metropole"
            r"|cc(?= (de|du|des|d')))(?!\w)"
        ),
    ),
    # « depuis les dernières municipales »: the elections, not the office's scale
    (Scale.COMMUNAL, re.compile(r"(?<![\w-])(communa(l|le|les|ux)|municipa(l|le|les|ux))(?!\w)"
                                r"(?<!les municipales)(?<!des municipales)(?<!aux municipales)"
                                r"(?<!dernieres municipales)(?<!prochaines municipales)")),
)
#: An office that covers several communes works for them together (« 40 communes »).
_SEVERAL_COMMUNES = re.compile(r"(?<!\w)(\d{2,3}|une (dizaine|vingtaine|trentaine|quarantaine|cinquantaine"
                               r"|centaine)( de)?) communes(?!\w)")


def _first_scale(text: str) -> Scale | None:
    hits = sorted(
        (m.start(), scale)
        for scale, pattern in _SCALE_PATTERNS
        for m in pattern.finditer(text)
        if not _negated(text, m.start())
    )
    return hits[0][1] if hits else None


#: An intercommunality named as such: « Haute-Corrèze Communauté », « Grand Poitiers Communauté ».
_NAMED_COMMUNITY = re.compile(r"[A-ZÉÈ][\w'’-]+[ -]Communaut[ée](?![\w-])")


def scale(doc: Doc) -> Scale | None:
    value = doc.form.get("scale")
    found = _first_scale(fold_aligned(value)) if value else None
    if value and found is None:  # the form's answer cut short: « inter », « interco », « commune »
        short = fold_aligned(value).strip(" .!")
        found = (Scale.INTERCOMMUNAL if re.fullmatch(r"inter\w*", short)
                 else Scale.COMMUNAL if re.fullmatch(r"commun\w*|municipal\w*", short) else None)
    found = found or _first_scale(doc.scan)
    several = _SEVERAL_COMMUNES.search(doc.scan) or _NAMED_COMMUNITY.search(doc.text)
    return found or (Scale.INTERCOMMUNAL if several else None)


