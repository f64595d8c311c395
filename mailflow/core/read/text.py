"""Pure French mail text helpers: folding, HTML to text, cutting quoted history and signatures."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

# --- Folding: one way, for every reading ---------------------------------------------------------
#
# Text is read folded: lower case, no accents, typographic apostrophes, hyphens and spaces made
# plain. `fold_aligned` keeps one character per character, so that a match's span also slices the
# original (to keep the writer's casing); `fold` also makes quotes and runs of blanks one space.

_APOSTROPHE_LIKE = "’‘`´ʼ′"
_HYPHEN_LIKE = "\u2010\u2011\u2013"  # a hyphen, a no-break hyphen, an en dash (« 3–5 mars »)
_ASCII_FOLD = str.maketrans(
    {
        **{chr(c): chr(c).lower() for c in range(ord("A"), ord("Z") + 1)},
        "`": "'", "\t": " ", "\r": " ", "\v": " ", "\f": " ",
        "\x1c": " ", "\x1d": " ", "\x1e": " ", "\x1f": " ",
    }
)  # fmt: skip
_QUOTES = str.maketrans({"«": " ", "»": " ", "“": " ", "”": " ", "„": " ", "‹": " ", "›": " "})
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHE_LIKE:
        return "'"
    if ch in _HYPHEN_LIKE:
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


def fold_aligned(text: str) -> str:
    """Folded text with exactly one character per character of `text` (newlines kept)."""
    if text.isascii():
        return text.translate(_ASCII_FOLD)
    return "".join(_fold_char(ch) for ch in text)


def fold(text: str) -> str:
    """Folded text for matching words: quotes and runs of blanks made one space, trimmed."""
    # The same names, labels and short lines are folded again and again: those are remembered.
    return _fold_short(text) if len(text) <= 120 else _fold(text)


@functools.lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    return _SPACES.sub(" ", fold_aligned(text).translate(_QUOTES).casefold()).strip()


# --- HTML ------------------------------------------------------------------------------------

_DROPPED_ELEMENTS = re.compile(r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_LINE_BREAKING_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d|p|div|li|tr|h\d)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy_lines(text: str) -> str:
    """Plain spaces, no indentation or trailing blanks, at most one blank line in a row."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\r\n", "\n")
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _strip_tags(markup: str) -> str:
    """Crude fallback: drop invisible elements and tags, break lines at blocks, unescape."""
    markup = _COMMENTS.sub("", _DROPPED_ELEMENTS.sub("", markup))
    markup = _LINE_BREAKING_TAGS.sub("\n", markup)
    return html.unescape(_TAGS.sub("", markup))


def html_to_text(html_text: str) -> str:
    """Readable plain text of an HTML body; never raises, falls back to stripping tags."""
    try:
        # Imported at the first HTML-only message: lxml is large, and most mail has a text part.
        import inscriptis

        text = inscriptis.get_text(html_text)
        if not isinstance(text, str):
            raise TypeError("inscriptis returned no text")
        if not text.strip() and _strip_tags(html_text).strip():
            # Deeply nested markup makes inscriptis give up silently: the crude way still reads it.
            raise ValueError("inscriptis lost the text")
    except Exception:
        try:
            text = _strip_tags(html_text)
        except Exception:
            return ""
    return _tidy_lines(text)


# --- Quoted history --------------------------------------------------------------------------

# A folded line with its quoting (`>`), bullets and bold markers removed.
_QUOTE_PREFIX = re.compile(r"^[\s>*|]*")

# Separator lines opening a quoted or forwarded message (matched on the unquoted folded line).
_HISTORY_SEPARATORS = (
    re.compile(r"^-{2,} ?(message d'origine|original message|message original) ?-{2,}"),
    re.compile(r"^-{2,} ?(forwarded message|message transfere|message reexpedie) ?-{2,}"),
    re.compile(r"^debut du message reexpedie ?:"),
    re.compile(r"^begin forwarded message ?:"),
)

# The "someone wrote:" line of Gmail, Thunderbird, Apple Mail (it must hold a date or time digit).
_WROTE = re.compile(r"^(le|on) .*\d.*(a ecrit|wrote) ?:?$")

# Outlook header lines of a quoted message.
_HEADER_FROM = re.compile(r"^\*?(de|from|expediteur|von) ?\*? ?:")
_HEADER_KINDS = (
    ("date", re.compile(r"^\*?(envoye|envoye le|date|sent|le|gesendet|datum) ?\*? ?:")),
    ("to", re.compile(r"^\*?(a|to|destinataire|pour|an) ?\*? ?:")),
    ("subject", re.compile(r"^\*?(objet|subject|sujet|betreff) ?\*? ?:")),
)
_HEADER_WINDOW = 6
_RULE = re.compile(r"^_{8,}$")


