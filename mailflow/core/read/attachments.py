"""Which attachments of an incoming email may be kept, and under what safe name: pure, never trusting."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from ...ports import AttachmentFile
from ..french import size as size_fr

MiB = 1024 * 1024

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
RTF = "application/rtf"
TXT = "text/plain"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
PPT = "application/vnd.ms-powerpoint"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP = "application/vnd.oasis.opendocument.presentation"
JPEG = "image/jpeg"
PNG = "image/png"

# The extension decides how a file opens on a staff computer, so it is what the content must match.
_TYPE_BY_EXT: dict[str, str] = {
    "pdf": PDF, "doc": DOC, "docx": DOCX, "odt": ODT, "rtf": RTF, "txt": TXT,
    "xls": XLS, "xlsx": XLSX, "ods": ODS, "ppt": PPT, "pptx": PPTX, "odp": ODP,
    "jpg": JPEG, "jpeg": JPEG, "png": PNG,
}  # fmt: skip
# Used when the sender's name has no usable extension but the declared type is a kept one.
_EXT_BY_TYPE: dict[str, str] = {
    PDF: "pdf", DOC: "doc", DOCX: "docx", ODT: "odt", RTF: "rtf", TXT: "txt", XLS: "xls",
    XLSX: "xlsx", ODS: "ods", PPT: "ppt", PPTX: "pptx", ODP: "odp", JPEG: "jpg", PNG: "png",
}  # fmt: skip
KEPT_TYPES: frozenset[str] = frozenset(_EXT_BY_TYPE)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Only the first bytes are compared: documents are never opened or parsed. TXT has no magic number.
_MAGIC: dict[str, bytes] = {
    PDF: b"%PDF-", DOC: _OLE, XLS: _OLE, PPT: _OLE, DOCX: _ZIP, XLSX: _ZIP, PPTX: _ZIP,
    ODT: _ZIP, ODS: _ZIP, ODP: _ZIP, RTF: b"{\\rtf", JPEG: b"\xff\xd8\xff",
    PNG: b"\x89PNG\r\n\x1a\n",
}  # fmt: skip
_SNIFF_BYTES = 8192

# What a refused file's first bytes look like, only to word the reason for staff.
_LOOKS_LIKE: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "un exécutable Windows"),
    (b"\x7fELF", "un exécutable Linux"),
    (b"\xca\xfe\xba\xbe", "une classe Java ou un exécutable macOS"),
    (b"#!", "un script"),
    (_ZIP, "une archive ZIP ou un fichier Office ou OpenDocument"),
    (_OLE, "un ancien fichier Office"),
    (b"%PDF-", "un PDF"),
    (b"{\\rtf", "un document RTF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"Rar!", "une archive RAR"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"<", "du balisage (HTML, XML ou SVG)"),
)


def _words(text: str) -> list[str]:
    return text.split()


# Extensions refused whatever the content: Windows and mail clients act on the name alone.
_RUNS_CODE = _words(
    "exe com scr pif bat cmd msi msp mst dll cpl sys drv ocx lnk url scf inf reg hta js jse mjs vbs "
    "vbe wsf wsh wsc ws ps1 ps1xml ps2 psm1 psd1 sh bash zsh csh ksh command py pyw pl rb php jar "
    "class apk app chm gadget msc one iqy slk xll application website appx msix"
)
_MACROS = _words("docm dotm xlsm xltm xlam xlsb pptm potm ppsm sldm ppam")
_ACTIVE = _words("html htm xhtml xht shtml mht mhtml svg svgz xml xsl")
_ARCHIVES = _words("zip rar 7z gz tgz tar bz2 xz cab arj lzh ace iso img vhd vhdx dmg")
_DANGEROUS_EXTS: dict[str, str] = {
    **dict.fromkeys(_RUNS_CODE, "exécute du code"),
    **dict.fromkeys(_MACROS, "macros"),
    **dict.fromkeys(_ACTIVE, "contenu actif"),
    **dict.fromkeys(_ARCHIVES, "archive ou image disque"),
}
# Declared types that announce code, whatever the name says.
_DANGEROUS_TYPE_WORDS = (
    "macroenabled", "msdownload", "executable", "dosexec", "msdos-program", "javascript",
    "ecmascript", "vbscript", "shellscript", "html", "svg", "java-archive", "x-ms-shortcut",
    "x-ms-installer", "x-msi", "shockwave",
)  # fmt: skip
_DANGEROUS_TYPES = frozenset(
    _words(
        "application/x-sh application/x-csh application/x-bat application/hta application/x-python "
        "text/x-python application/x-perl application/x-php application/x-ms-application "
        "application/x-iso9660-image application/x-apple-diskimage application/vnd.ms-cab-compressed "
        "application/x-powershell"
    )
)
# Names clients give to the kept types besides the registered one.
_TYPE_ALIASES: dict[str, str] = {
    "application/x-pdf": PDF, "application/acrobat": PDF, "applications/vnd.pdf": PDF,
    "text/pdf": PDF, "text/x-pdf": PDF, "text/rtf": RTF, "application/x-rtf": RTF,
    "text/richtext": RTF, "image/jpg": JPEG, "image/pjpeg": JPEG, "image/x-png": PNG,
    "application/vnd.ms-word": DOC, "application/doc": DOC, "application/x-msword": DOC,
    "application/x-msexcel": XLS, "application/x-excel": XLS, "application/excel": XLS,
    "application/mspowerpoint": PPT, "application/x-mspowerpoint": PPT,
}  # fmt: skip

_EXT = re.compile(r"[a-z0-9]{1,10}")
_NOT_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_DASHES = re.compile(r"-{2,}")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(10)]
)
_MAX_NAME = 80
_MAX_DISPLAY = 200
_TRANSFER_ENCODINGS = frozenset({"", "7bit", "8bit", "binary", "quoted-printable", "base64"})


@dataclass(frozen=True)
class AttachmentPolicy:
    """Limits per message; `kept_types` must be a subset of KEPT_TYPES (their magic is known)."""

    max_bytes_each: int = 10 * MiB
    max_bytes_total: int = 25 * MiB
    max_count: int = 10
    kept_types: frozenset[str] = KEPT_TYPES

    def __post_init__(self) -> None:
        if min(self.max_bytes_each, self.max_bytes_total, self.max_count) <= 0:
            raise ValueError("attachment limits must be positive")
        unknown = self.kept_types - KEPT_TYPES
        if unknown:
            raise ValueError(f"no content check for these types: {', '.join(sorted(unknown))}")


DEFAULT_POLICY = AttachmentPolicy()


@dataclass(frozen=True)
class _Part:
    """One attachment as read from the message, before any decision."""

    original: str
    declared: str
    data: bytes  # decoded content, or the encoded text when `problem` is set
    problem: str
    size: int
    sha256: str


def _part(original: str, declared: str, data: bytes, problem: str = "") -> _Part:
    return _Part(original, declared, data, problem, len(data), hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class _Verdict:
    part: _Part
    content_type: str
    stem: str
    ext: str
    refused: str


# --- Reading the message ----------------------------------------------------------------------


def _display(name: str) -> str:
    """The sender's name on one line, without the invisible characters that disguise extensions."""
    out: list[str] = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Cf", "Cs", "Co", "Cn"):
            continue  # bidi overrides (« facture‮fdp.exe »), zero widths, undecodable bytes
        out.append(" " if category in ("Cc", "Zl", "Zp") or char.isspace() else char)
    text = " ".join("".join(out).split())
    # Cut in the middle: the end holds the extension, which the type decision and staff both need.
    return text if len(text) <= _MAX_DISPLAY else text[: _MAX_DISPLAY - 41] + "…" + text[-40:]


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def _fold(text: str) -> str:
    """ASCII only: accents dropped, other letters "?" (NFKD also makes look-alike dots and slashes
    real ones, so that they are seen as such)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return kept.encode("ascii", "replace").decode("ascii")


def _safe_get(part: Message, what: str) -> str:
    try:
        if what == "filename":
            value = part.get_filename()
        elif what == "disposition":
            value = part.get_content_disposition()
        elif what == "type":
            value = part.get_content_type()
        else:
            value = part.get("content-transfer-encoding")
    except Exception:  # lazily parsed headers fail in many ways on real mail
        return ""
    return "" if value is None else str(value)


def _is_attachment(part: Message, listed: set[int]) -> bool:
    if part.is_multipart() and _safe_get(part, "type").startswith("multipart/"):
        return False
    if _safe_get(part, "disposition") == "attachment" or _safe_get(part, "filename"):
        return True
    # iter_attachments also lists unnamed non-body parts; unnamed text ones are body fragments
    # (Apple Mail split bodies, list footers), not files anyone sent.
    return id(part) in listed and _safe_get(part, "type").partition("/")[0] != "text"


def _candidates(msg: EmailMessage) -> list[Message]:
    try:
        listed = {id(p) for p in msg.iter_attachments()}
    except Exception:
        listed = set()
    try:
        walked = list(msg.walk())
    except Exception:
        walked = [msg]
    # Inline parts with a filename (images in the body, forwarded messages' files) count too.
    return [p for p in walked if _is_attachment(p, listed)]


def _encoded(part: Message) -> bytes:
    """The part as it travels, for the fingerprint of a part that cannot be decoded."""
    try:
        return part.as_bytes()
    except Exception:
        try:
            return str(part.get_payload()).encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def _read(part: Message) -> _Part:
    original = _display(_safe_get(part, "filename"))
    declared = _display(_safe_get(part, "type").lower())[:100] or "application/octet-stream"
    if part.is_multipart():
        return _part(original, declared, _encoded(part), f"type non conservé : {declared}")
    cte = _safe_get(part, "cte").strip().lower()
    if cte not in _TRANSFER_ENCODINGS:
        return _part(original, declared, _encoded(part),
                     f"encodage de transfert inconnu : {_display(cte)[:40]}")
    try:
        text = part.get_payload(decode=False)
    except Exception:
        text = None
    if not isinstance(text, str):
        return _part(original, declared, _encoded(part), "contenu illisible")
    if cte == "base64":
        # Strict, unlike get_payload(decode=True), which silently returns a damaged file.
        try:
            data = base64.b64decode("".join(text.split()).encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error, ValueError):
            return _part(
                original, declared, text.encode("utf-8", "surrogateescape"), "encodage base64 abîmé"
            )
        return _part(original, declared, data, "")
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        return _part(original, declared, text.encode("utf-8", "surrogateescape"), "contenu illisible")
    return _part(original, declared, payload, "")


def _parts(raw: bytes) -> list[_Part]:
    try:
        msg = BytesParser(policy=email_policy.default).parsebytes(raw)
    except Exception:  # the parser is lenient; this is a last guard
        return []
    if not isinstance(msg, EmailMessage):
        return []
    return [_read(p) for p in _candidates(msg)]


# --- Deciding -----------------------------------------------------------------------------------


def _split(original: str) -> tuple[str, str]:
    """(stem, extension) of the sender's name, folded to ASCII, without any folder part."""
    base = _fold(original).replace("\\", "/").rpartition("/")[2]
    # Windows drops trailing dots and spaces (« facture.exe. » opens as facture.exe).
    base = base.strip(". ")
    stem, dot, ext = base.rpartition(".")
    ext = ext.lower()
    if not dot or not stem or not _EXT.fullmatch(ext):
        return base, ""
    return stem, ext


