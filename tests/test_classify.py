"""Specification tests for `classify`: raw French emails, through `parse`, into an intent.

Every message is assembled here from headers and a body, as members' mail clients write them
(vouvoiement, Outlook signatures, quoted replies), then parsed and classified with the shipped
configuration.
"""

from __future__ import annotations

import base64
import quopri
from collections.abc import Mapping

import pytest

from mailflow.config.settings import Settings
from mailflow.core.read.classify import ROBOT_RULES, classify
from mailflow.core.read.parse import parse
from mailflow.model.values import Figure, Intent, IntentKind, Role, Scale, Territory

# --- Building raw messages -------------------------------------------------------------------

MEMBER = "Hélène Marty <helene.marty@ot-vezere-monedieres.fr>"
BOUNDARY = "----=_NextPart_000_0042_01DB43A1.5C6D7E80"


def _encode_header(value: str) -> str:
    """A header value as a mail client writes it: RFC 2047 Q-encoded when not ASCII."""
    if value.isascii():
        return value
    if "<" in value and value.rstrip().endswith(">"):
        name, _, address = value.rpartition("<")
        return f"{_encode_header(name.strip())} <{address}"
    data = quopri.encodestring(value.encode(), header=True).decode("ascii")
    return f"=?utf-8?q?{data}?="


def _qp(text: str, charset: str = "utf-8") -> bytes:
    return quopri.encodestring(text.encode(charset))


