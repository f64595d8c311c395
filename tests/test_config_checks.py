"""What check-config warns about and refuses in the files people edit: a capacity below the
places taken, a meeting without its hour, TOML syntax errors said in French with their line."""

from __future__ import annotations

import ast
import inspect
import tomllib
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.config.tomlerrors import where_and_what
from mailflow.errors import ConfigError

from .helpers.messages import deliver
from .helpers.project import SAMPLES, edit_file
from .helpers.runs import cli


def check_config(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return cli(capsys, settings, "check-config")


@pytest.mark.parametrize(("capacity", "warned"), [(2, True), (3, False), (20, False)])
def test_a_capacity_below_the_places_taken_is_a_warning(workspace: Settings, capacity: int, warned: bool,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    deliver(workspace, SAMPLES)
    assert main(["--config", str(workspace.file), "run", "--once"]) == 0
    capsys.readouterr()  # ot-ruraux: 3 places taken (two confirmed, one held for an answer)
    edit_file(workspace.groups_file, "capacity = 20", f"capacity = {capacity}", after='id = "ot-ruraux"')
    code, out, _ = check_config(workspace, capsys)
    assert code == 0
    line = ("attention : groupe ot-ruraux : 2 places pour 3 déjà prises : personne ne perd sa place, "
            "les nouvelles candidatures attendront")
    assert (line in out) is warned
    assert out.strip().endswith("1 avertissement (attention ci-dessus)") is warned


def test_a_meeting_date_without_its_hour_is_refused(workspace: Settings,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    edit_file(workspace.groups_file, "starts_at = 2027-04-06T09:30:00", "starts_at = 2027-04-06")
    code, out, err = check_config(workspace, capsys)
    assert code == 2 and out == ""
    assert (f"{workspace.groups_file} : groupe « ot-ruraux » (n° 2) : first_meeting.starts_at : date et "
            "heure attendues : 2027-04-06 n’a pas d’heure ; écrivez par exemple 2027-04-06T09:30:00 "
            "(sans guillemets)") in err


def test_a_closing_date_alone_is_still_midnight(workspace: Settings) -> None:
    edit_file(workspace.groups_file, 'call = "open"', 'call = "open"\ncloses_at = 2027-01-15',
              after='id = "ot-ruraux"')
    loaded = config.load(workspace.file).groups["ot-ruraux"]
    assert loaded.closes_at is not None and (loaded.closes_at.hour, loaded.closes_at.minute) == (0, 0)


# --- TOML syntax errors --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where", "what"), [
    ('[network]\nname = "MONA" Groupes\n', "ligne 2, colonne 15",
     "fin de ligne attendue après la valeur (une seule clé = valeur par ligne ; un texte s’écrit "
     "entre guillemets)"),
    ('[network]\nname = "a"\nname = "b"\n', "ligne 3, colonne 11",
     "cette clé a déjà une valeur plus haut dans le fichier (une clé ne s’écrit qu’une fois)"),
    ("[network]\n[network]\n", "ligne 2, colonne 9", "la table « network » est déclarée deux fois"),
    ("[network]\nname = MONA\n", "ligne 2, colonne 8", "valeur incomprise (un texte s’écrit entre "
                                                      "guillemets"),
    ('[network]\nname = "MONA\n', "ligne 2, colonne 13",
     "texte non fermé sur sa ligne : le guillemet de fin manque"),
    ("[network]\nstaff = [\"a@b.fr\"\n", "à la fin du fichier", "liste non fermée : « ] » attendu"),
    ("[network\n", "ligne 1, colonne 9", "« ] » attendu à la fin du nom de la table"),
    ("[network]\nname \"x\"\n", "ligne 2, colonne 6", "« = » attendu après la clé"),
])
def test_toml_syntax_errors_are_french_with_the_file_and_line(tmp_path: Path, text: str, where: str,
                                                              what: str) -> None:
    bad = tmp_path / "mailflow.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(bad)
    assert caught.value.file == str(bad) and caught.value.key == where
    assert caught.value.problem.startswith(f"ce n’est pas du TOML valide : {what}")
    assert str(caught.value).startswith(f"{bad} : {where} : ce n’est pas du TOML valide : ")


def test_a_file_not_in_utf8_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "mailflow.toml"
    bad.write_bytes('[network]\nname = "Communiqué"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="n’est pas en UTF-8"):
        config.load(bad)


def _messages() -> list[str]:
    """Every message the running Python's tomllib raises (its source read, not guessed), with
    a sample key where the message names one."""
    source = inspect.getsource(tomllib._parser)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "suffixed_err":
            message = node.args[2]
            if isinstance(message, ast.Constant):
                found.append(str(message.value))
            elif isinstance(message, ast.JoinedStr):
                found.append("".join(str(v.value) if isinstance(v, ast.Constant) else
                                     "'x'" if getattr(v, "conversion", -1) == ord("r") else
                                     "('group', 'x')" for v in message.values))
    return sorted(set(found))


@pytest.mark.parametrize("message", _messages())
def test_every_message_of_tomllib_has_its_french(message: str) -> None:
    where, what = where_and_what(f"{message} (at line 3, column 9)")
    assert where == "ligne 3, colonne 9"
    assert what != message and "(" not in what.split(" ")[0]
    if "('group', 'x')" in message:  # a key named as TOML writes it
        assert "« group.x »" in what
    elif "'x'" in message:
        assert "« x »" in what


def test_an_unknown_message_is_kept_as_it_is() -> None:
    assert where_and_what("Something new (at end of document)") == ("à la fin du fichier",
                                                                     "Something new")
    assert where_and_what("No position at all") == ("", "No position at all")


# --- type words agree with their noun -------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "said"), [
    ('staff = ["animation@monatourisme.fr"]', 'staff = "animation@monatourisme.fr"',
     "network.staff : liste attendue, trouvé « animation@monatourisme.fr »"),
    ("poll_seconds = 30", 'poll_seconds = "30"', "daemon.poll_seconds : nombre attendu, trouvé « 30 »"),
    ("enabled = true", 'enabled = "oui"', "digest.enabled : valeur true ou false attendue, trouvé « oui »"),
])
def test_what_was_expected_agrees_with_its_noun(workspace: Settings, old: str, new: str, said: str) -> None:
    edit_file(workspace.file, old, new)
    with pytest.raises(ConfigError) as caught:
        config.load(workspace.file)
    assert said in str(caught.value)


def test_a_table_expected_is_said_in_the_feminine(workspace: Settings) -> None:
    text = workspace.file.read_text(encoding="utf-8")
    workspace.file.write_text("digest = 3\n" + text[:text.index("[digest]")], encoding="utf-8")
    with pytest.raises(ConfigError, match="digest : table attendue, trouvé 3"):
        config.load(workspace.file)
