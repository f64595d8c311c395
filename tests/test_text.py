"""Tests for the French mail text helpers: folding, HTML to text, reply and signature cutting."""

from __future__ import annotations

import pytest

from mailflow.core.read.text import fold, html_to_text, is_closing_line, split_reply

# --- fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Élodie À l’Accueil", "elodie a l'accueil"),
        ("Office de Tourisme du Périgord", "office de tourisme du perigord"),
        ("DÉPARTEMENT", "departement"),
        ("Corrèze", "correze"),
        ("Deux‑Sèvres", "deux-sevres"),
        ("l‘office", "l'office"),
        ("l`office", "l'office"),
        ("l´office", "l'office"),
        ("« OT ruraux »", "ot ruraux"),
        ("“Offices de Tourisme ruraux”", "offices de tourisme ruraux"),
        ("De\u00a0:", "de :"),
        ("12\u202f000 habitants", "12 000 habitants"),
        ("  plusieurs \t espaces\n et lignes  ", "plusieurs espaces et lignes"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


# --- html_to_text ----------------------------------------------------------------------------

OUTLOOK_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Titre invisible</title>
<style><!--
p.MsoNormal, li.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}
--></style>
<script>var secret = "ne pas afficher";</script>
</head>
<body lang="FR" link="#0563C1"><div class="WordSection1">
<p class="MsoNormal">Bonjour,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Je souhaite candidater au groupe &laquo;&nbsp;OT ruraux&nbsp;&raquo;.<o:p></o:p></p>
<p class="MsoNormal">Nous sommes &agrave; 6,5&nbsp;ETP.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Cordialement<o:p></o:p></p>
<p class="MsoNormal"><b>Marie Dupont</b><br>Directrice<o:p></o:p></p>
</div></body></html>"""


@pytest.mark.parametrize(
    "line",
    [
        "Bonjour,",
        "Je souhaite candidater au groupe « OT ruraux ».",
        "Nous sommes à 6,5 ETP.",
        "Cordialement",
        "Marie Dupont",
        "Directrice",
    ],
)
def test_html_to_text_outlook_gives_readable_lines(line: str) -> None:
    assert line in html_to_text(OUTLOOK_HTML).split("\n")


@pytest.mark.parametrize(
    "hidden",
    ["MsoNormal", "font-family", "ne pas afficher", "Titre invisible", "<o:p>", "&nbsp;", "\u00a0"],
)
def test_html_to_text_hides_head_style_script_and_markup(hidden: str) -> None:
    assert hidden not in html_to_text(OUTLOOK_HTML)


def test_html_to_text_has_no_runs_of_blank_lines() -> None:
    assert "\n\n\n" not in html_to_text(OUTLOOK_HTML)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("", ""),
        ("<", "<"),
        ("<p>paragraphe jamais fermé <b>gras", "paragraphe jamais fermé gras"),
        ("<div><p>croisé</div></p>", "croisé"),
        ("&bogus; &amp; texte", "&bogus; & texte"),
        ("<html><body>caf&eacute;</body>", "café"),
        ("<?xml version='1.0' encoding='utf-8'?><p>déclaration</p>", "déclaration"),
        ("\x00<p>nul</p>", "nul"),
    ],
)
def test_html_to_text_never_raises_on_broken_html(broken: str, expected: str) -> None:
    assert expected in html_to_text(broken)


def test_html_to_text_falls_back_to_stripping_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_: str) -> str:
        raise ValueError("parser failure")

    monkeypatch.setattr("inscriptis.get_text", explode)
    result = html_to_text(OUTLOOK_HTML)
    assert "Je souhaite candidater au groupe « OT ruraux »." in result.split("\n")
    assert "Nous sommes à 6,5 ETP." in result.split("\n")
    assert "font-family" not in result
    assert "ne pas afficher" not in result
    assert "<" not in result


# --- split_reply: quoted history --------------------------------------------------------------

NEW = "Bonjour,\n\nJe souhaite candidater au groupe OT ruraux.\nMarie"
OLD = "Je me désiste du groupe « Communiquer sur le rôle de l’Office de Tourisme ».\nPaul"

HISTORY_MARKERS = {
    "outlook-fr": (
        "De : Paul Martin <paul@ot-exemple.fr>\nEnvoyé : lundi 3 mars 2025 10:12\n"
        "À : MONA <groupes@mona.fr>\nObjet : RE: Appel à candidatures\n\n"
    ),
    "outlook-fr-nbsp": (
        "De\u00a0: Paul Martin\nEnvoyé\u00a0: lundi 3 mars 2025 10:12\n"
        "À\u00a0: MONA\nCc\u00a0: Jeanne\nObjet\u00a0: RE: Appel\n\n"
    ),
    "outlook-fr-no-space": "De: Paul\nDate: 3 mars 2025\nA: MONA\nObjet: Appel\n\n",
    "outlook-envoye-le": "De : Paul\nEnvoyé le : lundi 3 mars 2025\nÀ : MONA\nObjet : Appel\n\n",
    "outlook-en": "From: Paul\nSent: Monday, March 3, 2025 10:12 AM\nTo: MONA\nSubject: RE\n\n",
    "outlook-bold": "*De :* Paul\n*Envoyé :* lundi 3 mars\n*À :* MONA\n*Objet :* Appel\n\n",
    "outlook-rule": (
        "________________________________\nDe : Paul\nEnvoyé : lundi 3 mars 2025\n"
        "À : MONA\nObjet : Appel\n\n"
    ),
    "indented-header": "   De : Paul\n   Envoyé : lundi\n   À : MONA\n   Objet : Appel\n\n",
    "message-d-origine": "-----Message d'origine-----\nDe : Paul\n\n",
    "message-d-origine-indented": "  -----Message d’origine-----\n",
    "original-message": "-----Original Message-----\nFrom: Paul\n\n",
    "message-original": "-------- Message original --------\nSujet : Appel\n\n",
    "forwarded": "---------- Forwarded message ---------\nFrom: Paul\n\n",
    "transfere": "-------- Message transféré --------\nSujet : Appel\n\n",
    "reexpedie": "Début du message réexpédié :\n\n",
    "gmail-fr": "Le lun. 3 mars 2025 à 10:12, Paul Martin <paul@ot-exemple.fr> a écrit :\n\n",
    "gmail-fr-wrapped": "Le lun. 3 mars 2025 à 10:12, Paul Martin <\npaul@ot-exemple.fr> a écrit :\n\n",
    "gmail-fr-nbsp": "Le lun. 3 mars 2025 à 10:12, Paul <paul@x.fr> a écrit\u00a0:\n\n",
    "thunderbird-fr": "Le 03/03/2025 à 10:12, Paul Martin a écrit :\n\n",
    "apple-fr": "Le 3 mars 2025 à 10:12, Paul Martin <paul@x.fr> a écrit :\n\n",
    "quoted-marker": "> Le 03/03/2025 à 10:12, Paul Martin a écrit :\n",
    "english": "On Mon, Mar 3, 2025 at 10:12 AM Paul Martin <paul@x.fr> wrote:\n\n",
}


@pytest.mark.parametrize("marker", HISTORY_MARKERS.values(), ids=HISTORY_MARKERS.keys())
def test_split_reply_cuts_quoted_history(marker: str) -> None:
    body, signature = split_reply(f"{NEW}\n\n{marker}{OLD}\n")
    assert body == NEW
    assert signature == ""


@pytest.mark.parametrize("marker", HISTORY_MARKERS.values(), ids=HISTORY_MARKERS.keys())
def test_split_reply_history_does_not_leak(marker: str) -> None:
    body, signature = split_reply(f"{NEW}\n\nCordialement,\nMarie\n\n{marker}{OLD}\n")
    assert "désiste" not in body + signature
    assert "Communiquer" not in body + signature
    assert signature == "Cordialement,\nMarie"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A trailing block of `>` lines is history.
        ("Je candidate.\n\n> Je me désiste du groupe rôle de l'OT.\n> Paul\n", "Je candidate."),
        # `>` lines in the middle are dropped, the new text after them kept.
        (
            "Voici mes réponses.\n> Quel est votre ETP ?\n6 ETP.\n> Votre département ?\nDordogne.",
            "Voici mes réponses.\n6 ETP.\nDordogne.",
        ),
        # Only quoted text: nothing new.
        ("> Je me désiste.\n> Paul", ""),
        ("\n\n-----Message d'origine-----\nDe : Paul\nJe me désiste.", ""),
        # Bottom posting under a "wrote:" line.
        (
            "Le 03/03/2025 à 10:12, MONA a écrit :\n> Merci de préciser votre ETP.\n\n"
            "Nous sommes 6 ETP.",
            "Nous sommes 6 ETP.",
        ),
        # Windows line ends.
        ("Je candidate.\r\n\r\nDe : Paul\r\nEnvoyé : lundi\r\nÀ : MONA\r\nObjet : X\r\n", "Je candidate."),
    ],
)
def test_split_reply_quoted_lines(message: str, expected: str) -> None:
    assert split_reply(message)[0] == expected


@pytest.mark.parametrize(
    "message",
    [
        # "De :" followed by only one header-like line is not a header block.
        "Permanences de l'accueil.\nDe : 9h à 12h\nÀ : l'office principal",
        # "Le ... a écrit" needs a date: this is prose.
        "Le président m'a écrit :\nil soutient notre candidature.",
        # A dash line that is not a known separator.
        "Programme :\n----- matin -----\nvisite du bourg",
    ],
)
def test_split_reply_keeps_lookalikes(message: str) -> None:
    assert split_reply(message) == (message, "")


# --- split_reply: signatures ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "body", "signature"),
    [
        ("Je candidate.\n-- \nMarie Dupont\nDirectrice", "Je candidate.", "Marie Dupont\nDirectrice"),
        ("Je candidate.\n--\nMarie Dupont", "Je candidate.", "Marie Dupont"),
        ("Je candidate.\n__\nMarie Dupont", "Je candidate.", "Marie Dupont"),
        ("Je candidate.\n______\nMarie Dupont", "Je candidate.", "Marie Dupont"),
        ("Cordialement\nMarie", "", "Cordialement\nMarie"),
        ("Je candidate.", "Je candidate.", ""),
    ],
)
def test_split_reply_signature_delimiters(message: str, body: str, signature: str) -> None:
    assert split_reply(message) == (body, signature)


@pytest.mark.parametrize(
    "closing",
    [
        "Cordialement",
        "Cordialement,",
        "cordialement.",
        "Bien cordialement,",
        "Très cordialement",
        "Bien à vous",
        "Bien à vous,",
        "Bonne journée !",
        "Bonne journée.",
        "Belle journée",
        "Sincères salutations",
        "Salutations",
        "Merci d'avance",
        "Merci d’avance !",
        "À bientôt",
        "A bientôt !",
        "BIEN CORDIALEMENT",
        "Bien\u00a0cordialement,",
    ],
)
def test_split_reply_closing_formulas(closing: str) -> None:
    message = f"Bonjour,\nJe candidate au groupe OT ruraux.\n\n{closing}\nMarie Dupont\nDirectrice"
    body, signature = split_reply(message)
    assert body == "Bonjour,\nJe candidate au groupe OT ruraux."
    assert signature == f"{closing}\nMarie Dupont\nDirectrice"
    assert is_closing_line(closing)


@pytest.mark.parametrize(
    "line",
    [
        "Merci d'avance pour votre retour, je reste disponible.",
        "Je vous adresse mes salutations et ma candidature.",
        "Cordialement vôtre est une formule ancienne que j'aime bien",
        "Bonjour",
    ],
)
def test_closing_formula_inside_a_sentence_is_not_a_signature(line: str) -> None:
    assert not is_closing_line(line)
    body, signature = split_reply(f"Bonjour,\n{line}\nMarie")
    assert line in body
    assert signature == ""


@pytest.mark.parametrize(
    "footer",
    [
        "Envoyé de mon iPhone",
        "Envoyé depuis mon appareil Galaxy",
        "Envoyé depuis mon smartphone Samsung Galaxy.",
        "Obtenir Outlook pour Android",
        "Sent from my iPad",
        "Get Outlook for iOS",
    ],
)
def test_split_reply_drops_mobile_footers(footer: str) -> None:
    body, signature = split_reply(f"Je candidate.\n\nCordialement\nMarie\n\n{footer}")
    assert signature == "Cordialement\nMarie"
    body, signature = split_reply(f"Je candidate.\n\n{footer}")
    assert (body, signature) == ("Je candidate.", "")


@pytest.mark.parametrize(
    "disclaimer",
    [
        "Ce message et ses pièces jointes sont établis à l'intention exclusive de ses destinataires.",
        "Ce courriel est confidentiel. Si vous l'avez reçu par erreur, merci de le détruire.",
        "Pensez à l'environnement : n'imprimez ce message que si nécessaire.",
        "Merci de penser à la planète avant d'imprimer ce courriel.",
        "This e-mail and any attachments are confidential and intended solely for the addressee.",
        "AVIS DE CONFIDENTIALITÉ\nCe message et ses pièces jointes\npeuvent contenir des informations.",
    ],
)
def test_split_reply_drops_disclaimers(disclaimer: str) -> None:
    message = f"Je candidate.\n\nBien cordialement,\nMarie Dupont\nDirectrice\n\n{disclaimer}\n"
    assert split_reply(message) == ("Je candidate.", "Bien cordialement,\nMarie Dupont\nDirectrice")


def test_split_reply_full_outlook_reply() -> None:
    message = (
        "Bonjour,\r\n\r\nSuite à votre relance, je confirme ma candidature au groupe "
        "« Offices de Tourisme ruraux ».\r\n\r\nBien cordialement,\r\n\r\nMarie DUPONT\r\n"
        "Directrice\r\nOffice de Tourisme du Sarladais\r\n24200 Sarlat-la-Canéda\r\n"
        "Tél. 05 53 31 45 45\r\n\r\nEnvoyé de mon iPhone\r\n\r\n"
        "Pensez à l’environnement avant d’imprimer ce mail.\r\n\r\n"
        "________________________________\r\n"
        "De : MONA <groupes@mona-aquitaine.fr>\r\nEnvoyé : mardi 4 mars 2025 09:00\r\n"
        "À : Marie DUPONT\r\nObjet : Groupe de travail « Porteurs de projet »\r\n\r\n"
        "Madame, il manque votre ETP.\r\n"
    )
    body, signature = split_reply(message)
    assert body == (
        "Bonjour,\n\nSuite à votre relance, je confirme ma candidature au groupe "
        "« Offices de Tourisme ruraux »."
    )
    assert signature == (
        "Bien cordialement,\n\nMarie DUPONT\nDirectrice\nOffice de Tourisme du Sarladais\n"
        "24200 Sarlat-la-Canéda\nTél. 05 53 31 45 45"
    )


@pytest.mark.parametrize(("text", "body"), [
    # Zimbra's attribution line starts with a dash.
    ("Je confirme ma venue.\n\n- Le 2026-12-01 10:02, MONA <groupes@monatourisme.fr> a écrit :\n> Merci",
     "Je confirme ma venue."),
    # A German Outlook's header block.
    ("Nous sommes 6 ETP.\n\nVon: MONA <groupes@monatourisme.fr>\nGesendet: 01.12.2026 10:02\n"
     "An: Sophie\nBetreff: Re : Candidature\n\nMerci pour votre candidature", "Nous sommes 6 ETP."),
    # « N'imprimez ce mail qu'en cas de nécessité » is a footer, not what the member wrote.
    ("Nous sommes 6 ETP.\n\nN'imprimez ce mail qu'en cas de nécessité.", "Nous sommes 6 ETP."),
])
def test_more_clients_quoting_and_footers(text: str, body: str) -> None:
    assert split_reply(text)[0] == body


@pytest.mark.parametrize("closing", ["Best regards,", "Kind regards", "Mit freundlichen Grüßen"])
def test_english_and_german_closings_start_the_signature(closing: str) -> None:
    body, signature = split_reply(f"Nous sommes 6 ETP.\n\n{closing}\nSophie Lacombe")
    assert body == "Nous sommes 6 ETP." and "Sophie Lacombe" in signature
