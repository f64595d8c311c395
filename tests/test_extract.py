"""Tests for profile extraction and group matching on French messages."""

from __future__ import annotations

import pytest

from mailflow.core.read.facts.figures import describe
from mailflow.core.read.facts.groups import match_groups
from mailflow.core.read.facts.profile import extract_profile
from mailflow.core.read.text import split_reply
from mailflow.model.values import Department, Figure, Group, Profile, Role, Scale, Territory

from .helpers.project import ROOT

CONFIG = ROOT / "config"

R, C, M, U = Territory.RURAL, Territory.COASTAL, Territory.MOUNTAIN, Territory.URBAN




# --- The newsletter form ----------------------------------------------------------------------

FORM = """Bonjour,

Je souhaite candidater au groupe « Offices de Tourisme ruraux ».

Nom : Marie Dupont
Prénom :
Structure : Office de Tourisme du Sarladais
Fonction : Directrice
Département : 24
ETP : 6,5
Commune la plus grande : 12 000 habitants
Type de territoire : rural (ni littoral, ni montagne)
Échelle : intercommunale
"""

FORM_VARIANT = """* NOM\u00a0: Dupont
* PRÉNOM\u00a0: Marie
* Nom de la structure : OT Vallée de la Dordogne
* Fonction\u00a0: chargée de communication
* Departement : Pyrénées-Atlantiques
* Nombre d'ETP : 4
* Population de la plus grande commune : 9500
* Type de territoire : littoral
* Echelle : communale
"""

EMPTY_FORM = """Nom :
Structure : …
Fonction : ...
Département : [à compléter]
ETP :
Commune la plus grande : [à compléter]
Type de territoire : ...
Échelle :
"""


def test_form_is_read(departments: dict[str, Department]) -> None:
    assert extract_profile(FORM, departments) == Profile(
        name="Marie Dupont",
        structure="Office de Tourisme du Sarladais",
        role=Role.DIRECTOR,
        role_text="Directrice",
        department="24",
        fte=Figure.exact(6.5),
        population=Figure.exact(12000),
        territories=frozenset({R}),
        not_territories=frozenset({C, M}),
        scale=Scale.INTERCOMMUNAL,
    )


def test_form_variant_is_read(departments: dict[str, Department]) -> None:
    assert extract_profile(FORM_VARIANT, departments) == Profile(
        name="Marie Dupont",
        structure="OT Vallée de la Dordogne",
        role=Role.OTHER,
        role_text="chargée de communication",
        department="64",
        fte=Figure.exact(4),
        population=Figure.exact(9500),
        territories=frozenset({C}),
        not_territories=frozenset(),
        scale=Scale.COMMUNAL,
    )


def test_empty_form_tells_nothing(departments: dict[str, Department]) -> None:
    assert extract_profile(EMPTY_FORM, departments) == Profile()


# --- Name -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        ("Nom : Marie Dupont", "Autre Personne", "Marie Dupont"),
        ("Nom : Dupont\nPrénom : Marie", None, "Marie Dupont"),
        ("Nom et prénom : Marie Dupont", None, "Marie Dupont"),
        ("Prénom : Marie\nNom : Marie Dupont", None, "Marie Dupont"),
        ("Nom : …\nJe candidate.", "Jean Martin", "Jean Martin"),
        ("Je candidate.", "DUPONT Marie", "Marie Dupont"),  # as people write it
        ("Je candidate.", "ETCHEVERRY Jean-Michel", "Jean-Michel Etcheverry"),
        ("Je candidate.", "Etcheverry, Jean-Michel", "Jean-Michel Etcheverry"),
        ("Je candidate.", "jean-michel etcheverry", "Jean-Michel Etcheverry"),
        ("Je candidate.", '"Marie Dupont"', "Marie Dupont"),
        ("Je candidate.", "  Marie   Dupont ", "Marie Dupont"),
        ("Je candidate.\nCordialement,\nJeanne Martin\nDirectrice", "accueil@ot-sarlat.fr", "Jeanne Martin"),
        ("Je candidate.\nCordialement,\nJeanne Martin", "Office de Tourisme du Sarladais", "Jeanne Martin"),
        ("Je candidate.\nCordialement,\nJeanne Martin", "Accueil", "Jeanne Martin"),
        ("Je candidate.\nCordialement,\nJeanne Martin", "contact", "Jeanne Martin"),
        ("Je candidate.\nCordialement,\nJeanne Martin", "Info OT Sarlat", "Jeanne Martin"),
        ("Je candidate.\nBien à vous\n\nJean-Pierre de La Tour\nOT", None, "Jean-Pierre de La Tour"),
        ("Je candidate.\nCordialement, Jeanne Martin", None, "Jeanne Martin"),
        ("Je candidate.\nCordialement,\nJeanne Martin | Directrice", None, "Jeanne Martin"),
        ("Je candidate.\n-- \nJeanne Martin\nDirectrice", None, "Jeanne Martin"),
        ("Je candidate.\nCordialement,\nOffice de Tourisme du Sarladais", None, None),
        ("Je candidate.\nCordialement,\nDirectrice Générale", None, None),
        ("Je candidate.\nCordialement,\n05 53 31 45 45", None, None),
        ("Jeanne Martin\nJe candidate.", None, None),
        ("Je candidate.", "marie.dupont@ot-sarlat.fr", None),
    ],
)
def test_name(
    departments: dict[str, Department], text: str, fallback: str | None, expected: str | None
) -> None:
    assert extract_profile(text, departments, fallback).name == expected