def _unquoted(line: str) -> str:
    """The folded line without its leading quote marks, bullets and spaces."""
    return _QUOTE_PREFIX.sub("", fold(line))


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _is_header_block(folded: list[str], start: int) -> bool:
    """True when a `De :` line at `start` is followed by at least two other header kinds."""
    if not _HEADER_FROM.match(folded[start]):
        return False
    window = folded[start + 1 : start + 1 + _HEADER_WINDOW]
    kinds = {kind for line in window for kind, pattern in _HEADER_KINDS if pattern.match(line)}
    return len(kinds) >= 2


def header_field(line: str) -> tuple[str, str] | None:
    """A quoted header line's kind (« from », « date », « to », « subject ») and value, as an
    Outlook, Gmail, Thunderbird or Apple Mail quote writes it: « Envoyé : mardi 3 mars… »."""
    folded = _unquoted(line)
    found = _HEADER_FROM.match(folded)
    kind = "from" if found else None
    for name, pattern in _HEADER_KINDS:
        if found is None:
            found = pattern.match(folded)
            kind = name
    if found is None or kind is None:
        return None
    return kind, line.split(":", 1)[1].strip().lstrip("*").strip()


def _wrote_line_at(folded: list[str], index: int) -> bool:
    """True when the line at `index`, possibly wrapped over the next two, is a "wrote:" line."""
    first = folded[index].removeprefix("- ")  # Zimbra writes « - Le …, X a écrit : »
    if not first.startswith(("le ", "on ")):
        return False
    joined = first
    for extra in range(3):
        if extra:
            if index + extra >= len(folded) or not folded[index + extra]:
                break
            joined = f"{joined} {folded[index + extra]}"
        if len(joined) <= 300 and _WROTE.match(joined):
            return True
    return False


def history_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, or None when there is none."""
    folded = [_unquoted(line) for line in lines]
    for index, line in enumerate(folded):
        if any(pattern.match(line) for pattern in _HISTORY_SEPARATORS):
            return index
        if _is_header_block(folded, index) or _wrote_line_at(folded, index):
            return index
        if _RULE.match(line):
            following = [i for i in range(index + 1, min(index + 4, len(folded))) if folded[i]]
            if following and _is_header_block(folded, following[0]):
                return index
    return None


def _inline_replies(history: list[str]) -> list[str]:
    """Unquoted lines written under or between the `>` lines after a "wrote:" line."""
    if not any(_is_quoted(line) for line in history):
        return []
    plain = ["" if _is_quoted(line) else line for line in history]
    end = history_start(plain)
    return plain if end is None else plain[:end]


def quoted_part(text: str) -> str:
    """The history a message quotes or forwards, without its « > » marks (empty when none)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = history_start(lines)
    quoted = [line for line in lines if _is_quoted(line)] if start is None else lines[start:]
    return "\n".join(_QUOTE_MARKS.sub("", line) for line in quoted)


_QUOTE_MARKS = re.compile(r"^\s*(?:>\s?)+")
_AUTHOR = re.compile(r"(?P<name>[^,<>\[\]\"]*?)\s*\"?\s*[<\[](?:mailto:)?"
                     r"(?P<addr>[^<>\[\]\s]+@[^<>\[\]\s]+)[>\]]"
                     r"|(?P<bare>[\w.+'-]+@[\w-]+(?:\.[\w-]+)+)")
_WROTE_AUTHOR = re.compile(r",\s*(?P<who>[^,]+?)\s+(?:a ecrit|wrote)\s*:?\s*$")


def first_quoted(text: str) -> str:
    """The first message a text quotes or forwards, without its header lines, its « > » marks
    and what it quotes in turn."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_QUOTE_MARKS.sub("", line) for line in text.split("\n")]
    start = history_start(lines)
    if start is None:
        return ""
    body = start + 1
    while body < len(lines) and (header_field(lines[body]) is not None or not lines[body].strip()
                                 or _WROTE.match(_unquoted(lines[body]))):
        body += 1
    rest = lines[body:]
    end = history_start(rest)
    return "\n".join(rest[:end] if end is not None else rest).strip()


def quoted_author(text: str) -> tuple[str | None, str | None]:
    """(address, name) of whoever wrote the first message a text quotes or forwards, as its
    « De : » line or its « Le …, Marie Dupont <m.dupont@…> a écrit : » line gives them."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = history_start(lines)
    if start is None:
        return None, None
    for line in lines[start:start + 8]:
        field = header_field(line)
        if field is not None and field[0] == "from":
            return _author(field[1])
        joined = " ".join(_QUOTE_MARKS.sub("", x).strip() for x in lines[start:start + 3])
        wrote = _WROTE_AUTHOR.search(fold_aligned(joined).split(" a ecrit")[0] + " a ecrit :")
        if _wrote_line_at([_unquoted(x) for x in lines], start) and wrote:
            return _author(joined[wrote.start("who"):wrote.end("who")])
    return None, None


