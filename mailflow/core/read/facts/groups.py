"""Which group a member applies to, as people name it: by a name or an alias, in the sentence
that applies rather than one about a colleague's choice or a group that does not fit, by its rank
in the newsletter they answer (« le deuxième groupe »), or by what it is about."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ....model.values import Group
from ..text import fold

# --- Applying -----------------------------------------------------------------------------------

#: The words of applying, in a sentence that asks nothing.
CANDIDATURE = re.compile(
    r"\b(candidat\w*|inscri\w*|participer|faire partie|rejoindre|interesse\w*|postuler"
    r"|je postule|m'engage\w*|integrer|souhaiterai\w* (en )?etre|je suis partant\w*|partante? pour)"
)
#: Saying it in the first person is applying, even inside a question (« je souhaite candidater,
#: est-ce encore possible ? », « pourriez-vous m'inscrire au groupe… ? »); the words alone in a
#: question are only asking about it.
APPLYING = re.compile(
    r"\b(je (me )?(souhaite|souhaiterais|voudrais|veux|aimerais|desire|propose)\w* (vivement |beaucoup "
    r"|bien |donc |moi aussi |aussi |egalement |beaucoup )?(candidater|participer|m'? ?inscrire|rejoindre"
    r"|faire partie|integrer|poser ma candidature|me porter candidat\w*|r?entrer|etre (dans|membre|de|du)"
    r"|prendre part|en etre|m'y inscrire|y participer|m'engager)|je candidate|je me porte candidat\w*"
    r"|je suis (donc |aussi |egalement )?candidate?\b"
    r"|je postule|ma candidature|je vous adresse ma|je (vous |te )?confirme (mon|notre) (interet|souhait"
    r"|envie"
    r"|inscription)"
    r"|(ca|cela) m'interesse|je tente ma chance|je suis preneu(r|se)\b|(c'? ?est )?(ok|bon|d'accord) (pour"
    r"|pr) moi (pour|pr)? ?"
    r"(le|l'|un) (groupe|gt|grp)\b|c'? ?est (pour|pr) (le|l'|un) (groupe|gt|grp)\b"
    r"|(pourriez|pouvez|pourrez|pourrais|peux)[- ](vous|vs|tu) m'? ?(ajouter|mettre|compter|rajouter)"
    r"|(vous|vs|tu) (pouvez|pourriez|pourrez|peux|pourrais) m'? ?(ajouter|mettre|compter|rajouter)"
    r"|merci de m'? ?(ajouter|rajouter|compter)|je m'? ?inscris|je suis (tres |vivement )?"
    r"interesse\w*|je serais (tres |vivement )?interesse\w*|je suis partant\w*|je me lance"
    r"|(pourriez|pouvez|pourrez|pourrais|peux)[- ](vous|vs|tu) m'? ?inscrire|merci de m'? ?inscrire"
    r"|(vous|vs|tu) (pouvez|pourriez|pourrez|peux|pourrais) m'? ?inscrire"
    r"|(inscrivez|inscris|ajoutez|ajoute|mettez|mets|comptez)[- ]moi\b"
    r"|(est-ce que je peux|puis-je|je peux|je pourrais|pourrais-je) (m'? ?inscrire|candidater|participer"
    r"|rejoindre"
    r"|r?entrer|integrer|faire partie|en etre)"
    r"|possible de m'? ?inscrire"
    r"|je (prefere|choisis|opte pour|retiens)( finalement| plutot| donc)? (le groupe|le gt|celui|les ruraux)"
    r"|inscription (au|pour le|dans le) (groupe|gt)|candidature\b.*\bgroupe)"
)


#: « groupe ruraux svp », phone-typed: a group asked for, unless what is asked is information.
_PLEASE = re.compile(r"\b(groupe|gt|grp)\b[^.?!\n]{0,40}\b(svp|stp|s'il vous plait|s'il te plait)\b")
_INFORMATION = re.compile(r"\b(info\w*|renseignement\w*|programme|dates?|details?|precisions?|envoyer"
                          r"|savoir|connaitre|quand|comment|combien|liste|lien)\b")


#: An earlier candidature corrected: « Correction de mon mail précédent : … groupe rôle de l'OT ».
_CORRECTS = re.compile(r"\b(erratum|correction|rectificatif|rectification|je rectifie|je corrige)\b.*"
                       r"\b(groupe|gt)\b")


def applies(said: str, asks: bool) -> bool:
    """Whether a member's words (folded, subject included) apply to a group: in the first person,
    even in a question; with the words of applying, a group asked for « svp », or a candidature
    corrected, in a message that asks nothing."""
    if APPLYING.search(said):
        return True
    please = any(not _INFORMATION.search(part) for part in re.split(r"[.!?]", said) if _PLEASE.search(part))
    return not asks and bool(CANDIDATURE.search(said) or please or _CORRECTS.search(said))


# --- Groups named -----------------------------------------------------------------------------

_NON_WORD = re.compile(r"\W+")


def _words(text: str) -> str:
    """Folded text with punctuation, quotes, hyphens and apostrophes as single spaces."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _needles(group: Group) -> tuple[str, ...]:
    names = (group.id, group.title, *group.aliases)
    return tuple(dict.fromkeys(w for w in map(_words, names) if w))


