"""Staff requests read from French text as a table: the action, its object and figures, what is
missing, or nothing asked; forwarded messages read from each client's quote."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.config.settings import Settings
from mailflow.core.french.staff import command_line
from mailflow.core.read.staff.forward import forwarded
from mailflow.core.read.staff.reader import read_request
from mailflow.core.read.staff.request import Command, Missing, Reading
from mailflow.model.values import CallStatus, State, canonical_id
from mailflow.model.values import StaffVerb as V

from .helpers.project import script

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
OWN = ("animation@monatourisme.fr", "groupes@monatourisme.fr")


@pytest.fixture(scope="module")
def staff_state(shipped_settings: Settings) -> State:
    """Marie (C0001) and Luc (C0002) confirmed in « OT ruraux », Hélène (C0003) waiting, Paul
    (C0004) in « rôle de l'OT »; Rémi's idea (I0001) with its note; Sandrine's question (Q0001); the
    call of « porteurs de projets » closed."""
    cands, ideas, questions = script("phrasing").staff_records()
    groups = dict(shipped_settings.groups)
    groups["porteurs-de-projet"] = replace(groups["porteurs-de-projet"], call=CallStatus.CLOSED)
    return State(groups=groups, departments=shipped_settings.departments,
                 candidatures=cands, ideas=ideas, questions=questions, next_seq=7,
                 numbers={"C": 4, "I": 1, "Q": 1})


def read(state: State, text: str, subject: str = "") -> Reading:
    return read_request(subject, text, state, NOW, PARIS, own=OWN)


def one(state: State, text: str, subject: str = "") -> Command:
    reading = read(state, text, subject)
    assert len(reading.commands) == 1 and reading.unclear is None, (text, reading)
    return reading.commands[0]


READ = [
    ("Clore l'appel porteurs de projets", V.CLOSE, "porteurs-de-projet", "", {}),
    ("Bonjour,\nfermez les inscriptions OT ruraux svp", V.CLOSE, "ot-ruraux", "", {}),
    ("Rouvrir l’appel du groupe « Offices de Tourisme ruraux »", V.OPEN, "ot-ruraux", "", {}),
    ("Passer la capacité du groupe OT ruraux à 25 places", V.CAPACITY, "ot-ruraux", "",
     {"capacity": "25"}),
    ("Capacité OT ruraux : 30", V.CAPACITY, "ot-ruraux", "", {"capacity": "30"}),
    ("Première rencontre OT ruraux le mardi 13 avril 2027 à 10 h", V.MEETING, "ot-ruraux", "",
     {"when": "2027-04-13T10:00:00+02:00"}),
    ("Déplacer la première réunion des OT ruraux au mardi 6 avril 2027 à 14 h", V.MEETING, "ot-ruraux", "",
     {"when": "2027-04-06T14:00:00+02:00"}),
    ("Rencontre OT ruraux, lieu : Maison du tourisme, Angoulême.", V.MEETING, "ot-ruraux", "",
     {"place": "Maison du tourisme, Angoulême"}),
    ("Clore l’appel OT ruraux le 26 mars", V.DEADLINE, "ot-ruraux", "",
     {"closes_at": "2027-03-26T23:59:00+01:00"}),
    # a closed call opened again until a date: both, one command, one code
    ("tu px rouvrir les porteurs jusqu'au 15 janvier ?", V.DEADLINE, "porteurs-de-projet", "",
     {"closes_at": "2027-01-15T23:59:00+01:00", "open": "yes"}),
    ("On relance l'appel pour l'accompagnement des porteurs de projets, clôture le 31 janvier.", V.DEADLINE,
     "porteurs-de-projet", "", {"closes_at": "2027-01-31T23:59:00+01:00", "open": "yes"}),
    ("Rouvrir l’appel du groupe « Accompagnement des porteurs de projets » jusqu’au vendredi 15 janvier "
     "2027 à 23 h 59", V.DEADLINE, "porteurs-de-projet", "",
     {"closes_at": "2027-01-15T23:59:00+01:00", "open": "yes"}),
    # « la clore » of a question named, no group named
    ("Pour la question de Sandrine Aubert : je l'ai rappelée, tu peux la clore.", V.QUESTION_DONE, "Q0001",
     "", {}),
    # a date named beside « tout de suite » is no closing date
    ("Merci de fermer l'appel du groupe rôle de l'OT tout de suite, sans attendre le 1er septembre.", V.CLOSE,
     "role-ot", "", {}),
    # « il n'a personne » is no place; his town in brackets is his
    ("Luc Bernard (Bergerac) a appelé : il n'a personne pour le remplacer ce jour-là, retire-le des ruraux "
     "stp.", V.WITHDRAW, "C0002", "", {}),
    # the meeting named by its day, moved to another town
    ("Changement pour la réunion du 6 avril des ruraux : on sera reçus à Sarlat plutôt qu'à Montignac.",
     V.MEETING, "ot-ruraux", "", {"when": "2027-04-06T09:30:00+02:00",
                                  "place": "Sarlat-la-Canéda (Dordogne)"}),
    # franglais, and people needed are no places
    ("could we reopen the call des porteurs ? il nous faut au moins 3 inscrits de plus", V.OPEN,
     "porteurs-de-projet", "", {}),
    ("on descend à 12 pour le groupe rôle de l'OT, la salle est petite", V.CAPACITY, "role-ot", "",
     {"capacity": "12"}),
    ("Tu peux basculer Hélène de la liste d'attente à la liste principale ?", V.PROMOTE, "C0003", "", {}),
    ("Hélène Roux : non, le bureau ne fera pas d'exception.", V.REFUSE, "C0003",
     "le bureau ne fera pas d’exception", {}),
    ("Peux-tu dire à celle de Sarlat que ce ne sera pas possible cette année ?", V.REFUSE, "C0003", "", {}),
    ("La salle n'est libre qu'une semaine plus tard pour la réunion des ruraux, même heure : tu décales ?",
     V.MEETING,
     "ot-ruraux", "", {"when": "2027-04-13T09:30:00+02:00"}),
    ("On pourrait avancer la réunion des ruraux au jeudi 1er avril, disons 14h ?", V.MEETING, "ot-ruraux", "",
     {"when": "2027-04-01T14:00:00+02:00"}),
    ("ajoute Léa Marty de l'OT de Nérac (47) aux ruraux, son mail c'est lea point marty arobase ot-nerac "
     "point fr", V.ADD, "ot-ruraux", "", {"email": "lea.marty@ot-nerac.fr"}),
    ("Je rentre de La Rochelle : l'office de Rochefort nous prête sa salle le même jour, on bascule ?",
     V.MEETING, "role-ot", "", {"place": "Rochefort (Charente-Maritime)"}),
    # those who run the group take no member's place
    ("Salle de 27 personnes, animateurs compris ; on sera 2 à animer : passe les ruraux à 27.", V.CAPACITY,
     "ot-ruraux", "", {"capacity": "25"}),
    # a reason under its own label, written of the member: she reads it as written to her
    ("Refuser la candidature de Luc Bernard. Motif à lui indiquer : son office n'intervient pas à "
     "l'échelle intercommunale.", V.REFUSE, "C0002",
     "votre office n’intervient pas à l’échelle intercommunale", {}),
    ("Refuser C0001 : hors profil", V.REFUSE, "C0001", "hors profil", {}),
    ("refuser la candidature c1 - pas directeur", V.REFUSE, "C0001", "pas directeur", {}),
    ("Refuser C0001 - motif : hors profil", V.REFUSE, "C0001", "hors profil", {}),
    ("Retirer C0002 : désistement par téléphone", V.WITHDRAW, "C0002",
     "désistement par téléphone", {}),
    ("Promouvoir C0003", V.PROMOTE, "C0003", "", {}),
    ("Donner une place à Hélène Roux", V.PROMOTE, "C0003", "", {}),
    ("Valider l'idée I0001 (CA du 12 novembre)", V.IDEA_VALIDATE, "I0001", "",
     {"board_date": "2026-11-12"}),
    ("valider l’idée i1, CA d’hier, sans co-animation", V.IDEA_VALIDATE, "I0001", "",
     {"board_date": "2026-12-06", "co_animated": "no"}),
    ("Décliner l'idée I0001 : déjà couvert par le plan vélo", V.IDEA_DECLINE, "I0001",
     "déjà couvert par le plan vélo", {}),
    ("Avancer l'idée I0001", V.IDEA_ADVANCE, "I0001", "", {}),
    ("Note d’intention reçue pour I0001", V.IDEA_ADVANCE, "I0001", "", {}),
    ("Préparer le groupe de l'idée I0001", V.IDEA_DRAFT, "I0001", "", {}),
    ("Réponse envoyée Q0001", V.QUESTION_DONE, "Q0001", "", {}),
    ("Question q1 traitée par téléphone", V.QUESTION_DONE, "Q0001", "", {}),
]


@pytest.mark.parametrize(("text", "verb", "target", "reason", "fields"), READ, ids=[r[0] for r in READ])
def test_what_staff_write_is_read(staff_state: State, text: str, verb: V, target: str, reason: str,
                                  fields: dict[str, str]) -> None:
    command = one(staff_state, text)
    assert (command.verb, command.target, command.reason) == (verb, target, reason)
    assert {k: command.fields[k] for k in fields} == fields


def test_a_candidature_typed_in_full(staff_state: State) -> None:
    command = one(staff_state,
                  "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-confolentais.fr, directrice de "
                  "l'OT du Confolentais (16), reçue en réunion départementale le 3 mars à 10 h, pour le "
                  "groupe OT ruraux")
    assert command.verb is V.ADD and command.target == "ot-ruraux"
    assert {k: command.fields[k] for k in ("email", "name", "department", "received_at")} == {
        "email": "jeanne.martin@ot-confolentais.fr", "name": "Jeanne Martin", "department": "16",
        "received_at": "2026-03-03T10:00:00+01:00"}
    assert Command.from_json(command.to_json()) == command


@pytest.mark.parametrize(("text", "field", "value"), [
    # a day without its hour counts at the end of that day, and the plan says so
    ("Ajouter la candidature de Jeanne Martin, jeanne@ot-confolentais.fr (16) pour OT ruraux, reçue le "
     "3 mars", "received_how", "day"),
    # the board's day unsaid: the message's, and the plan asks to write it if it differs
    ("Valider l'idée I0001", "board_said", "no"),
    # the meeting's day moved, its hour kept
    ("Première rencontre OT ruraux le 13 avril 2027", "time_said", "unsaid"),
])
def test_what_is_unsaid_is_assumed_and_said(staff_state: State, text: str, field: str, value: str) -> None:
    assert one(staff_state, text).fields[field] == value


UNCLEAR = [
    ("Ajouter la candidature de Jeanne Martin (16) pour OT ruraux", Missing.PERSON),
    ("Ouvrir l'appel", Missing.GROUP),
    ("Refuser la candidature de Sophie", Missing.ACTION),
    ("Passer la capacité du groupe OT ruraux", Missing.NUMBER),
    ("Promouvoir C0009", Missing.CANDIDATURE),
]


@pytest.mark.parametrize(("text", "missing"), UNCLEAR, ids=[u[0] for u in UNCLEAR])
def test_what_is_missing_is_said(staff_state: State, text: str, missing: Missing) -> None:
    reading = read(staff_state, text)
    assert reading.unclear is not None and not reading.commands, reading
    assert reading.unclear.missing is missing


def test_the_missing_facts_of_a_person_are_named(staff_state: State) -> None:
    reading = read(staff_state, "Ajouter la candidature de Jeanne Martin (16) pour OT ruraux")
    assert reading.unclear is not None and reading.unclear.detail == ("email",)


@pytest.mark.parametrize("text", [
    "Bonjour, je serai absente vendredi.", "Merci pour le point !", "Je vais ajouter ça à l’agenda.",
    "La rencontre s’est bien passée.\n\nClaire", "",
    "Pour info : l’appel des OT ruraux est fermé depuis hier, rien à faire.",
    "Je serai absente vendredi.\n\nClaire Morel\nChargée de promotion du territoire"])
def test_plain_staff_mail_asks_for_nothing(staff_state: State, text: str) -> None:
    assert not read(staff_state, text).asks


@given(st.text(max_size=300) | st.lists(st.sampled_from(
    ["Refuser", "C0042", " : ", "Ajouter", "candidature", "de Jeanne", "(16)", "@", "le 3 mars",
     "à 10 h", "De : ", "Envoyé : ", "\n", "OT ruraux", "idée", "I3", "capacité", "lieu :", "→", "+5"]),
    max_size=12).map("".join))
def test_any_text_is_read_without_error(staff_state: State, text: str) -> None:
    read(staff_state, text, text[:40])
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


def test_a_forwarded_application_is_registered_from_its_sender(staff_state: State) -> None:
    quoted = FORWARDS[0][1] + ", je souhaite rejoindre le groupe des OT ruraux.\nPaul Ferrand\n"
    passed_on = forwarded(f"À inscrire, merci\n\n{quoted}", NOW, PARIS)
    reading = read_request("TR : Candidature", "À inscrire, merci\n", staff_state, NOW, PARIS,
                           forwarded=passed_on, own=OWN)
    assert reading.unclear is not None and reading.unclear.missing is Missing.PERSON
    assert reading.unclear.detail == ("department",)  # all else is in the forwarded mail


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
    ("les ruraux passent à vingt-deux places stp", 22),
]


@pytest.mark.parametrize(("text", "capacity"), CAPACITY, ids=[c[0] for c in CAPACITY])
def test_a_number_of_places_is_read_as_the_new_total(staff_state: State, text: str, capacity: int) -> None:
    """« Ajouter 5 places » is five more, never five in all (the alert offers « Ajouter des places »)."""
    command = one(staff_state, text)
    assert (command.verb, command.target, dict(command.fields)) == (
        V.CAPACITY, "ot-ruraux", {"capacity": str(capacity)})


@pytest.mark.parametrize("text", [
    "Ajouter des places au groupe OT ruraux", "Réduire la capacité OT ruraux de 30 places"])
def test_places_without_a_usable_figure_are_asked_for(staff_state: State, text: str) -> None:
    reading = read(staff_state, text)
    assert reading.unclear is not None and reading.unclear.missing is Missing.NUMBER


SEVERAL = [
    "Clore l’appel OT ruraux\nPromouvoir C0003",
    "Bonjour,\nPromouvoir C0003 et C0004",
    "Refuser C0003 : hors profil\nRefuser C0004 : hors profil",
    "Passer la capacité du groupe OT ruraux à 25 places\nClore l’appel porteurs de projets",
    "Clore l’appel OT ruraux et porteurs de projets",
    "Promouvoir C0003, C0004",
]


@pytest.mark.parametrize("text", SEVERAL)
def test_several_actions_in_one_message_are_not_half_done(staff_state: State, text: str) -> None:
    reading = read(staff_state, text)
    assert reading.unclear is not None and reading.unclear.missing is Missing.SEVERAL
    assert not reading.commands


@pytest.mark.parametrize(("text", "verb", "target"), [
    ("Refuser C0001 : hors profil, voir C0002", V.REFUSE, "C0001"),
    ("Refuser C0001 : doublon de C0002 et C0003", V.REFUSE, "C0001"),
    ("Retirer C0002 : doublon de C0001", V.WITHDRAW, "C0002"),
    ("Promouvoir C0003 à la place de C0002", V.PROMOTE, "C0003"),
    ("Première rencontre OT ruraux le 13 avril 2027 à 9 h 30\nLieu : Maison du tourisme, Angoulême",
     V.MEETING, "ot-ruraux"),
    ("Bonjour,\n\nMerci de retirer la candidature C0002 : désistement par téléphone.\n\nBonne "
     "journée", V.WITHDRAW, "C0002"),
    ("Clore l’appel OT ruraux\nIl est complet depuis ce matin (C0002 a pris la dernière place).",
     V.CLOSE, "ot-ruraux"),
])
def test_one_action_with_other_numbers_or_lines_is_one_action(staff_state: State, text: str, verb: V,
                                                              target: str) -> None:
    command = one(staff_state, text)
    assert (command.verb, command.target) == (verb, target)


@pytest.mark.parametrize(("text", "reason"), [
    ("Refuser C0001 pour le groupe OT ruraux : hors profil", "hors profil"),
    ("Refuser c1 : votre office n’est pas classé rural", "votre office n’est pas classé rural"),
    ("Marie Dupont : on ne la retient pas (pas directrice, elle est responsable qualité). Tu fais "
     "le refus ?", "pas directrice, elle est responsable qualité"),
    ("refus pour C0003 stp, le CA n a pas voulu de derogation au quota. merci",
     "le CA n a pas voulu de derogation au quota"),
    # said to the colleague, not to the member: no reason at all rather than these words
    ("Suite à l'échange ci-dessous, on ne retient pas Luc Bernard. Merci de faire le refus.", ""),
    ("merci de refuser la candidature de Luc, avec l'explication.", ""),
])
def test_the_reason_is_what_the_member_can_read(staff_state: State, text: str, reason: str) -> None:
    command = one(staff_state, text)
    assert command.verb is V.REFUSE and command.reason == reason


def test_the_quote_of_our_own_mail_is_no_forwarded_message(staff_state: State) -> None:
    """A reply to the digest quotes it under « De : MONA <groupes@…> »: read without it (as the
    staff desk does), the request names no group and is asked back."""
    reading = read(staff_state, "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-sarlat.fr (24)",
                   "RE\u00a0: [mailflow] Le point du 30 novembre")
    assert reading.unclear is not None and reading.unclear.missing is Missing.GROUP


def test_a_call_opened_until_a_date_is_offered_and_read_back_as_one_line(staff_state: State) -> None:
    fields = {"closes_at": "2027-01-15T23:59:00+01:00", "open": "yes"}
    line = command_line(V.DEADLINE, "porteurs-de-projet", staff_state, PARIS, fields=fields)
    assert line.startswith("Rouvrir l’appel du groupe « Accompagnement des porteurs de projets » jusqu’au ")
    command = one(staff_state, line)
    assert (command.verb, command.target, command.fields) == (V.DEADLINE, "porteurs-de-projet", fields)


def test_two_actions_in_two_sentences_are_offered_one_by_one(staff_state: State) -> None:
    """« Tu peux faire entrer Hélène ? Luc s'est désisté »: a place for Hélène and Luc withdrawn,
    never Hélène withdrawn; each offered as its own line."""
    reading = read(staff_state, "Tu peux faire entrer Hélène chez les ruraux ? Luc s'est désisté, ça reste "
                                "2 Dordogne comme avant.")
    assert not reading.commands and reading.unclear is not None
    assert reading.unclear.missing is Missing.SEVERAL
    offered = {(c.verb, c.target) for c in reading.unclear.closest}
    assert offered == {(V.PROMOTE, "C0003"), (V.WITHDRAW, "C0002")}


def test_adding_someone_who_is_already_a_candidate_says_so(staff_state: State) -> None:
    reading = read(staff_state, "Ajouter la candidature de Luc Bernard, luc.bernard@ot-bergerac.fr, "
                                "directeur de l'OT de Bergerac, département 24, pour le groupe OT ruraux")
    assert reading.unclear is not None and not reading.commands
    assert (reading.unclear.missing, reading.unclear.about) == (Missing.ALREADY, ("C0002",))


def test_two_actions_joined_by_et_are_offered_one_by_one(staff_state: State) -> None:
    reading = read(staff_state, "Deux choses : on passe le groupe porteurs de projets à 20 places, et tu "
                                "fermes l'appel des ruraux")
    assert reading.unclear is not None and reading.unclear.missing is Missing.SEVERAL
    assert [(c.verb, c.target, c.fields) for c in reading.unclear.closest] == [
        (V.CAPACITY, "porteurs-de-projet", {"capacity": "20"}), (V.CLOSE, "ot-ruraux", {})]


def test_a_day_of_the_month_is_no_candidature(staff_state: State) -> None:
    command = one(staff_state, "c'est le lundi de Pâques le 5, on décale la réunion des ruraux au jeudi 8 "
                               "avril 2027 à 14 h")
    assert (command.verb, command.fields["when"]) == (V.MEETING, "2027-04-08T14:00:00+02:00")