def mail(
    subject: str,
    body: str,
    *,
    sender: str = MEMBER,
    headers: Mapping[str, str] | None = None,
    html: bool = False,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    content_type: str | None = None,
    raw_body: bytes | None = None,
) -> bytes:
    """A member's email: From, To, Subject, Date, Message-ID, extra headers, then the body.

    `body` is written as UTF-8 quoted-printable text/plain (windows-1252 text/html when `html`);
    `attachments` are (filename, content type, content) added in a multipart/mixed.
    """
    lines = [
        f"From: {_encode_header(sender)}",
        "To: MONA =?utf-8?q?=E2=80=93?= Groupes de travail <groupes@monatourisme.fr>",
        f"Subject: {_encode_header(subject)}",
        "Date: Wed, 02 Dec 2026 10:05:00 +0100",
        "Message-ID: <20261202100500.4242@mail.ot-vezere-monedieres.fr>",
        "MIME-Version: 1.0",
    ]
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    if html:
        text_head = 'Content-Type: text/html; charset="windows-1252"'
        text_body = _qp(body, "windows-1252")
    else:
        text_head = 'Content-Type: text/plain; charset="utf-8"'
        text_body = _qp(body)
    text_part = f"{text_head}\nContent-Transfer-Encoding: quoted-printable".encode() + b"\n\n" + text_body
    if raw_body is not None:
        lines.append(f"Content-Type: {content_type}")
        payload = raw_body
    elif attachments:
        lines.append(f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"')
        chunks = [f"--{BOUNDARY}\n".encode(), text_part.rstrip(b"\n") + b"\n"]
        for filename, kind, content in attachments:
            encoded = quopri.encodestring(filename.encode(), header=True).decode("ascii")
            chunks.append(
                f"--{BOUNDARY}\nContent-Type: {kind}; name=\"=?utf-8?q?{encoded}?=\"\n"
                f"Content-Transfer-Encoding: base64\n"
                f"Content-Disposition: attachment; filename=\"=?utf-8?q?{encoded}?=\"\n\n".encode()
                + base64.encodebytes(content)
            )
        chunks.append(f"--{BOUNDARY}--\n".encode())
        payload = b"".join(chunks)
    else:
        head, _, text_body = text_part.partition(b"\n\n")
        lines.extend(head.decode().split("\n"))
        payload = text_body
    raw = "\n".join(lines).encode("ascii") + b"\n\n" + payload
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def classify_raw(raw: bytes, settings: Settings) -> Intent:
    inbound = parse(raw, "test-key")
    return classify(inbound, settings.network, settings.groups, settings.departments)


SIGNATURE = """Cordialement,

Hélène Marty
Directrice
Office de Tourisme Vézère Monédières
Place de la République – 19260 Treignac
Tél. : 05 55 91 09 94 – Port. : 06 12 34 56 78
www.vezere-monedieres.com
"""


def letter(*paragraphs: str, signature: str = SIGNATURE) -> str:
    """« Bonjour, », the paragraphs, then an Outlook signature."""
    return "Bonjour,\n\n" + "\n\n".join(paragraphs) + "\n\n" + signature


APPLY = letter("Je souhaite candidater au groupe OT ruraux.")

# Our own reply, as the member's client quotes it back under their answer.
OUR_CONFIRMATION = """Bonjour Hélène Marty,

Votre candidature au groupe « Offices de Tourisme ruraux » est confirmée : place 3 sur 20.
Première rencontre le mardi 6 avril 2027 à 9 h 30, à Montignac (Dordogne).

Si vous ne pouvez plus participer, répondez simplement à ce message par « je me désiste ».

MONA – Groupes de travail
"""

OUR_HELP = """Bonjour,

Voici les appels ouverts :
- « Offices de Tourisme ruraux » : 17 places libres sur 20 ;
- « Accompagnement des porteurs de projets » : 15 places libres ;
- « Communiquer sur le rôle de l’Office de Tourisme » : 14 places libres.

Pour candidater, répondez en nommant le groupe.
Pour vous désister plus tard, écrivez « je me désiste ».

MONA – Groupes de travail
"""


def outlook_quote(original: str, subject: str) -> str:
    """An Outlook (French) reply's history: a rule, the `De :` block, the original unquoted."""
    return (
        "________________________________\n"
        "De : MONA – Groupes de travail <groupes@monatourisme.fr>\n"
        "Envoyé : mardi 1 décembre 2026 09:15\n"
        "À : Hélène Marty <helene.marty@ot-vezere-monedieres.fr>\n"
        f"Objet : {subject}\n\n" + original
    )


def gmail_quote(original: str) -> str:
    """A Gmail (French) reply's history: the « a écrit : » line and the original quoted by `>`."""
    quoted = "\n".join(f"> {line}".rstrip() for line in original.split("\n"))
    return (
        "Le mar. 1 déc. 2026 à 09:15, MONA – Groupes de travail <groupes@monatourisme.fr> a écrit :\n"
        + quoted
    )


# --- Robots ----------------------------------------------------------------------------------

DSN = (
    f"--{BOUNDARY}\nContent-Type: text/plain; charset=us-ascii\n\n"
    "This is the mail system at host mx.ot-vezere-monedieres.fr.\n"
    "Your message could not be delivered.\n\n"
    f"--{BOUNDARY}\nContent-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns; mx.ot-vezere-monedieres.fr\n\n"
    "Final-Recipient: rfc822; ancien.contact@ot-disparu.fr\nAction: failed\nStatus: 5.1.1\n\n"
    f"--{BOUNDARY}--\n"
).encode()
READ_RECEIPT = (
    f"--{BOUNDARY}\nContent-Type: text/plain; charset=utf-8\n\n"
    "Votre message a été lu le mercredi 2 décembre 2026 10:05.\n\n"
    f"--{BOUNDARY}\nContent-Type: message/disposition-notification\n\n"
    "Final-Recipient: rfc822; helene.marty@ot-vezere-monedieres.fr\n"
    "Disposition: automatic-action/MDN-sent-automatically; displayed\n\n"
    f"--{BOUNDARY}--\n"
).encode()
DIGEST = (
    f"--{BOUNDARY}\n\nFrom: a@ot-x.fr\nSubject: Re: sujet\n\nJe souhaite candidater.\n\n"
    f"--{BOUNDARY}--\n"
).encode()

ROBOTS = [
    pytest.param("own-address", mail("Candidature groupe OT ruraux", APPLY,
                                     sender="MONA – Groupes de travail <Groupes@MonaTourisme.fr>"),
                 id="own-address-from"),
    pytest.param("own-address", mail("Re : Candidature – groupe « Offices de Tourisme ruraux »",
                                     OUR_CONFIRMATION, headers={"X-Mailflow-Outcome": "confirmed"}),
                 id="own-address-our-reply-looping-back"),
    pytest.param("own-address", mail("[mailflow] message en quarantaine", APPLY,
                                     headers={"X-Mailflow-Alert": "quarantined"}),
                 id="own-address-our-alert"),
    pytest.param("null-sender", mail("Candidature groupe OT ruraux", APPLY, headers={"Return-Path": "<>"}),
                 id="null-return-path"),
    pytest.param("null-sender", mail("Candidature groupe OT ruraux", APPLY, headers={"Return-Path": "< >"}),
                 id="null-return-path-with-space"),
    pytest.param("daemon-sender", mail("Undelivered Mail Returned to Sender", APPLY,
                                       sender="Mail Delivery System <MAILER-DAEMON@mx.ot-lot.fr>"),
                 id="mailer-daemon"),
    pytest.param("daemon-sender", mail("Candidature groupe OT ruraux", APPLY,
                                       sender="postmaster@ot-vezere-monedieres.fr"), id="postmaster"),
    pytest.param("daemon-sender", mail("Candidature groupe OT ruraux", APPLY,
                                       sender="Office de Tourisme <no-reply@ot-vezere-monedieres.fr>"),
                 id="no-reply"),
    pytest.param("daemon-sender", mail("Candidature groupe OT ruraux", APPLY,
                                       sender="noreply@ot-vezere-monedieres.fr"), id="noreply"),
    pytest.param("daemon-sender", mail("Candidature groupe OT ruraux", APPLY,
                                       sender="Ne pas répondre <ne-pas-repondre@ot-vezere-monedieres.fr>"),
                 id="ne-pas-repondre"),
    pytest.param("daemon-sender", mail("Candidature groupe OT ruraux", APPLY,
                                       sender="nepasrepondre@tourisme-correze.fr"), id="nepasrepondre"),
    pytest.param("auto-submitted", mail("Candidature groupe OT ruraux", APPLY,
                                        headers={"Auto-Submitted": "auto-replied"}), id="auto-replied"),
    pytest.param("auto-submitted", mail("Candidature groupe OT ruraux", APPLY,
                                        headers={"Auto-Submitted": "auto-generated"}), id="auto-generated"),
    pytest.param("auto-submitted", mail("Candidature groupe OT ruraux", APPLY,
                                        headers={"Auto-Submitted": "Auto-Replied; owner-email=x@ot-lot.fr"}),
                 id="auto-replied-with-parameter"),
    pytest.param("delivery-report", mail("Delivery Status Notification (Failure)", "", raw_body=DSN,
                                         sender="Mail Delivery Subsystem <mailer@mx.ot-lot.fr>",
                                         content_type=f'multipart/report; report-type=delivery-status; '
                                                      f'boundary="{BOUNDARY}"'),
                 id="multipart-report-delivery-status"),
    pytest.param("delivery-report", mail("Candidature groupe OT ruraux", "", raw_body=READ_RECEIPT,
                                         content_type=f'multipart/report; '
                                                      f'report-type=disposition-notification; '
                                                      f'boundary="{BOUNDARY}"'),
                 id="multipart-report-read-receipt"),
    pytest.param("delivery-report", mail("Candidature groupe OT ruraux", APPLY,
                                         headers={"Feedback-Type": "abuse"}), id="feedback-type"),
    pytest.param("failed-recipients", mail("Candidature groupe OT ruraux", APPLY,
                                           headers={"X-Failed-Recipients": "contact@ot-disparu.fr"}),
                 id="x-failed-recipients"),
    pytest.param("bulk", mail("Candidature groupe OT ruraux", APPLY, headers={"Precedence": "bulk"}),
                 id="precedence-bulk"),
    pytest.param("bulk", mail("Candidature groupe OT ruraux", APPLY, headers={"Precedence": "List"}),
                 id="precedence-list"),
    pytest.param("bulk", mail("Candidature groupe OT ruraux", APPLY, headers={"Precedence": "junk"}),
                 id="precedence-junk"),
    pytest.param("list-id", mail("[offices-na] Candidature groupe OT ruraux", APPLY,
                                 headers={"List-Id": "Offices de tourisme NA <offices-na.listes.mona.fr>"}),
                 id="list-id"),
    pytest.param("list-unsubscribe", mail("MONA Infos – décembre", APPLY,
                                          headers={"List-Unsubscribe": "<mailto:desinscription@mona.fr>, "
                                                                       "<https://mona.fr/desinscription>"}),
                 id="list-unsubscribe"),
    pytest.param("list-post", mail("Candidature groupe OT ruraux", APPLY,
                                   headers={"List-Post": "<mailto:offices-na@listes.mona.fr>"}),
                 id="list-post"),
    pytest.param("list-software", mail("Candidature groupe OT ruraux", APPLY,
                                       headers={"X-Mailman-Version": "2.1.39"}), id="x-mailman-version"),
    pytest.param("list-software", mail("Candidature groupe OT ruraux", APPLY,
                                       headers={"Mailing-List": "contact offices-na-help@listes.mona.fr"}),
                 id="mailing-list"),
    pytest.param("digest", mail("Digest offices-na, vol. 12", "", raw_body=DIGEST,
                                content_type=f'multipart/digest; boundary="{BOUNDARY}"'), id="digest"),
    pytest.param("auto-response-suppress", mail("Candidature groupe OT ruraux", APPLY,
                                                headers={"X-Auto-Response-Suppress": "All"}),
                 id="x-auto-response-suppress-all"),
    pytest.param("autoreply-header", mail("Candidature groupe OT ruraux", APPLY,
                                          headers={"X-Autoreply": "yes"}),
                 id="x-autoreply"),
    pytest.param("autoreply-header", mail("Candidature groupe OT ruraux", APPLY,
                                          headers={"X-Autorespond": "Candidature groupe OT ruraux"}),
                 id="x-autorespond"),
    pytest.param("calendar-reply", mail("Invitation acceptée : Groupe de travail OT ruraux", "",
                                        content_type="text/calendar; method=REPLY; charset=UTF-8",
                                        raw_body=b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"),
                 id="imip-reply"),
    pytest.param("robot-subject", mail("Réponse automatique : Candidature groupe OT ruraux", APPLY),
                 id="reponse-automatique"),
    pytest.param("robot-subject", mail("Réponse automatique\u00a0: Candidature", APPLY),
                 id="reponse-automatique-nbsp"),
    pytest.param("robot-subject", mail("Absent du bureau", "Je suis absente jusqu’au 7 décembre."),
                 id="absent-du-bureau"),
    pytest.param("robot-subject", mail("ABSENT DU BUREAU jusqu'au 04/01", APPLY), id="absent-du-bureau-caps"),
    pytest.param("robot-subject", mail("Automatic reply: Candidature groupe OT ruraux", APPLY),
                 id="automatic-reply"),
    pytest.param("robot-subject", mail("Out of Office: Candidature", APPLY), id="out-of-office"),
    pytest.param("robot-subject", mail("Non remis : Candidature groupe OT ruraux", APPLY), id="non-remis"),
    pytest.param("robot-subject", mail("Accusé de réception : Candidature groupe OT ruraux", APPLY),
                 id="accuse-de-reception"),
    pytest.param("robot-subject", mail("Lu : Candidature groupe OT ruraux", APPLY), id="lu"),
]


@pytest.mark.parametrize(("rule", "raw"), ROBOTS)
def test_robots_get_no_reply(rule: str, raw: bytes, shipped_settings: Settings) -> None:
    intent = classify_raw(raw, shipped_settings)
    assert intent.kind is IntentKind.ROBOT
    # Staff read the rule's French reason only; the rule is named in the code.
    assert intent.reason == next(r.reason for r in ROBOT_RULES if r.name == rule), intent.reason


def test_every_robot_rule_has_a_row() -> None:
    covered = {param.values[0] for param in ROBOTS}
    assert covered == {rule.name for rule in ROBOT_RULES}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Auto-Submitted": "no"}, id="auto-submitted-no"),
        pytest.param({"Auto-Submitted": "No"}, id="auto-submitted-No"),
        pytest.param({"Return-Path": "<helene.marty@ot-vezere-monedieres.fr>"}, id="return-path-person"),
        pytest.param({"Precedence": "first-class"}, id="precedence-first-class"),
        pytest.param({"X-Mailer": "Microsoft Outlook 16.0", "Thread-Index": "AdlXyz12345"}, id="outlook"),
    ],
)
def test_people_with_harmless_headers_are_people(headers: dict[str, str], shipped_settings: Settings) -> None:
    intent = classify_raw(mail("Candidature groupe OT ruraux", APPLY, headers=headers), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.reason == ""
    assert intent.group_id == "ot-ruraux"


# --- Candidatures ----------------------------------------------------------------------------

FORM = letter(
    "Suite à la lettre d’information MONA Infos, je vous adresse ma candidature au groupe de travail "
    "« Offices de Tourisme ruraux ».",
    "Nom : Hélène Marty\n"
    "Structure : Office de Tourisme Vézère Monédières\n"
    "Fonction : Directrice\n"
    "Département : Corrèze (19)\n"
    "Nombre d’ETP : 7,5\n"
    "Population de la plus grande commune : 2 800 habitants\n"
    "Type de territoire : rural (ni littoral, ni montagne)\n"
    "Échelle d’intervention : intercommunale",
    "Je reste à votre disposition pour tout complément.",
)


def test_newsletter_form_candidature(shipped_settings: Settings) -> None:
    intent = classify_raw(mail("Candidature – groupe « Offices de Tourisme ruraux »", FORM), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "ot-ruraux"
    assert intent.ambiguous_groups == ()
    assert intent.sender == "helene.marty@ot-vezere-monedieres.fr"
    assert intent.name == "Hélène Marty"
    profile = intent.profile
    assert profile.name == "Hélène Marty"
    assert profile.structure == "Office de Tourisme Vézère Monédières"
    assert profile.role is Role.DIRECTOR
    assert profile.role_text == "Directrice"
    assert profile.department == "19"
    assert profile.fte == Figure.exact(7.5)
    assert profile.population == Figure.exact(2800)
    assert profile.territories == frozenset({Territory.RURAL})
    assert Territory.COASTAL in profile.not_territories
    assert Territory.MOUNTAIN in profile.not_territories
    assert profile.scale is Scale.INTERCOMMUNAL


def test_form_alone_with_group_in_subject_is_a_candidature(shipped_settings: Settings) -> None:
    # The form pasted without a sentence: its lines say « I apply ».
    body = "Nom : Luc Garnier\nStructure : OT des Bastides\nFonction : Directeur\nDépartement : 24\n"
    intent = classify_raw(mail("Groupe OT ruraux", body, sender="luc.garnier@ot-bastides.fr"),
                          shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "ot-ruraux"
    assert intent.profile.department == "24"


FREE_TEXT = [
    # ot-ruraux
    pytest.param("Candidature groupe OT ruraux", "Je souhaite candidater au groupe OT ruraux.", "ot-ruraux",
                 id="ruraux-subject-and-body"),
    pytest.param("Candidature", "Je souhaite candidater au groupe « Offices de Tourisme ruraux ».",
                 "ot-ruraux", id="ruraux-guillemets"),
    pytest.param("Candidature", "Je souhaite candidater au groupe «\u00a0Offices de Tourisme ruraux\u00a0».",
                 "ot-ruraux", id="ruraux-guillemets-nbsp"),
    pytest.param("candidature", "je souhaiterais m'inscrire au groupe offices de tourisme ruraux",
                 "ot-ruraux", id="ruraux-lower-case"),
    pytest.param("CANDIDATURE", "JE SOUHAITE REJOINDRE LE GROUPE « OFFICES DE TOURISME RURAUX ».",
                 "ot-ruraux", id="ruraux-capitals"),
    pytest.param("Groupe de travail", 'Je suis très intéressée par le groupe "OT ruraux".', "ot-ruraux",
                 id="ruraux-straight-quotes"),
    pytest.param("Inscription", "Je souhaite faire partie du groupe “OT ruraux”.", "ot-ruraux",
                 id="ruraux-curly-quotes"),
    pytest.param("groupe OT ruraux", "Je serais très intéressée pour rejoindre ce groupe.", "ot-ruraux",
                 id="ruraux-subject-only"),
    pytest.param("Candidature", "Je souhaite participer au groupe des offices de tourisme ruraux.",
                 "ot-ruraux", id="ruraux-des-offices"),
    # role-ot
    pytest.param("Candidature", "Je souhaite participer au groupe de travail « Communiquer sur le rôle de "
                 "l’office ».", "role-ot", id="role-curly-apostrophe"),
    pytest.param("candidature", "je souhaiterais candidater pour communiquer sur le role de l'office de "
                 "tourisme", "role-ot", id="role-no-accents"),
    pytest.param("Candidature", "Je souhaite faire partie du groupe « Communiquer sur le Rôle de l'Office de "
                 "Tourisme ».", "role-ot", id="role-title-capitals"),
    pytest.param("Groupe rôle de l’OT", "Je suis partante pour participer à ce groupe.", "role-ot",
                 id="role-de-l-ot-subject"),
    pytest.param("Candidature", "Je suis intéressée par le groupe sur le rôle des offices auprès des élus.",
                 "role-ot", id="role-des-offices"),
    pytest.param("Candidature", "JE SOUHAITE M'INSCRIRE AU GROUPE « COMMUNIQUER SUR LE RÔLE DE L’OFFICE DE "
                 "TOURISME ».", "role-ot", id="role-capitals"),
    # porteurs-de-projet
    pytest.param("Candidature", "Je souhaite rejoindre le groupe « Accompagnement des porteurs de projet ».",
                 "porteurs-de-projet", id="porteurs-guillemets"),
    pytest.param("candidature", "je souhaite candidater au groupe accompagnement des porteurs de projets",
                 "porteurs-de-projet", id="porteurs-lower-case-plural"),
    pytest.param("Inscription groupe Porteurs de Projet", "Je souhaite m’inscrire.", "porteurs-de-projet",
                 id="porteurs-subject-capitals"),
    pytest.param("Candidature", "Je souhaiterais intégrer le groupe de travail sur l’accompagnement des "
                 "porteurs de projet.", "porteurs-de-projet", id="porteurs-sur-l-accompagnement"),
    pytest.param("Candidature", 'Je souhaite candidater au groupe "accompagnement des PP".',
                 "porteurs-de-projet", id="porteurs-pp"),
    pytest.param("Candidature", "Je souhaite participer au groupe ACCOMPAGNEMENT DES PORTEURS DE PROJETS.",
                 "porteurs-de-projet", id="porteurs-capitals"),
]


@pytest.mark.parametrize(("subject", "sentence", "group"), FREE_TEXT)
def test_free_text_candidature_names_the_group(subject: str, sentence: str, group: str,
                                               shipped_settings: Settings) -> None:
    intent = classify_raw(mail(subject, letter(sentence)), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == group
    assert intent.ambiguous_groups == ()
    # The Outlook signature tells who is applying.
    assert intent.profile.role is Role.DIRECTOR
    assert intent.profile.department == "19"


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("RE : Candidature groupe OT ruraux", id="re-space-colon"),
        pytest.param("RE: Candidature groupe OT ruraux", id="re-colon"),
        pytest.param("TR\u00a0: Candidature groupe OT ruraux", id="tr-nbsp-colon"),
        pytest.param("TR: Candidature groupe OT ruraux", id="tr-colon"),
        pytest.param("Fwd: Candidature groupe OT ruraux", id="fwd"),
        pytest.param("RE : TR : Fwd: Candidature groupe OT ruraux", id="stacked"),
    ],
)
def test_reply_and_forward_prefixes(subject: str, shipped_settings: Settings) -> None:
    body = letter("Je vous renvoie ma candidature à ce groupe, restée sans réponse.")
    intent = classify_raw(mail(subject, body), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "ot-ruraux"


def test_candidature_without_a_group(shipped_settings: Settings) -> None:
    body = letter("Je souhaite candidater à un groupe de travail de la MONA.")
    intent = classify_raw(mail("Candidature", body), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id is None
    assert intent.ambiguous_groups == ()


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Je souhaite m’inscrire aux groupes « OT ruraux » et « Accompagnement des porteurs de "
                     "projet ».", id="two-named"),
        pytest.param("Je suis intéressée par les offices de tourisme ruraux, mais aussi par "
                     "l’accompagnement des porteurs de projets : je souhaite candidater.",
                     id="in-a-sentence"),
    ],
)
def test_two_groups_in_the_body_are_ambiguous(sentence: str, shipped_settings: Settings) -> None:
    intent = classify_raw(mail("Candidature", letter(sentence)), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id is None
    assert set(intent.ambiguous_groups) == {"ot-ruraux", "porteurs-de-projet"}
    assert len(intent.ambiguous_groups) == 2


def test_group_in_subject_wins_over_another_in_body(shipped_settings: Settings) -> None:
    body = letter(
        "Je souhaite candidater à ce groupe. Le groupe sur le rôle de l’OT m’intéresse aussi, "
        "mais je ne pourrai pas suivre les deux."
    )
    intent = classify_raw(mail("Candidature – groupe porteurs de projet", body), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "porteurs-de-projet"
    assert intent.ambiguous_groups == ()


# --- Withdrawals, ideas, questions -----------------------------------------------------------

CONFIRMATION_SUBJECT = "Re : Candidature – groupe « Offices de Tourisme ruraux »"


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Je me désiste : un imprévu m’empêche de suivre le groupe.", id="je-me-desiste"),
        pytest.param("JE ME DESISTE, désolée.", id="je-me-desiste-caps-no-accent"),
        pytest.param("Je ne pourrai finalement pas participer au groupe de travail.", id="finalement-pas"),
        pytest.param("Je souhaite retirer ma candidature, faute de temps cette année.", id="retirer"),
        pytest.param("Merci d’annuler mon inscription.", id="annuler-mon-inscription"),
        pytest.param("Je dois malheureusement me désister.", id="me-desister"),
        pytest.param("Je ne pourrai malheureusement pas participer au groupe.", id="malheureusement-pas"),
        pytest.param("Je ne pourrai pas y participer, l’office est en pleine réorganisation.",
                     id="pas-y-participer"),
    ],
)
def test_withdrawal(sentence: str, shipped_settings: Settings) -> None:
    body = letter(sentence) + "\n" + outlook_quote(OUR_CONFIRMATION, CONFIRMATION_SUBJECT)
    intent = classify_raw(mail("RE : Candidature – groupe « Offices de Tourisme ruraux »", body),
                          shipped_settings)
    assert intent.kind is IntentKind.WITHDRAWAL
    assert intent.group_id == "ot-ruraux"


FICHE = b"%PDF-1.4\n% fiche projet\n" + b"0" * 512


@pytest.mark.parametrize(
    ("subject", "sentence", "attachments"),
    [
        pytest.param("Idée de groupe de travail", "J’ai une idée de groupe de travail : l’accueil hors les "
                     "murs (marchés, plages, événements).", (), id="j-ai-une-idee"),
        pytest.param("Proposition", "Je voudrais proposer un nouveau groupe sur la taxe de séjour.", (),
                     id="proposer-un-nouveau-groupe"),
        pytest.param("Idée de groupe", "Vous trouverez ci-joint la fiche projet de notre idée.",
                     (("fiche-projet-itinérance.pdf", "application/pdf", FICHE),),
                     id="fiche-projet-attached"),
        pytest.param("Proposition de thème",
                     "Vous trouverez ci-joint notre proposition sur l’itinérance douce.",
                     (("Fiche projet MONA – itinérance douce.pdf", "application/pdf", FICHE),),
                     id="fiche-projet-only-in-the-attachment-name"),
    ],
)
def test_idea(subject: str, sentence: str, attachments: tuple[tuple[str, str, bytes], ...],
              shipped_settings: Settings) -> None:
    intent = classify_raw(mail(subject, letter(sentence), attachments=attachments), shipped_settings)
    assert intent.kind is IntentKind.IDEA
    assert intent.group_id is None


@pytest.mark.parametrize(
    ("subject", "sentence", "group"),
    [
        pytest.param("Renseignements", "Comment fonctionnent les groupes ?", None, id="how"),
        pytest.param("Question", "Comment fonctionnent les groupes de travail de la MONA ? Combien de "
                     "réunions par an ?", None, id="how-many"),
        pytest.param("Groupe OT ruraux", "Quand aura lieu la première réunion de ce groupe ?", "ot-ruraux",
                     id="about-a-group"),
        pytest.param("Groupe OT ruraux", "Est-il possible de participer à deux groupes ?", "ot-ruraux",
                     id="participer-in-a-question"),
        pytest.param("Rôle de l'OT", "Un chargé de communication peut-il être intéressé par ce groupe, "
                     "ou est-il réservé aux directeurs ?", "role-ot", id="interesse-in-a-question"),
    ],
)
def test_question(subject: str, sentence: str, group: str | None, shipped_settings: Settings) -> None:
    intent = classify_raw(mail(subject, letter(sentence)), shipped_settings)
    assert intent.kind is IntentKind.QUESTION
    assert intent.group_id == group


@pytest.mark.parametrize(
    "sentence",
    [
        "Je souhaite candidater au groupe OT ruraux : est-ce encore possible ?",
        "Je serais très intéressée pour rejoindre le groupe OT ruraux. Reste-t-il des places ?",
        "Je me porte candidate pour le groupe OT ruraux. Faut-il remplir un formulaire ?",
    ],
)
def test_applying_in_the_first_person_is_a_candidature_even_with_a_question(
        sentence: str, shipped_settings: Settings) -> None:
    intent = classify_raw(mail("Groupe OT ruraux", letter(sentence)), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "ot-ruraux"


# --- Quoted history does not count -----------------------------------------------------------


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(outlook_quote(OUR_HELP, "Re : Renseignements"), id="outlook"),
        pytest.param(gmail_quote(OUR_HELP), id="gmail"),
    ],
)
def test_group_named_only_in_quoted_history_does_not_count(history: str, shipped_settings: Settings) -> None:
    body = letter("Merci pour ces précisions. Je souhaite donc candidater.") + "\n" + history
    intent = classify_raw(mail("RE : Renseignements", body), shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id is None
    assert intent.ambiguous_groups == ()


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(outlook_quote(OUR_CONFIRMATION, CONFIRMATION_SUBJECT), id="outlook"),
        pytest.param(gmail_quote(OUR_CONFIRMATION), id="gmail"),
    ],
)
def test_withdrawal_words_only_in_quoted_footer_do_not_withdraw(history: str,
                                                                shipped_settings: Settings) -> None:
    body = letter("Je confirme ma candidature : nous sommes 6 ETP.") + "\n" + history
    intent = classify_raw(mail("RE : Candidature – groupe « Offices de Tourisme ruraux »", body),
                          shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "ot-ruraux"
    assert intent.profile.fte == Figure.exact(6)


# --- HTML-only Outlook -----------------------------------------------------------------------

OUTLOOK_CANDIDATURE = """<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<style><!--
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}
--></style></head>
<body lang="FR" link="#0563C1"><div class="WordSection1">
<p class="MsoNormal">Bonjour,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Suite à la lecture de MONA Infos, je souhaiterais faire partie du groupe de travail
«&nbsp;Communiquer sur le rôle de l’Office de Tourisme&nbsp;».<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Bien cordialement,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal"><b><span style="color:#1F4E79">Sandrine Brun</span></b><o:p></o:p></p>
<p class="MsoNormal"><span style="color:#1F4E79">Directrice<o:p></o:p></span></p>
<p class="MsoNormal"><span style="color:#1F4E79">Office de Tourisme du Grand Périgueux<o:p></o:p></span></p>
<p class="MsoNormal"><span style="color:#1F4E79">26 place Francheville – 24000 Périgueux<o:p></o:p></span></p>
<p class="MsoNormal"><span style="color:#1F4E79">Tél. 05 53 53 10 63<o:p></o:p></span></p>
</div></body></html>
"""


def test_html_only_outlook_candidature(shipped_settings: Settings) -> None:
    raw = mail("Candidature groupe de travail", OUTLOOK_CANDIDATURE, html=True,
               sender="BRUN Sandrine <direction@tourisme-grandperigueux.fr>")
    intent = classify_raw(raw, shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "role-ot"
    assert intent.profile.role is Role.DIRECTOR
    assert intent.profile.role_text == "Directrice"
    assert intent.profile.department == "24"


@pytest.mark.parametrize(
    ("signature_lines", "department"),
    [
        pytest.param("Directeur\nOffice de Tourisme du Grand Villeneuvois\n47300 Villeneuve-sur-Lot", "47",
                     id="postal-code"),
        pytest.param("Directeur – Office de Tourisme de Mimizan (Landes)\nTél. 05 58 09 11 20", "40",
                     id="department-name"),
        pytest.param("Directeur\nOffice de Tourisme des Monts d’Ambazac (87)\nTél. : 05 55 56 70 70", "87",
                     id="code-in-parentheses"),
        pytest.param("Directeur\nOffice de Tourisme Vallée de la Dordogne\n19120 Beaulieu-sur-Dordogne",
                     "19", id="river-name-in-structure-vs-postal-code"),
    ],
)
def test_department_from_the_signature(signature_lines: str, department: str,
                                       shipped_settings: Settings) -> None:
    body = letter("Je souhaite candidater au groupe OT ruraux.",
                  signature=f"Bien cordialement,\n\nPaul Rivière\n{signature_lines}\n")
    raw = mail("Candidature", body, sender="Paul Rivière <p.riviere@ot-exemple.fr>")
    intent = classify_raw(raw, shipped_settings)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == "ot-ruraux"
    assert intent.profile.role is Role.DIRECTOR
    assert intent.profile.department == department


@pytest.mark.parametrize(("subject", "body", "kind", "group"), [
    # Not coming one day, beside a candidature: an apology, not a withdrawal.
    ("Candidature", letter("Je vous adresse ma candidature pour le groupe OT ruraux. Je ne pourrai pas être "
                           "présente le jour de la première rencontre, une collègue viendra."),
     IntentKind.CANDIDATURE, "ot-ruraux"),
    # Her role and her office's figures, about one group, asking nothing: a candidature.
    ("Groupe porteurs de projets", letter("Je vous écris au sujet du groupe porteurs de projets. Je suis "
                                          "conseillère en séjour, nous sommes 6 ETP et notre plus grande "
                                          "commune compte 4 000 habitants."),
     IntentKind.CANDIDATURE, "porteurs-de-projet"),
    # The same words with a question: a question still.
    ("Groupe porteurs de projets", letter("Je suis conseillère en séjour, nous sommes 6 ETP et notre plus "
                                          "grande commune compte 4 000 habitants. Le groupe porteurs de "
                                          "projets est-il fait pour nous ?"),
     IntentKind.QUESTION, "porteurs-de-projet"),
    # A reply to a colleague's mail from the network, which the mailbox never sent.
    ("RE: Groupe de travail Offices de Tourisme ruraux",
     letter("Oui, je confirme mon intérêt : directrice de l'OT, 4 ETP, Nontron 3 000 habitants."),
     IntentKind.CANDIDATURE, "ot-ruraux"),
])
def test_applying_without_the_words_of_applying(subject: str, body: str, kind: IntentKind, group: str,
                                                shipped_settings: Settings) -> None:
    intent = classify_raw(mail(subject, body), shipped_settings)
    assert (intent.kind, intent.group_id) == (kind, group)
