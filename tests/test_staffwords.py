"""Staff actions read from French text, as a table; forwarded messages read from each client's quote."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.config.settings import Settings
from mailflow.core.read.staff_words import Command, Unclear, forwarded, read_command
from mailflow.model.values import StaffVerb as V
from mailflow.model.values import canonical_id

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=PARIS)

READ = [
    ("Clore l'appel porteurs de projets", V.CLOSE, "porteurs-de-projet", "", {}),
    ("Bonjour,\nfermez les inscriptions OT ruraux svp", V.CLOSE, "ot-ruraux", "", {}),
    ("Rouvrir l’appel du groupe « Offices de Tourisme ruraux »", V.OPEN, "ot-ruraux", "", {}),
    ("Passer la capacité du groupe OT ruraux à 25 places", V.CAPACITY, "ot-ruraux", "",
     {"capacity": "25"}),
    ("Capacité OT ruraux : 30", V.CAPACITY, "ot-ruraux", "", {"capacity": "30"}),
    ("Première rencontre OT ruraux le mardi 6 avril 2027 à 9 h 30", V.MEETING, "ot-ruraux", "",
     {"when": "2027-04-06T09:30:00+02:00"}),
    ("Rencontre OT ruraux, lieu : Maison du tourisme, Angoulême.", V.MEETING, "ot-ruraux", "",
     {"place": "Maison du tourisme, Angoulême"}),
    ("Refuser C0042 : hors profil", V.REFUSE, "C0042", "hors profil", {}),
    ("refuser la candidature c42 - pas directeur", V.REFUSE, "C0042", "pas directeur", {}),
    ("Refuser C0042 - motif : hors profil", V.REFUSE, "C0042", "hors profil", {}),
    ("Retirer C0042 : désistement par téléphone", V.WITHDRAW, "C0042",
     "désistement par téléphone", {}),
    ("Promouvoir C0017", V.PROMOTE, "C0017", "", {}),
    ("Donner une place à C17", V.PROMOTE, "C0017", "", {}),
    ("Valider l'idée I0003 (CA du 12 mars)", V.IDEA_VALIDATE, "I0003", "",
     {"board_date": "2026-03-12"}),
    ("valider l’idée i3, CA d’hier, sans co-animation", V.IDEA_VALIDATE, "I0003", "",
     {"board_date": "2026-11-28", "co_animated": "no"}),
    ("Décliner l'idée I0003 : déjà couvert", V.IDEA_DECLINE, "I0003", "déjà couvert", {}),
    ("Avancer l'idée I0003", V.IDEA_ADVANCE, "I0003", "", {}),
    ("Note d’intention reçue pour I0003", V.IDEA_ADVANCE, "I0003", "", {}),
    ("Préparer le groupe de l'idée I0003", V.IDEA_DRAFT, "I0003", "", {}),
    ("Réponse envoyée Q0002", V.QUESTION_DONE, "Q0002", "", {}),
    ("Question q2 traitée par téléphone", V.QUESTION_DONE, "Q0002", "", {}),
]


@pytest.mark.parametrize(("text", "verb", "target", "reason", "fields"), READ)
def test_what_staff_write_is_read(shipped_settings: Settings, text: str, verb: V, target: str, reason: str,
                                  fields: dict[str, str]) -> None:
    command = read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert command == Command(verb, target, reason, fields)


def test_a_candidature_typed_in_full(shipped_settings: Settings) -> None:
    command = read_command(
        "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-confolentais.fr, directrice de "
        "l'OT du Confolentais (16), reçue en réunion départementale le 3 mars à 10 h, pour le "
        "groupe OT ruraux", "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert isinstance(command, Command) and command.verb is V.ADD and command.target == "ot-ruraux"
    assert {k: command.fields[k] for k in ("email", "name", "department", "received_at")} == {
        "email": "jeanne.martin@ot-confolentais.fr", "name": "Jeanne Martin", "department": "16",
        "received_at": "2026-03-03T10:00:00+01:00"}
    assert Command.from_json(command.to_json()) == command


UNCLEAR = [
    ("Ajouter la candidature de Jeanne Martin (16) pour OT ruraux", "adresse électronique"),
    ("Ajouter la candidature de Jeanne Martin, jeanne@ot.fr (16) pour OT ruraux le 3 mars",
     "l’heure"),
    ("Ouvrir l'appel", "quel groupe"),
    ("Refuser C0042", "la raison"),
    ("Refuser la candidature de Paul", "numéro de la candidature"),
    ("Valider l'idée I0003", "date du conseil"),
    ("Passer la capacité du groupe OT ruraux", "nombre de places"),
    ("Première rencontre OT ruraux le 6 avril 2027", "l’heure"),
]


@pytest.mark.parametrize(("text", "said"), UNCLEAR)
def test_what_is_missing_is_said(shipped_settings: Settings, text: str, said: str) -> None:
    command = read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert isinstance(command, Unclear) and said in command.why


@pytest.mark.parametrize("text", [
    "Bonjour, je serai absente vendredi.", "Merci pour le point !", "Je vais ajouter ça à l’agenda.",
    "La rencontre s’est bien passée.\n\nClaire", ""])
def test_plain_staff_mail_asks_for_nothing(shipped_settings: Settings, text: str) -> None:
    assert read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS) is None


@given(st.text(max_size=300) | st.lists(st.sampled_from(
    ["Refuser", "C0042", " : ", "Ajouter", "candidature", "de Jeanne", "(16)", "@", "le 3 mars",
     "à 10 h", "De : ", "Envoyé : ", "\n", "OT ruraux", "idée", "I3", "capacité", "lieu :"]),
    max_size=12).map("".join))
def test_any_text_is_read_without_error(shipped_settings: Settings, text: str) -> None:
    read_command(text, text[:40], shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    forwarded(text, NOW, PARIS)


FORWARDS = [
    ("outlook", "De\u00a0: Paul Ferrand <paul.ferrand@ot-bastides.fr>\nEnvoyé\u00a0: lundi 2 mars "
     "2026 09:15\nÀ\u00a0: Claire <animation@monatourisme.fr>\nObjet\u00a0: Candidature\n\nBonjour"),
    ("gmail", "---------- Forwarded message ---------\nDe : Paul Ferrand <paul.ferrand@ot-bastides.fr>"
     "\nDate: lun. 2 mars 2026 à 09:15\nSubject: Candidature\nTo: <animation@monatourisme.fr>\n\n"
     "Bonjour"),
    ("thunderbird", "-------- Message transféré --------\nSujet : Candidature\nDate : Mon, 2 Mar "
     "2026 09:15:00 +0100\nDe : Paul Ferrand <paul.ferrand@ot-bastides.fr>\nPour : "
     "animation@monatourisme.fr\n\nBonjour"),
    ("apple", "Début du message réexpédié :\n\nDe: Paul Ferrand <paul.ferrand@ot-bastides.fr>\n"
     "Objet: Candidature\nDate: 2 mars 2026 à 09:15:00 UTC+1\nÀ: animation@monatourisme.fr\n\n"
     "Bonjour"),
]


@pytest.mark.parametrize(("client", "quoted"), FORWARDS)
def test_a_forwarded_message_is_read_from_its_quote(client: str, quoted: str) -> None:
    found = forwarded(f"Ajouter pour le groupe OT ruraux\n\n{quoted}\n", NOW, PARIS)
    assert found is not None, client
    assert (found.sender, found.name, found.subject) == (
        "paul.ferrand@ot-bastides.fr", "Paul Ferrand", "Candidature")
    assert found.sent_at is not None
    assert found.sent_at.astimezone(PARIS).replace(tzinfo=None) == datetime(2026, 3, 2, 9, 15)
    assert found.text.startswith("Bonjour")


@pytest.mark.parametrize(("typed", "meant"), [
    ("c12", "C0012"), ("C0012", "C0012"), (" c-0012 ", "C0012"), ("i3", "I0003"), ("Q 2", "Q0002"),
    ("c12345", "C12345"), ("ot-ruraux", "OT-RURAUX"), ("x12", "X12")])
def test_ids_are_read_as_people_type_them(typed: str, meant: str) -> None:
    assert canonical_id(typed) == meant


CAPACITY = [  # ot-ruraux has 20 places
    ("Passer la capacité du groupe OT ruraux à 25 places", 25),
    ("Capacité OT ruraux : 30", 30),
    ("Passer la capacité OT ruraux de 20 à 25", 25),
    ("Ajouter 5 places au groupe OT ruraux", 25),
    ("Ajoutez 5 places pour OT ruraux svp", 25),
    ("Augmenter la capacité du groupe OT ruraux de 5 places", 25),
    ("Capacité OT ruraux : +5", 25),
    ("Ouvrir 3 places de plus pour OT ruraux", 23),
    ("Réduire le nombre de places OT ruraux de 3", 17),
    ("Réduire le nombre de places OT ruraux à 15", 15),
]


@pytest.mark.parametrize(("text", "capacity"), CAPACITY)
def test_a_number_of_places_is_read_as_the_new_total(shipped_settings: Settings, text: str,
                                                     capacity: int) -> None:
    """« Ajouter 5 places » is five more, never five in all (the alert offers « Ajouter des places »)."""
    command = read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert command == Command(V.CAPACITY, "ot-ruraux", "", {"capacity": str(capacity)})


@pytest.mark.parametrize("text", [
    "Ajouter des places au groupe OT ruraux", "Réduire la capacité OT ruraux de 30 places"])
def test_places_without_a_usable_figure_are_asked_for(shipped_settings: Settings, text: str) -> None:
    command = read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert isinstance(command, Unclear) and "nombre de places" in command.why


SEVERAL = [
    "Clore l’appel OT ruraux\nPromouvoir C0003",
    "Bonjour,\nPromouvoir C0003 et C0004",
    "Refuser C0003 : hors profil\nRefuser C0004 : hors profil",
    "Passer la capacité du groupe OT ruraux à 25 places\nClore l’appel porteurs de projets",
    "Clore l’appel OT ruraux et porteurs de projets",
    "Promouvoir C0003, C0004",
]


@pytest.mark.parametrize("text", SEVERAL)
def test_several_actions_in_one_message_are_not_half_done(shipped_settings: Settings, text: str) -> None:
    command = read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert isinstance(command, Unclear) and "une action par message" in command.why


@pytest.mark.parametrize(("text", "verb", "target"), [
    ("Refuser C0042 : hors profil, voir C0041", V.REFUSE, "C0042"),
    ("Refuser C0042 : doublon de C0041 et C0040", V.REFUSE, "C0042"),
    ("Retirer C0042 : doublon de C0041", V.WITHDRAW, "C0042"),
    ("Promouvoir C0017 à la place de C0012", V.PROMOTE, "C0017"),
    ("Première rencontre OT ruraux le 6 avril 2027 à 9 h 30\nLieu : Maison du tourisme, Angoulême",
     V.MEETING, "ot-ruraux"),
    ("Bonjour,\n\nMerci de retirer la candidature C0042 : désistement par téléphone.\n\nBonne "
     "journée", V.WITHDRAW, "C0042"),
    ("Clore l’appel OT ruraux\nIl est complet depuis ce matin (C0020 a pris la dernière place).",
     V.CLOSE, "ot-ruraux"),
])
def test_one_action_with_other_numbers_or_lines_is_one_action(shipped_settings: Settings, text: str,
                                                              verb: V, target: str) -> None:
    command = read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert isinstance(command, Command) and (command.verb, command.target) == (verb, target)


def test_the_reason_is_what_follows_the_colon(shipped_settings: Settings) -> None:
    """The member reads the reason: the group named before the colon is not part of it."""
    command = read_command("Refuser C0042 pour le groupe OT ruraux : hors profil", "",
                           shipped_settings.groups, shipped_settings.departments, NOW, PARIS)
    assert command == Command(V.REFUSE, "C0042", "hors profil", {})


def test_a_promotion_in_a_signature_asks_for_nothing(shipped_settings: Settings) -> None:
    text = "Je serai absente vendredi.\n\nClaire Morel\nChargée de promotion du territoire"
    assert read_command(text, "", shipped_settings.groups, shipped_settings.departments, NOW, PARIS) is None


def test_the_quote_of_our_own_mail_is_no_forwarded_message(shipped_settings: Settings) -> None:
    """A reply to the digest quotes it under « De : MONA <groupes@…> »: that is no candidature
    forwarded, its groups and its date are not the member's."""
    quoted = forwarded(
        "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-sarlat.fr (24)\n\n"
        "De\u00a0: MONA – Groupes de travail <groupes@monatourisme.fr>\n"
        "Envoyé\u00a0: lundi 30 novembre 2026 07:00\nÀ\u00a0: animation@monatourisme.fr\n"
        "Objet\u00a0: [mailflow] Le point du 30 novembre\n\n« Accompagnement des porteurs de "
        "projets » — ouvert\n", NOW, PARIS)
    assert quoted is not None
    command = read_command(
        "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-sarlat.fr (24)",
        "RE\u00a0: [mailflow] Le point du 30 novembre", shipped_settings.groups,
        shipped_settings.departments, NOW, PARIS, forwarded=quoted,
        own=("animation@monatourisme.fr", "groupes@monatourisme.fr"))
    assert isinstance(command, Unclear) and "quel groupe" in command.why