# --- Structure ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Structure : Office de Tourisme du Sarladais", "Office de Tourisme du Sarladais"),
        ("Organisme : PAT du Haut-Limousin", "PAT du Haut-Limousin"),
        (
            "Je suis directrice de l'Office de Tourisme du Pays de Fénelon depuis 2019.",
            "Office de Tourisme du Pays de Fénelon",
        ),
        ("Je dirige l’OT Cœur de Béarn, à Orthez.", "OT Cœur de Béarn"),
        (
            "L'Office de Tourisme Intercommunal de Lacanau et Carcans vous salue",
            "Office de Tourisme Intercommunal de Lacanau",
        ),
        (
            "Cordialement\nMarie\nPays d'Accueil Touristique du Haut-Limousin\n87000 Limoges",
            "Pays d'Accueil Touristique du Haut-Limousin",
        ),
        ("Cordialement\nMarie\nPAT Vallée de l'Isle", "PAT Vallée de l'Isle"),
        (
            "Nous sommes l'Office de tourisme communautaire Médoc Atlantique. Nous candidatons.",
            "Office de tourisme communautaire Médoc Atlantique",
        ),
        ("Directrice\nOFFICE DE TOURISME DU GRAND PÉRIGUEUX", "OFFICE DE TOURISME DU GRAND PÉRIGUEUX"),
        ("Directrice – Office de Tourisme Terres de Montaigne – 24",
         "Office de Tourisme Terres de Montaigne"),
        ("Je candidate au groupe Offices de Tourisme ruraux.", None),
        ("Je candidate au groupe « OT ruraux ».", None),
        ("En tant que directeur de l'OT, je candidate.", None),
        ("Notre office de tourisme est petit.", None),
        ("Le pot de départ est au bureau.", None),
        ("Je candidate au groupe « Communiquer sur le rôle de l’Office de Tourisme ».", None),
    ],
)
def test_structure(departments: dict[str, Department], text: str, expected: str | None) -> None:
    assert extract_profile(text, departments).structure == expected


# --- Role -----------------------------------------------------------------------------------

D, OTH = Role.DIRECTOR, Role.OTHER


