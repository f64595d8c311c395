"""The digest and the alerts as staff act on them: a number for every candidature named, one
recorded in person late listed when it was recorded, reasons said about the member."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings
from mailflow.core.decide.member import expire_unanswered
from mailflow.core.decide.rules import evaluate
from mailflow.core.decide.staff_plans import DISPLACED
from mailflow.core.french.staff import for_staff
from mailflow.model.values import Figure, Role, Scale, State, Status, Territory

from .helpers.messages import LUC, NADIA, RURAL_DIRECTOR, deliver, staff_answer, staff_message
from .helpers.project import SAMPLES
from .helpers.runs import Clock, body_html, body_text, cli, run_once, staff_action_mail, staff_mail
from .helpers.worlds import digest_after_the_samples, dordogne_story, fill_role_ot, stored_state, taken

#: Words said to the member, never to staff about her.
SECOND_PERSON = re.compile(r"\b(?:vous|votre|vos|vôtre|vôtres)\b", re.IGNORECASE)


def digest_at(settings: Settings, when: datetime) -> EmailMessage | None:
    """The digest sent at `when` (the service's clock set there)."""
    service = build_service(settings, read_only=False)
    service.clock = Clock(when)
    try:
        return service.digest(send=True)
    finally:
        service.store.close()


def test_every_candidature_the_digest_names_has_its_number(workspace: Settings) -> None:
    message, _ = digest_after_the_samples(workspace, send=False)
    assert message is not None
    text = body_text(message).replace("\u00a0", " ").replace("\u202f", " ")
    for expected in ("  - C0001 Marie Dupont, Office de Tourisme du Périgord Noir (24) : confirmée",
                     "  1. C0006 Nadia Roux (24) — le quota de 2 places",
                     "  - C0003 Sophie Lacombe : ETP demandé le"):
        assert expected in text, expected
    state = stored_state(workspace)
    named = [line for line in text.splitlines()
             if any(c.name and c.name in line for c in state.candidatures)]
    assert len(named) >= 7
    for line in named:
        cand = next(c for c in state.candidatures if c.name and c.name in line)
        assert cand.id in line, line
    html = body_html(message)
    assert all(f"<strong>{c.id}</strong>" in html for c in state.candidatures)


def test_a_candidature_recorded_today_for_yesterday_is_in_the_next_digest(workspace: Settings,
                                                                         tmp_path: Path) -> None:
    """Jeanne applied in person « hier à 15 h »; staff record it this morning, after the digest:
    the next digest lists her among the new candidatures, and says how she came."""
    deliver(workspace, SAMPLES[:1])
    run_once(workspace)
    now = datetime.now(UTC)
    assert digest_at(workspace, now) is not None  # this morning's, before her
    deliver(workspace, [staff_message(tmp_path, (
        "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-confolentais.fr, directrice de "
        "l’OT du Confolentais (16), reçue en réunion départementale hier à 15 h, pour le groupe OT "
        "ruraux"))])
    run_once(workspace)
    deliver(workspace, [staff_answer(tmp_path, staff_action_mail(workspace)[-1], "Oui")])
    run_once(workspace)
    jeanne = next(c for c in stored_state(workspace).candidatures if c.name == "Jeanne Martin")
    assert jeanne.received_at < now - timedelta(hours=1)  # before the window of the next digest
    nxt = digest_at(workspace, now + timedelta(hours=1))
    assert nxt is not None
    text = " ".join(body_text(nxt).split())
    assert "1 nouvelle candidature," in text
    assert f"- {jeanne.id} Jeanne Martin" in text and "reçue en personne le" in text
    assert "C0001 Marie Dupont" not in text.split("Nouvelles candidatures")[1]  # told yesterday


def test_a_refusal_reason_in_the_digest_is_said_about_the_member(workspace: Settings) -> None:
    message, _ = digest_after_the_samples(workspace, send=False)
    assert message is not None
    line = next(line for line in body_text(message).splitlines() if "Julie Moreau" in line)
    assert "son message indique « chargée de communication »" in line
    assert SECOND_PERSON.search(line) is None
    assert re.search(r"\bvotre message\b", body_html(message)) is None


PROFILES = [
    RURAL_DIRECTOR,
    replace(RURAL_DIRECTOR, role=Role.OTHER, role_text="Chargée d’accueil"),
    replace(RURAL_DIRECTOR, role=Role.OTHER, role_text=None),
    replace(RURAL_DIRECTOR, territories=frozenset({Territory.COASTAL})),
    replace(RURAL_DIRECTOR, scale=Scale.COMMUNAL),
    replace(RURAL_DIRECTOR, fte=Figure.exact(14)),
    replace(RURAL_DIRECTOR, fte=Figure(8, 15, said="entre 8 et 15")),
    replace(RURAL_DIRECTOR, population=Figure.exact(45000)),
    replace(RURAL_DIRECTOR, population=Figure(15000, 30000, said="environ 20 000")),
]


def member_reasons(settings: Settings) -> list[str]:
    """Every reason the rules, the places and the holds write for the member, over the shipped
    groups and profiles that meet each rule."""
    reasons = [evaluate(group, profile)[0] for group in settings.groups.values() for profile in PROFILES]
    reasons.append(DISPLACED)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    held = [replace(c, status=Status.NEEDS_INFO, missing=("fte",), updated_at=now - timedelta(days=30),
                    profile=RURAL_DIRECTOR) for c in taken("ot-ruraux", 1)]
    state = State(settings.groups, settings.departments, candidatures=tuple(held))
    _, decisions = expire_unanswered(state, now, 7)
    reasons += [c.reason for d in decisions for c in d.candidatures]
    return [r for r in reasons if r]


def test_every_reason_written_to_the_member_reads_to_staff_in_the_third_person(
        shipped_settings: Settings) -> None:
    reasons = member_reasons(shipped_settings)
    assert sum(bool(SECOND_PERSON.search(r)) for r in reasons) >= 5  # the member's words are there
    for reason in reasons:
        assert SECOND_PERSON.search(for_staff(reason)) is None, reason


@pytest.mark.parametrize(("member_read", "staff_read"), [
    ("votre message indique « chargée d’accueil »", "son message indique « chargée d’accueil »"),
    ("Votre office n’est pas classé rural", "Son office n’est pas classé rural"),
    ("une candidature reçue avant la vôtre a pris la dernière place",
     "une candidature reçue avant la sienne a pris la dernière place"),
    ("hors profil", "hors profil"),
])
def test_a_reason_for_staff(member_read: str, staff_read: str) -> None:
    assert for_staff(member_read) == staff_read


def test_the_alerts_give_the_candidatures_numbers(workspace: Settings, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    full = body_text(fill_role_ot(workspace, tmp_path)).replace("\u00a0", " ").replace("\u202f", " ")
    last = max((c for c in stored_state(workspace).of_group("role-ot")), key=lambda c: c.seq)
    assert f"Sa candidature : {last.id}" in full
    dordogne_story(workspace)
    luc = next(c for c in stored_state(workspace).candidatures if c.email == LUC)
    code, _, _ = cli(capsys, workspace, "candidates", "withdraw", luc.id, "--reason", "par téléphone")
    assert code == 0
    (promoted,) = staff_mail(workspace, "promoted")
    nadia = next(c for c in stored_state(workspace).candidatures if c.email == NADIA)
    assert f"Candidature : {nadia.id}" in body_text(promoted).replace("\u00a0", " ").replace("\u202f", " ")
    assert "mailflow a donné une place (libérée, ou ajoutée par l’équipe)" in " ".join(
        body_text(promoted).split())
