"""Whom a member applies for when it is not themselves: « j'inscris ma collègue Julie Martin
(julie.martin@…) », « je vous transmets la candidature de notre directeur », « c'est ma collègue
qui viendra à ma place »; the colleague's name, address and role, never the sender's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fold, fold_aligned

#: What a message that registers someone else says.
_REGISTERS = re.compile(
    r"(?<!\w)(j'inscris|je (vous|vs) inscris|je (souhaite|voudrais|souhaiterais|souhaitais|aimerais|veux"
    r"|viens)"
    r" (vous )?(d')?inscrire|(pouvez|pourriez|pourrez)[- ]vous (l'|les )?inscrire|merci de l'inscrire"
    r"|merci d'inscrire|(enregistrer|prendre en compte) (la candidature|l'inscription) (de|d')"
    r"|(que|qu') (ma|mon|notre) [^;!?\n]{0,80}?(participe|rejoigne|s'inscrive|integre|suive) "
    r"|(je vous )?(transmets|transmet|envoie|adresse|fais suivre|fait suivre) (donc )?(la |sa |leur )?"
    r"candidature|je vous l'envoie (donc )?de sa part"
    r"|(charge|chargee|demande) de vous (transmettre|envoyer) sa candidature"
    r"|qui (viendra|ira|participera|me remplacera|suivra le groupe)( a ma place)?|a ma place"
    r"|j'ecris (pour|de la part de|au nom de) (ma|mon|notre)|de la part de (ma|mon|notre)"
    r"|candidature (de|pour|d') (ma |mon |notre |m\. |mme |madame |monsieur )"
    r"|inscription (de|d'une?) (ma |mon |notre |collaboratrice|collaborateur|collegue)"
    # « Je vous fais suivre la demande de ma collègue : elle souhaite s'inscrire… »
    r"|(fais|fait|transmets|transmet) suivre (la|sa) demande"
    r"|(transmets|transmet|relaie|relaye) (la|sa) demande"
    r"|(elle|il) (souhaite|souhaiterait|voudrait|aimerait|veut) (s'inscrire|candidater|participer|rejoindre)"
    # The address asked for her, given in the thread: « son adresse est p.vidalie@… ».
    r"|(son|sa) (adresse|mail|courriel|e-mail|email)( electronique)? (est|:|c'? ?est)"
    # « ma directrice m'a demandé de l'inscrire »
    r"|m'? ?a (demande|charge|prie) de l'? ?inscrire)"
    # An office registered is its sender applying: « poser la candidature de notre office ».
    r"(?! ?(l'|notre |mon |nos )?(office|ot|oti|structure|equipe|bureau|territoire)s?\b)"
)
#: The sender applying for themselves in the same message: then they apply, not a colleague.
_MYSELF = re.compile(r"(?<!\w)(je (souhaite|souhaiterais|voudrais|veux|aimerais) "
                     r"(moi-meme |aussi |egalement )?(candidater|m'inscrire|participer|rejoindre|integrer)"
                     r"|je candidate|je me porte candidat"
                     r"|ma candidature|je m'inscris)")
#: How people write a person's name: « Julie Martin », « Mme Laure Pécout », « M. Boudy ».
_NAME = re.compile(r"(?:(?:M\.|Mme|Mlle|Madame|Monsieur)\s+)?(?P<name>[A-ZÉÈÀÂÎÔÛÇ][a-zà-ÿ'’-]+"
                   r"(?:[ \t]+(?:de[ \t]+|d'|le[ \t]+|la[ \t]+)?[A-ZÉÈÀÂÎÔÛÇ][\wà-ÿ'’-]+){0,2})")
_TITLED = re.compile(r"(?<!\w)(?i:M\.|Mme|Mlle|Madame|Monsieur)\s+(?P<name>[A-ZÉÈÀÂÎÔÛÇ][\wà-ÿ'’-]+"
                     r"(?:[ \t]+[A-ZÉÈÀÂÎÔÛÇ][\wà-ÿ'’-]+){0,2})")
_TITLE_WORDS = {"m": "Monsieur", "mme": "Madame", "mlle": "Madame", "madame": "Madame",
                "monsieur": "Monsieur"}
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_Name = tuple[int, int, str]  # where a person's name starts and ends, and the name
#: Capitalised words that are no one's name.
_NOT_NAMES = frozenset((
    "office", "offices", "tourisme", "ot", "oti", "groupe", "groupes", "mona", "bonjour", "merci", "salut",
    "candidature", "inscription", "communaute", "pays", "destination", "maison", "bureau", "je", "nous",
    "elle", "il", "son", "sa", "notre", "ma", "mon", "pour", "le", "la", "les", "cordialement", "vous",
    "madame", "monsieur", "bien", "directrice", "directeur", "president", "presidente", "accompagnement",
    "communiquer", "offices", "ruraux", "porteurs", "projets", "role", "son", "ses", "c'est", "ce", "cette",
    "collegue", "chargee", "charge", "responsable", "animatrice", "animateur", "conseillere", "conseiller",
    "adresse", "agent", "assistante", "assistant", "pouvez", "pourriez", "j'inscris", "elles", "ils",
))  # fmt: skip
#: What a name of one word must follow to be taken for a person's (« inscrire Karim »).
_ONE_WORD_AFTER = re.compile(r"(collegue|collaboratrice|collaborateur|inscrire|directeur|directrice|m\.|mme"
                             r"|madame|monsieur|animatrice|animateur|chargee?|conseillere?)[ ,:]*$")
#: What may stand between the words naming a colleague and her name: « ma collègue », « notre
#: directrice, Mme », « notre chargée de communication, ».
_DESCRIBED = re.compile(r"(?<!\w)(ma|mon|notre|sa|leur|une?) [\w' -]{0,40}?(, ?)?"
                        r"((m\.|mme|mlle|madame|monsieur) ?)?$")


def _she_is(name: str) -> re.Pattern[str]:
    """A later sentence that says what the colleague does: « Émilie est chargée de mission »,
    « elle est chargée de développement chez nous »."""
    first = re.escape(name.split()[0])
    return re.compile(rf"(?<!\w)(?:{first}|[Ee]lle|[Ii]l)\s+(?:est|sera|travaille|occupe"
                      rf"|assure)\b[^.;!?\n]{{0,100}}")


@dataclass(frozen=True)
class Colleague:
    """The person a member applies for: her address (if the message gives it), her name, and the
    words around her name that tell her role (« notre directrice, Mme Laure Pécout »)."""

    email: str | None
    name: str | None
    described: str


def _names(text: str, sender_words: set[str]) -> list[_Name]:
    """(start, end, name) of each person's name the text writes, the sender's aside."""
    found: list[_Name] = []
    for m in [*_TITLED.finditer(text), *_NAME.finditer(text)]:
        words = [w for w in fold(m["name"]).replace("-", " ").split() if w not in ("de", "d'", "le", "la")]
        if not words or any(w in _NOT_NAMES for w in words) or set(words) <= sender_words:
            continue
        before = fold_aligned(text[max(0, m.start() - 40):m.start()])
        if len(words) == 1 and not _ONE_WORD_AFTER.search(before):
            continue
        if any(start <= m.start("name") < end for start, end, _ in found):
            continue
        name = m["name"]
        title = _TITLE_WORDS.get(fold(m[0][:m.start("name") - m.start()].strip()).rstrip("."), "")
        if title and len(words) == 1:  # « mme Fabre »: « Bonjour Madame Fabre », never « Bonjour Fabre »
            name = f"{title} {name}"
        found.append((m.start("name"), m.end("name"), name))
    return sorted(found)


def _matches(name: str, email: str) -> bool:
    """Whether an address is this person's (« julie.martin@ », « l.barreau@ », « kbenali@ »)."""
    local = fold(email.split("@")[0])
    words = [w for w in fold(name).replace("-", " ").split() if len(w) > 2]
    return any(w in local for w in words)