@pytest.mark.parametrize(
    ("text", "role", "role_text"),
    [
        ("Fonction : Directrice", D, "Directrice"),
        ("Fonction : Direction", D, "Direction"),
        ("Fonction : Chargée de communication", OTH, "Chargée de communication"),
        ("Fonction : Guide conférencière", OTH, "Guide conférencière"),
        ("Fonction : Directrice adjointe", OTH, "Directrice adjointe"),
        ("Bonjour, je suis directrice de l'office de tourisme.", D, "directrice"),
        ("Bonjour, je suis la nouvelle directrice de l'OT.", D, "directrice"),
        ("En tant que directeur de l'OT, je candidate.", D, "directeur"),
        ("Je suis responsable de l'office de tourisme.", D, "responsable de l'office de tourisme"),
        ("Cordialement\nMarie Dupont\nDirectrice de l'Office de Tourisme du Sarladais", D, "Directrice"),
        ("Cordialement\nMarie Dupont – Directrice", D, "Directrice"),
        ("Cordialement\nMarie Dupont\nDir. OT du Sarladais", D, "Dir."),
        ("Cordialement\nMarie Dupont\nDirection\nOT du Sarladais", D, "Direction"),
        ("Je suis chargée de communication à l'OT.", OTH, "chargée de communication"),
        ("Je suis conseiller en séjour.", OTH, "conseiller en séjour"),
        ("Je suis chargé de mission tourisme.", OTH, "chargé de mission"),
        ("Cordialement\nMarie\nAnimatrice numérique de territoire", OTH, "Animatrice numérique"),
        ("Je suis technicienne à l'OT.", OTH, "technicienne"),
        ("Je suis agent d'accueil.", OTH, "agent d'accueil"),
        ("Je suis stagiaire à l'office.", OTH, "stagiaire"),
        ("Cordialement\nPaul Martin\nPrésident de l'OT du Sarladais", OTH, "Président"),
        ("Je suis directeur adjoint de l'OT.", OTH, "directeur adjoint"),
        ("Cordialement\nMarie\nDirectrice adjointe", OTH, "Directrice adjointe"),
        ("Je suis directrice-adjointe.", OTH, "directrice-adjointe"),
        # The form line or a first-person statement wins over the signature.
        ("Fonction : Chargée d'accueil\nCordialement\nMarie\nDirectrice", OTH, "Chargée d'accueil"),
        (
            "Notre directrice m'a demandé de candidater : je suis chargée de mission.",
            OTH,
            "chargée de mission",
        ),
        ("Je suis stagiaire.\nCordialement\nMarie\nDirectrice", OTH, "stagiaire"),
        ("Je suis directrice.\nCordialement\nMarie\nPrésidente de l'association", D, "directrice"),
        # Someone else's role, plurals and group descriptions tell nothing.
        ("Ma directrice m'a transféré votre appel.", None, None),
        ("Le groupe est réservé aux directeurs et directrices d'OT.", None, None),
        ("La présidente de la communauté de communes soutient l'OT.", None, None),
        ("Je vous écris pour candidater.", None, None),
    ],
)
def test_role(
    departments: dict[str, Department], text: str, role: Role | None, role_text: str | None
) -> None:
    profile = extract_profile(text, departments)
    assert (profile.role, profile.role_text) == (role, role_text)


# --- Department -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Département : 24", "24"),
        ("Département : Dordogne", "24"),
        ("Departement: 87 - Haute-Vienne", "87"),
        ("Département : haute vienne", "87"),
        ("Département : …\nNous sommes en Gironde.", "33"),
        ("Département : 47\nNous travaillons avec la Dordogne.", "47"),
        ("OT de Sarlat, Dordogne (24)", "24"),
        ("Nous sommes en Dordogne.", "24"),
        ("Nous sommes dans les Landes.", "40"),
        ("Un office de la Creuse.", "23"),
        ("Un office de Haute-Vienne.", "87"),
        ("Un office de Haute Vienne.", "87"),
        ("Un office de la Vienne.", "86"),
        ("En Charente-Maritime.", "17"),
        ("En Charente Maritime.", "17"),
        ("En Charente.", "16"),
        ("Pyrénées-Atlantiques", "64"),
        ("Pyrenees Atlantiques", "64"),
        ("OT Cœur de Béarn (Pyr.-Atl.)", "64"),
        ("En Lot-et-Garonne.", "47"),
        ("En Lot et Garonne.", "47"),
        ("Dans les Deux-Sèvres.", "79"),
        ("Dans les Deux Sevres.", "79"),
        ("En Corrèze.", "19"),
        ("Notre OT (64) candidate.", "64"),
        ("Cordialement\nMarie\n24290 Montignac", "24"),
        ("Cordialement\nMarie\nBP 12 – 33000 Bordeaux", "33"),
        ("Cordialement\nMarie\n75008 Paris\n24290 Montignac", "24"),
        # Name or code in the text beats a postal code.
        ("Siège : 33000 Bordeaux, mais nous travaillons en Dordogne.", "24"),
        # A river is not a department: the postal code wins, else the river's department.
        ("Directeur\nOffice de Tourisme Vallée de la Dordogne\n19120 Beaulieu-sur-Dordogne", "19"),
        ("Nous sommes dans la vallée de la Vienne.", "86"),
        # A commune named alone tells its department (the river aside).
        ("Beaulieu-sur-Dordogne", "19"),
        # Numbers that are not postal codes of the region.
        ("Cordialement\nMarie\n75008 Paris", None),
        ("Tél : 05 53 51 82 60", None),
        ("Tél. +33 5 53 51 82 60", None),
        ("Tél. 0553518260", None),
        ("SIRET : 123 456 789 00024", None),
        ("SIRET 12345678900024", None),
        ("En 2024, la plus grande commune compte 12 000 habitants.", None),
        ("Nous avons 6 ETP et 24 000 visiteurs par an.", None),
        ("Budget : 33 000 euros.", None),
        ("La crise creuse les écarts entre les landes et la ville.", None),
        ("Je candidate.", None),
    ],
)
def test_department(departments: dict[str, Department], text: str, expected: str | None) -> None:
    assert extract_profile(text, departments).department == expected


