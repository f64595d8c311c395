"""What goes into a header or a quoted block: someone's text cleaned of control characters, and
the subject of a reply."""

from __future__ import annotations

import re
import unicodedata

from ..french import NBSP

DEFAULT_SUBJECT = "Votre message au réseau MONA"

# A leading chain of reply/forward prefixes: « Re: », « RE : », « Réf : », « TR : », « Fwd: »,
# « Fw: », « AW: », « WG: », « Re[2]: », with or without a (non-breaking) space before the colon.
_PREFIX = re.compile(
    r"^(?:\s*(?:re|r[ée]f|tr|fwd?|aw|wg)(?:\s*\[\d+\])?[\s\u00a0\u202f]*:)+\s*",
    re.IGNORECASE,
)
_CONTROL = frozenset(("Cc", "Cf", "Zl", "Zp"))
_SPACES = re.compile(r" {2,}")
BLANKS = re.compile(r"\n{3,}")


def clean(value: str | None) -> str:
    """`value` with control and line-separator characters turned into spaces, runs collapsed."""
    if not value:
        return ""
    chars = "".join(" " if unicodedata.category(c) in _CONTROL else c for c in value)
    return _SPACES.sub(" ", chars).strip(" ")


def clean_block(value: str) -> str:
    """Several lines of someone's text, each cleaned like `clean`, blank runs kept short."""
    lines = [clean(line) for line in value.replace("\r\n", "\n").split("\n")]
    return BLANKS.sub("\n\n", "\n".join(lines)).strip()


def clean_address(value: str | None) -> str:
    """An address with every control character and blank removed."""
    return "".join(clean(value).split())


# A Message-ID as we copy it into In-Reply-To and References: « <…> » around printable ASCII
# with no blank, bracket or encoded-word, of a length any server takes. Anything else (quotes and
# brackets Exchange writes, non-ASCII, a folded or overlong id) is left out: threading loses one
# link, and no header of ours can be broken by what a sender wrote.
_SAFE_MSGID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_ENCODED_WORD = re.compile(r"=\?.*\?=")


def safe_msgid(value: str | None) -> str:
    """`value` when it is a Message-ID we can copy into a header as it is, else ""."""
    text = (value or "").strip()
    if not _SAFE_MSGID.fullmatch(text) or _ENCODED_WORD.search(text) or text.count("@") > 1:
        return ""
    return text


def reply_subject(original: str, group_title: str | None = None) -> str:
    """« Re : » + the original subject without its chain of Re:/TR:/Fwd:… prefixes.

    An empty subject gives « Groupe de travail « <title> » » when a group is known, else
    « Votre message au réseau MONA » (no « Re : » prefix: there is nothing to answer to).
    """
    subject = _PREFIX.sub("", clean(original)).strip()
    if subject:
        return f"Re{NBSP}: {subject}"
    if group_title and clean(group_title):
        return f"Groupe de travail «{NBSP}{clean(group_title)}{NBSP}»"
    return DEFAULT_SUBJECT
