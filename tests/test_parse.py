"""Specification tests for `parse`: raw bytes, as mail clients really write them, into an Inbound.

Every message is assembled here from headers and a body (never copied from a corpus), so each row
shows exactly which bytes the parser must cope with.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from collections.abc import Mapping

import pytest

from mailflow.core.read.parse import parse
from mailflow.errors import ParseError
from mailflow.model.values import Attachment

# --- Building raw messages -------------------------------------------------------------------

SENDER = "Marie Dupont <marie.dupont@ot-perigord-noir.fr>"
DEFAULT_HEADERS: dict[str, str] = {
    "From": SENDER,
    "To": "MONA =?utf-8?q?=E2=80=93?= Groupes de travail <groupes@monatourisme.fr>",
    "Subject": "Candidature",
    "Date": "Tue, 01 Dec 2026 09:12:00 +0100",
    "Message-ID": "<cand-0001@mail.ot-perigord-noir.fr>",
    "MIME-Version": "1.0",
}


def crlf(data: bytes) -> bytes:
    """Line ends as they travel: CRLF everywhere."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def email_bytes(
    body: bytes | str,
    *,
    content_type: str | None = 'text/plain; charset="utf-8"',
    cte: str | None = "8bit",
    headers: Mapping[str, str | None] | None = None,
    header_lines: tuple[str, ...] = (),
) -> bytes:
    """A message: default headers (a None value drops one), extra raw lines, then the body."""
    merged: dict[str, str | None] = {**DEFAULT_HEADERS, **(headers or {})}
    lines = [f"{name}: {value}" for name, value in merged.items() if value is not None]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if cte is not None:
        lines.append(f"Content-Transfer-Encoding: {cte}")
    lines.extend(header_lines)
    head = "\n".join(lines).encode("ascii")
    payload = body.encode("utf-8") if isinstance(body, str) else body
    return crlf(head + b"\n\n" + payload)


def qp(text: str, charset: str) -> bytes:
    """`text` in `charset`, quoted-printable, as a mail client encodes it."""
    return quopri.encodestring(text.encode(charset))


def b64(text: str, charset: str = "utf-8") -> bytes:
    """`text` in `charset`, base64 in 76-character lines."""
    return base64.encodebytes(text.encode(charset))


