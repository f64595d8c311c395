"""Specification tests for `attachments`: what an idea's files become on disk, and what never does.

Every message is built here with EmailMessage, as a member's mail client would send it (a French
idea with its « fiche projet »), with raw headers only where a client or an attacker writes them so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailflow.adapters.attachment_dir import describe
from mailflow.app.attachments import save_attachments
from mailflow.core.read.attachments import DOCX, JPEG, ODT, PDF, TXT, XLSX, AttachmentPolicy
from mailflow.errors import StoreError
from mailflow.ports import SavedAttachment

from .helpers.project import ROOT

OWNER = "I-0007"

# Minimal real file starts: each kept type's magic number, then a little content.
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
ZIP_STUB = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + bytes(40)
ODF_STUB = b"PK\x03\x04\x14\x00\x00\x08\x00\x00" + bytes(16) + b"mimetype" + ODT.encode()
OLE_STUB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(32)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run"
TEXT_BYTES = "Objectifs du groupe : accueil hors les murs, marchés d'été.\n".encode()
HTML_BYTES = b"<html><body><script>alert(1)</script></body></html>"

# A file to attach: (file name, "maintype/subtype", content).
File = tuple[str, str, bytes]


def idea_email(*files: File, raw_parts: tuple[EmailMessage, ...] = ()) -> bytes:
    """A member's idea, with its files attached as a mail client does (RFC 2231 names included)."""
    msg = EmailMessage()
    msg["From"] = "Thomas Bernard <thomas.bernard@pat-val-de-garonne.fr>"
    msg["To"] = "MONA – Groupes de travail <groupes@monatourisme.fr>"
    msg["Subject"] = "Idée de groupe de travail : accueil hors les murs"
    msg["Message-ID"] = "<idee-0007@pat-val-de-garonne.fr>"
    msg.set_content(
        "Bonjour Jean-Luc,\n\nJ'ai une idée de groupe de travail : l'accueil hors les murs.\n"
        "Vous trouverez la fiche projet et la note d'intention en pièce jointe.\n\n"
        "Bien à vous,\nThomas Bernard\n"
    )
    for name, ctype, data in files:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if raw_parts and msg.get_content_type() != "multipart/mixed":
        msg.make_mixed()
    for part in raw_parts:
        msg.attach(part)
    return msg.as_bytes()


def raw_part(disposition: str, data: str, *, ctype: str = "application/pdf", cte: str = "base64"
             ) -> EmailMessage:
    """A part whose headers are kept byte for byte, as an odd client or an attacker writes them."""
    part = EmailMessage()
    part.set_raw("Content-Type", ctype)
    part.set_raw("Content-Disposition", disposition)
    part.set_raw("Content-Transfer-Encoding", cte)
    part.set_payload(data)
    return part


PDF_B64 = "JVBERi0xLjQKJSVFT0YK"  # %PDF-1.4\n%%EOF\n


def files_under(path: Path) -> Iterator[Path]:
    """Every file and link under `path`, links not followed."""
    for folder, dirs, names in os.walk(path):
        for name in names + [d for d in dirs if Path(folder, d).is_symlink()]:
            yield Path(folder, name)


def owner_files(root: Path) -> set[str]:
    return {p.name for p in (root / OWNER).iterdir()}


# --- Kept files ---------------------------------------------------------------------------------

