"""A reviewer's answer read as a colleague reads it (OK, non, a letter instead), and « stop reviewing »."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .conversation import TOKEN
from .text import fold

#: Words that let the reply go, among the first words of the answer.
_YES = re.compile(r"\b(ok|okay|oki|oui|ouais|yes|parfait|d'accord|dac|c'est bon|c'est ok|ca me va|"
                  r"ca marche|ca roule|(je )?valid\w*|go|vas-y|allez-y|envo[iy]\w*|nickel|impeccable|"
                  r"top|tres bien|super|je confirme|bon pour moi|bon a envoyer|feu vert|"
                  r"pas de (souci|soucis|probleme)|rien a redire|banco|valide)\b")
#: Words that keep it waiting (« non », « on attend », « pas encore »…).
_NO = re.compile(r"\b(non|nan|no|ne|n'\w+|pas encore|pas maintenant|pas tout de suite|pas pour l'instant|"
                 r"pas avant|pas d'accord|surtout pas|attends|attendez|attendons|attendre|on attend|"
                 r"j'attends|plus tard|stop|garde[sz]?-la|garde[sz]?-le|gardons-la|retiens|bloque\w*|"
                 r"en attente|suspens|hold)\b")
#: « N'envoie pas », « ne l'envoie pas encore »: a send said with a negation keeps it waiting.
_NOT_SENT = re.compile(r"\b(n'envo\w*|ne (l')?envo\w*|ne pas (l')?envoyer|pas d'envoi)\b")
#: A greeting to the mailbox or a colleague, alone or before the answer: « Bonjour Claire, ».
_GREETING = re.compile(r"^(bonjour|bonsoir|hello|salut|coucou|re)\b[^,.!?:;\n]{0,30}[,.!]?\s*")
#: A letter to the member begins so, or addresses them formally.
_LETTER_START = re.compile(r"^(bonjour|bonsoir|madame|monsieur|chere?s?|mesdames|messieurs)\b")
_FORMAL = re.compile(r"\b(vous|votre|vos)\b")
#: Colleagues say « tu »; members are written to with « vous ».
_INFORMAL = re.compile(r"\b(tu|toi|ton|ta|tes|t'\w+)\b")
#: A first line that announces the text to send: « Remplace par : », « Voici le texte : ».
_ANNOUNCE = re.compile(r"\b(remplace\w*|plutot|corrig\w*|voici|texte|envo\w*|version|mets)\b")
#: A short first line that introduces the text to send: « OK, mais envoie plutôt ceci : ».
_HEAD_WORDS = 3
_SHORT = 8


class Answer(StrEnum):
    """What a reviewer's answer says of the reply."""

    SEND = "send"  # as drafted
    CORRECT = "correct"  # their text in the draft's place
    HOLD = "hold"  # not now: it keeps waiting
    UNCLEAR = "unclear"  # neither: asked back, nothing done


@dataclass(frozen=True)
class ReviewReading:
    """A reviewer's answer: what it says, and for a correction the text that goes instead."""

    answer: Answer
    text: str = ""


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", fold(text))