def mime_part(content_type: str, payload: bytes, *, cte: str, extra: tuple[str, ...] = ()) -> bytes:
    head = "\n".join((f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {cte}", *extra))
    return head.encode("ascii") + b"\n\n" + payload


def multipart(subtype: str, *parts: bytes, boundary: str = "----=_NextPart_000_0012_01DB43A1") -> bytes:
    """A multipart body: its parts between boundary lines (the Content-Type goes in the headers)."""
    marker = f"--{boundary}".encode("ascii")
    chunks = [b"This is a multi-part message in MIME format.\n"]
    for part in parts:
        chunks.extend([marker + b"\n", part.rstrip(b"\n") + b"\n"])
    chunks.append(marker + b"--\n")
    return b"".join(chunks)


def multipart_type(subtype: str, boundary: str = "----=_NextPart_000_0012_01DB43A1") -> str:
    return f'multipart/{subtype}; boundary="{boundary}"'


PLAIN_LETTER = """Bonjour,

Je souhaite candidater au groupe de travail « Offices de Tourisme ruraux ».
Je suis directrice de l’Office de Tourisme du Périgord Noir, à Montignac.

Cordialement,
Marie Dupont
Directrice
Office de Tourisme du Périgord Noir
24290 Montignac – 05 53 51 82 60
"""


# --- Bodies and charsets ---------------------------------------------------------------------


def test_plain_utf8_8bit() -> None:
    inbound = parse(email_bytes(PLAIN_LETTER), "k1")
    assert inbound.key == "k1"
    assert inbound.sender == "marie.dupont@ot-perigord-noir.fr"
    assert inbound.sender_name == "Marie Dupont"
    assert inbound.subject == "Candidature"
    assert inbound.content_type == "text/plain"
    assert "l’Office de Tourisme du Périgord Noir, à Montignac." in inbound.text
    assert "\r" not in inbound.text
    # The closing formula starts the signature: the new text stops before it.
    assert inbound.new_text.startswith("Bonjour,")
    assert "Cordialement" not in inbound.new_text
    assert "24290 Montignac" in inbound.signature


ACCENTED = "Je souhaite candidater à l’été : très intéressée, ça me plaît, Cœur de Béarn."


@pytest.mark.parametrize(
    ("charset", "sentence"),
    [
        pytest.param("iso-8859-1", "Candidature déposée à Périgueux, très motivé, reçu ça.",
                     id="qp-iso-8859-1"),
        pytest.param("ISO-8859-1", "Élodie, chargée de l'accueil à Brantôme, reçue.", id="qp-latin1-upper"),
        pytest.param("windows-1252", ACCENTED, id="qp-windows-1252-oe-and-0x92"),
        pytest.param("cp1252", "L’Office de Tourisme Cœur de Béarn, à Orthez.", id="qp-cp1252-alias"),
        pytest.param("iso-8859-15", "Le Cœur de Béarn : 5 € la visite, l'été.", id="qp-iso-8859-15-oe-euro"),
    ],
)
def test_quoted_printable_legacy_charsets(charset: str, sentence: str) -> None:
    body = f"Bonjour,\n\n{sentence}\n\nBien cordialement,\nMarie Dupont\n"
    raw = email_bytes(qp(body, charset), content_type=f'text/plain; charset="{charset}"',
                      cte="quoted-printable")
    inbound = parse(raw, "k")
    assert sentence in inbound.text
    assert sentence in inbound.new_text


def test_quoted_printable_windows_1252_written_by_hand() -> None:
    # Outlook's bytes: 0x92 is the typographic apostrophe, 0x9C « œ », soft line breaks with `=`.
    body = (
        b"Bonjour,\n\nJe suis directeur de l=92Office de Tourisme C=9Cur de B=E9arn, =E0 Orth=\n"
        b"ez ; nous sommes int=E9ress=E9s par le groupe =AB=A0OT ruraux=A0=BB, merci=\n"
        b" pour l=92=E9t=E9 ! Fran=E7ois, tr=E8s motiv=E9.\n"
    )
    raw = email_bytes(body, content_type="text/plain; charset=windows-1252", cte="quoted-printable")
    text = parse(raw, "k").text
    assert "l’Office de Tourisme Cœur de Béarn, à Orthez ;" in text
    assert "« OT ruraux »" in text.replace("\u00a0", " ")
    assert "merci pour l’été ! François, très motivé." in text


def test_base64_utf8_body() -> None:
    raw = email_bytes(b64(PLAIN_LETTER), cte="base64")
    inbound = parse(raw, "k")
    assert "l’Office de Tourisme du Périgord Noir, à Montignac." in inbound.text
    assert "groupe de travail « Offices de Tourisme ruraux »" in inbound.new_text


def test_charset_python_does_not_know_still_yields_text() -> None:
    raw = email_bytes(PLAIN_LETTER, content_type='text/plain; charset="x-unknown"')
    inbound = parse(raw, "k")
    assert "Périgord Noir, à Montignac" in inbound.text


def test_unknown_charset_on_windows_1252_bytes_falls_back_to_windows_1252() -> None:
    body = "Bonjour,\n\nJe suis directeur de l’Office de Tourisme Cœur de Béarn.\n".encode("cp1252")
    raw = email_bytes(body, content_type='text/plain; charset="x-unknown"')
    assert "l’Office de Tourisme Cœur de Béarn." in parse(raw, "k").text


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param('text/plain; charset="utf-8"', "Je suis très intéressée par l’été.".encode("cp1252"),
                     id="cp1252-bytes-labelled-utf-8"),
        pytest.param("text/plain", "Je suis très intéressée par l’été.".encode(),
                     id="utf-8-bytes-no-charset"),
        pytest.param("text/plain", "Je suis très intéressée par l’été.".encode("cp1252"),
                     id="cp1252-bytes-no-charset"),
        pytest.param('text/plain; charset="iso-8859-1"',
                     "Je suis très intéressée par l’été.".encode("cp1252"),
                     id="cp1252-apostrophe-labelled-iso-8859-1"),
    ],
)
def test_charset_that_lies(content_type: str, body: bytes) -> None:
    text = parse(email_bytes(b"Bonjour,\n\n" + body + b"\n", content_type=content_type), "k").text
    assert "Je suis très intéressée par l’été." in text
    assert "\ufffd" not in text