def _looks_like(head: bytes) -> str:
    start = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    return next((what for magic, what in _LOOKS_LIKE if start.startswith(magic)), "contenu inconnu")


def _sniff(content_type: str, ext: str, data: bytes) -> str:
    """Why the first bytes do not fit the decided type, or ""."""
    if not data:
        return "fichier vide"
    head = data[:_SNIFF_BYTES]
    if content_type == TXT:
        # Text has no magic number; NUL bytes mean binary, unless it is UTF-16 (Notepad's « Unicode »).
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head:
            return ""
        return f"le contenu ne correspond pas à .{ext} : binaire, {_looks_like(head)}"
    if head.startswith(_MAGIC[content_type]):
        return ""
    return f"le contenu ne correspond pas à .{ext} : {_looks_like(head)}"


def _dangerous_type(declared: str) -> bool:
    return declared in _DANGEROUS_TYPES or any(word in declared for word in _DANGEROUS_TYPE_WORDS)


def _classify(part: _Part, kept_types: frozenset[str]) -> _Verdict:
    stem, ext = _split(part.original)
    declared = part.declared
    if part.problem:
        return _Verdict(part, declared, stem, ext, part.problem)
    if ext in _DANGEROUS_EXTS:
        return _Verdict(part, declared, stem, ext, f"type non conservé : .{ext} ({_DANGEROUS_EXTS[ext]})")
    if _dangerous_type(declared):
        return _Verdict(part, declared, stem, ext, f"type non conservé : {declared}")
    by_ext = _TYPE_BY_EXT.get(ext)
    if by_ext is not None:
        if by_ext not in kept_types:
            return _Verdict(part, declared, stem, ext, f"type non conservé : {by_ext}")
        # A kept declared type other than the extension's is not dangerous: the content decides.
        return _Verdict(part, by_ext, stem, ext, _sniff(by_ext, ext, part.data))
    by_declared = _TYPE_ALIASES.get(declared, declared)
    if by_declared in kept_types:
        # No usable extension (« fiche projet », « fiche.v2 »): the declared type names the file,
        # and the old suffix stays in the stem so that nothing acts on it.
        whole = f"{stem}.{ext}" if ext else stem
        new_ext = _EXT_BY_TYPE[by_declared]
        return _Verdict(part, by_declared, whole, new_ext, _sniff(by_declared, new_ext, part.data))
    return _Verdict(part, declared, stem, ext, f"type non conservé : {f'.{ext}' if ext else declared}")