KEPT = [
    # (sent as, declared type, content, safe name on disk, type decided)
    ("fiche-projet-été.pdf", "application/pdf", PDF_BYTES, "01-fiche-projet-ete.pdf", PDF),
    ("Note d'intention.docx", DOCX, ZIP_STUB, "01-Note-d-intention.docx", DOCX),
    ("note-intention-accueil.odt", ODT, ODF_STUB, "01-note-intention-accueil.odt", ODT),
    ("Fiche projet « Accueil hors les murs » été 2027.pdf", "application/pdf", PDF_BYTES,
     "01-Fiche-projet-Accueil-hors-les-murs-ete-2027.pdf", PDF),
    ("Cœur de ville – marchés.pdf", "application/pdf", PDF_BYTES, "01-Coeur-de-ville-marches.pdf", PDF),
    ("Budget prévisionnel.xlsx", "application/octet-stream", ZIP_STUB, "01-Budget-previsionnel.xlsx", XLSX),
    ("ancien-compte-rendu.doc", "application/msword", OLE_STUB, "01-ancien-compte-rendu.doc",
     "application/msword"),
    ("Photo marché.JPG", "image/jpeg", JPEG_BYTES, "01-Photo-marche.jpg", JPEG),
    ("plan.png", "image/x-png", PNG_BYTES, "01-plan.png", "image/png"),
    ("objectifs.txt", "text/plain", TEXT_BYTES, "01-objectifs.txt", TXT),
    # No extension, or one nobody knows: the declared type names the file, the content confirms it.
    ("fiche projet", "application/pdf", PDF_BYTES, "01-fiche-projet.pdf", PDF),
    ("fiche.version2", "application/x-pdf", PDF_BYTES, "01-fiche-version2.pdf", PDF),
    # Two kept types that disagree are not dangerous: the extension decides, the content checks it.
    ("fiche.pdf", "application/msword", PDF_BYTES, "01-fiche.pdf", PDF),
    ("note.docx", "application/zip", ZIP_STUB, "01-note.docx", DOCX),
]


@pytest.mark.parametrize(("sent_as", "declared", "data", "name", "ctype"), KEPT)
def test_kept_files_are_written_under_a_safe_name(
    tmp_path: Path, sent_as: str, declared: str, data: bytes, name: str, ctype: str
) -> None:
    [saved] = save_attachments(idea_email((sent_as, declared, data)), OWNER, tmp_path)

    assert saved == SavedAttachment(
        name=name, original=sent_as, content_type=ctype, size=len(data), sha256=saved.sha256,
        path=tmp_path / OWNER / name, refused="",
    )  # fmt: skip
    assert saved.path is not None and saved.path.read_bytes() == data
    assert owner_files(tmp_path) == {name, "index.json"}


def test_the_projects_sample_idea_keeps_its_fiche_projet(tmp_path: Path) -> None:
    raw = (ROOT / "samples" / "05-idee-de-groupe.eml").read_bytes()

    [saved] = save_attachments(raw, OWNER, tmp_path)

    assert (saved.name, saved.refused) == ("01-fiche-projet-accueil-hors-les-murs.pdf", "")
    assert saved.path is not None and saved.path.read_bytes().startswith(b"%PDF-")


def test_several_files_are_numbered_in_message_order(tmp_path: Path) -> None:
    raw = idea_email(
        ("fiche-projet.pdf", "application/pdf", PDF_BYTES),
        ("setup.exe", "application/x-msdownload", EXE_BYTES),
        ("note.odt", ODT, ODF_STUB),
    )

    saved = save_attachments(raw, OWNER, tmp_path)

    assert [(s.name, s.kept) for s in saved] == [
        ("01-fiche-projet.pdf", True), ("02-setup.exe", False), ("03-note.odt", True),
    ]  # fmt: skip
    assert owner_files(tmp_path) == {"01-fiche-projet.pdf", "03-note.odt", "index.json"}


def test_inline_parts_with_a_filename_and_forwarded_messages(tmp_path: Path) -> None:
    forwarded = EmailMessage()
    forwarded["From"] = "Claire Martin <claire.martin@ot-marmande.fr>"
    forwarded["Subject"] = "Fiche projet"
    forwarded.set_content("Voici la fiche.")
    forwarded.add_attachment(PDF_BYTES, maintype="application", subtype="pdf", filename="fiche-claire.pdf")
    msg = EmailMessage()
    msg["From"] = "Thomas Bernard <thomas.bernard@pat-val-de-garonne.fr>"
    msg["Subject"] = "TR: Fiche projet"
    msg.set_content("Je vous transfère la fiche de Claire.")
    msg.add_alternative("<p>Je vous transfère la fiche de Claire.<img src='cid:logo'></p>", subtype="html")
    _, html = msg.iter_parts()
    html.add_related(PNG_BYTES, maintype="image", subtype="png", cid="<logo>", disposition="inline",
                     filename="image001.png")
    msg.add_attachment(forwarded)

    saved = save_attachments(msg.as_bytes(), OWNER, tmp_path)

    assert [(s.name, s.content_type, s.refused) for s in saved] == [
        ("01-image001.png", "image/png", ""),  # Outlook's signature logo: inline, named
        ("02-piece-jointe", "message/rfc822", "type non conservé : message/rfc822"),
        ("03-fiche-claire.pdf", PDF, ""),  # the file inside the forwarded message
    ]  # fmt: skip