def test_stray_undefined_byte_keeps_the_declared_charset() -> None:
    # 0x81 is undefined in windows-1252: one bad byte must not turn the whole body into latin-1.
    body = "Bonjour,\n\nL’Office de Tourisme Cœur de Béarn.".encode("cp1252") + b" \x81\n"
    text = parse(email_bytes(body, content_type='text/plain; charset="windows-1252"'), "k").text
    assert "L’Office de Tourisme Cœur de Béarn." in text


# --- Encoded headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        pytest.param("=?iso-8859-1?q?Candidature_=E0_un_groupe_de_travail?=",
                     "Candidature à un groupe de travail", id="q-iso-8859-1"),
        pytest.param("=?ISO-8859-1?Q?Id=E9e_de_groupe_:_accueil_hors_les_murs?=",
                     "Idée de groupe : accueil hors les murs", id="Q-upper-iso-8859-1"),
        pytest.param("=?utf-8?b?Q2FuZGlkYXR1cmUg4oCTIHLDtGxlIGRlIGzigJlPVA==?=",
                     "Candidature – rôle de l’OT", id="b-utf-8"),
        pytest.param("=?iso-8859-1?b?UulzZXJ2YXRpb24gZOl0ZQ==?=", "Réservation déte", id="b-iso-8859-1"),
        pytest.param("Candidature =?utf-8?q?=E2=80=93_groupe_=C2=AB?=\n =?utf-8?q?_Offices_de_Tourisme"
                     "_ruraux_=C2=BB?=",
                     "Candidature – groupe « Offices de Tourisme ruraux »", id="q-utf-8-two-words-folded"),
        pytest.param("=?utf-8?q?Candidature_r=C3=B4le?= =?iso-8859-1?q?_de_l=27office_=E0_Pau?=",
                     "Candidature rôle de l'office à Pau", id="two-words-two-charsets"),
        pytest.param("=?utf-8?b?Q2FuZGlkYXR1cmUgw6k=?= =?utf-8?b?dMOp?=", "Candidature été",
                     id="b-utf-8-two-words"),
        pytest.param("=?utf-8?q?Inscription_=C3?= =?utf-8?q?=A0_l=27atelier?=", "Inscription à l'atelier",
                     id="q-utf-8-character-split-across-words"),
    ],
)
def test_rfc2047_subject(encoded: str, decoded: str) -> None:
    raw = email_bytes("Bonjour,\n", headers={"Subject": encoded})
    assert parse(raw, "k").subject == decoded


@pytest.mark.parametrize(
    ("from_header", "name"),
    [
        pytest.param("=?iso-8859-1?q?H=E9l=E8ne_Fran=E7ois?= <h.francois@ot-correze.fr>",
                     "Hélène François", id="q-iso-8859-1"),
        pytest.param("=?utf-8?b?SsOpcsO0bWUgTGHDr2s=?= <h.francois@ot-correze.fr>", "Jérôme Laïk",
                     id="b-utf-8"),
        pytest.param("=?utf-8?q?J=C3=A9r=C3=B4me?= =?utf-8?q?_Lafon-C=C5=93ur?= <h.francois@ot-correze.fr>",
                     "Jérôme Lafon-Cœur", id="q-utf-8-two-words"),
        pytest.param('"=?windows-1252?q?L=92Office_de_Tourisme?=" <h.francois@ot-correze.fr>',
                     "L’Office de Tourisme", id="quoted-encoded-word-windows-1252"),
        pytest.param('"Francois, Helene" <H.Francois@OT-Correze.fr>', "Francois, Helene",
                     id="quoted-comma-and-upper-case-address"),
    ],
)
def test_rfc2047_from_display_name(from_header: str, name: str) -> None:
    inbound = parse(email_bytes("Bonjour,\n", headers={"From": from_header}), "k")
    assert inbound.sender == "h.francois@ot-correze.fr"
    assert inbound.sender_name == name


