"""Newsletter blocks: RFC 6068 links, forms that come back as the easy case, HTML, text and CLI."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow import config
from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.core.decide.member import decide
from mailflow.core.read.classify import classify
from mailflow.core.read.parse import parse
from mailflow.core.write.newsletter import (
    IDEA_SUBJECT,
    call_blocks,
    candidature_form,
    candidature_subject,
    form_fields,
    idea_block,
    mailto_link,
    render_newsletter,
    waitlist_subject,
)
from mailflow.model.values import (
    CallStatus,
    Figure,
    IntentKind,
    Outcome,
    Profile,
    Role,
    Scale,
    State,
    Status,
    Territory,
)

from .helpers.messages import deliver
from .helpers.project import GROUP_IDS, NOW, SAMPLES, local_config
from .helpers.runs import decode_mailto, newsletter, plain
from .helpers.worlds import state_with, taken

NBSP, NNBSP = "\u00a0", "\u202f"
# Dates as `format_date_fr` writes them, the time held on one line by no-break spaces.
MEETING = f"mardi 6 avril 2027 à{NBSP}9{NBSP}h{NBSP}30"
CLOSING = f"mercredi 1er septembre 2027 à{NBSP}18{NBSP}h"

# What a member types after each label of the form, per group: a profile each group accepts.
ANSWERS: dict[str, dict[str, str]] = {
    "porteurs-de-projet": {
        "Nom": "Julien Mercier",
        "Structure": "Office de Tourisme de l’Entre-Deux-Mers",
        "Fonction": "Chargé de l’accompagnement des porteurs de projet",
        "Département": "33",
    },
    "ot-ruraux": {
        "Nom": "Marie Dupont",
        "Structure": "Office de Tourisme du Périgord Noir",
        "Fonction": "Directrice",
        "Département": "24",
        "Nombre d’ETP": "6,5",
        "Population de la plus grande commune": "9 800 habitants",
        "Type de territoire (rural, littoral, montagne)": "rural",
        "Échelle d’intervention (communale, intercommunale)": "intercommunale",
    },
    "role-ot": {
        "Nom": "Sophie Laborde",
        "Structure": "Office de Tourisme Rochefort Océan",
        "Fonction": "Directrice",
        "Département": "17",
    },
}
# The profile `extract_profile` must read back from those answers.
EXPECTED: dict[str, Profile] = {
    "porteurs-de-projet": Profile(
        name="Julien Mercier", structure="Office de Tourisme de l’Entre-Deux-Mers",
        role=Role.OTHER, department="33",
    ),
    "ot-ruraux": Profile(
        name="Marie Dupont", structure="Office de Tourisme du Périgord Noir", role=Role.DIRECTOR,
        department="24", fte=Figure.exact(6.5), population=Figure.exact(9800),
        territories=frozenset({Territory.RURAL}),
        scale=Scale.INTERCOMMUNAL,
    ),
    "role-ot": Profile(
        name="Sophie Laborde", structure="Office de Tourisme Rochefort Océan", role=Role.DIRECTOR,
        department="17",
    ),
}


# --- reading a block ------------------------------------------------------------------------


class _Links(HTMLParser):
    """The href of every `<a class="cta …">` (attribute values come unescaped), and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.ctas: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and "cta" in (found.get("class") or "").split():
            self.ctas.append((found.get("class") or "", found.get("href") or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def shown(html: str) -> str:
    """The words of the HTML as a reader sees them (entities decoded)."""
    return unescape("".join(links(html).text))


def call_hrefs(html: str) -> list[str]:
    """The « Je candidate » (or waiting-list) buttons' links, in order; not the idea's."""
    return [href for cls, href in links(html).ctas if "idea" not in cls.split()]


def idea_href(html: str) -> str:
    (href,) = [href for cls, href in links(html).ctas if "idea" in cls.split()]
    return href


def fill(form: str, answers: dict[str, str]) -> str:
    """The form as a member fills it in: each answer typed after its label's colon."""
    lines = form.replace("\r\n", "\n").split("\n")
    out = []
    for line in lines:
        label = line.split(f"{NBSP}:", 1)[0]
        out.append(f"{line.rstrip()} {answers[label]}" if label in answers else line)
    return "\n".join(out) + "\nBien cordialement,\n"


def sent_email(href: str, sender: str, name: str, answers: dict[str, str]) -> bytes:
    """The raw email a mail client sends after following the link and filling the form."""
    to, fields = decode_mailto(href)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(name, addr_spec=sender)
    msg["To"] = to
    msg["Subject"] = fields["subject"]
    msg["Date"] = "Tue, 01 Dec 2026 10:00:00 +0100"
    msg["Message-ID"] = f"<newsletter-{sender}>"
    msg.set_content(fill(fields["body"], answers) + name + "\n", charset="utf-8")
    return msg.as_bytes()


# --- RFC 6068 ------------------------------------------------------------------------------

ENCODINGS = [
    ("deux mots", "deux%20mots"),
    ("ligne 1\nligne 2", "ligne%201%0D%0Aligne%202"),
    ("ligne 1\r\nligne 2", "ligne%201%0D%0Aligne%202"),
    ("ligne 1\rligne 2", "ligne%201%0D%0Aligne%202"),
    ("Département", "D%C3%A9partement"),
    ("Échelle d’intervention", "%C3%89chelle%20d%E2%80%99intervention"),
    (f"«{NBSP}OT{NBSP}»", "%C2%ABOT".replace("OT", "%C2%A0OT%C2%A0") + "%C2%BB"),
    ("A & B", "A%20%26%20B"),
    ("quoi ?", "quoi%20%3F"),
    ("a=b", "a%3Db"),
    ("#1", "%231"),
    ("1+1", "1%2B1"),
    ("100 %", "100%20%25"),
    ("a/b", "a%2Fb"),
    ("tiret-bas_point.tilde~", "tiret-bas_point.tilde~"),
]


@pytest.mark.parametrize(("value", "encoded"), ENCODINGS, ids=[e[1] for e in ENCODINGS])
def test_mailto_encodes_values_as_rfc_6068_says(value: str, encoded: str) -> None:
    link = mailto_link("groupes@monatourisme.fr", value, value)
    assert link == f"mailto:groupes@monatourisme.fr?subject={encoded}&body={encoded}"
    assert "+" not in link and " " not in link


def test_mailto_address_plus_is_encoded_too() -> None:
    assert mailto_link("groupes+mona@example.fr", "s", "b") == (
        "mailto:groupes%2Bmona@example.fr?subject=s&body=b"
    )


@given(st.text(), st.text())
def test_mailto_decodes_back_to_the_values_with_crlf_breaks(subject: str, body: str) -> None:
    link = mailto_link("groupes@monatourisme.fr", subject, body)
    assert "+" not in link and " " not in link and "\n" not in link
    to, _, query = link.removeprefix("mailto:").partition("?")
    pairs = dict(pair.split("=", 1) for pair in query.split("&"))
    assert to == "groupes@monatourisme.fr" and list(pairs) == ["subject", "body"]

    def crlf(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")

    assert unquote(pairs["subject"], errors="strict") == crlf(subject)
    assert unquote(pairs["body"], errors="strict") == crlf(body)


# --- forms ---------------------------------------------------------------------------------


def test_each_group_asks_the_usual_four_then_what_it_needs(shipped_settings: Settings) -> None:
    assert form_fields(shipped_settings.groups["porteurs-de-projet"]) == (
        "name", "structure", "role", "department")
    assert form_fields(shipped_settings.groups["role-ot"]) == ("name", "structure", "role", "department")
    assert form_fields(shipped_settings.groups["ot-ruraux"]) == (
        "name", "structure", "role", "department", "fte", "population", "territory", "scale")
    assert candidature_form(shipped_settings.groups["ot-ruraux"]) == (
        f"Je souhaite candidater au groupe de travail «{NBSP}Offices de Tourisme ruraux{NBSP}».\n"
        "\n"
        f"Nom{NBSP}: \n"
        f"Structure{NBSP}: \n"
        f"Fonction{NBSP}: \n"
        f"Département{NBSP}: \n"
        f"Nombre d’ETP{NBSP}: \n"
        f"Population de la plus grande commune{NBSP}: \n"
        f"Type de territoire (rural, littoral, montagne){NBSP}: \n"
        f"Échelle d’intervention (communale, intercommunale){NBSP}: \n"
    )
    group = shipped_settings.groups["ot-ruraux"]
    assert candidature_subject(group) == f"Candidature – groupe «{NBSP}Offices de Tourisme ruraux{NBSP}»"
    assert waitlist_subject(group) == f"Liste d’attente – groupe «{NBSP}Offices de Tourisme ruraux{NBSP}»"


def test_a_group_requiring_a_field_asks_for_it(shipped_settings: Settings) -> None:
    group = replace(shipped_settings.groups["role-ot"], required=("name", "structure", "role",
                                                                  "department", "fte"))
    assert form_fields(group)[-1] == "fte"
    assert f"Nombre d’ETP{NBSP}: " in candidature_form(group)


@pytest.mark.parametrize("group_id", GROUP_IDS)
def test_a_block_link_decodes_to_the_exact_subject_and_form(shipped_settings: Settings,
                                                            group_id: str) -> None:
    html = newsletter(shipped_settings, None, group_id)
    (href,) = call_hrefs(html)
    to, fields = decode_mailto(href)
    group = shipped_settings.groups[group_id]
    assert to == shipped_settings.network.address
    assert fields == {"subject": candidature_subject(group),
                      "body": candidature_form(group).replace("\n", "\r\n")}


# --- the round trip: link → mail client → parse → classify → decide ------------------------


@pytest.mark.parametrize("group_id", GROUP_IDS)
def test_a_filled_form_comes_back_as_a_complete_candidature(shipped_settings: Settings,
                                                            group_id: str) -> None:
    href = call_hrefs(newsletter(shipped_settings, None, group_id))[0]
    expected = EXPECTED[group_id]
    raw = sent_email(href, "membre@ot-exemple.fr", expected.name or "", ANSWERS[group_id])
    intent = classify(parse(raw, "k1"), shipped_settings.network, shipped_settings.groups,
                      shipped_settings.departments)
    assert intent.kind is IntentKind.CANDIDATURE
    assert intent.group_id == group_id and intent.ambiguous_groups == ()
    profile = intent.profile
    got = replace(profile, role_text=None)
    assert got == expected, profile
    assert profile.role_text and profile.role_text in ANSWERS[group_id]["Fonction"]
    state = State(groups=shipped_settings.groups, departments=shipped_settings.departments)
    decision = decide(state, intent, NOW)
    assert decision.outcome is Outcome.CONFIRMED, decision.summary


def test_the_waiting_list_form_comes_back_as_a_candidature_put_on_the_list(
    shipped_settings: Settings,
) -> None:
    group = replace(shipped_settings.groups["role-ot"], capacity=3)
    state = state_with(shipped_settings, *taken("role-ot", 3), role_ot=group)
    html = render_newsletter(shipped_settings.templates_dir, shipped_settings.network, state, NOW,
                             ["role-ot"], html=True)
    (href,) = call_hrefs(html)
    _, fields = decode_mailto(href)
    assert fields["subject"] == f"Liste d’attente – groupe «{NBSP}{group.title}{NBSP}»"
    assert fields["body"].startswith("Je souhaite m’inscrire sur la liste d’attente du groupe")
    raw = sent_email(href, "sophie@ot-rochefort.fr", "Sophie Laborde", ANSWERS["role-ot"])
    intent = classify(parse(raw, "k1"), shipped_settings.network, state.groups, shipped_settings.departments)
    assert (intent.kind, intent.group_id) == (IntentKind.CANDIDATURE, "role-ot")
    assert decide(state, intent, NOW).outcome is Outcome.WAITLISTED


def test_the_idea_link_comes_back_as_an_idea(shipped_settings: Settings) -> None:
    href = idea_href(newsletter(shipped_settings))
    to, fields = decode_mailto(href)
    assert to == shipped_settings.network.address
    assert fields["subject"] == IDEA_SUBJECT == "Idée de groupe de travail"
    assert fields["body"] == idea_block(shipped_settings.network).body.replace("\n", "\r\n")
    for label in ("Thème", "Objectifs", "Qui pourrait participer", "Nom", "Structure"):
        assert f"\r\n{label}{NBSP}: \r\n" in fields["body"]
    answers = {
        "Thème": "L’accueil des camping-cars dans les petites communes",
        "Objectifs": "partager les règlements, les aires et la signalétique",
        "Qui pourrait participer": "techniciens et directeurs d’offices de tout le réseau",
        "Nom": "Paul Durand",
        "Structure": "Office de Tourisme du Haut-Limousin",
    }
    raw = sent_email(href, "paul.durand@ot-haut-limousin.fr", "Paul Durand", answers)
    intent = classify(parse(raw, "k1"), shipped_settings.network, shipped_settings.groups,
                      shipped_settings.departments)
    assert intent.kind is IntentKind.IDEA
    state = State(groups=shipped_settings.groups, departments=shipped_settings.departments)
    assert decide(state, intent, NOW).outcome is Outcome.IDEA_RECEIVED


def test_an_idea_naming_an_existing_group_is_still_an_idea(shipped_settings: Settings) -> None:
    answers = {"Thème": "Les marchés de producteurs", "Objectifs": "partager nos calendriers",
               "Qui pourrait participer": "les offices de tourisme ruraux", "Nom": "Paul Durand",
               "Structure": "Office de Tourisme du Haut-Limousin"}
    raw = sent_email(idea_href(newsletter(shipped_settings)), "paul.durand@ot-haut-limousin.fr",
                     "Paul Durand", answers)
    intent = classify(parse(raw, "k1"), shipped_settings.network, shipped_settings.groups,
                      shipped_settings.departments)
    assert intent.kind is IntentKind.IDEA


# --- which blocks, and what they say -------------------------------------------------------


def test_open_calls_in_file_order_places_left_and_closing_date(shipped_settings: Settings) -> None:
    state = state_with(shipped_settings, *taken("ot-ruraux", 3),
                       *taken("role-ot", 1, Status.NEEDS_INFO), *taken("role-ot", 2, Status.REFUSED))
    blocks = call_blocks(state, shipped_settings.network, NOW)
    assert [b.group_id for b in blocks] == list(GROUP_IDS)
    assert [b.kind for b in blocks] == ["open"] * 3
    places = {b.group_id: b.places for b in blocks}
    assert places == {"porteurs-de-projet": "15 places disponibles sur 15",
                      "ot-ruraux": "17 places disponibles sur 20",
                      "role-ot": "14 places disponibles sur 15"}
    ruraux = blocks[1]
    assert ruraux.meeting_date == MEETING
    assert ruraux.meeting_place == "Montignac (Dordogne)"
    assert ruraux.closes == "" and ruraux.button == "Je candidate"
    assert blocks[2].closes == f"Candidatures jusqu’au {CLOSING}"
    html = newsletter(shipped_settings, state)
    text = newsletter(shipped_settings, state, html=False)
    for shown in (html, text):
        assert "17 places disponibles sur 20" in shown
        assert CLOSING in shown
        assert "Montignac (Dordogne)" in shown and MEETING in shown


def test_one_place_left_is_singular(shipped_settings: Settings) -> None:
    state = state_with(shipped_settings, *taken("role-ot", 14))
    (block,) = call_blocks(state, shipped_settings.network, NOW, ["role-ot"])
    assert block.places == "1 place disponible sur 15"


def test_a_full_group_offers_its_waiting_list(shipped_settings: Settings) -> None:
    state = state_with(shipped_settings, *taken("porteurs-de-projet", 15),
                       *taken("porteurs-de-projet", 2, Status.WAITLISTED))
    (block, *_) = call_blocks(state, shipped_settings.network, NOW)
    assert (block.kind, block.places_left, block.button) == (
        "full", 0, "M’inscrire sur la liste d’attente")
    html = newsletter(shipped_settings, state, "porteurs-de-projet")
    assert "Groupe de travail complet" in html and "liste d’attente" in html
    assert ">M’inscrire sur la liste d’attente</a>" in html
    assert ">Je candidate</a>" not in html
    _, fields = decode_mailto(call_hrefs(html)[0])
    assert fields["subject"].startswith("Liste d’attente – groupe")
    text = newsletter(shipped_settings, state, "porteurs-de-projet", html=False)
    assert not _PLAIN_SPACE_TYPOS.search(shown(html))
    assert not _PLAIN_SPACE_TYPOS.search(text.replace("mailto:", ""))
    assert "(groupe de travail complet, liste d’attente ouverte)" in text
    assert "M’inscrire sur la liste d’attente" in text


def test_closed_calls_are_left_out_unless_asked_then_say_so_without_a_button(
    shipped_settings: Settings,
) -> None:
    closed = replace(shipped_settings.groups["ot-ruraux"], call=CallStatus.CLOSED)
    draft = replace(shipped_settings.groups["porteurs-de-projet"], call=CallStatus.DRAFT)
    state = state_with(shipped_settings, ot_ruraux=closed, porteurs_de_projet=draft)
    assert [b.group_id for b in call_blocks(state, shipped_settings.network, NOW)] == ["role-ot"]
    late = datetime(2027, 9, 2, tzinfo=UTC)  # after role-ot's closing date
    assert call_blocks(state, shipped_settings.network, late) == ()
    html = newsletter(shipped_settings, state, "ot-ruraux")
    assert "Appel à candidatures clos" in html
    assert "L’appel à candidatures de ce groupe est clos." in html
    assert call_hrefs(html) == [] and "Je candidate" not in html
    assert len(links(html).ctas) == 1  # the idea block keeps its button
    text = newsletter(shipped_settings, state, "ot-ruraux", html=False)
    assert not _PLAIN_SPACE_TYPOS.search(shown(html))
    assert not _PLAIN_SPACE_TYPOS.search(text.replace("mailto:", ""))
    assert "Places" not in text and "Places" not in html
    assert "(appel à candidatures clos)" in text and text.count("\nmailto:") == 1  # the idea
    assert "?subject=Candidature" not in text
    (block,) = call_blocks(state, shipped_settings.network, NOW, ["porteurs-de-projet"])
    assert block.closed == ("L’appel à candidatures de ce groupe n’est pas encore ouvert. "
                            "Il n’est pas encore possible de candidater à ce groupe.")
    assert block.label == "Appel à candidatures à venir"
    (block,) = call_blocks(state, shipped_settings.network, late, ["role-ot"])
    assert block.closed == ("La date limite de l’appel à candidatures est passée. "
                            "Il n’est plus possible de candidater à ce groupe.")
    assert block.closes == "" and block.href == ""


def test_ids_asked_give_those_blocks_in_that_order(shipped_settings: Settings) -> None:
    state = state_with(shipped_settings)
    blocks = call_blocks(state, shipped_settings.network, NOW, ["role-ot", "ot-ruraux", "role-ot"])
    assert [b.group_id for b in blocks] == ["role-ot", "ot-ruraux"]
    with pytest.raises(ValueError, match="unknown group nope; known groups: porteurs-de-projet"):
        call_blocks(state, shipped_settings.network, NOW, ["nope"])


# --- HTML and text -------------------------------------------------------------------------

# A plain space where French wants a no-break one, or a no-break space where it wants a narrow one.
_PLAIN_SPACE_TYPOS = re.compile(r" :|[ \u00a0][;!?]|« | »")


def test_the_text_version_reads_on_its_own_with_the_links_written_out(shipped_settings: Settings) -> None:
    state = State(groups=shipped_settings.groups, departments=shipped_settings.departments)
    text = newsletter(shipped_settings, state, html=False)
    html = newsletter(shipped_settings, state)
    for href in [*call_hrefs(html), idea_href(html)]:
        assert f"\n{href}\n" in text  # whole, on a line of its own
    assert "Offices de Tourisme ruraux\n==========================\n" in text
    assert f"Pour qui{NBSP}: Directeurs et directrices" in text
    assert f"Première rencontre{NBSP}: {MEETING}, Montignac (Dordogne)" in text
    assert f"Vous avez une idée de groupe de travail{NNBSP}?" in text
    assert f"objet{NBSP}: Idée de groupe de travail" in text
    assert "<" not in text and "&amp;" not in text
    assert all(len(line) <= 72 for line in text.splitlines() if not line.startswith("mailto:"))
    assert not _PLAIN_SPACE_TYPOS.search(text.replace("mailto:", ""))


def test_html_is_tables_with_inline_styles_and_no_external_resource(shipped_settings: Settings) -> None:
    html = newsletter(shipped_settings)
    assert html.lstrip().startswith("<!--") and "<table" in html
    for forbidden in ("<link", "<style", "<script", "<img", "<div", "class=\"cta\" href=\"http",
                      "url(", "@import", "https://", "http://"):
        assert forbidden not in html
    assert html.count("<table") == html.count("</table>")
    # The bulletproof button: a coloured cell (bgcolor for Outlook) around a plain link.
    assert re.search(r'<td align="center" valign="middle" bgcolor="#1d5a78" style="[^"]*">\s*'
                     r'<a class="cta" href="mailto:[^"]+"[^>]*>Je candidate</a>', html)
    hrefs = re.findall(r'href="(mailto:[^"]*\?[^"]*)"', html)
    assert hrefs and all("&amp;body=" in h and "&body=" not in h.replace("&amp;", "") for h in hrefs)
    words = shown(html)
    assert f"Vous avez une idée de groupe de travail{NNBSP}?" in words
    assert f"du réseau{NNBSP}? Proposez-le{NBSP}:" in words
    assert f"liste d’attente{NBSP}:" not in words  # open calls only here
    assert f"prêt à compléter{NBSP}: il suffit" in words
    assert not _PLAIN_SPACE_TYPOS.search(words)


def test_html_escapes_what_staff_wrote(shipped_settings: Settings) -> None:
    group = replace(shipped_settings.groups["role-ot"], title='Vins & <b>terroirs</b> "2027"',
                    context="Le <script>alert(1)</script> & co ?")
    state = state_with(shipped_settings, role_ot=group)
    html = newsletter(shipped_settings, state, "role-ot")
    assert "<b>" not in html and "<script>" not in html
    assert "Vins &amp; &lt;b&gt;terroirs&lt;/b&gt; &#34;2027&#34;" in html
    assert f"Le &lt;script&gt;alert(1)&lt;/script&gt; &amp; co{NNBSP}?" in html
    _, fields = decode_mailto(call_hrefs(html)[0])
    assert fields["subject"] == f'Candidature – groupe «{NBSP}Vins & <b>terroirs</b> "2027"{NBSP}»'
    text = newsletter(shipped_settings, state, "role-ot", html=False)
    assert 'Vins & <b>terroirs</b> "2027"' in text  # text is not HTML: nothing to escape


# --- the command line ----------------------------------------------------------------------


def test_cli_prints_the_blocks_from_the_current_state(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    cfg = local_config(tmp_path)
    code = main(["--config", str(cfg), "newsletter", "--text"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "20 places disponibles sur 20" in out and out.count("\nmailto:") == 4
    assert not (tmp_path / "store.json").exists()  # read-only: nothing written

    deliver(config.load(cfg), SAMPLES)
    assert main(["--config", str(cfg), "run", "--once"]) == 0
    capsys.readouterr()
    code = main(["--config", str(cfg), "newsletter", "ot-ruraux", "--html"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "17 places disponibles sur 20" in out
    assert "Communiquer sur le rôle" not in out
    assert len(call_hrefs(out)) == 1 and idea_href(out)


def test_cli_unknown_group_or_no_format_is_a_usage_error(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = local_config(tmp_path)
    assert main(["--config", str(cfg), "newsletter", "ot-ruraux", "nope", "--html"]) == 2
    _, err = capsys.readouterr()
    assert "groupe inconnu « nope »" in plain(err)
    assert "groupes connus : porteurs-de-projet, ot-ruraux, role-ot" in plain(err)
    for args in (["newsletter"], ["newsletter", "--html", "--text"]):
        with pytest.raises(SystemExit) as exc:
            main(["--config", str(cfg), *args])
        assert exc.value.code == 2
    _, err = capsys.readouterr()
    assert "--html" in err