def test_a_message_without_attachments_creates_nothing(tmp_path: Path) -> None:
    assert save_attachments(idea_email(), OWNER, tmp_path / "pj") == []
    assert not (tmp_path / "pj").exists()


@pytest.mark.parametrize("raw", [b"", b"\x00\x01garbage", b"Subject: sans corps"])
def test_anything_that_is_not_an_email_lists_nothing(tmp_path: Path, raw: bytes) -> None:
    assert save_attachments(raw, OWNER, tmp_path) == []


# --- Refused files: nothing of them reaches the disk ------------------------------------------

REFUSED = [
    # (sent as, declared type, content, start of the reason)
    ("fiche-projet.pdf", "application/pdf", EXE_BYTES,
     "le contenu ne correspond pas à .pdf : un exécutable Windows"),
    ("note-intention.docm", "application/vnd.ms-word.document.macroEnabled.12", ZIP_STUB,
     "type non conservé : .docm (macros)"),
    ("budget.xlsm", XLSX, ZIP_STUB, "type non conservé : .xlsm (macros)"),
    ("setup.exe", "application/x-msdownload", EXE_BYTES, "type non conservé : .exe (exécute du code)"),
    ("fiche.pdf", "application/x-msdownload", PDF_BYTES, "type non conservé : application/x-msdownload"),
    ("fiche.pdf.exe", "application/pdf", EXE_BYTES, "type non conservé : .exe"),
    ("fiche.exe. ", "application/pdf", EXE_BYTES, "type non conservé : .exe"),  # Windows drops the dot
    ("facture\u202efdp.exe", "application/pdf", EXE_BYTES, "type non conservé : .exe"),  # shows « exe.pdf »
    ("fiche\u2024exe", "application/pdf", EXE_BYTES, "type non conservé : .exe"),  # a look-alike dot
    ("fiche.ＥＸＥ", "application/pdf", EXE_BYTES, "type non conservé : .exe"),  # full-width letters
    ("lancer.bat", "application/octet-stream", b"@echo off\r\ndel *.*\r\n", "type non conservé : .bat"),
    ("script.ps1", "text/plain", b"Remove-Item -Recurse C:\\", "type non conservé : .ps1"),
    ("macro.vbs", "text/vbscript", b"MsgBox 1", "type non conservé : .vbs"),
    ("outil.jar", "application/java-archive", ZIP_STUB, "type non conservé : .jar"),
    ("raccourci.lnk", "application/octet-stream", b"L\x00\x00\x00", "type non conservé : .lnk"),
    ("invitation.html", "text/html", HTML_BYTES, "type non conservé : .html (contenu actif)"),
    ("invitation.pdf", "text/html", HTML_BYTES, "type non conservé : text/html"),
    ("logo.svg", "image/svg+xml", b"<svg onload='alert(1)'/>", "type non conservé : .svg"),
    ("dossier.zip", "application/zip", ZIP_STUB, "type non conservé : .zip (archive ou image disque)"),
    ("image-disque.iso", "application/octet-stream", bytes(64), "type non conservé : .iso"),
    ("export.xls", XLSX, HTML_BYTES, "le contenu ne correspond pas à .xls : du balisage"),
    ("note.odt", ODT, PDF_BYTES, "le contenu ne correspond pas à .odt : un PDF"),
    ("photo.jpg", "image/jpeg", PNG_BYTES, "le contenu ne correspond pas à .jpg : une image PNG"),
    ("notes.txt", "text/plain", EXE_BYTES,
     "le contenu ne correspond pas à .txt : binaire, un exécutable Windows"),
    ("vide.pdf", "application/pdf", b"", "fichier vide"),
    ("inconnu.xyz", "application/octet-stream", PDF_BYTES, "type non conservé : .xyz"),
    ("sans-extension", "application/octet-stream", PDF_BYTES, "type non conservé : application/octet-stream"),
]