def test_encoded_crlf_in_subject_stays_on_one_line() -> None:
    raw = email_bytes("Bonjour,\n", headers={"Subject": "=?utf-8?q?a=0D=0ABcc:_x@evil?="})
    subject = parse(raw, "k").subject
    assert "\r" not in subject and "\n" not in subject
    assert subject == "a Bcc: x@evil"


# --- HTML and multipart ----------------------------------------------------------------------

OUTLOOK_HTML = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;
\tmso-fareast-language:EN-US;}
span.EmailStyle17 {mso-style-type:personal-compose; color:windowtext;}
@page WordSection1 {size:612.0pt 792.0pt;}
--></style></head>
<body lang="FR" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
<p class="MsoNormal">Bonjour,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Suite à la lecture de MONA Infos, je souhaiterais faire partie du groupe de travail
«&nbsp;Communiquer sur le rôle de l’Office de Tourisme&nbsp;».<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Bien cordialement,<o:p></o:p></p>
<p class="MsoNormal"><b><span style="color:#1F4E79">Jean-Michel Etcheverry</span></b><o:p></o:p></p>
<p class="MsoNormal">Directeur<o:p></o:p></p>
<p class="MsoNormal">Office de Tourisme Cœur de Béarn<o:p></o:p></p>
<p class="MsoNormal">64300 Orthez – 05 59 12 34 56<o:p></o:p></p>
</div></body></html>
"""


def test_html_only_outlook_message() -> None:
    raw = email_bytes(
        qp(OUTLOOK_HTML, "windows-1252"),
        content_type='text/html; charset="windows-1252"',
        cte="quoted-printable",
        headers={"From": "ETCHEVERRY Jean-Michel <direction@coeurdebearn-tourisme.fr>"},
        header_lines=("X-Mailer: Microsoft Outlook 16.0", "Thread-Index: AdlXyz1234567890abcdefghij=="),
    )
    inbound = parse(raw, "k")
    text = inbound.text
    assert inbound.content_type == "text/html"
    for leak in ("MsoNormal", "font-family", "Calibri", "mso-", "WordSection1", "{", "<o:p>", "&nbsp;",
                 "<p", "</"):
        assert leak not in text, leak
    assert "Bonjour," in text
    joined = " ".join(text.split())
    assert "faire partie du groupe de travail « Communiquer sur le rôle de l’Office de Tourisme »" in joined
    assert "Jean-Michel Etcheverry" in text
    assert "64300 Orthez" in inbound.signature
    assert "Bien cordialement" not in inbound.new_text


PLAIN_ALT = "Bonjour,\n\nVersion texte : je souhaite candidater au groupe OT ruraux.\n"
HTML_ALT = "<html><body><p>Bonjour,</p><p>Version <b>HTML</b> : je souhaite candidater.</p></body></html>"


@pytest.mark.parametrize("html_first", [False, True], ids=["plain-then-html", "html-then-plain"])
def test_multipart_alternative_prefers_text_plain(html_first: bool) -> None:
    plain = mime_part('text/plain; charset="utf-8"', qp(PLAIN_ALT, "utf-8"), cte="quoted-printable")
    rich = mime_part('text/html; charset="utf-8"', qp(HTML_ALT, "utf-8"), cte="quoted-printable")
    parts = (rich, plain) if html_first else (plain, rich)
    raw = email_bytes(multipart("alternative", *parts), content_type=multipart_type("alternative"),
                      cte=None)
    inbound = parse(raw, "k")
    assert inbound.content_type == "multipart/alternative"
    assert "Version texte : je souhaite candidater au groupe OT ruraux." in inbound.text
    assert "HTML" not in inbound.text


def test_multipart_mixed_with_alternative_inside_and_attachment() -> None:
    alternative = multipart(
        "alternative",
        mime_part('text/plain; charset="iso-8859-1"', qp(PLAIN_ALT + "Réf. été\n", "iso-8859-1"),
                  cte="quoted-printable"),
        mime_part('text/html; charset="utf-8"', qp(HTML_ALT, "utf-8"), cte="quoted-printable"),
        boundary="alt-boundary",
    )
    body = multipart(
        "mixed",
        b'Content-Type: multipart/alternative; boundary="alt-boundary"\n\n' + alternative,
        mime_part("application/pdf", b64("%PDF-1.4 fiche"), cte="base64",
                  extra=('Content-Disposition: attachment; filename="fiche.pdf"',)),
    )
    inbound = parse(email_bytes(body, content_type=multipart_type("mixed"), cte=None), "k")
    assert "Version texte" in inbound.text and "Réf. été" in inbound.text
    assert [a.filename for a in inbound.attachments] == ["fiche.pdf"]


# --- Framing: mbox lines, blank lines, broken folding ----------------------------------------


def test_mbox_from_line_is_not_a_header() -> None:
    raw = b"From marie.dupont@ot-perigord-noir.fr Tue Dec  1 09:12:00 2026\n" + email_bytes(PLAIN_LETTER)
    inbound = parse(raw, "k")
    assert inbound.sender == "marie.dupont@ot-perigord-noir.fr"
    assert inbound.subject == "Candidature"
    assert inbound.message_id == "<cand-0001@mail.ot-perigord-noir.fr>"
    assert inbound.text.startswith("Bonjour,")


@pytest.mark.parametrize("prefix", [b"\r\n", b"\n\n\n", b"\r\n \r\n\t\r\n"], ids=["crlf", "lf", "spaces"])
def test_leading_blank_lines(prefix: bytes) -> None:
    raw = prefix + email_bytes(PLAIN_LETTER)
    inbound = parse(raw, "k")
    assert inbound.sender == "marie.dupont@ot-perigord-noir.fr"
    assert inbound.subject == "Candidature"
    assert "Périgord Noir" in inbound.text
    # The fingerprint is of the bytes as received, blank lines included.
    assert inbound.sha256 == hashlib.sha256(raw).hexdigest()


def test_header_folded_without_leading_whitespace() -> None:
    # A client wrapped the Subject but forgot the folding space; From and the others come after.
    head = (
        "Subject: Candidature au groupe de travail\n"
        "Offices de Tourisme ruraux (Dordogne)\n"
        "From: Marie Dupont <marie.dupont@ot-perigord-noir.fr>\n"
        "To: groupes@monatourisme.fr\n"
        "Message-ID: <folded@mail.ot-perigord-noir.fr>\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: 8bit\n"
    )
    raw = crlf(head.encode() + b"\n" + PLAIN_LETTER.encode())
    inbound = parse(raw, "k")
    assert inbound.sender == "marie.dupont@ot-perigord-noir.fr"
    assert inbound.subject == "Candidature au groupe de travail Offices de Tourisme ruraux (Dordogne)"
    assert inbound.message_id == "<folded@mail.ot-perigord-noir.fr>"
    assert "Périgord Noir" in inbound.text
    assert "Message-ID" not in inbound.text


def test_header_folded_without_leading_whitespace_after_from() -> None:
    # The same broken fold after From: the headers after it still count (Message-ID, encoding).
    head = (
        "From: Marie Dupont <marie.dupont@ot-perigord-noir.fr>\n"
        "Subject: Candidature au groupe de travail\n"
        "Offices de Tourisme ruraux\n"
        "To: groupes@monatourisme.fr\n"
        "Message-ID: <folded-2@mail.ot-perigord-noir.fr>\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
    )
    inbound = parse(crlf(head.encode() + b"\n" + qp(PLAIN_LETTER, "utf-8")), "k")
    assert inbound.subject == "Candidature au groupe de travail Offices de Tourisme ruraux"
    assert inbound.message_id == "<folded-2@mail.ot-perigord-noir.fr>"
    assert inbound.text.startswith("Bonjour,")
    assert "« Offices de Tourisme ruraux »" in inbound.text


def test_body_without_blank_line_after_headers_is_kept() -> None:
    # No separator at all: the body starts at the first line that is not a header.
    raw = crlf(b"From: Marie Dupont <marie.dupont@ot-perigord-noir.fr>\nSubject: Candidature\n"
               b"Bonjour,\n\nJe souhaite candidater au groupe OT ruraux.\n")
    inbound = parse(raw, "k")
    assert inbound.subject == "Candidature"
    assert inbound.text.startswith("Bonjour,")
    assert "candidater au groupe OT ruraux." in inbound.text


# --- Who sent it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "sender", "name"),
    [
        pytest.param({"From": None, "Sender": "Marie Dupont <marie.dupont@ot-perigord-noir.fr>"},
                     "marie.dupont@ot-perigord-noir.fr", "Marie Dupont", id="sender"),
        pytest.param({"From": None, "Reply-To": "=?utf-8?q?H=C3=A9l=C3=A8ne?= Marty <h.marty@ot-lot.fr>"},
                     "h.marty@ot-lot.fr", "Hélène Marty", id="reply-to"),
        pytest.param({"From": "undisclosed-recipients:;", "Reply-To": "<accueil@ot-medoc.fr>"},
                     "accueil@ot-medoc.fr", None, id="from-without-address-then-reply-to"),
        pytest.param({"From": "Accueil OT <ACCUEIL@OT-Medoc.FR>"}, "accueil@ot-medoc.fr", "Accueil OT",
                     id="address-lower-cased"),
    ],
)
def test_sender_fallbacks(headers: dict[str, str | None], sender: str, name: str | None) -> None:
    inbound = parse(email_bytes("Bonjour,\n", headers=headers), "k")
    assert inbound.sender == sender
    assert inbound.sender_name == name


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(email_bytes("Bonjour,\n", headers={"From": None}), id="no-from"),
        pytest.param(email_bytes("Bonjour,\n", headers={"From": "<>"}), id="null-from"),
        pytest.param(email_bytes("Bonjour,\n", headers={"From": "Marie Dupont"}), id="from-without-address"),
        pytest.param(b"\x00\x01PK\x03\x04 this is not an email at all\x00\xff\xfe", id="binary-zip"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00Subject: x\r\n", id="outlook-msg"),
        pytest.param(email_bytes("Bonjour,\n") + b"\x00" * 8, id="nul-bytes-after-headers"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\r\n\r\n  \t\r\n", id="only-blank-lines"),
        pytest.param(b"Bonjour, ceci n'a pas d'en-tete\r\n", id="no-header"),
    ],
)
def test_unreadable_messages_raise_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        parse(raw, "k")


@pytest.mark.parametrize(
    "from_bytes",
    [
        pytest.param("Élodie Martin <élodie.martin@ot-correze.fr>".encode(), id="utf8-raw-header"),
        pytest.param(b"=?utf-8?q?=C3=89lodie?= <=?utf-8?q?=C3=A9lodie?=.martin@ot-correze.fr>",
                     id="encoded-word-in-address"),
    ],
)
def test_non_ascii_local_part_raises_parse_error(from_bytes: bytes) -> None:
    raw = email_bytes("Bonjour,\n", headers={"From": None})
    raw = b"From: " + from_bytes + b"\r\n" + raw
    with pytest.raises(ParseError, match="non ASCII"):
        parse(raw, "k")


def test_non_ascii_domain_only_is_accepted() -> None:
    # Accented domains are answered in their IDNA form; only the local part needs SMTPUTF8.
    raw = b"From: Luc <luc@office-p\xc3\xa9rigord.fr>\r\n" + email_bytes("Bonjour,\n", headers={"From": None})
    assert parse(raw, "k").sender == "luc@" + "office-périgord.fr".encode("idna").decode()
    assert parse(raw, "k").sender.isascii()


# --- Threading headers -----------------------------------------------------------------------


def test_message_id_in_reply_to_and_references() -> None:
    raw = email_bytes(
        "Bonjour,\n",
        headers={
            "Message-ID": "  <AM0PR06MB1234.eurprd06.prod.outlook.com> (Outlook)",
            "In-Reply-To": "<reply-42@monatourisme.fr> (message de MONA du 1 dec.)",
            "References": "<cand-0001@mail.ot-perigord-noir.fr>\n\t<reply-42@monatourisme.fr>\n"
                          " <reply-43@monatourisme.fr>",
        },
    )
    inbound = parse(raw, "k")
    assert inbound.message_id == "<AM0PR06MB1234.eurprd06.prod.outlook.com>"
    assert inbound.in_reply_to == "<reply-42@monatourisme.fr>"
    assert inbound.references == (
        "<cand-0001@mail.ot-perigord-noir.fr>",
        "<reply-42@monatourisme.fr>",
        "<reply-43@monatourisme.fr>",
    )


def test_missing_threading_headers() -> None:
    inbound = parse(email_bytes("Bonjour,\n", headers={"Message-ID": None}), "k")
    assert inbound.message_id is None
    assert inbound.in_reply_to is None
    assert inbound.references == ()


# --- Attachments -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% fiche projet MONA\n" + bytes(range(256)) * 3


@pytest.mark.parametrize(
    "disposition",
    [
        pytest.param(("Content-Disposition: attachment;",
                      " filename*=utf-8''fiche-projet-%C3%A9t%C3%A9.pdf"), id="rfc2231"),
        pytest.param(("Content-Disposition: attachment;",
                      " filename*0*=UTF-8''fiche-projet-;",
                      " filename*1*=%C3%A9t%C3%A9.pdf"), id="rfc2231-continuations"),
        pytest.param(("Content-Disposition: attachment;",
                      ' filename="=?utf-8?q?fiche-projet-=C3=A9t=C3=A9.pdf?="'), id="rfc2047-in-quotes"),
        pytest.param(("Content-Disposition: attachment;",
                      " filename*=iso-8859-1'fr'fiche-projet-%E9t%E9.pdf"), id="rfc2231-latin1"),
    ],
)
def test_attachment_with_encoded_french_filename(disposition: tuple[str, ...]) -> None:
    body = multipart(
        "mixed",
        mime_part('text/plain; charset="utf-8"', b"Bonjour,\n\nVoici la fiche projet.\n", cte="8bit"),
        mime_part("application/pdf", base64.encodebytes(PDF), cte="base64", extra=disposition),
        mime_part("image/png", base64.encodebytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 92), cte="base64",
                  extra=("Content-Disposition: inline; filename=\"image001.png\"",
                         "Content-ID: <image001.png@01DB43A1.2B3C4D50>")),
    )
    inbound = parse(email_bytes(body, content_type=multipart_type("mixed"), cte=None), "k")
    assert inbound.content_type == "multipart/mixed"
    assert Attachment("fiche-projet-été.pdf", "application/pdf", len(PDF)) in inbound.attachments
    assert "Voici la fiche projet." in inbound.text
    assert "JVBER" not in inbound.text


def test_no_attachment_in_plain_message() -> None:
    assert parse(email_bytes(PLAIN_LETTER), "k").attachments == ()


# --- Quoted history --------------------------------------------------------------------------

OUTLOOK_REPLY = """Bonjour,

