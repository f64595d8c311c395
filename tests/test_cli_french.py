"""The command line speaks French: every command's output, its help, a staff plan told, ids in any case."""

from __future__ import annotations

import argparse
import re
import shutil
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from mailflow.cli import main, parser
from mailflow.config.settings import Settings
from mailflow.core.decide.ideas import validate
from mailflow.core.decide.staff_plans import plan_add, plan_group_change, plan_idea
from mailflow.core.write.plan_text import plan_lines
from mailflow.model.values import Candidature, Idea, IdeaStatus, Profile, Role, State, Status

from .helpers.messages import deliver
from .helpers.project import NOW, SAMPLES, local_config
from .helpers.runs import COMMAND_LINES, command_lines, plain

#: Words only English has (the French ones, « candidature », « question », « message », are fine).
ENGLISH = re.compile(
    r"\b(would|send|sends|sent|nothing|changed|unknown|found|expected|waiting|confirmed|none|"
    r"error|usage|done|refused|received|declined|validated|drafted|placeholders?|kept|bytes|"
    r"the|and|with|from|show|this|exit|group|ideas|places? left|dry run|options?:)\b",
    re.IGNORECASE)
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: What may stay English because it is typed, not read: a command to run, an option.
TYPED = re.compile(r"mailflow(?: [a-z][\w-]*)+|--?[a-z][\w-]*")


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(TYPED.sub(" ", plain(text)))


def _staff_lines() -> list[tuple[str, list[str]]]:
    """Every command line of the table, and each staff command again with --dry-run."""
    lines = [(name, line) for name, line in sorted(COMMAND_LINES.items())]
    lines += [(f"{name} --dry-run", [*line, "--dry-run"]) for name, line in sorted(COMMAND_LINES.items())
              if any("--dry-run" in o for o in _options(line)) and "--dry-run" not in line]
    return lines


def _options(line: list[str]) -> list[str]:
    sub = parser()
    for word in line:
        actions = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if not actions or word not in actions[0].choices:
            break
        sub = actions[0].choices[word]
    return [o for a in sub._actions for o in a.option_strings]