def _mentions(text: str, groups: Mapping[str, Group]) -> list[tuple[int, str]]:
    """(position in the words of `text`, group id) of every group the text names, in order: by
    a name in full, or by one of its words right after « groupe » (« le groupe élus », « GT
    rôle », « le groupe de travail sur l'accompagnement »)."""
    words = _words(text)
    haystack = f" {words} "
    found = set()
    for group_id, group in groups.items():
        for needle in _needles(group):
            at = haystack.find(f" {needle} ")
            while at >= 0:
                found.add((at, group_id))
                at = haystack.find(f" {needle} ", at + 1)
    return sorted(found | _introduced(words, groups))


_INTRODUCER = re.compile(r"(?<!\w)(groupes?|gt)((?: [a-z']+){0,5})")


def _introduced(words: str, groups: Mapping[str, Group]) -> set[tuple[int, str]]:
    """Groups named by one of their words within five words after « groupe » or « GT », when
    that word is one group's only; at that word."""
    keys = {gid: _keys(group) for gid, group in groups.items()}
    found = set()
    for m in _INTRODUCER.finditer(words):
        named: dict[str, int] = {}
        for word in re.finditer(r"[a-z']+", m[2]):
            for gid, own in keys.items():
                if _is_key(word[0], own):
                    named.setdefault(gid, m.start(2) + word.start())
        if len(named) == 1:
            found.add(next((at, gid) for gid, at in named.items()))
    return found


def _is_key(word: str, keys: set[str]) -> bool:
    """Whether a word is one of a group's words (« ruralité » for « rural », « élus » for « élu »)."""
    if word in _STOP or len(word) < 3:
        return False
    return any(word.startswith(k) if len(k) >= 3 else word == k for k in keys) or _key(word) in keys


def match_groups(subject: str, body: str, groups: Mapping[str, Group]) -> tuple[str, ...]:
    """Ids of the groups the message names: subject matches first, then body, no duplicates."""
    ordered = [gid for _, gid in _mentions(subject, groups) + _mentions(body, groups)]
    return tuple(dict.fromkeys(ordered))


# --- The group the member applies to ------------------------------------------------------------