# --- FTE ------------------------------------------------------------------------------------
#
# A figure is what the member said, as a range when they said it roughly (figures.describe
# writes it back in French): « moins de 10 » settles "fewer than 10", « environ 6 » does not
# settle "fewer than 6".


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nous sommes 6 ETP.", "6"),
        ("Nous sommes 6,5 ETP.", "6,5"),
        ("Nous sommes 3.5 ETP.", "3,5"),
        ("ETP : 4", "4"),
        ("Nombre d'ETP : 7,5", "7,5"),
        ("Nombre d'ETP\u00a0: huit", "8"),
        ("L'équipe représente 4 équivalents temps plein.", "4"),
        ("Une équipe de 9 personnes, soit 6,5 ETP.", "6,5"),
        ("quatre ETP", "4"),
        ("4.5 ETP", "4,5"),
        ("3 ETP et demi", "3,5"),
        ("2 temps pleins et un mi-temps", "2,5"),
        ("deux temps pleins et un mi-temps", "2,5"),
        ("moins de 10 ETP, 8 exactement", "8"),
        # Said roughly: a range.
        ("Nous sommes moins de 10 ETP.", "moins de 10"),
        ("Nombre d'ETP : moins de 10", "moins de 10"),
        ("environ 6 ETP", "5,4 à 6,6"),
        ("6 ETP environ", "5,4 à 6,6"),
        ("un peu plus de 4 ETP", "4 à 4,6"),
        ("près de 5 ETP", "4,5 à 5"),
        ("entre 5 et 6 ETP", "5 à 6"),
        ("au moins 3 ETP", "au moins 3"),
        # A headcount is people, whose ETP is at most that many (see Figure.people).
        ("Nous avons une équipe de 8 personnes.", "8 personnes"),
        ("L'office compte 8 salariés.", "8 personnes"),
        ("Nous sommes sept salariés.", "7 personnes"),
        ("Nous sommes douze salariés à l'année.", "12 personnes"),
        # Seasonal staff are no part of the team.
        ("Nous sommes dix-sept salariés l'été.", None),
        ("Une équipe de moins de 10 personnes.", "moins de 10 personnes"),
        ("moins de 10 salariés", "moins de 10 personnes"),
        ("une dizaine de salariés", "8 à 12 personnes"),
        # Not a team size.
        ("Nombre d'ETP : …", None),
        ("La plus grande commune compte 12 000 habitants.", None),
        ("Tél. 05 53 51 82 60", None),
        ("Je suis un agent d'accueil.", None),
        ("Je candidate.", None),
    ],
)
def test_fte(departments: dict[str, Department], text: str, expected: str | None) -> None:
    fte = extract_profile(text, departments).fte
    assert (describe(fte) if fte else None) == expected


def test_figures_in_the_signature_are_never_an_answer(departments: dict[str, Department]) -> None:
    profile = extract_profile("Voici ma candidature.", departments,
                              signature="Office de Tourisme — 12 salariés à votre service\n"
                                        "24200 Sarlat, 10 000 habitants")
    assert (profile.fte, profile.population) == (None, None)