@pytest.mark.parametrize(("name", "line"), _staff_lines(), ids=[n for n, _ in _staff_lines()])
def test_every_command_speaks_french(name: str, line: list[str], every_status_template: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work"
    shutil.copytree(every_status_template, work)
    code = main(["--config", str(local_config(work)), *line])
    out, err = capsys.readouterr()
    shown = err if code else out
    if name in ("mailflow privacy export", "mailflow candidates export") and not code:
        return  # JSON and CSV for programs and spreadsheets: their keys and columns are data
    assert shown.strip(), name
    assert english_in(out + err) == [], name
    assert not ISO_STAMP.search(out + err), name
    assert "(s)" not in out + err, name  # plurals are written out


@pytest.mark.parametrize("line", command_lines(parser()), ids=str)
def test_every_help_speaks_french_and_gives_an_example(line: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    words = [w for w in line.split()[1:] if not w.startswith("--")]
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    out = capsys.readouterr().out
    assert out.startswith("utilisation : mailflow")
    # The commands and actions listed are typed too: what they do is said in French.
    listed = re.sub(r"(?m)^ {4}[a-z][\w-]*", " ", out)
    assert english_in(listed) == [], line
    assert "exemple" in out and "\n  mailflow " in out


def test_a_usage_error_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["candidates", "refuse", "C0001"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "utilisation : mailflow candidates refuse" in err
    assert "mailflow candidates refuse : erreur : à indiquer : --reason" in err


def test_run_once_prints_each_message_once(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    keys = deliver(workspace, SAMPLES[:3])
    assert main(["--config", str(workspace.file), "run", "--once"]) == 0
    out, err = capsys.readouterr()
    for key in keys:  # said once, on the standard output; the log has nothing to add
        assert out.count(key) == 1 and key not in err
    assert "3 messages traités" in plain(out) and english_in(out + err) == []


# --- ids in any case -----------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    ["candidates", "withdraw", "c0001", "--reason", "par téléphone", "--dry-run"],
    ["candidates", "list", "OT-Ruraux"],
    ["groups", "show", "Role-OT"],
    ["groups", "close", "ROLE-OT", "--dry-run"],
    ["ideas", "show", "i0001"],
    ["ideas", "advance", "i0002", "--dry-run"],
    ["questions", "done", "q0002", "--dry-run"],
    ["history", "OT-RURAUX"],
    ["newsletter", "Ot-Ruraux", "--text"],
], ids=" ".join)
def test_ids_are_read_in_any_case(line: list[str], every_status_template: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work"
    shutil.copytree(every_status_template, work)
    assert main(["--config", str(local_config(work)), *line]) == 0, capsys.readouterr().err


# --- a plan told: what changes, who is told ------------------------------------------------------


def director(n: int, status: Status, group: str = "role-ot", department: str = "24") -> Candidature:
    name = f"Directrice {n}"
    return Candidature(
        id=f"C{n:04d}", group_id=group, email=f"d{n}@ot.fr", name=name,
        profile=Profile(name=name, structure=f"OT {n}", role=Role.DIRECTOR, role_text="Directrice",
                        department=department),
        status=status, seq=n, received_at=NOW - timedelta(days=20) + timedelta(minutes=n),
        message_key=f"k{n}")


@pytest.fixture
def full_role_ot_state(fresh_state: State) -> State:
    """role-ot's 15 places taken, one director waiting."""
    cands = tuple(director(n, Status.CONFIRMED if n <= 15 else Status.WAITLISTED) for n in range(1, 17))
    return replace(fresh_state, candidatures=cands, next_seq=17)


def test_a_higher_capacity_tells_the_change_and_the_promotion(full_role_ot_state: State) -> None:
    plan = plan_group_change(full_role_ot_state, "role-ot", NOW, capacity=16)
    lines = [plain(line) for line in plan_lines(
        plan, [("confirmed", ["d16@ot.fr"], "Groupe de travail")], applied=False)]
    assert lines[0] == "Modification du groupe « Communiquer sur le rôle de l’Office de Tourisme » (role-ot)"
    assert "  places : 15 → 16" in lines
    assert ("  C0016 Directrice 16 <d16@ot.fr> (role-ot) : sortie de la liste d’attente, place 16 "
            "sur 16") in lines
    assert lines[-2:] == ["1 message sera envoyé :",
                          "  inscription confirmée → d16@ot.fr : « Groupe de travail »"]
    assert not any("sequence" in line or "{" in line for line in lines)


def test_a_new_meeting_is_told_in_words_without_the_invitations_sequence(full_role_ot_state: State) -> None:
    plan = plan_group_change(full_role_ot_state, "role-ot", NOW,
                             starts_at=NOW.replace(year=2027, month=9, day=21), place="Royan")
    lines = [plain(line) for line in plan_lines(plan, [], applied=True)]
    assert "  première rencontre : jeudi 16 septembre 2027 à 9 h 30 → mardi 21 septembre 2027 à 11 h" \
        in lines
    assert "  lieu de la première rencontre : La Rochelle (Charente-Maritime) → Royan" in lines
    assert lines[-1] == "Aucun message envoyé."
    assert not any(ISO_STAMP.search(line) or "sequence" in line for line in lines)


def test_an_add_on_a_full_group_says_who_is_displaced(full_role_ot_state: State) -> None:
    plan = plan_add(full_role_ot_state, "role-ot", NOW, email="Anne.Morel@ot-correze.fr", name="Anne Morel",
                    department="19", structure=None, role="Directrice",
                    received_at=NOW - timedelta(days=25))
    sends = [("confirmed", ["anne.morel@ot-correze.fr"], "Re : Candidature"),
             ("waitlisted", ["d15@ot.fr"], "Re : Candidature")]
    lines = [plain(line) for line in plan_lines(plan, sends, applied=True)]
    assert lines[1] == ("  C0017 Anne Morel <anne.morel@ot-correze.fr> (role-ot) : nouvelle "
                        "candidature, confirmée, place 15 sur 15")  # the place C0015 gives back
    assert "  C0015 Directrice 15 <d15@ot.fr> (role-ot) : passée en liste d’attente, position 1" \
        in lines
    assert lines[-3:] == ["2 messages envoyés :",
                          "  inscription confirmée → anne.morel@ot-correze.fr : « Re : Candidature »",
                          "  liste d’attente → d15@ot.fr : « Re : Candidature »"]


def test_an_idea_validated_is_told_with_the_boards_day(fresh_state: State) -> None:
    idea = Idea(id="I0003", seq=3, email="thomas@pat.fr", name="Thomas", subject="Accueil hors les murs",
                summary="…", received_at=NOW - timedelta(days=40), message_key="i3",
                status=IdeaStatus.NOTE_RECEIVED)
    state = replace(fresh_state, ideas=(idea,))
    change = validate(state, "i0003", date(2026, 11, 24), True, NOW, "staff")
    plan = plan_idea(state, change, "idea-validate", NOW)
    lines = [plain(line) for line in plan_lines(
        plan, [("idea-validated", ["thomas@pat.fr"], "Re : Accueil hors les murs")], applied=False)]
    assert lines == [
        "Idée validée par le CA : I0003 « Accueil hors les murs »",
        "  Idée I0003 « Accueil hors les murs » : note d’intention reçue → validée par le CA (séance "
        "du CA du mardi 24 novembre 2026, co-animé par l’équipe de la MONA)",
        "1 message sera envoyé :",
        "  idée validée → thomas@pat.fr : « Re : Accueil hors les murs »",
    ]


def test_a_plan_is_typeset_the_french_way(full_role_ot_state: State) -> None:
    plan = plan_group_change(full_role_ot_state, "role-ot", NOW, capacity=16)
    first = plan_lines(plan, [], applied=False)[0]
    assert "«\u00a0Communiquer" in first and "Tourisme\u00a0»" in first


def test_the_cli_plan_and_the_email_plan_are_the_same_lines(shipped_settings: Settings) -> None:
    state = State(groups=shipped_settings.groups, departments=shipped_settings.departments)
    plan = plan_group_change(state, "ot-ruraux", NOW, capacity=22)
    assert plan_lines(plan, [], applied=False, tz=shipped_settings.tz) == plan_lines(plan, [], applied=False)
