"""How a member's words become facts, as tables: the team in people and shares, corrections, the
department from every clue, scale and territory words, roles, the group applied to, a colleague
applied for, the form answered in the quote; and properties of the figures."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.config.settings import Settings, load_departments
from mailflow.core.read.classify import classify
from mailflow.core.read.doc import answered_form
from mailflow.core.read.facts.applicant import colleague
from mailflow.core.read.facts.figures import describe
from mailflow.core.read.facts.groups import applies, chosen_group
from mailflow.core.read.facts.member import read_member
from mailflow.core.read.facts.profile import extract_profile, role_in
from mailflow.core.read.parse import parse
from mailflow.core.read.text import first_quoted, fold, quoted_author
from mailflow.model.values import Department, Figure, Group, Inbound, Intent, Role, Scale, Territory

from .helpers.messages import inbound
from .helpers.project import ROOT

CONFIG = ROOT / "config"




def _fte(text: str, departments: dict[str, Department], signature: str = "") -> str | None:
    found = extract_profile(text, departments, signature=signature).fte
    return describe(found) if found else None


# --- the team: people and their shares ------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Nous sommes 5 ETP.", "5"),
    ("Notre équipe compte trois salariés à temps plein et un mi-temps.", "3,5"),
    ("4 salariés à temps plein et un mi-temps", "4,5"),
    ("Je suis seule à temps plein, épaulée par une collègue à mi-temps.", "1,5"),
    ("Moi à temps plein, une conseillère à 80 % et une autre à mi-temps.", "2,3"),
    ("Nous sommes 4 dont 2 à mi-temps.", "3"),
    ("Nous sommes 3 salariées et moi, tous à temps plein.", "4"),
    ("On est trois, moi compris, tous à temps plein.", "3"),
    ("L'équipe : moi-même et deux conseillères, toutes à temps plein.", "3"),
    ("Deux agents à temps plein, une conseillère à 80 % et une agente d'accueil à 60 %.", "3,4"),
    ("Moi à temps plein et deux conseillères à temps partiel (80 % et 50 %).", "2,3"),
    ("on est 2 a temps plein + 1 mi temps", "2,5"),
    ("Effectif : 5 personnes à temps plein", "5"),
    ("deux équivalents temps plein et demi", "2,5"),
    # A share not said: a range, open at both ends.
    ("Un temps plein (moi) et deux temps partiels.", "1 à 3"),
    # Seasonal staff are left out; an ETP for the year is kept.
    ("On est 4 etp a l'annee + 2 saisonniers l'ete.", "4"),
    ("Trois permanentes à temps plein, auxquelles s'ajoutent deux saisonniers en juillet-août.", "3"),
    ("Nous sommes deux permanents à temps plein et une saisonnière l'été.", "2"),
    ("24 ETP à l'année, près de 40 personnes en saison.", "24"),
    ("Nous sommes dix-sept salariés l'été.", None),
    ("On est 6 ETP en comptant les deux saisonniers de l'été, donc 5 à l'année.", "5"),
    # Said in ETP, the ETP wins over the people.
    ("On est 7 ETP (en comptant mon 80 % et le mi-temps de Léa).", "7"),
    ("11 salariés pour 8,5 ETP.", "8,5"),
    # Shares written otherwise.
    ("Nous sommes 2 ETP plus une mi-temps.", "2,5"),
    ("On est 3 ETP + un temps partiel à 80 %.", "3,8"),
    ("L'équipe, c'est trois permanents et demi.", "3,5"),
    ("on est quatre et demi en etp", "4,5"),
    ("nous sommes deux et demi à l'office", "2,5"),
    # A count with a half in it is the ETP, whatever shares are listed after it.
    ("Nous sommes quatre et demi : moi, trois conseillers et une stagiaire à mi-temps.", "4,5"),
    # The sender counted beside the others.
    ("Trois conseillères plus moi, et deux saisonniers en été.", "4 personnes"),
    ("Moi et deux salariées, c'est toute l'équipe.", "3 personnes"),
    ("Je suis la seule salariée de l'office, à temps plein.", "1"),
    ("je suis le dir de l'OT du pays de Lauzun (47), on est 4 ds l'equipe tous a temps plein", "4"),
    ("L'équipe représente l'équivalent de cinq postes à temps plein.", "5"),
    ("The team is 4 FTE all year round.", "4"),
    ("Nous avons 1 temps plein et 2 temps partiels à 80 %.", "2,6"),
    ("Deux temps pleins et un quart-temps.", "2,2"),  # 2,25, written with one decimal
    ("L'équipe : deux pleins temps et une collègue à mi-temps.", "2,5"),
    ("Equipe : 5 salariés dont 2 à mi-temps.", "4"),
    ("Je suis à mi-temps, seule salariée de l'OT.", "0,5"),
    ("Directrice de l'OT de Jarnac : une ETP et demie, c'est tout !", "1,5"),
    ("Nous sommes 3,5 postes.", "3,5"),
    ("équipe de 4, tous à temps plein", "4"),
    # A count of people: what the member said, whose ETP is at most that (Figure.people).
    ("slt c'est Kevin, on est 3. Guéret 13000 hab", "3 personnes"),
    ("Côté équipe, je suis toute seule, avec une saisonnière l'été.", "1 personne"),
    ("Directeur de l'office, et son unique salarié.", "1 personne"),
    ("Je suis seule à pouvoir venir aux réunions.", None),
])
def test_team_size(text: str, expected: str | None, departments: dict[str, Department]) -> None:
    assert _fte(text, departments) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("deux temps pleins, un trois-quarts temps", 2.75),
    ("Une conseillère à trois quarts temps.", 0.75),
    ("Moi à temps plein, une collègue à trois-quarts temps et une autre à 60 %.", 2.35),
])
def test_three_quarters_and_percents(text: str, expected: float, departments: dict[str, Department]) -> None:
    found = extract_profile(text, departments).fte
    assert found is not None and found.is_exact and found.low == pytest.approx(expected)


@given(st.integers(1, 12), st.integers(0, 6))
def test_full_time_people_and_half_posts_add_up(full: int, halves: int) -> None:
    departments = load_departments(CONFIG / "departments.toml")
    text = f"Nous sommes {full} salariés à temps plein" + (f" et {halves} mi-temps." if halves else ".")
    found = extract_profile(text, departments).fte
    assert found is not None and found.is_exact and found.low == full + halves / 2


@given(st.integers(1, 60), st.sampled_from(["salariés", "personnes", "permanents", "agents"]))
def test_a_headcount_never_settles_below_what_it_may_hide(count: int, people: str) -> None:
    """« 11 salariés » may be 9 ETP: a criterion « moins de 10 ETP » is asked about, never refused;
    « 3 salariés » is below it whatever their shares."""
    departments = load_departments(CONFIG / "departments.toml")
    found = extract_profile(f"Nous sommes {count} {people}.", departments).fte
    assert found is not None and found.people and found.low == found.high == count
    assert found.below(10) is (True if count < 10 else None)
    assert found.below(10) is not False


def test_an_etp_labelled_in_the_signature_is_read(departments: dict[str, Department]) -> None:
    assert _fte("Je candidate au groupe OT ruraux.", departments,
                signature="Directrice\nÉquipe : 5 ETP | Commune principale : Parthenay (10 412 hab.)") == "5"
    assert _fte("Je candidate.", departments, signature="OT — 12 salariés à votre service") is None
    assert _fte("Je candidate.", departments, signature="Directrice (et seule salariée !)") == "1 personne"


# --- corrections ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fte", "population"), [
    ("Nous sommes 6 ETP… pardon, 5,5 depuis janvier.", "5,5", None),
    ("Saint-Jean-d'Angély doit faire autour de 8 000 habitants… Je viens de vérifier : c'est plutôt 6 800.",
     None, "6 800"),
    ("La commune compte environ 5 000 habitants, je corrige : 4 900 selon l'INSEE.", None, "4 900"),
    ("Lesparre compte 6 000 habitants — pardon, 5 800.", None, "5 800"),
    ("Boussac a 1 300 habitants, mais 1 200 seulement au dernier recensement.", None, "1 200"),
    ("La plus grande commune compte 3 000 habitants, voire 3 100.", None, "3 000 à 3 100"),
    # Another figure after « enfin » is no correction of the first.
    ("Nous sommes 5 ETP. Enfin, notre plus grande commune compte 3 000 habitants.", "5", "3 000"),
    ("Nous sommes 4 salariés… pardon, 5 depuis le 1er décembre, tous à temps plein.", "5", None),
    ("nous sommes 3 ETP et non 4.", "3", None),
    ("Nous sommes 3 ETP et non 4 ETP comme sur votre annuaire.", "3", None),
    ("Nontron compte 3 000 habitants, et pas 30 000 comme je l'ai écrit.", None, "3 000"),
    ("je me suis trompé, Bellac c'est 3 800 habitants et pas 4 300.", None, "3 800"),
    ("j'ai écrit que nous étions 8 ETP, nous sommes en réalité 6,5 ETP.", "6,5", None),
    ("Erratum : j'ai indiqué 8 ETP. Nous sommes 6,5 ETP.", "6,5", None),
    ("on est 7 ETP, non attends, 8 avec la nouvelle chargée de com !", "8", None),
    ("Rochechouart, notre plus grande commune, compte 12 000 habitants… pardon, je confonds avec la "
     "communauté de communes : c'est 3 800 pour Rochechouart.", None, "3 800"),
    ("Civray : 2 800 habitants (erratum : 2 650 selon l'INSEE 2021).", None, "2 650"),
    # The group's criteria quoted beside the member's own figures: hers are kept.
    ("Nous sommes de moins de 10 ETP (nous sommes 7), et sous le seuil des 20 000 habitants : Nontron en "
     "compte 3 200.", "7", "3 200"),
    # After the cue, a number of something else is no correction.
    ("Nous sommes 6 ETP. Pardon pour le retard, nous couvrons 12 communes.", "6", None),
    ("Correction : nous ne sommes pas 4 mais 5 ETP.", "5", None),
    ("Nous étions 6 ETP l'an dernier, nous sommes 5 ETP cette année.", "5", None),
    ("Nous sommes 3 ETP 1/2.", "3,5", None),
    ("Guéret compte 13 mille habitants.", None, "13 000"),
    ("Bourganeuf, vingt-cinq mille… non, deux mille cinq cents habitants !", None, "2 500"),
])
def test_a_figure_corrected_in_the_same_breath(text: str, fte: str | None, population: str | None,
                                               departments: dict[str, Department]) -> None:
    profile = extract_profile(text, departments)
    assert (describe(profile.fte) if profile.fte else None) == fte
    assert (describe(profile.population).replace("\u202f", " ") if profile.population else None) == population


@given(st.integers(2, 30), st.integers(2, 30))
def test_the_corrected_etp_is_the_one_kept(first: int, second: int) -> None:
    departments = load_departments(CONFIG / "departments.toml")
    found = extract_profile(f"Nous sommes {first} ETP… pardon, {second}.", departments).fte
    assert found is not None and found.low == found.high == second


# --- the department -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("OT Sarlat Périgord Noir", "24"),
    ("je suis directeur de l OT du pays sostranien a la souterraine", "23"),
    ("Bonjour, je suis à l'OT de Mimizan.", "40"),
    ("Cordialement\nJean\nBP 50 – 16000 ANGOULEME CEDEX", "16"),
    ("Cordialement\nJean\n33 120 Arcachon", "33"),
    ("Conseiller en séjour à l'office de tourisme de Vieux-Boucau.", "40"),
    # Said not to be there, only near, or someone else's: it counts for nothing, or little.
    ("On nous situe souvent en Dordogne, mais nous sommes bien dans le Lot-et-Garonne.", "47"),
    ("Nous sommes bien en Charente, à l'est d'Angoulême, pas en Dordogne.", "16"),
    ("Ma collègue de l'OT de Saint-Junien (87) s'inscrit ; je travaille à l'OT du Pays Loudunais, "
     "à Loudun.", "86"),
    ("Nous sommes à côté de Poitiers, à Jaunay-Marigny.", "86"),
    ("Directeur de l'office des Coteaux et Landes de Gascogne (Lot-et-Garonne).", "47"),
    # A name two communes share, with the department's number after it.
    ("Directeur de l'office de tourisme de Saint-Savin (86). Saint-Savin compte 900 habitants.", "86"),
    # A « pays » that lies in one department.
    ("Directrice de l'OT Cœur de Béarn.", "64"),
    # A person's name is no commune (« Brousse » is one in the Creuse).
    ("Cordialement\n\nNathalie Brousse\nDirectrice – Office de Tourisme de Charente Limousine", "16"),
    # A town's name in an office's, joined to its own « pays »: the town still.
    ("Directrice de l'OT de Sarlat-Périgord Noir.", "24"),
    # A commune's name inside a longer one is no commune (« Lascaux » is one in Corrèze).
    ("Directeur de l'OT Lascaux-Dordogne, Montignac est notre bourg principal.", "24"),
    # Numbers that are no postcode.
    ("Tél. 05 59 39 98 00 – Fax 05 59 39 43 97", None),
    ("Nous accueillons 24000 visiteurs par an.", None),
])
def test_department_from_every_clue(text: str, expected: str | None,
                                    departments: dict[str, Department]) -> None:
    name = "Nathalie Brousse" if "Brousse" in text else None
    assert extract_profile(text, departments, name).department == expected


# --- scale and territory --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "scale", "territory", "denied"), [
    ("on est interco (com com du pays sostranien)", Scale.INTERCOMMUNAL, None, None),
    ("l'office de tourisme de l'Agglomération d'Agen", Scale.INTERCOMMUNAL, None, None),
    ("Office de Tourisme et des Congrès de Bordeaux Métropole, en milieu urbain", Scale.INTERCOMMUNAL,
     Territory.URBAN, None),
    ("Notre office couvre 40 communes.", Scale.INTERCOMMUNAL, None, None),
    ("L'office de la CC du Pays Foyen.", Scale.INTERCOMMUNAL, None, None),
    ("Notre directeur, en CC, est d'accord.", None, None, None),
    ("Nous sommes un office municipal de station balnéaire.", Scale.COMMUNAL, Territory.COASTAL, None),
    ("on voit passer des porteurs de projets sur la côte", None, Territory.COASTAL, None),
    ("Dir. de l'OT intercommunal Île d'Oléron – Bassin de Marennes", Scale.INTERCOMMUNAL, Territory.COASTAL,
     None),
    ("Pas du tout littoral, c'est la campagne.", None, Territory.RURAL, Territory.COASTAL),
    ("Nous sommes en pleine ruralité.", None, Territory.RURAL, None),
    ("de la moyenne montagne ; je ne sais pas si le caractère montagne nous exclut", None,
     Territory.MOUNTAIN, None),
    ("Territoire rural, à 1 h de la côte.", None, Territory.RURAL, Territory.COASTAL),
    ("Malgré notre nom, nous sommes à plus de 200 km de l'océan.", None, None, Territory.COASTAL),
    ("Directrice de l'OT de Haute-Corrèze Communauté, bureau de Meymac.", Scale.INTERCOMMUNAL, None, None),
    ("Directeur de l'OT du Pays Mellois : 33 communes.", Scale.INTERCOMMUNAL, None, None),
    # The group's rule denied is no denial of the sender's territory.
    ("Je sais que le groupe n'est en principe pas ouvert à la montagne ; notre office gère une station de "
     "ski.", None, Territory.MOUNTAIN, None),
    # The elections are no office's scale.
    ("Depuis les dernières municipales, l'office communautaire a changé d'élus.", Scale.INTERCOMMUNAL,
     None, None),
    # A group's name is no territory of the sender's.
    ("je veux rentrer ds le groupe ruraux", None, None, None),
    # « à côté de » is no coast, « la ville-centre » no city.
    ("Nous sommes à côté de Limoges ; la ville-centre compte 5 000 habitants.", None, None, None),
])
def test_scale_and_territory_words(text: str, scale: Scale | None, territory: Territory | None,
                                   denied: Territory | None, departments: dict[str, Department]) -> None:
    profile = extract_profile(text, departments)
    assert profile.scale == scale
    assert profile.territories == ({territory} if territory else set())
    if denied is not None:
        assert denied in profile.not_territories


# --- roles ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "role"), [
    ("Bjr, je veux bien faire partie du groupe. Dir. de l'OT intercommunal du Pays de Nay.", Role.DIRECTOR),
    ("je suis la dir de l OT Fumel Vallée du Lot", Role.DIRECTOR),
    ("DG de l'OT Destination Cognac depuis septembre.", Role.DIRECTOR),
    ("Dominique Lachaud\nLa Directrice\nOffice de Tourisme Sarlat Périgord Noir", Role.DIRECTOR),
    ("Inscription pour l'office de tourisme de Thiviers, que je dirige depuis six ans.", Role.DIRECTOR),
    ("Je dirige l'office ; l'équipe : moi, une collègue et un agent d'accueil.", Role.DIRECTOR),
    ("Gérante de l'office de tourisme de Nay.", Role.DIRECTOR),
    ("Je bosse à l'accueil de l'OT de Jarnac.", Role.OTHER),
    ("Responsable du bureau d'information de Lacanau.", Role.OTHER),
    ("La présidente de la communauté de communes soutient l'OT.", None),
    ("L'office de tourisme de Montmorillon souhaite participer ; j'en suis le directeur depuis 2019.",
     Role.DIRECTOR),
    ("Office de Tourisme du Bazadais (33), j'en suis la directrice, 3 ETP.", Role.DIRECTOR),
    ("C'est moi qui dirige l'OT du Ribéracois (24).", Role.DIRECTOR),
    ("L'office de tourisme du Ribéracois, je le dirige depuis cinq ans.", Role.DIRECTOR),
    ("Je dirige le petit bureau de tourisme de Tardets.", Role.DIRECTOR),
    ("En charge de la direction de l'office de tourisme du Pays de la Double.", Role.DIRECTOR),
    ("Je suis le seul permanent de l'office, dont je suis donc aussi le directeur.", Role.DIRECTOR),
    ("yo, je suis le dirlo de l'OT de Guéret", Role.DIRECTOR),
    ("Je suis directrice adjointe, pardon, directrice depuis le 1er mars.", Role.DIRECTOR),
    ("Je suis chargée de mission, pardon, directrice par intérim de l'OT.", Role.DIRECTOR),
    ("bjr moi c'est Jessica accueil OT Oloron Ste Marie (64)", Role.OTHER),
    ("Moi c'est Rose, à l'accueil de l'OT du Haut-Béarn.", Role.OTHER),
    ("c'est Sandra de l'OT Royan Atlantique, je bosse à la com", Role.OTHER),
    ("hello je suis resp accueil a l'ot de nay", Role.OTHER),
    ("C'est Olga, de l'accueil de l'OT de Mimizan (40).", Role.OTHER),
    ("bjr chui la dir de l'ot de bellac (87)", Role.DIRECTOR),
    ("je suis a l accueil de l ot et je suis pas directrice", Role.OTHER),
    ("Je ne suis pas la directrice, je suis chargée de communication.", Role.OTHER),
    ("Je suis toujours à la direction de l'office, depuis dix ans.", Role.DIRECTOR),
    ("Nous avons refait l'espace accueil de l'office.", None),
])
def test_roles_as_written(text: str, role: Role | None, departments: dict[str, Department]) -> None:
    assert extract_profile(text, departments).role == role


def test_her_own_name_before_her_role(departments: dict[str, Department]) -> None:
    """« Marina, la dir de l'OT » is hers when Marina writes; someone else's otherwise."""
    text = "Hello !! Marina, la dir de l'OT du Bocage Bressuirais (79)."
    assert extract_profile(text, departments, "Marina Texereau").role is Role.DIRECTOR
    assert extract_profile(text, departments, "Paul Texereau").role is None


# --- the group applied to -------------------------------------------------------------------------


@pytest.mark.parametrize(("subject", "text", "expected"), [
    ("TR: Groupes MONA", "Je souhaite m'inscrire au groupe sur la communication autour du rôle de l'OT. "
     "Pour le groupe des ruraux, on n'est pas dans les clous avec nos 14 ETP !", "role-ot"),
    ("Candidature", "Mon directeur va vous écrire de son côté pour le groupe « Offices de Tourisme ruraux ». "
     "Pour ma part, je souhaiterais rejoindre le groupe « Accompagnement des porteurs de projets ».",
     "porteurs-de-projet"),
    ("Re: MONA Infos", "Je veux bien participer au groupe sur le rôle de l'OT. Mon collègue Mathieu vous a "
     "écrit de son côté pour le groupe porteurs de projets.", "role-ot"),
    ("Candidature", "Je souhaite m'inscrire au groupe élus.", "role-ot"),
    ("Candidature", "Je voudrais rejoindre le groupe sur la ruralité.", "ot-ruraux"),
    ("groupe de travail", "Un groupe allait se pencher sur la façon dont les OT aident ceux qui montent un "
     "projet touristique : c'est le cœur de mon poste, chargé d'accompagnement des prestataires.",
     "porteurs-de-projet"),
    # Corrected: the group named last, not the one turned away from or named before.
    ("Inscription", "Je m'inscris au groupe porteurs de projets. Ah non pardon, je me suis trompée : "
     "c'est le groupe des offices ruraux qui m'intéresse, pas celui des porteurs de projets !", "ot-ruraux"),
    ("Candidature", "J'avais d'abord pensé aux ruraux mais, réflexion faite, c'est le groupe rôle de l'OT "
     "qui nous correspond : j'y candidate.", "role-ot"),
    ("Erratum", "Erratum : dans mon message de ce matin j'ai indiqué le groupe rôle de l'OT, mais c'est bien "
     "au groupe Accompagnement des porteurs de projets que je souhaite m'inscrire.", "porteurs-de-projet"),
    ("Re: candidature", "Je me suis trompée de groupe dans mon premier mail : ce n'est pas le groupe rôle de "
     "l'OT mais bien celui des OT ruraux qui me concerne.", "ot-ruraux"),
    ("inscription", "je m'inscris au groupe rôle de l'OT, enfin non, au groupe porteurs de projets.",
     "porteurs-de-projet"),
    ("choix", "Je préfère finalement le groupe porteurs de projets plutôt que le groupe rôle de l'OT.",
     "porteurs-de-projet"),
])
def test_the_group_applied_to(subject: str, text: str, expected: str, groups: dict[str, Group]) -> None:
    assert chosen_group(subject, text, groups) == (expected, ())


def test_a_rank_in_the_newsletter_answered(groups: dict[str, Group]) -> None:
    quoted = ("Trois groupes démarrent :\n1. Offices de Tourisme ruraux\n2. Communiquer sur le rôle de "
              "l'Office de Tourisme\n3. Accompagnement des porteurs de projets")
    assert chosen_group("Re: lettre", "Le deuxième groupe m'intéresse beaucoup !", groups, quoted) == (
        "role-ot", ())


def test_two_groups_applied_to_at_once_are_asked_about(groups: dict[str, Group]) -> None:
    found, ambiguous = chosen_group("Candidature", "Je souhaite m'inscrire aux groupes « OT ruraux » et "
                                    "« Accompagnement des porteurs de projet ».", groups)
    assert found is None and set(ambiguous) == {"ot-ruraux", "porteurs-de-projet"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Je me lance pour le groupe OT ruraux !!", True),
    ("je veux bien etre dans le groupe des ruraux", True),
    ("Pourriez-vous m'inscrire au groupe porteurs de projets ?", True),
    ("Je voulais savoir s'il était possible de m'inscrire au groupe ?", True),
    ("Est-ce que je peux m'inscrire ?", True),
    ("Est-il possible de participer à deux groupes ?", False),
    ("Quand aura lieu la première réunion ?", False),
    ("slt je veux rentrer ds le groupe ruraux. on est 3.", True),
    ("Bonjour, pouvez vs m'inscrire ds le groupe OT ruraux svp ?", True),
    ("Tu peux m'inscrire aux ruraux ?", True),
    ("Est-il encore possible de s'inscrire ? Si oui je suis candidat.", True),
    ("Bjr, pr le grp porteurs de projets, inscrivez moi svp.", True),
    ("OT de Bort-les-Orgues (19) – 2 ETP – directrice – groupe ruraux svp", True),
    ("Vous pouvez m'envoyer le programme du groupe ruraux svp", False),
    ("Je vous confirme mon intérêt pour le groupe des ruraux.", True),
    ("tu peux m'ajouter au GT porteurs ?", True),
    ("c est pr le grp role de l OT merci", True),
    ("Si une place se libère chez les porteurs de projets, je suis preneur.", True),
    ("OK pour moi pour le groupe rôle de l'OT.", True),
    ("Je tente ma chance pour les porteurs de projets !", True),
    ("bjr, je peux rentrer ds le groupe porteurs de projets ? c'est Inès, OT de Lacanau", True),

    ("Correction de mon mail précédent : nous ne sommes pas 4 mais 5 ETP. Groupe rôle de l'OT.", True),
    ("Petite correction : le groupe OT ruraux se réunit-il bien en avril ?", False),
])
def test_applying_as_written(text: str, expected: bool) -> None:
    assert applies(fold(text), "?" in text) is expected


# --- a colleague applied for ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "email", "name", "role"), [
    ("J'inscris ma collègue Noémie Garat (noemie.garat@ot.fr), chargée d'accompagnement des prestataires, "
     "au groupe porteurs.", "noemie.garat@ot.fr", "Noémie Garat", Role.OTHER),
    ("Je vous transmets la candidature de notre directeur, Paul Vidalie, qui est en congé. Son adresse est "
     "p.vidalie@ot.fr.", "p.vidalie@ot.fr", "Paul Vidalie", Role.DIRECTOR),
    ("C'est ma collègue Aurore Lescarret, responsable communication, qui viendra à ma place. Vous pouvez la "
     "joindre à a.lescarret@ot.fr.", "a.lescarret@ot.fr", "Aurore Lescarret", Role.OTHER),
    ("Ma directrice, Mme Véronique Labat, m'a chargée de vous transmettre sa candidature : v.labat@ot.fr.",
     "v.labat@ot.fr", "Véronique Labat", Role.DIRECTOR),
    ("Je vous transmets la candidature de notre directrice, Sylvie Laborie, absente cette semaine.", None,
     "Sylvie Laborie", Role.DIRECTOR),
    ("Je souhaiterais que ma collègue Julie Martin (j.martin@ot.fr), conseillère en séjour, participe au "
     "groupe porteurs.", "j.martin@ot.fr", "Julie Martin", Role.OTHER),
    ("Ma collègue Julie Martin (j.martin@ot.fr), animatrice numérique, est intéressée : pouvez-vous "
     "l'inscrire ?", "j.martin@ot.fr", "Julie Martin", Role.OTHER),
    # Phone-typed; her role said in a sentence of its own; a name given with a title only.
    ("je vs inscris ma collegue Lou Barrère, lou.barrere@ot.fr, au groupe porteurs. Lou est chargée de "
     "l'accueil des pros.", "lou.barrere@ot.fr", "Lou Barrère", Role.OTHER),
    ("ma directrice mme Lasserre m a demande de l inscrire au groupe des ruraux, son mail c est "
     "direction@ot.fr", "direction@ot.fr", "Madame Lasserre", Role.DIRECTOR),
])
def test_a_colleague_applied_for(text: str, email: str | None, name: str, role: Role) -> None:
    found = colleague(text, "", "sender@ot.fr", "Marie Sender")
    assert found is not None and (found.email, found.name) == (email, name)
    assert role_in(found.described)[0] is role


@pytest.mark.parametrize("text", [
    "Je vous transfère le message de ma collègue ci-dessous : je souhaite effectivement candidater.",
    "Notre directeur ne pourra pas venir et m'a proposé d'y aller à sa place : je souhaite m'inscrire.",
    "Mon directeur va vous écrire de son côté ; pour ma part je souhaite rejoindre le groupe porteurs.",
    "Je me permets de poser la candidature de notre office au groupe des OT ruraux.",
    "Je souhaite inscrire l'office de tourisme Val de Garonne, que je dirige, au groupe OT ruraux.",
    "Ma collègue Anne viendra avec moi aux réunions.",
    "J'ai transmis l'info à mes collègues.",
])
def test_no_colleague_when_the_sender_applies(text: str) -> None:
    assert colleague(text, "", "sender@ot.fr", "Marie Sender") is None


# --- the quote ------------------------------------------------------------------------------------

FORM_IN_QUOTE = """Voilà, j'ai rempli dans votre message.
Muriel