def _author(value: str) -> tuple[str | None, str | None]:
    m = _AUTHOR.search(value)
    if m is None:
        name = value.strip(" \"'*")
        return None, name or None
    if m["bare"]:
        return m["bare"].lower(), None
    return m["addr"].lower(), m["name"].strip(" \"'*") or None


# --- Signature -------------------------------------------------------------------------------

_SIGNATURE_DELIMITER = re.compile(r"^(--|_{2,})$")

_CLOSING_FORMULAS = (
    r"(tres |bien )?cordialement( a vous)?",
    r"bien (a vous|a toi|amicalement)",
    r"amicalement",
    r"(tres )?(bonne|belle) (fin de )?(journee|soiree|semaine)",
    r"(sinceres |meilleures |bien sinceres )?salutations( distinguees)?",
    r"merci (d'avance|par avance|d'avance pour votre retour)",
    r"a (bientot|tres bientot)",
    r"au plaisir( de vous lire)?",
    r"(best|kind|warm)? ?regards",
    r"mit freundlichen grussen|(viele|beste|liebe) grusse",
)
_CLOSING = re.compile(rf"^({'|'.join(_CLOSING_FORMULAS)}) ?[,.!]*$")

_MOBILE_FOOTER = re.compile(
    r"^(envoye (de|depuis) (mon|ma|un|une)\b|obtenir outlook pour|get outlook for|"
    r"sent from my\b|sent from (outlook|mail)\b|telecharger outlook)"
)
_DISCLAIMER_WORDS = (
    "ce message et ses pieces jointes",
    "ce message et toutes les pieces jointes",
    "ce courriel et ses pieces jointes",
    "confidentiel",
    "pensez a l'environnement",
    "avant d'imprimer",
    "n'imprimez ce",
    "this e-mail and any attachments",
    "this email and any attachments",
    "confidential",
)
# Phrases strong enough to drop a paragraph even from the body (no "confidentiel" alone there).
_BODY_DISCLAIMER_WORDS = (
    "ce message et ses pieces jointes",
    "ce courriel et ses pieces jointes",
    "pensez a l'environnement",
    "avant d'imprimer",
    "n'imprimez ce",
    "this e-mail and any attachments",
    "this email and any attachments",
)


def is_closing_line(line: str) -> bool:
    """True when the line is only a French closing formula such as « Bien cordialement, »."""
    return _CLOSING.match(fold(line)) is not None


def _paragraphs(lines: list[str]) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _drop_boilerplate(lines: list[str], disclaimer_words: tuple[str, ...]) -> str:
    """Lines without mobile footers and disclaimer paragraphs, joined and trimmed."""
    kept: list[str] = []
    for paragraph in _paragraphs(lines):
        text = fold(" ".join(paragraph))
        if any(word in text for word in disclaimer_words):
            continue
        body = [line for line in paragraph if not _MOBILE_FOOTER.match(fold(line))]
        if body:
            kept.extend([*body, ""])
    return "\n".join(kept).strip()


def _signature_start(lines: list[str]) -> tuple[int, bool] | None:
    """Index of the signature's first line and whether that line is a bare delimiter."""
    for index, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line.strip()):
            return index, True
        if is_closing_line(line):
            return index, False
    return None


def split_reply(text: str) -> tuple[str, str]:
    """The new content the sender wrote, as (body, signature), without the quoted history."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = history_start(lines)
    if start is not None:
        before = lines[:start]
        wrote = _wrote_line_at([_unquoted(line) for line in lines], start)
        if wrote and not any(line.strip() and not _is_quoted(line) for line in before):
            before = _inline_replies(lines[start + 1 :])
        lines = before
    lines = [line.rstrip() for line in lines if not _is_quoted(line)]
    found = _signature_start(lines)
    if found is None:
        return _drop_boilerplate(lines, _BODY_DISCLAIMER_WORDS), ""
    index, delimiter = found
    body = _drop_boilerplate(lines[:index], _BODY_DISCLAIMER_WORDS)
    signature = _drop_boilerplate(lines[index + 1 if delimiter else index :], _DISCLAIMER_WORDS)
    return body, signature