Je me permets de compléter : nous sommes 6 ETP.

Cordialement,
Marie Dupont
Directrice – Office de Tourisme du Périgord Noir
Tél. : 05 53 51 82 60

De : MONA – Groupes de travail <groupes@monatourisme.fr>
Envoyé : mardi 1 décembre 2026 09:15
À : Marie Dupont <marie.dupont@ot-perigord-noir.fr>
Objet : Re : Candidature – groupe « Offices de Tourisme ruraux »

Bonjour Marie Dupont,
Votre place est réservée ; il nous manque le nombre d’ETP de votre structure.
Pour vous désister, répondez « je me désiste ».
"""

GMAIL_REPLY = """Bonjour,

Je me permets de compléter : nous sommes 6 ETP.

Le mar. 1 déc. 2026 à 09:15, MONA – Groupes de travail <groupes@monatourisme.fr> a écrit :
> Bonjour Marie Dupont,
> Votre place est réservée ; il nous manque le nombre d’ETP de votre structure.
> Pour vous désister, répondez « je me désiste ».
"""

GMAIL_REPLY_WRAPPED = """Bonjour,

Je me permets de compléter : nous sommes 6 ETP.

Le mar. 1 déc. 2026 à 09:15, MONA – Groupes de travail <
groupes@monatourisme.fr> a écrit :

