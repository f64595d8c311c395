"""One value in force, said everywhere: staff's change to a group wins over groups.toml, and
check-config, status and groups show say so where the file says otherwise; `groups reset` goes
back to the file's value."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from mailflow.config.settings import Settings
from mailflow.core.decide.overrides import plan_group_reset, reset_keys
from mailflow.errors import StaffActionError
from mailflow.model.values import State
from mailflow.store import Store
from mailflow.store.schema import problem

from .helpers.messages import deliver, staff_answer, staff_message
from .helpers.project import NOW, edit_file
from .helpers.runs import cli, member_mail, run_once, staff_action_mail
from .helpers.worlds import dordogne_story

CAPACITY_LINE = re.compile(
    r"capacity : groups\.toml dit 30 ; l’équipe a fixé 25 le \w+ \d+(?:er)? \w+ \d{4} par (\S+) : "
    r"c’est 25 qui vaut ; pour revenir à la valeur du fichier : "
    r"mailflow groups reset ot-ruraux capacity")


def edit_groups(settings: Settings, old: str, new: str) -> None:
    """Change groups.toml as an operator would, in the group « ot-ruraux »."""
    edit_file(settings.groups_file, old, new, after='id = "ot-ruraux"')


def test_staffs_capacity_wins_and_every_command_says_so(workspace: Settings,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, workspace, "groups", "set", "ot-ruraux", "--capacity", "25")[0] == 0
    edit_groups(workspace, "capacity = 20", "capacity = 30")
    code, out, _ = cli(capsys, workspace, "check-config")
    assert code == 0
    assert "groupe ot-ruraux : 25 places" in out  # the value in force, not the file's
    said = CAPACITY_LINE.search(out)
    assert said is not None and "attention : groupe ot-ruraux, capacity" in out
    assert out.strip().endswith("configuration correcte, 1 avertissement (attention ci-dessus)")
    code, out, _ = cli(capsys, workspace, "status")
    assert "ot-ruraux            ouvert      0 / 25     25       0" in out
    assert CAPACITY_LINE.search(out) is not None
    code, out, _ = cli(capsys, workspace, "groups", "show", "ot-ruraux")
    assert "places : 0 prise sur 25, 25 libres" in out and CAPACITY_LINE.search(out) is not None
    code, out, _ = cli(capsys, workspace, "groups", "show", "ot-ruraux", "--json")
    (override,) = json.loads(out)["overrides"]
    assert override["key"] == "capacity" and (override["file"], override["in_force"]) == (30, 25)
    assert override["changed_at"] and override["changed_by"] == said.group(1)
    # The other groups are as the file says: nothing is said of them.
    assert len(CAPACITY_LINE.findall(cli(capsys, workspace, "status")[1])) == 1
    assert "groupe role-ot," not in cli(capsys, workspace, "check-config")[1]


def test_a_change_by_email_names_the_staff_member(workspace: Settings, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Passer la capacité du groupe OT ruraux à 25 places")])
    run_once(workspace)
    deliver(workspace, [staff_answer(tmp_path, staff_action_mail(workspace)[-1], "Oui")])
    run_once(workspace)
    edit_groups(workspace, "capacity = 20", "capacity = 30")
    _, out, _ = cli(capsys, workspace, "check-config")
    said = CAPACITY_LINE.search(out)
    assert said is not None and said.group(1) == "animation@monatourisme.fr"


def test_an_older_store_says_the_date_is_unknown(workspace: Settings,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with Store(workspace.store_path) as store:  # as a store written before dates were kept
        store.set_group_override("ot-ruraux", {"capacity": 25, "call": "closed"})
        store.commit()
    _, out, _ = cli(capsys, workspace, "status")
    assert ("groupe ot-ruraux, capacity : groups.toml dit 20 ; l’équipe a fixé 25 (date inconnue) : "
            "c’est 25 qui vaut") in out
    assert ("groupe ot-ruraux, call : groups.toml dit ouvert ; l’équipe a fixé clos (date inconnue) : "
            "c’est clos qui vaut ; pour revenir à la valeur du fichier : "
            "mailflow groups reset ot-ruraux call") in out


def test_a_file_that_agrees_with_staff_says_nothing(workspace: Settings,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, workspace, "groups", "set", "ot-ruraux", "--capacity", "25")[0] == 0
    edit_groups(workspace, "capacity = 20", "capacity = 25")
    for command in (["check-config"], ["status"], ["groups", "show", "ot-ruraux"]):
        _, out, _ = cli(capsys, workspace, *command)
        assert "groups.toml dit" not in out and "attention" not in out, command
    _, out, _ = cli(capsys, workspace, "status", "--json")
    assert all(row["overrides"] == [] for row in json.loads(out))


def test_reset_goes_back_to_the_file_after_a_dry_run(workspace: Settings,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, workspace, "groups", "set", "ot-ruraux", "--capacity", "25")[0] == 0
    assert cli(capsys, workspace, "groups", "close", "ot-ruraux")[0] == 0
    edit_groups(workspace, "capacity = 20", "capacity = 30")
    code, out, _ = cli(capsys, workspace, "groups", "reset", "ot-ruraux", "capacity", "--dry-run")
    assert code == 0
    assert "Retour aux valeurs de groups.toml pour le groupe « Offices de Tourisme ruraux » " \
           "(ot-ruraux) : capacity" in out
    assert "  places : 25 → 30" in out and "appel" not in out.split("capacity", 1)[1]
    assert out.strip().endswith("Essai à blanc : rien n’a été modifié, aucun message n’est parti.")
    assert CAPACITY_LINE.search(cli(capsys, workspace, "status")[1]) is not None  # still in force
    assert cli(capsys, workspace, "groups", "reset", "ot-ruraux", "capacity")[0] == 0
    _, out, _ = cli(capsys, workspace, "status")
    assert "ot-ruraux            clos        0 / 30" in out  # the call staff closed stays closed
    assert "capacity :" not in out and "call : groups.toml dit ouvert" in out
    with Store(workspace.store_path, read_only=True) as store:
        event = store.history()[-1]
        assert store.group_overrides()["ot-ruraux"].keys() == {"id", "call", "changed"}
    assert event["action"] == "group-reset" and event["reset"] == ["capacity"]
    # Without a key: every change staff made; then there is nothing left to go back to.
    assert cli(capsys, workspace, "groups", "reset", "OT-Ruraux")[0] == 0
    code, out, _ = cli(capsys, workspace, "groups", "reset", "ot-ruraux")
    assert code == 0 and "rien à rétablir" in out
    with Store(workspace.store_path, read_only=True) as store:
        assert "ot-ruraux" not in store.group_overrides()
    _, out, _ = cli(capsys, workspace, "check-config")
    assert "groupe ot-ruraux : 30 places, appel ouvert" in out and "attention" not in out


def test_a_moot_change_is_dropped_by_reset(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, workspace, "groups", "set", "ot-ruraux", "--capacity", "25")[0] == 0
    edit_groups(workspace, "capacity = 20", "capacity = 25")
    code, out, _ = cli(capsys, workspace, "groups", "reset", "ot-ruraux")
    assert code == 0 and "rien ne change" in out
    edit_groups(workspace, "capacity = 25", "capacity = 30")  # the file is in force again
    _, out, _ = cli(capsys, workspace, "status")
    assert "0 / 30" in out and "groups.toml dit" not in out


def test_resetting_the_meeting_sends_the_files_date_again(workspace: Settings,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    dordogne_story(workspace)  # Marie and Luc confirmed: they hold an invitation
    assert cli(capsys, workspace, "groups", "set", "ot-ruraux", "--meeting-date",
               "2027-04-13T10:00")[0] == 0
    _, out, _ = cli(capsys, workspace, "groups", "show", "ot-ruraux")
    assert ("first_meeting.starts_at : groups.toml dit mardi 6 avril 2027 à 9 h 30 ; l’équipe a fixé "
            "mardi 13 avril 2027 à 10 h") in out
    assert "first_meeting.place" not in out  # the place was not changed: the file's is in force
    before = len(member_mail(workspace))
    code, out, _ = cli(capsys, workspace, "groups", "reset", "ot-ruraux", "first_meeting")
    assert code == 0, out
    assert "première rencontre : mardi 13 avril 2027 à 10 h → mardi 6 avril 2027 à 9 h 30" in out
    updates = member_mail(workspace)[before:]
    assert {m["X-Mailflow-Outcome"] for m in updates} == {"meeting-changed"} and len(updates) == 2
    _, out, _ = cli(capsys, workspace, "groups", "show", "ot-ruraux", "--json")
    shown = json.loads(out)
    assert shown["meeting_sequence"] == 2 and shown["overrides"] == []
    assert shown["first_meeting"] == "2027-04-06T09:30:00+02:00"


@pytest.mark.parametrize(("args", "message"), [
    (["ot-ruraux", "nope"], "clé inconnue « nope » ; clés possibles : capacity, call, closes_at"),
    (["nope"], "groupe inconnu « nope »"),
])
def test_reset_refusals_say_why(workspace: Settings, capsys: pytest.CaptureFixture[str],
                                args: list[str], message: str) -> None:
    code, _, err = cli(capsys, workspace, "groups", "reset", *args)
    assert code == 2 and message in err


def test_the_store_checks_when_and_by_whom() -> None:
    sound = {"id": "ot-ruraux", "capacity": 25,
             "changed": {"capacity": {"at": "2026-12-07T10:00:00+00:00", "by": "animation@monatourisme.fr"}}}
    assert problem("groups", sound) is None
    assert problem("groups", {"id": "ot-ruraux", "capacity": 25}) is None  # an older store
    found = problem("groups", {**sound, "changed": {"capacity": {"at": "hier"}}})
    assert found is not None and found[0] == "changed"


def test_reset_keys_as_people_type_them() -> None:
    assert reset_keys(["closes-at"]) == ["closes_at"]
    assert reset_keys(["First_Meeting"]) == ["first_meeting.starts_at", "first_meeting.place"]
    assert reset_keys([]) == []


def test_a_group_drafted_from_an_idea_has_no_file_value_to_go_back_to(workspace: Settings) -> None:
    drafted = replace(workspace.groups["role-ot"], id="accueil-hors-les-murs")
    state = State(groups={**workspace.groups, drafted.id: drafted}, departments=workspace.departments)
    with pytest.raises(StaffActionError, match=r"n’est pas dans groups\.toml .*préparé à partir d’une idée"):
        plan_group_reset(state, drafted.id, workspace.groups, {"capacity": 3}, [], NOW)
