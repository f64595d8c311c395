"""How we address a member: agreement with what is known of her (« inscrite », « Madame la
Directrice »), and « de » before her name."""

from __future__ import annotations

import re
import unicodedata

# --- agreeing with what is known of the member -------------------------------------------------

#: Words of a role that tell how to agree with the member who holds it: masculine, feminine.
ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("directeur", "directrice"), ("animateur", "animatrice"), ("coordinateur", "coordinatrice"),
    ("médiateur", "médiatrice"), ("chargé", "chargée"), ("conseiller", "conseillère"),
    ("président", "présidente"), ("adjoint", "adjointe"), ("assistant", "assistante"),
    ("technicien", "technicienne"), ("employé", "employée"), ("attaché", "attachée"),
    ("délégué", "déléguée"), ("référent", "référente"),
)
#: Civilities written before a name.
CIVILITIES = {"m": "m", "mr": "m", "monsieur": "m", "mme": "f", "madame": "f", "mlle": "f",
              "mademoiselle": "f"}


def _bare(text: str) -> str:
    """Lower case without accents, to compare words however they were typed."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold())
                   if not unicodedata.combining(c))


_ROLE_GENDER = {_bare(w): g for pair in ROLE_WORDS for w, g in zip(pair, "mf", strict=True)}
# « directeur·rice », « directeur(trice) », « directeur/trice », « chargé.e », « directeur ou
# directrice »: written for both, so it tells neither.
_FOR_BOTH = re.compile(r"[^\W\d_]\s*[·•.(/-]\s*(?:e|ne|rice|trice|ère|ere)(?![\w-])|\bou\b", re.I)
_CIVILITY = re.compile(r"\s*([^\W\d_]+)\.?\s")


def gender(name: str | None, role_text: str | None) -> str | None:
    """« f » or « m » when the member's civility (« Mme Roux ») or the first word of their role
    that agrees (« Chargée de mission », « Directeur adjoint ») says so; None when nothing does,
    or when the role is written for both (« directeur·rice »).

    First names are not read: « Dominique » or « Camille » would be guesses.
    """
    civility = _CIVILITY.match(name or "")
    if civility and _bare(civility.group(1)) in CIVILITIES:
        return CIVILITIES[_bare(civility.group(1))]
    if not role_text or _FOR_BOTH.search(role_text):
        return None
    return next((_ROLE_GENDER[w] for w in re.findall(r"[^\W\d_]+", _bare(role_text))
                 if w in _ROLE_GENDER), None)


def agree(known: str | None, masculine: str, feminine: str, unknown: str) -> str:
    """The words for a member: agreed with what is known, else a wording with no agreement at all
    (« votre inscription est confirmée », never « inscrit ou inscrite »)."""
    return {"m": masculine, "f": feminine}.get(known or "", unknown)


def greeting(name: str | None, role_text: str | None = None) -> str:
    """How a reply greets the member: by name; else by role when it says who they are."""
    if name:
        return f"Bonjour {name},"
    # « La Directrice » under a signature is her role too
    role = re.sub(r"^(?:la|le|l['’]|en tant que)\s*", "", (role_text or "").casefold().strip())
    if role.startswith("directrice"):
        return "Bonjour Madame la Directrice,"
    if role.startswith("directeur"):
        return "Bonjour Monsieur le Directeur,"
    return "Bonjour,"


def of(name: str) -> str:
    """« de » before a name, elided before a vowel or a mute h: « d’Anne », « d’Hervé », « de Marie »."""
    return f"d’{name}" if re.match(r"(?i)[aeiouyhàâäéèêëîïôöùûüœ]", name) else f"de {name}"