def _verdicts(parts: list[_Part], policy: AttachmentPolicy) -> list[_Verdict]:
    verdicts: list[_Verdict] = []
    count = total = 0
    for part in parts:
        verdict = _classify(part, policy.kept_types)
        size = verdict.part.size
        reason = verdict.refused
        if not reason and size > policy.max_bytes_each:
            reason = f"trop volumineux ({size_fr(size)}, limite {size_fr(policy.max_bytes_each)})"
        if not reason and count >= policy.max_count:
            reason = f"trop de pièces jointes (limite {policy.max_count})"
        if not reason and total + size > policy.max_bytes_total:
            reason = (f"total trop volumineux ({size_fr(total + size)}, limite "
                      f"{size_fr(policy.max_bytes_total)})")
        if not reason:
            count += 1
            total += size
        verdicts.append(
            _Verdict(
                part,
                verdict.part.declared if reason else verdict.content_type,
                verdict.stem,
                verdict.ext,
                reason,
            )
        )
    return verdicts


def _safe_stem(stem: str, ext: str) -> str:
    """[A-Za-z0-9_-] only: dots go too, so no inner extension (« fiche.exe.pdf ») survives."""
    room = _MAX_NAME - len("00-_") - (len(ext) + 1 if ext else 0)
    clean = _DASHES.sub("-", _NOT_SAFE.sub("-", _fold(stem)))[:room].strip("-_") or "piece-jointe"
    # The number in front already defuses CON, NUL…; the mark keeps them apart if it is dropped.
    return clean + "_" if clean.upper() in _WINDOWS_RESERVED else clean


def files_to_keep(raw: bytes, policy: AttachmentPolicy = DEFAULT_POLICY) -> list[AttachmentFile]:
    """Every attachment of the message, decided: the content to keep under a safe name, or why not."""
    return [
        AttachmentFile(
            original=v.part.original,
            content_type=v.content_type,
            data=v.part.data,
            size=v.part.size,
            sha256=v.part.sha256,
            refused=v.refused,
            safe_stem=_safe_stem(v.stem, v.ext),
            ext=v.ext,
        )
        for v in _verdicts(_parts(raw), policy)
    ]