Le lun. 1 mars 2027 à 09:00, MONA <groupes@monatourisme.fr> a écrit :
> Pour candidater, répondez à ce message en complétant :
> Nom : Muriel Castagnet
> Fonction : directrice
> Département : Vienne
> Nombre d’ETP :
3
> Population de la plus grande commune : Chauvigny, 7 000
> Type de territoire (rural, littoral, montagne) :
"""


def test_the_form_answered_in_the_quote() -> None:
    assert answered_form(FORM_IN_QUOTE).splitlines() == [
        "Nom : Muriel Castagnet", "Fonction : directrice", "Département : Vienne", "Nombre d’ETP : 3",
        "Population de la plus grande commune : Chauvigny, 7 000"]
    assert quoted_author(FORM_IN_QUOTE) == ("groupes@monatourisme.fr", "MONA")


def _replying(sender: str, name: str, text: str) -> Inbound:
    """A message whose new text is what stands above the quote."""
    return replace(inbound(sender, text=text, name=name), new_text=text.split("\n\n", 1)[0])


def test_the_form_answered_in_the_quote_is_the_senders(departments: dict[str, Department]) -> None:
    reading = read_member(_replying("m.castagnet@ot.fr", "Muriel Castagnet", FORM_IN_QUOTE), departments)
    assert reading.quoted_form and reading.profile.role is Role.DIRECTOR
    assert (reading.profile.department, reading.profile.fte is not None) == ("86", True)
    theirs = read_member(_replying("j.dupont@ot.fr", "Jean Dupont", FORM_IN_QUOTE), departments)
    assert not theirs.quoted_form and theirs.profile.role is None  # Muriel's form is not Jean's


FORWARDED = """Je vous transfère le message de ma collègue, qui résume bien les choses.