# --- Population -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sarlat : 12 000 habitants.", "12 000"),
        ("Sarlat : 12\u00a0000 habitants.", "12 000"),
        ("Sarlat : 12\u202f000 habitants.", "12 000"),
        ("Sarlat : 12.000 hab.", "12 000"),
        ("Sarlat : 12000 hab", "12 000"),
        ("7 000 hab.", "7 000"),
        ("7k habitants", "7 000"),
        ("vingt mille habitants", "20 000"),
        ("La plus grande commune compte 8 500 habitants.", "8 500"),
        ("Commune la plus grande : 12 000 habitants", "12 000"),
        ("Population de la plus grande commune : 9500", "9 500"),
        ("Commune la plus grande : Sarlat (9 800 habitants)", "9 800"),
        ("Commune la plus grande : [à compléter]", None),
        # The town figure wins over the territory figure, whatever the order.
        (
            "Notre territoire compte 45 000 habitants et la plus grande commune 8 500 habitants.",
            "8 500",
        ),
        (
            "La plus grande commune compte 8 500 habitants, sur les 45 000 habitants du territoire.",
            "8 500",
        ),
        (
            "Notre communauté de communes de 45 000 habitants. La ville-centre : 9 000 habitants.",
            "9 000",
        ),
        ("La plus grande commune de notre territoire compte 7 000 habitants.", "7 000"),
        # A territory figure alone does not tell the largest town's population.
        ("Notre territoire compte 45 000 habitants.", None),
        ("Nous sommes une communauté de communes de 45 000 habitants.", None),
        ("Nos 25 communes totalisent 30 000 habitants.", None),
        # Said roughly: a range.
        ("La plus grande commune compte moins de 20 000 habitants.", "moins de 20 000"),
        ("environ 12 500 habitants", "11 250 à 13 750"),
        ("Population de la plus grande commune : environ 20 000", "18 000 à 22 000"),
        ("un peu moins de 20 000 habitants dans la plus grande commune", "17 000 à 20 000"),
        # Other numbers are not a population.
        ("Nous sommes 6 ETP, Tél. 05 53 51 82 60, 24290 Montignac.", None),
    ],
)
def test_population(departments: dict[str, Department], text: str, expected: str | None) -> None:
    population = extract_profile(text, departments).population
    # describe() groups thousands with a narrow no-break space, as French typography wants.
    assert (describe(population).replace("\u202f", " ") if population else None) == expected


# --- Territories ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "territories", "not_territories"),
    [
        ("Nous sommes un territoire rural.", {R}, set()),
        ("Un OT rural, ni littoral ni montagne.", {R}, {C, M}),
        ("Type de territoire : rural (ni littoral, ni montagne)", {R}, {C, M}),
        ("Nous sommes sur le littoral.", {C}, set()),
        ("Un territoire côtier.", {C}, set()),
        ("Un village en bord de mer.", {C}, set()),
        ("Une station balnéaire familiale.", {C}, set()),
        ("Nous sommes en montagne.", {M}, set()),
        ("Nous avons une station de ski.", {M}, set()),
        ("Un territoire montagnard.", {M}, set()),
        ("Un territoire urbain.", {U}, set()),
        ("Nous ne sommes pas littoral.", set(), {C}),
        ("Un office non littoral.", set(), {C}),
        ("Un office non-littoral.", set(), {C}),
        ("Rural, ni montagnard.", {R}, {M}),
        ("Nous ne sommes pas sur le littoral.", set(), {C}),
        ("Un territoire rural hors littoral.", {R}, {C}),
        ("Nous ne sommes ni sur le littoral ni en montagne.", set(), {C, M}),
        ("Ce n'est pas un territoire urbain mais rural.", {R}, {U}),
        ("Littoral : non\nMontagne : non\nRural : oui", {R}, {C, M}),
        # Group names do not tell the sender's territory.
        ("Je candidate au groupe « Offices de Tourisme ruraux ».", set(), set()),
        ("Je candidate au groupe OT ruraux.", set(), set()),
        ("Je candidate.", set(), set()),
    ],
)
def test_territories(
    departments: dict[str, Department],
    text: str,
    territories: set[Territory],
    not_territories: set[Territory],
) -> None:
    profile = extract_profile(text, departments)
    assert (profile.territories, profile.not_territories) == (territories, not_territories)


# --- Scale ----------------------------------------------------------------------------------