@pytest.mark.parametrize(("sent_as", "declared", "data", "reason"), REFUSED)
def test_refused_files_are_listed_with_the_reason_and_never_written(
    tmp_path: Path, sent_as: str, declared: str, data: bytes, reason: str
) -> None:
    [saved] = save_attachments(idea_email((sent_as, declared, data)), OWNER, tmp_path)

    assert saved.refused.startswith(reason), saved.refused
    assert saved.path is None and not saved.kept
    assert owner_files(tmp_path) == {"index.json"}  # no temporary file left either
    if data:
        assert all(data not in p.read_bytes() for p in files_under(tmp_path))


def test_the_displayed_name_loses_invisible_characters(tmp_path: Path) -> None:
    [saved] = save_attachments(idea_email(("facture\u202efdp.exe", "application/pdf", EXE_BYTES)),
                               OWNER, tmp_path)
    assert saved.original == "facturefdp.exe"


def test_a_policy_can_keep_fewer_types(tmp_path: Path) -> None:
    policy = AttachmentPolicy(kept_types=frozenset({PDF}))
    raw = idea_email(("fiche.pdf", "application/pdf", PDF_BYTES), ("note.docx", DOCX, ZIP_STUB))

    saved = save_attachments(raw, OWNER, tmp_path, policy)

    assert [s.refused for s in saved] == ["", f"type non conservé : {DOCX}"]