def _same_person(name: str, other: str | None) -> bool:
    """« Karim » and « Karim Benali » are one person."""
    words = set(fold(name).split())
    return bool(other) and words <= set(fold(other or "").split())


def _who(emails: list[str], names: list[_Name], cue: int) -> tuple[str | None, _Name | None]:
    """The colleague's address and name: the address that is a named person's, else the one
    address given; the name that address belongs to, else the name nearest the cue."""
    for address in emails:
        for name in names:
            if _matches(name[2], address):
                return address, name
    email = emails[0] if len(emails) == 1 else None
    if not names:
        return email, None
    return email, min(names, key=lambda n: abs(n[0] - cue))


def _forwarded_by_her(found: tuple[str | None, _Name | None], sender: str,
                      author: tuple[str | None, str | None]) -> tuple[str | None, _Name | None]:
    """With no address in the text, the forwarded message's: when it is hers (« Pouvez-vous
    inscrire Karim ? » over Karim Benali's own mail)."""
    email, name = found
    author_email, author_name = author
    if email is not None or not author_email or author_email == sender:
        return found
    if name is not None and not (_matches(name[2], author_email) or _same_person(name[2], author_name)):
        return found
    if author_name is None:
        return author_email, name
    return author_email, (name[0], name[1], author_name) if name else (0, 0, author_name)


def colleague(text: str, subject: str, sender: str, sender_name: str | None,
              author: tuple[str | None, str | None] = (None, None)) -> Colleague | None:
    """The colleague a message registers, if it registers one rather than its sender; `author`
    is who wrote the message it forwards (« Pouvez-vous inscrire Karim ? » over Karim's mail)."""
    folded = fold_aligned(f"{subject}\n{text}")
    cue = _REGISTERS.search(folded)
    if cue is None or _MYSELF.search(folded):
        return None
    offset = len(subject) + 1
    sender_words = set(fold(sender_name or "").replace("-", " ").split())
    emails = [e.lower() for e in _EMAIL.findall(text)
              if e.lower() != sender and "monatourisme" not in e.lower()]
    names = _names(text, sender_words)
    email, name = _forwarded_by_her(_who(emails, names, max(0, cue.start() - offset)), sender, author)
    if email is None and name is None:
        return None
    described = ""
    if name is not None:
        start = max(0, name[0] - 60)
        before = _DESCRIBED.search(fold_aligned(text[start:name[0]]))  # aligned: slices the text
        after = re.split(r"[.;!?](?=\s|$)|\n", text[name[1]:name[1] + 140])[0]
        described = f"{text[start + before.start():name[0]] if before else ''}{name[2]}{after}"
        described += "".join(f" ; {m[0]}" for m in _she_is(name[2]).finditer(text, name[1]))
    return Colleague(email, name[2] if name else None, described)