INTER, CO = Scale.INTERCOMMUNAL, Scale.COMMUNAL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Échelle : intercommunale", INTER),
        ("Echelle : communale", CO),
        ("Nous sommes un office intercommunal.", INTER),
        ("Un office communautaire.", INTER),
        ("L'OT de la communauté de communes du Sarladais.", INTER),
        ("Nous dépendons de la communauté d'agglomération.", INTER),
        ("Nous travaillons à l'échelle de l'EPCI.", INTER),
        ("L'Office de Tourisme Intercommunal de Lacanau.", INTER),
        ("Nous sommes un office communal.", CO),
        ("Un office municipal de tourisme.", CO),
        ("Une structure municipale.", CO),
        ("Nous ne sommes pas intercommunaux, mais communal.", CO),
        ("Je candidate.", None),
    ],
)
def test_scale(departments: dict[str, Department], text: str, expected: Scale | None) -> None:
    assert extract_profile(text, departments).scale == expected


# --- A whole free-text email ------------------------------------------------------------------

FREE_TEXT_EMAIL = """Bonjour,

Je suis directrice de l'Office de Tourisme du Pays de Fénelon depuis 2019.
Notre office intercommunal compte une équipe de 8 personnes (6,5 ETP). Notre territoire
rural, ni littoral ni montagne, compte 45 000 habitants ; la plus grande commune, Sarlat,
compte 9 500 habitants.

Bien cordialement,

Jeanne MARTIN
Directrice
Office de Tourisme du Pays de Fénelon
Place de la Liberté – 24200 Sarlat-la-Canéda
Tél. 05 53 31 45 45 – SIRET 123 456 789 00012

Envoyé de mon iPhone

Le lun. 3 mars 2025 à 10:12, MONA <groupes@mona-aquitaine.fr> a écrit :
> Je me désiste du groupe « Accompagnement des porteurs de projets ».
> Directeur adjoint, Office de Tourisme de Lacanau, Gironde, station balnéaire.
"""


def test_free_text_email_after_split(
    departments: dict[str, Department], groups: dict[str, Group]
) -> None:
    body, signature = split_reply(FREE_TEXT_EMAIL)
    profile = extract_profile(f"{body}\n{signature}", departments, "accueil@fenelon-tourisme.fr")
    assert profile == Profile(
        name="Jeanne Martin",  # as people write it
        structure="Office de Tourisme du Pays de Fénelon",
        role=Role.DIRECTOR,
        role_text="directrice",
        department="24",
        fte=Figure.exact(6.5),
        population=Figure.exact(9500),
        territories=frozenset({R}),
        not_territories=frozenset({C, M}),
        scale=Scale.INTERCOMMUNAL,
    )
    assert match_groups("Candidature groupe OT ruraux", body, groups) == ("ot-ruraux",)


# --- match_groups ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Candidature – groupe « Offices de Tourisme ruraux »", "", ("ot-ruraux",)),
        ("Candidature groupe OT ruraux", "", ("ot-ruraux",)),
        ("ot-ruraux", "", ("ot-ruraux",)),
        ("", "Je candidate pour ot ruraux.", ("ot-ruraux",)),
        ("", "Je souhaite communiquer sur le rôle de l’office auprès des élus.", ("role-ot",)),
        ("", "Groupe « Communiquer sur le rôle de l’Office de Tourisme »", ("role-ot",)),
        ("", "Pour le groupe “Communiquer sur le rôle de l'Office de Tourisme”", ("role-ot",)),
        ("", "Je veux Accompagner les porteurs de projet.", ("porteurs-de-projet",)),
        ("ACCOMPAGNEMENT DES PORTEURS DE PROJETS", "", ("porteurs-de-projet",)),
        # Subject first, in order of position; then the body; no duplicates.
        (
            "Groupes rôle de l'OT et OT ruraux",
            "Et aussi les porteurs de projet, et encore le groupe OT ruraux.",
            ("role-ot", "ot-ruraux", "porteurs-de-projet"),
        ),
        (
            "Candidature",
            "D'abord les porteurs de projet, puis les OT ruraux.",
            ("porteurs-de-projet", "ot-ruraux"),
        ),
        ("OT ruraux", "Offices de Tourisme ruraux, groupe rural, ruraux", ("ot-ruraux",)),
        # Word boundaries.
        ("", "Le rôle de l'otarie dans l'écosystème.", ()),
        ("", "Les porteurs de projetsxx", ()),
        ("Candidature", "Bonjour, je souhaite participer.", ()),
    ],
)
def test_match_groups(
    groups: dict[str, Group], subject: str, body: str, expected: tuple[str, ...]
) -> None:
    assert match_groups(subject, body, groups) == expected