@pytest.mark.parametrize(
    "policy",
    [
        {"kept_types": frozenset({"application/zip"})},  # no content check known for it
        {"max_count": 0},
        {"max_bytes_each": -1},
    ],
)
def test_a_policy_that_cannot_be_enforced_is_rejected(policy: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        AttachmentPolicy(**policy)


# --- Limits ---------------------------------------------------------------------------------------

LIMITS = [
    # (policy, sizes of the PDFs sent, expected refusal of each)
    (AttachmentPolicy(max_bytes_each=1000), [1500, 1000],
     ["trop volumineux (1,5\u00a0Ko, limite 1\u00a0Ko)", ""]),
    (AttachmentPolicy(max_bytes_each=1024 * 1024), [3 * 1024 * 1024 // 2],
     ["trop volumineux (1,5\u00a0Mo, limite 1\u00a0Mo)"]),
    (AttachmentPolicy(max_count=3), [100] * 5,
     ["", "", "", "trop de pièces jointes (limite 3)", "trop de pièces jointes (limite 3)"]),
    # The total counts kept files only, and a smaller file that still fits is kept.
    (AttachmentPolicy(max_bytes_each=1000, max_bytes_total=2500), [1000, 1000, 1000, 400],
     ["", "", "total trop volumineux (2,9\u00a0Ko, limite 2,4\u00a0Ko)", ""]),
    (AttachmentPolicy(max_bytes_each=1000, max_bytes_total=2500), [2000, 1000, 500],
     ["trop volumineux (2\u00a0Ko, limite 1\u00a0Ko)", "", ""]),
]


@pytest.mark.parametrize(("policy", "sizes", "refusals"), LIMITS)
def test_limits(tmp_path: Path, policy: AttachmentPolicy, sizes: list[int], refusals: list[str]) -> None:
    files = [(f"fiche-{i}.pdf", "application/pdf", PDF_BYTES.ljust(n, b"\n")) for i, n in enumerate(sizes)]

    saved = save_attachments(idea_email(*files), OWNER, tmp_path, policy)

    assert [s.refused for s in saved] == refusals
    assert owner_files(tmp_path) == {"index.json"} | {s.name for s in saved if s.kept}


def test_refused_files_do_not_count_against_the_count_limit(tmp_path: Path) -> None:
    files = [("setup.exe", "application/x-msdownload", EXE_BYTES)] * 2 + [
        (f"fiche-{i}.pdf", "application/pdf", PDF_BYTES) for i in range(2)
    ]
    saved = save_attachments(idea_email(*files), OWNER, tmp_path, AttachmentPolicy(max_count=2))
    assert [s.kept for s in saved] == [False, False, True, True]


# --- Names: nothing leaves the owner's folder ---------------------------------------------------

NAMES = [
    # (Content-Disposition as sent, safe name)
    ('attachment; filename="../../etc/passwd.pdf"', "01-passwd.pdf"),
    ('attachment; filename="/etc/cron.d/evil.pdf"', "01-evil.pdf"),
    ('attachment; filename="..\\\\..\\\\Windows\\\\System32\\\\evil.pdf"', "01-evil.pdf"),
    ("attachment; filename*=UTF-8''..%2F..%2F..%2Fetc%2Fcron.d%2Fevil.pdf", "01-evil.pdf"),
    ("attachment; filename*0*=UTF-8''..%2F..%2F; filename*1*=tmp%2Fevil.pdf", "01-evil.pdf"),
    ("attachment; filename*=UTF-8''%EF%BC%8E%EF%BC%8E%EF%BC%8Fevil.pdf", "01-evil.pdf"),  # full-width
    ("attachment; filename*=UTF-8''fiche%00projet.pdf", "01-fiche-projet.pdf"),
    ("attachment; filename*=ISO-8859-1''fiche%20%E9t%E9.pdf", "01-fiche-ete.pdf"),
    ('attachment; filename="=?utf-8?q?fiche_projet_=C3=A9t=C3=A9.pdf?="', "01-fiche-projet-ete.pdf"),
    ('attachment; filename=".."', "01-piece-jointe.pdf"),
    ('attachment; filename="...."', "01-piece-jointe.pdf"),
    ('attachment; filename=".htaccess"', "01-htaccess.pdf"),
    ('attachment; filename="CON.pdf"', "01-CON_.pdf"),
    ('attachment; filename="lpt1.pdf"', "01-lpt1_.pdf"),
    ('attachment; filename="nul"', "01-nul_.pdf"),
    ('attachment; filename="rapport.final.v2.pdf"', "01-rapport-final-v2.pdf"),
    ("attachment; filename*=UTF-8''%E9%A1%B9%E7%9B%AE.pdf", "01-piece-jointe.pdf"),  # 项目.pdf
    ("attachment", "01-piece-jointe.pdf"),
    ('inline; filename="fiche.pdf"', "01-fiche.pdf"),
]


@pytest.mark.parametrize(("disposition", "name"), NAMES)
def test_names_are_safe_and_stay_in_the_owner_folder(tmp_path: Path, disposition: str, name: str) -> None:
    root = tmp_path / "pieces-jointes"
    raw = idea_email(raw_parts=(raw_part(disposition, PDF_B64),))

    [saved] = save_attachments(raw, OWNER, root)

    assert (saved.name, saved.refused) == (name, "")
    assert saved.path == root / OWNER / name
    assert {p.relative_to(tmp_path).as_posix() for p in files_under(tmp_path)} == {
        f"pieces-jointes/{OWNER}/{name}", f"pieces-jointes/{OWNER}/index.json",
    }  # fmt: skip


@pytest.mark.parametrize(("repeat", "data", "ending"), [(30, PDF_BYTES, ".pdf"), (300, EXE_BYTES, ".exe")])
def test_long_names_are_capped_and_keep_their_extension(
    tmp_path: Path, repeat: int, data: bytes, ending: str
) -> None:
    sent_as = "Fiche projet " + "très " * repeat + "long" + ending
    [saved] = save_attachments(idea_email((sent_as, "application/pdf", data)), OWNER, tmp_path)

    assert len(saved.name) <= 80
    assert saved.name.startswith("01-Fiche-projet-tres-") and saved.name.endswith(ending)
    assert len(saved.original) <= 200 and saved.original.endswith("très long" + ending)
    assert saved.kept == (ending == ".pdf")


@pytest.mark.parametrize("owner", ["", ".", "..", "../I-0001", "I/0001", "I 0001", "idée", "a" * 65, "I\x00"])
def test_owner_ids_are_checked(tmp_path: Path, owner: str) -> None:
    raw = idea_email(("fiche.pdf", "application/pdf", PDF_BYTES))
    with pytest.raises(ValueError):
        save_attachments(raw, owner, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- Links are never followed --------------------------------------------------------------------


def test_a_link_planted_at_the_target_name_is_left_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not touch")
    folder = tmp_path / "root" / OWNER
    folder.mkdir(parents=True)
    (folder / "01-fiche-projet-ete.pdf").symlink_to(victim)

    [saved] = save_attachments(idea_email(("fiche-projet-été.pdf", "application/pdf", PDF_BYTES)),
                               OWNER, tmp_path / "root")

    assert saved.name == "02-fiche-projet-ete.pdf"  # written elsewhere
    assert saved.path is not None and saved.path.read_bytes() == PDF_BYTES
    assert victim.read_bytes() == b"do not touch"
    assert os.readlink(folder / "01-fiche-projet-ete.pdf") == str(victim)


@pytest.mark.parametrize("planted", ["folder", "index"])
def test_a_link_in_place_of_the_folder_or_index_stops_everything(tmp_path: Path, planted: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.json").write_text('{"version": 1, "attachments": []}')
    root = tmp_path / "root"
    root.mkdir()
    if planted == "folder":
        (root / OWNER).symlink_to(outside, target_is_directory=True)
    else:
        (root / OWNER).mkdir()
        (root / OWNER / "index.json").symlink_to(outside / "index.json")
    before = {p.name: p.read_bytes() for p in outside.iterdir()}

    with pytest.raises(StoreError):
        save_attachments(idea_email(("fiche.pdf", "application/pdf", PDF_BYTES)), OWNER, root)

    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


ESCAPING_ENTRY = {
    "name": "../../escaped.pdf", "original": "fiche.pdf", "content_type": PDF, "size": len(PDF_BYTES),
    "sha256": hashlib.sha256(PDF_BYTES).hexdigest(), "refused": "",
}  # fmt: skip


@pytest.mark.parametrize(
    "index", ["not json", '{"version": 1}', json.dumps({"version": 1, "attachments": [ESCAPING_ENTRY]})]
)
def test_a_damaged_index_is_an_error_not_a_guess(tmp_path: Path, index: str) -> None:
    root = tmp_path / "a" / "b"
    (root / OWNER).mkdir(parents=True)
    (root / OWNER / "index.json").write_text(index)

    with pytest.raises(StoreError, match=r"index\.json"):
        save_attachments(idea_email(("fiche.pdf", "application/pdf", PDF_BYTES)), OWNER, root)

    assert [p.name for p in files_under(tmp_path)] == ["index.json"]


# --- Broken content: a reason, never an exception -----------------------------------------------

BROKEN = [
    ("JVBERi0x!!!LjQK", "base64", "encodage base64 abîmé"),  # characters outside the alphabet
    ("JVBERi0xLjQ", "base64", "encodage base64 abîmé"),  # truncated: wrong length
    ("JVBERi0x\udce2\udc82\udcacLjQK", "base64", "encodage base64 abîmé"),  # raw 8-bit bytes (€)
    ("begin 644 fiche.pdf\n`\nend\n", "x-uuencode", "encodage de transfert inconnu : x-uuencode"),
]


@pytest.mark.parametrize(("payload", "cte", "reason"), BROKEN)
def test_undecodable_parts_are_refused_and_the_others_kept(
    tmp_path: Path, payload: str, cte: str, reason: str
) -> None:
    raw = idea_email(
        ("fiche-projet.pdf", "application/pdf", PDF_BYTES),
        raw_parts=(raw_part('attachment; filename="note.pdf"', payload, cte=cte),),
    )

    first, broken = save_attachments(raw, OWNER, tmp_path)

    assert first.kept and first.name == "01-fiche-projet.pdf"
    assert (broken.name, broken.refused, broken.path) == ("02-note.pdf", reason, None)
    assert owner_files(tmp_path) == {"01-fiche-projet.pdf", "index.json"}


# --- Idempotence ----------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every entry of the owner folder (and the folder itself): inode, mtime, content."""
    folder = root / OWNER
    found = {".": (folder.stat().st_ino, folder.stat().st_mtime_ns, b"")}
    for p in folder.iterdir():
        found[p.name] = (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
    return found


IDEA = idea_email(
    ("fiche-projet-été.pdf", "application/pdf", PDF_BYTES),
    ("note d'intention.odt", ODT, ODF_STUB),
    ("setup.exe", "application/x-msdownload", EXE_BYTES),
)


def test_the_same_message_twice_writes_nothing_new(tmp_path: Path) -> None:
    first = save_attachments(IDEA, OWNER, tmp_path)
    before = snapshot(tmp_path)

    second = save_attachments(IDEA, OWNER, tmp_path)

    assert second == first
    assert snapshot(tmp_path) == before
    assert [s.name for s in first] == ["01-fiche-projet-ete.pdf", "02-note-d-intention.odt", "03-setup.exe"]


def test_a_later_message_adds_after_the_earlier_files(tmp_path: Path) -> None:
    save_attachments(IDEA, OWNER, tmp_path)
    later = idea_email(
        ("fiche-projet-été.pdf", "application/pdf", PDF_BYTES),  # sent again: the same file
        ("fiche-projet-été.pdf", "application/pdf", PDF_BYTES + b"% v2\n"),  # a new version
    )

    again, v2 = save_attachments(later, OWNER, tmp_path)

    assert again.name == "01-fiche-projet-ete.pdf"
    assert v2.name == "04-fiche-projet-ete.pdf" and v2.path is not None
    assert v2.path.read_bytes().endswith(b"% v2\n")
    assert len(owner_files(tmp_path)) == 4  # 01, 02, 04 and the index


def test_a_call_interrupted_before_the_index_is_completed_without_copies(tmp_path: Path) -> None:
    first = save_attachments(IDEA, OWNER, tmp_path)
    (tmp_path / OWNER / "index.json").unlink()  # as if the process died before writing it

    assert save_attachments(IDEA, OWNER, tmp_path) == first
    assert owner_files(tmp_path) == {"01-fiche-projet-ete.pdf", "02-note-d-intention.odt", "index.json"}


def test_a_kept_file_deleted_by_hand_is_written_again_under_its_name(tmp_path: Path) -> None:
    first = save_attachments(IDEA, OWNER, tmp_path)
    (tmp_path / OWNER / "01-fiche-projet-ete.pdf").unlink()

    assert save_attachments(IDEA, OWNER, tmp_path) == first
    assert (tmp_path / OWNER / "01-fiche-projet-ete.pdf").read_bytes() == PDF_BYTES


# --- Modes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o000])
def test_modes_do_not_depend_on_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        saved = save_attachments(IDEA, OWNER, tmp_path)
    finally:
        os.umask(old)

    assert stat.S_IMODE((tmp_path / OWNER).stat().st_mode) == 0o700
    for p in (tmp_path / OWNER).iterdir():
        assert stat.S_ISREG(p.lstat().st_mode)
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    assert sum(s.kept for s in saved) == 2


# --- describe ---------------------------------------------------------------------------------------


def test_describe_gives_one_line_each(tmp_path: Path) -> None:
    big = PDF_BYTES.ljust(3000, b"\n")
    raw = idea_email(("fiche-projet-été.pdf", "application/pdf", big),
                     ("setup.exe", "application/x-msdownload", EXE_BYTES))

    lines = describe(save_attachments(raw, OWNER, tmp_path))

    assert lines == [
        '01-fiche-projet-ete.pdf: 3 KB, application/pdf, kept; sent as "fiche-projet-été.pdf"',
        "02-setup.exe: 1 KB, application/x-msdownload, refused: type non conservé : .exe (exécute du code); "
        'sent as "setup.exe"',
    ]


# --- Any input -------------------------------------------------------------------------------------

SAFE_NAME = re.compile(r"\d{2}-[A-Za-z0-9_-]{1,72}(\.[a-z0-9]+)?")


@hsettings(max_examples=150, deadline=None)
@given(sent_as=st.text(min_size=1, max_size=120), data=st.sampled_from([PDF_BYTES, EXE_BYTES, ZIP_STUB]))
def test_any_name_gives_a_safe_name_in_the_owner_folder(sent_as: str, data: bytes) -> None:
    encoded = quote(sent_as.encode("utf-8", "surrogatepass"), safe="")
    raw = idea_email(raw_parts=(raw_part(f"attachment; filename*=UTF-8''{encoded}",
                                         base64.b64encode(data).decode()),))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        [saved] = save_attachments(raw, OWNER, root)

        assert SAFE_NAME.fullmatch(saved.name), saved.name
        assert all(p.parent == root / OWNER for p in files_under(root))
        assert owner_files(root) == {"index.json"} | ({saved.name} if saved.kept else set())
        assert save_attachments(raw, OWNER, root) == [saved]


def damaged(at: int, junk: bytes) -> bytes:
    """The idea with some of its bytes overwritten: headers, boundaries, base64 or names."""
    return IDEA[:at] + junk + IDEA[at + len(junk):]


@hsettings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=600) | st.builds(damaged, st.integers(0, len(IDEA)), st.binary(max_size=40)))
def test_any_bytes_give_a_list_never_an_exception(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        saved = save_attachments(raw, OWNER, Path(tmp))
        assert all(s.kept == (s.path is not None) for s in saved)
