"""tomllib's syntax errors (Python 3.11's words) said in French, with their line and column."""

from __future__ import annotations

import ast
import re

# Each message tomllib 3.11 raises, and what staff read instead; a later Python may word one
# differently: it is then shown as it is, line and column still in French.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(f"^{p}$"), f) for p, f in (
    (r"Expected newline or end of document after a statement",
     "fin de ligne attendue après la valeur (une seule clé = valeur par ligne ; un texte s’écrit "
     "entre guillemets)"),
    (r"Invalid statement", "ligne incomprise : ni « clé = valeur », ni « [table] », ni commentaire"),
    (r"Cannot overwrite a value",
     "cette clé a déjà une valeur plus haut dans le fichier (une clé ne s’écrit qu’une fois)"),
    (r"Cannot declare (?P<key>.+) twice", "la table {key} est déclarée deux fois"),
    (r"Cannot mutate immutable namespace (?P<key>.+)",
     "{key} est déjà écrit en entier plus haut (tableau ou table en ligne) : on ne peut plus "
     "le compléter ici"),
    (r"Cannot redefine namespace (?P<key>.+)", "{key} est déjà défini plus haut"),
    (r"Expected '\]' at the end of a table declaration", "« ] » attendu à la fin du nom de la table"),
    (r"Expected '\]\]' at the end of an array declaration",
     "« ]] » attendu à la fin du nom de la liste de tables"),
    (r"Expected '=' after a key in a key/value pair", "« = » attendu après la clé"),
    (r"Invalid initial character for a key part", "caractère inattendu au début d’une clé"),
    (r"Unclosed array", "liste non fermée : « ] » attendu"),
    (r"Unclosed inline table", "table en ligne non fermée : « } » attendu"),
    (r"Duplicate inline table key (?P<key>.+)", "la clé {key} figure deux fois dans la table en ligne"),
    (r"Unterminated string", "texte non fermé : le guillemet de fin manque"),
    (r"Unescaped '[\\]' in a string", "« \\ » seul dans un texte : écrivez « \\\\ »"),
    (r"Invalid hex value", "code hexadécimal invalide après « \\u » ou « \\U »"),
    (r"Escaped character is not a Unicode scalar value", "caractère échappé hors d’Unicode"),
    (r"Illegal character '\\n'", "texte non fermé sur sa ligne : le guillemet de fin manque"),
    (r"Illegal character (?P<key>.+)", "caractère interdit dans un texte : {key}"),
    (r"Found invalid character (?P<key>.+)", "caractère interdit : {key}"),
    (r"Expected (?P<key>'.+')", "{key} attendu avant la fin du fichier"),
    (r"Invalid date or datetime", "date ou heure invalide (par exemple 2027-04-06T09:30:00)"),
    (r"Invalid value", "valeur incomprise (un texte s’écrit entre guillemets, une date "
                       "2027-04-06T09:30:00, un nombre sans espace)"),
))

_WHERE = re.compile(r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|"
                    r"(?P<end>end of document))\)$", re.S)


def _key(text: str) -> str:
    """A key or character as tomllib shows it (a tuple of a key's parts, or a quoted name) as
    TOML writes it; a control character by its code point."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return f"« {text} »"
    parts = value if isinstance(value, tuple) else (value,)
    shown = ".".join(str(p) for p in parts)
    return f"U+{ord(shown):04X}" if len(shown) == 1 and not shown.isprintable() else f"« {shown} »"


def where_and_what(error: str) -> tuple[str, str]:
    """(« ligne 3, colonne 9 », what is wrong in French) from tomllib's message."""
    found = _WHERE.match(error)
    message, where = error, ""
    if found:
        message = found["message"]
        where = ("à la fin du fichier" if found["end"] else
                 f"ligne {found['line']}, colonne {found['column']}")
    for pattern, french in _MESSAGES:
        matched = pattern.match(message)
        if matched:
            key = matched.groupdict().get("key")
            return where, french.format(key=_key(key)) if key is not None else french
    return where, message