def read_answer(new_text: str, signature: str = "", member: str | None = None) -> ReviewReading:
    """What a reviewer's answer (the new text above the quote, and its signature) says of the
    reply to `member` (their name, as a greeting may name them).

    An empty answer, the plain « Répondre » the review mail asks for, lets the reply go, as for
    a staff action. A yes or a no counts among the first words of the first paragraph, unless a
    letter to the member follows; any other text goes in the draft's place, but for a short note
    to a colleague (a few words, « tu »), which is asked back rather than sent to the member.
    """
    text = TOKEN.sub("", new_text).replace("[]", "").strip()
    if not text:
        return ReviewReading(Answer.SEND)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    first_at = 1 if _GREETING.fullmatch(fold(paragraphs[0])) and len(paragraphs) > 1 else 0
    first = _GREETING.sub("", fold(paragraphs[first_at]), count=1)
    head = " ".join(_words(first)[:_HEAD_WORDS])
    letter = bool(_FORMAL.search(fold(text))) or _greets(fold(paragraphs[0]), member)
    cue = bool(_YES.search(head) or _NO.search(head))
    if _NOT_SENT.search(first):
        return ReviewReading(Answer.HOLD)
    if cue and (not letter or len(_words(first)) <= _SHORT):
        if _NO.search(head):
            return ReviewReading(Answer.UNCLEAR if _YES.search(first) else Answer.HOLD)
        if _NO.search(first):
            return ReviewReading(Answer.UNCLEAR)  # « OK mais pas avant lundi »
        rest = "\n\n".join(paragraphs[first_at + 1:])
        if first.rstrip().endswith(":") and rest:  # « OK, mais envoie plutôt ceci : »
            return ReviewReading(Answer.CORRECT, _with_signature(rest, signature))
        return ReviewReading(Answer.SEND)
    rest = "\n\n".join(paragraphs[first_at + 1:])
    if first.rstrip().endswith(":") and _ANNOUNCE.search(first) and rest:  # « Remplace par : »
        return ReviewReading(Answer.CORRECT, _with_signature(rest, signature))
    body = _words("\n".join(paragraphs[first_at:]))
    if letter or (len(body) >= _SHORT and not cue and not _INFORMAL.search(fold(text))):
        return ReviewReading(Answer.CORRECT, _with_signature(text, signature))
    return ReviewReading(Answer.UNCLEAR)


def _greets(first_line: str, member: str | None) -> bool:
    """Whether the answer opens on a greeting to the member: by their name, or « Madame »."""
    if not _LETTER_START.match(first_line):
        return False
    if re.match(r"^(madame|monsieur|chere?s?|mesdames|messieurs)\b", first_line):
        return True
    names = [w for w in _words(member or "") if len(w) > 2]
    return any(re.search(rf"\b{re.escape(name)}\b", first_line.split("\n")[0]) for name in names)


def _with_signature(text: str, signature: str) -> str:
    signed = f"{text}\n\n{signature.strip()}" if signature.strip() else text
    return TOKEN.sub("", signed).strip() + "\n"


# --- stopping the review of one kind of reply ------------------------------------------------------

#: Stopping review, said close to it: « arrêter la relecture », « ne plus relire », « sans relecture ».
_STOP = re.compile(r"\b(arret\w*|stop\w*|coupe\w*|supprim\w*|retir\w*|enlev\w*|fin de|sans|plus besoin "
                   r"de|ne plus|n'est plus|pas besoin de|plus la peine de)( [\w']+){0,3}? (la )?"
                   r"(?P<what>relecture|relire)\b")
#: Each outcome as staff name it in French, besides its value (« confirmed »).
OUTCOME_WORDS = {  # the more precise first: « désistements à confirmer » before « désistements »
    "confirmed": r"inscriptions? confirmees?|confirmations?|places? confirmees?|confirmees?",
    "waitlisted": r"listes? d'attente|en attente d'une place",
    "refused": r"refus|candidatures? refusees?|refusees?",
    "needs-info": r"informations? demandees?|demandes? d'informations?|questions? aux membres",
    "duplicate": r"doublons?|candidatures? en double",
    "closed": r"appels? clos|appel ferme",
    "idea-received": r"idees? recues?|accuses? de reception des idees",
    "withdrawal-to-confirm": r"desistements? a confirmer",
    "to-confirm": r"engagements? a confirmer",
    "withdrawn": r"desistements?",
    "status": r"points? sur la candidature|suivis?",
    "hold-expired": r"places? passees?",
    "help": r"aides?",
    "question-forwarded": r"questions? transmises?",
}


def read_stop(text: str, known: tuple[str, ...]) -> str | None:
    """The outcome a staff member asks to stop reviewing (« Arrêter la relecture des réponses
    « confirmed » »): its value; "" when they ask it of none that is known; None when the
    message asks no such thing."""
    said = fold(TOKEN.sub(" ", text)).replace("’", "'")
    asked = _STOP.search(said)
    if asked is None:
        return None
    for value in sorted(known, key=len, reverse=True):  # « withdrawal-to-confirm » before « … »
        if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", said):
            return value
    for value, words in OUTCOME_WORDS.items():
        if value in known and re.search(rf"\b({words})\b", said):
            return value
    # « arrêter la relecture » names review itself; « pas besoin de relire la fiche » does not.
    return "" if asked.group("what") == "relecture" else None