Nathalie

-------- Message transféré --------
Sujet : groupes de travail MONA
De : Julie Texier <j.texier@{domain}>

Coucou Nathalie, on est 7 ETP et Confolens, notre plus grosse commune, fait 2 700 habitants.
--
Julie Texier
Chargée d'accueil
16500 Confolens
"""


@pytest.mark.parametrize(("domain", "told"), [("ot-charente-limousine.fr", True), ("ot-ailleurs.fr", False)])
def test_a_colleague_of_the_same_office_quoted_tells_the_office(domain: str, told: bool,
                                                               departments: dict[str, Department]) -> None:
    text = FORWARDED.format(domain=domain)
    assert first_quoted(text).startswith("Coucou Nathalie")
    profile = read_member(_replying("n.brousse@ot-charente-limousine.fr", "Nathalie Brousse", text),
                          departments).profile
    assert (profile.fte is not None, profile.department == "16") == (told, told)
    assert profile.role is None  # her colleague's role is not hers


# --- the form in other layouts, and the sender's facts beside a colleague's ----------------------


def _classified(settings: Settings, body: str, subject: str = "Candidature",
                sender: str = "Claire Bonnin <c.bonnin@ot-exemple.fr>") -> Intent:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "groupes@monatourisme.fr", subject
    msg.set_content(body)
    return classify(parse(msg.as_bytes(), "k"), settings.network, settings.groups, settings.departments)


@pytest.mark.parametrize(("body", "group", "role", "department", "fte"), [
    # All on one line, in quotes; an empty answer is no answer.
    ("Bonjour,\n\n« Groupe : offices ruraux Fonction : directeur Département : Deux-Sèvres ETP : "
     "Population : »\n\nJe vous envoie les chiffres dès que je les ai.", "ot-ruraux", Role.DIRECTOR, "79",
     None),
    ("Je copie le formulaire avec mes réponses : « Groupe : OT ruraux – Nom : Joël Pradier – Structure : "
     "OT Creuse Sud-Ouest – Fonction : directeur – Département : 23 – Nombre d'ETP : 3,5 »",
     "ot-ruraux", Role.DIRECTOR, "23", "3,5"),
    # Typed as a quoted block above her own words, with the labels of another form.
    ("> Nom de l'office : OT Rochefort Océan\n> Département : Charente-Maritime\n> Groupe souhaité : "
     "Communiquer sur le rôle de l'OT\n> Fonction : chargé de projets numériques\n> Effectif (ETP) : 12\n"
     "> Population de la commune principale : 24 000\n> Territoire : littoral\n\nBonjour, voilà les "
     "réponses à votre formulaire.", "role-ot", Role.OTHER, "17", "12"),
    # The groups listed in the label, the one chosen after it.
    ("Bonjour, c'est rempli ci-dessous.\n\nLe 2 mars 2027 à 10:00, MONA <groupes@monatourisme.fr> a écrit :\n"
     "> Groupe (OT ruraux / porteurs de projets / rôle de l'OT) : rôle de l'OT\n> Fonction : chargée de "
     "communication\n> Département : Dordogne", "role-ot", Role.OTHER, "24", None),
    # Typed into the newsletter (another address of ours) under Outlook's « Message d'origine ».
    ("Bonjour, voilà mes réponses.\n\n-----Message d'origine-----\nDe : MONA <infos@monatourisme.fr>\n"
     "Objet : MONA Infos\n\nGroupe : OT ruraux\nFonction : directeur\nDépartement : Gironde\n"
     "Nombre d'ETP : 5", "ot-ruraux", Role.DIRECTOR, "33", "5"),
    # Typed into our message, quoted by Outlook without « > ».
    ("J'ai complété dans votre mail ci-dessous.\n\nDe : MONA – Groupes de travail <groupes@monatourisme.fr>\n"
     "Envoyé : lundi 1 mars 2027 09:00\nÀ : Claire Bonnin <c.bonnin@ot-exemple.fr>\nObjet : Appel\n\n"
     "Groupe souhaité : OT ruraux\nFonction : directrice\nDépartement : 24\nNombre d'ETP : 5",
     "ot-ruraux", Role.DIRECTOR, "24", "5"),
])
def test_the_form_answered_in_other_layouts(body: str, group: str, role: Role, department: str,
                                            fte: str | None, shipped_settings: Settings) -> None:
    found = _classified(shipped_settings, body)
    assert (found.kind.value, found.group_id) == ("candidature", group)
    assert (found.profile.role, found.profile.department) == (role, department)
    assert (describe(found.profile.fte) if found.profile.fte else None) == fte


def test_a_form_in_the_quote_of_someone_else_is_not_hers(shipped_settings: Settings) -> None:
    body = ("Pour info.\n\nDe : Paul Roux <p.roux@ot-ailleurs.fr>\nEnvoyé : lundi 1 mars 2027 09:00\n"
            "À : Claire Bonnin <c.bonnin@ot-exemple.fr>\nObjet : Appel\n\nFonction : directeur\n"
            "Département : 24\nNombre d'ETP : 5")
    assert _classified(shipped_settings, body).profile.fte is None


@pytest.mark.parametrize("text", [
    "Je vous transfère le message de ma collègue de Marmande, qui s'inscrit de son côté. Pour ma part : "
    "OT du Pays d'Albret à Nérac (47), 7 000 habitants, 4 ETP, j'en suis le directeur.",
    "Ma collègue de Marmande s'inscrit de son côté (ils sont 9 salariés, et Marmande compte 17 500 "
    "habitants). Pour ma part : OT du Pays d'Albret à Nérac (47), 7 000 habitants, 4 ETP, j'en suis le "
    "directeur.",
    "Mon homologue de Bellac (9 salariés, 17 500 habitants) m'a conseillé de vous écrire. Nous, nous sommes "
    "4 ETP et Nérac compte 7 000 habitants ; j'en suis le directeur.",
])
def test_a_colleagues_figures_are_never_the_senders(text: str, departments: dict[str, Department]) -> None:
    profile = extract_profile(text, departments)
    assert (profile.role, profile.fte, profile.population) == (Role.DIRECTOR, Figure.exact(4),
                                                                Figure.exact(7000))


@pytest.mark.parametrize(("text", "display", "name"), [
    ("je vs l ai dit c kevin roche !!", None, "Kevin Roche"),
    ("Bonjour, je m'appelle inès garat et je suis à l'accueil de l'OT.", None, "Inès Garat"),
    ("Kevin Roche", None, "Kevin Roche"),  # alone, in answer to « il nous manque vos nom et prénom »
    ("Nom : Le Goff Yannick\nFonction : conseiller", "Yannick Le Goff", "Yannick Le Goff"),
    ("C'est tout bon pour moi, merci.", None, None),
    ("Merci beaucoup, c'est bien noté.", None, None),
])
def test_the_name_she_writes_as_hers(text: str, display: str | None, name: str | None,
                                     departments: dict[str, Department]) -> None:
    assert extract_profile(text, departments, display).name == name