#: A sentence about someone else's choice: « mon directeur va vous écrire pour le groupe… »,
#: « mon collègue s'est inscrit de son côté… ».
_SOMEONE_ELSE = re.compile(
    r"(?<!\w)((mon|ma|notre) (directeur|directrice|collegue|homologue|president|presidente|responsable"
    r"|adjointe?|voisine?)|de son cote|(il|elle) (s'est|va|a|vient)|s'est inscrite?|se sont inscrit"
    r"|s'inscrivait|vous a ecrit|va vous ecrire|vous ecrira|(moi|je me suis) (je )?(suis )?inscrite?)(?!\w)"
)
#: A group that does not fit, said as such: « pour les ruraux, on n'est pas dans les clous ».
_DECLINED = re.compile(
    r"(?<!\w)(pas dans les clous|pas pour nous|aurais pu|aurions pu|ne correspond pas|hors criteres"
    r"|pas eligibles?|ne (rentre|rentrons|rentrez) pas|pas concernee?s?|pas de groupe)(?!\w)"
)
#: Words that register someone: the sentence applies for them.
_REGISTERS = re.compile(r"(?<!\w)(j'inscris|je vous inscris|inscrire (ma|mon|notre)|sa candidature"
                        r"|candidature de (notre|ma|mon)|viendra a ma place|ira a ma place|transmets"
                        r"|(elle|il) (souhaite|souhaiterait|voudrait|aimerait|veut) (s'inscrire|candidater"
                        r"|participer|rejoindre))")
_SENTENCE = re.compile(r"[^.!?;\n]+(?:[.!?;]+|\n|$)")


def _score(sentence: str) -> int:
    """+2 for a sentence that applies or registers, -3 for one about another's choice or a group
    that does not fit, 0 otherwise."""
    folded = fold(sentence)
    if _DECLINED.search(folded):
        return -3
    if APPLYING.search(folded) or _REGISTERS.search(folded):
        return 2
    return -3 if _SOMEONE_ELSE.search(folded) else 0


#: Words that correct what came before: « Ah non pardon, je me suis trompée : c'est le groupe… ».
_FIXES = re.compile(r"(?<!\w)(pardon|je me suis trompee?|je me suis plantee?|erreur|erratum|je voulais dire"
                    r"|en fait|finalement|je rectifie|je corrige|ah non|oups|au temps pour moi|c est bien"
                    r"|c est plutot|je veux dire|en realite|enfin non|non non|non pardon|pardon non)(?!\w)")
#: Just before a group the member turns away from: « pas celui des porteurs », « plutôt que… ».
_NOT_THIS = re.compile(r"(?<!\w)(pas( a| dans)?( celui| celle| le| au| aux| les)?"
                       r"|et non( pas)?( le| au| aux| celui)?|plutot que?( le| celui| au| aux| a)?"
                       r"|au lieu (du|de celui|de))"
                       r" (?:(?:des|du|de|d|groupe|gt|dans|le) )*$")
#: Just before a group the member says they named before: « j'ai indiqué le groupe rôle de l'OT ».
_NAMED_BEFORE = re.compile(r"(?<!\w)(j ai|j avais)( \w+){0,2} (indique|ecrit|mis|coche|choisi|note|mentionne"
                           r"|demande|selectionne|pense|hesite|envisage)( \w+){0,5} ?$")


def _mention_score(words: str, at: int, base: int) -> int:
    """A group named at `at` of a sentence's words: turned away from (-3), named before and
    corrected (-2), named after a correction (above any other), else its sentence's score."""
    before = words[:at]
    if _NOT_THIS.search(before):
        return -3
    if _NAMED_BEFORE.search(before):
        return -2
    return max(base, 2) + 1 if base >= 0 and _FIXES.search(before) else base


def _by_sentence(text: str, groups: Mapping[str, Group]) -> dict[str, int]:
    """Each group the text names, with the best score of the places that name it."""
    scores: dict[str, int] = {}
    for m in _SENTENCE.finditer(text):
        base, words = _score(m[0]), _words(m[0])
        for at, gid in _mentions(m[0], groups):
            scores[gid] = max(scores.get(gid, -9), _mention_score(words, at, base))
    return scores