> Bonjour Marie Dupont,
> Votre place est réservée ; il nous manque le nombre d’ETP de votre structure.
> Pour vous désister, répondez « je me désiste ».
"""


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(OUTLOOK_REPLY, id="outlook-fr"),
        pytest.param(OUTLOOK_REPLY.replace(" :", "\u00a0:"), id="outlook-fr-nbsp"),
        pytest.param(GMAIL_REPLY, id="gmail-fr"),
        pytest.param(GMAIL_REPLY_WRAPPED, id="gmail-fr-wrapped"),
    ],
)
def test_quoted_reply_is_in_text_not_in_new_text(body: str) -> None:
    raw = email_bytes(
        qp(body, "utf-8"), cte="quoted-printable",
        headers={"Subject": "RE : Candidature", "In-Reply-To": "<reply-42@monatourisme.fr>"},
    )
    inbound = parse(raw, "k")
    assert "nous sommes 6 ETP." in inbound.new_text
    assert "je me désiste" in inbound.text
    assert "Votre place est réservée" in inbound.text
    assert "désist" not in inbound.new_text
    assert "Votre place" not in inbound.new_text
    assert "monatourisme" not in inbound.new_text
    assert "monatourisme" not in inbound.signature
    assert "désist" not in inbound.signature


# --- Fingerprint and kept headers ------------------------------------------------------------


def test_sha256_is_of_the_raw_bytes() -> None:
    raw = b"\r\nFrom mbox-line Tue Dec  1 09:12:00 2026\n" + email_bytes(PLAIN_LETTER)
    inbound = parse(raw, "k")
    assert inbound.sha256 == hashlib.sha256(raw).hexdigest()
    other = parse(raw.replace(b"Montignac", b"Sarlat"), "k")
    assert other.sha256 != inbound.sha256


def test_kept_headers_are_lower_cased_on_one_line() -> None:
    raw = email_bytes(
        "Bonjour,\n",
        header_lines=("Auto-Submitted: auto-replied;\n  by=exchange", "X-Auto-Response-Suppress: All",
                      "X-Mailer: Microsoft Outlook 16.0"),
    )
    inbound = parse(raw, "k")
    assert inbound.header("Auto-Submitted") == "auto-replied; by=exchange"
    assert inbound.header("x-auto-response-suppress") == "All"
    assert inbound.header("x-mailer") is None  # not kept: classification never reads it


@pytest.mark.parametrize("subtype", ["plain", "html"])
def test_a_huge_message_is_read_from_its_first_part_only(subtype: str) -> None:
    """24 MB of text (under the size limit): what a person wrote is at the top, and only the
    first part is read, so that no message holds everyone else's replies back."""
    from mailflow.core.read.parse import READ_CHARS

    filler = "Ligne de journal sans intérêt, 12 rue des Lilas 24200, tél. 05 53 00 00 00.\n" * 320_000
    form = ("Nom : Marie Dupont\nStructure : Office de Tourisme du Périgord Noir\n"
            "Fonction : directrice\nDépartement : 24\n\n")
    body = form + filler
    if subtype == "html":
        body = "<html><body><p>" + body.replace("\n", "<br>") + "</p></body></html>"
    raw = (f"From: marie.dupont@ot-perigord-noir.fr\nSubject: Candidature OT ruraux\n"
           f"Content-Type: text/{subtype}; charset=utf-8\n\n{body}").encode()
    assert len(raw) > 24_000_000
    inbound = parse(raw, "k")
    assert len(inbound.text) <= READ_CHARS and len(inbound.new_text) <= READ_CHARS
    assert "Nom : Marie Dupont" in inbound.new_text