def _best(scores: dict[str, int]) -> tuple[str | None, tuple[str, ...]]:
    if not scores:
        return None, ()
    top = max(scores.values())
    best = [gid for gid, score in scores.items() if score == top]
    if len(best) == 1 and (top >= 0 or len(scores) == 1):
        return best[0], ()
    if top < 0:  # only others' choices named: one group is still the likely one
        return (best[0], ()) if len(best) == 1 else (None, tuple(best))
    return None, tuple(best)


# --- Named by its rank or by what it is about -------------------------------------------------

_RANKS = {"premier": 1, "1er": 1, "deuxieme": 2, "second": 2, "2e": 2, "2eme": 2, "2nd": 2,
          "troisieme": 3, "3e": 3, "3eme": 3}
_RANKED = re.compile(r"(?<!\w)(?:le|au|du|pour le) (premier|1er|deuxieme|second|2e|2eme|2nd|troisieme|3e|3eme"
                     r"|dernier) (?:groupe|gt|theme|sujet)|(?<!\w)groupe (?:n ?°|no|numero) ?([1-3])(?!\d)")
_LIST_ITEM = re.compile(r"^\s*(?:\d[.)]|[-–•▶*·])\s*(.+)$", re.M)
_STOP = frozenset(("de", "des", "du", "la", "le", "les", "l", "d", "sur", "et", "a", "au", "aux", "en",
                   "pour", "office", "offices", "tourisme", "ot", "groupe", "gt", "travail", "aupres"))


def _key(word: str) -> str:
    """A word as the groups' words are compared: no plural, its first seven letters (« projets »,
    « projet »; « accompagnement », « accompagner »)."""
    if word.endswith("aux"):
        word = word[:-3] + "al"
    elif word.endswith(("s", "x")):
        word = word[:-1]
    return word[:7]


def _ranked(text: str, quoted: str, groups: Mapping[str, Group]) -> str | None:
    """« Le deuxième groupe m'intéresse », answering a newsletter that lists the groups."""
    m = _RANKED.search(fold(text))
    if m is None:
        return None
    listed: list[str] = []
    for item in _LIST_ITEM.finditer(quoted or text):
        named = [gid for _, gid in _mentions(item[1], groups)]
        if named and named[0] not in listed:
            listed.append(named[0])
    rank = len(listed) if m[1] == "dernier" else _RANKS.get(m[1] or "", int(m[2] or 0))
    return listed[rank - 1] if 0 < rank <= len(listed) else None


def _keys(group: Group) -> set[str]:
    words = " ".join(_words(n) for n in (group.id.replace("-", " "), group.title, *group.aliases)).split()
    return {_key(w) for w in words if w not in _STOP and len(w) > 3}


def _described(text: str, groups: Mapping[str, Group]) -> str | None:
    """The group a message speaks of without naming it, by two of its words (« un groupe sur la
    façon dont les OT aident ceux qui montent un projet… l'accompagnement des prestataires »),
    when no other group has as many and the message speaks of a group."""
    words = {_key(w) for w in _words(text).split()}
    if "groupe" not in words and "gt" not in words:  # _key("groupes") is « groupe »
        return None
    counts = {gid: len(_keys(group) & words) for gid, group in groups.items()}
    best = sorted(counts.items(), key=lambda kv: -kv[1])
    if best and best[0][1] >= 2 and (len(best) == 1 or best[1][1] < best[0][1]):
        return best[0][0]
    return None


def chosen_group(subject: str, text: str, groups: Mapping[str, Group],
                 quoted: str = "") -> tuple[str | None, tuple[str, ...]]:
    """(the group the member applies to, or None; the groups left to choose between) from the
    subject (first), the sentences of the text, a rank in the newsletter quoted, what it is about."""
    in_subject = match_groups(subject, "", groups)
    if len(in_subject) == 1:
        return in_subject[0], ()
    found, ambiguous = _best(_by_sentence(text, groups))
    if found is None and not ambiguous:
        found = _ranked(text, quoted, groups) or _described(text, groups)
    if found is None and not ambiguous and len(in_subject) > 1:
        return None, in_subject
    return found, ambiguous
