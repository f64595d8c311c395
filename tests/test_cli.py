"""The command line as people use it: every command documented, outputs, errors, the daemon's stop."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow import config
from mailflow.cli import parser
from mailflow.config.groupfiles import load_groups
from mailflow.config.settings import Settings
from mailflow.errors import ConfigError

from .helpers.messages import deliver
from .helpers.project import ROOT, SAMPLES, local_config
from .helpers.runs import cli, command_lines, plain, run_cli


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = command_lines(parser())
    assert "mailflow run --dry-run" in listed and "mailflow candidates list" in listed
    missing = []
    for line in listed:
        *words, last = line.split()
        if last.startswith("--"):
            # `mailflow status [--json]` documents `mailflow status --json`.
            pattern = re.escape(" ".join(words)) + r"[^\n|]*" + re.escape(last)
        else:
            pattern = re.escape(line)
        if not re.search(pattern, readme):
            missing.append(line)
    assert missing == []


def test_run_once_prints_a_summary_and_status_shows_the_groups(
    workspace_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deliver(config.load(workspace_config), SAMPLES)
    code, out, _ = cli(capsys, workspace_config, "run", "--once")
    assert code == 0
    assert "13 messages traités" in out
    assert "réponse (inscription confirmée) → marie.dupont@ot-perigord-noir.fr" in out
    code, out, _ = cli(capsys, workspace_config, "status")
    assert code == 0
    assert re.search(r"ot-ruraux\s+ouvert\s+3 / 20\s+17\s+1", out)
    assert re.search(r"role-ot\s+ouvert\s+1 / 15\s+14\s+0", out)


def test_status_json(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deliver(config.load(workspace_config), SAMPLES[:4])
    cli(capsys, workspace_config, "run", "--once")
    code, out, _ = cli(capsys, workspace_config, "status", "--json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert code == 0
    assert (rows["ot-ruraux"]["confirmed"], rows["ot-ruraux"]["needs_info"],
            rows["ot-ruraux"]["left"]) == (1, 1, 18)
    assert rows["role-ot"]["taken"] == 1 and rows["role-ot"]["accepting"] is True


def test_candidates_list(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deliver(config.load(workspace_config), SAMPLES)
    cli(capsys, workspace_config, "run", "--once")
    code, out, _ = cli(capsys, workspace_config, "candidates", "list", "ot-ruraux", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["email"], r["status"], r["position"]) for r in rows] == [
        ("marie.dupont@ot-perigord-noir.fr", "confirmed", 1),
        ("s.lacombe@tourisme-creuse-sud.fr", "needs-info", None),
        # Sophie's place is held while she answers: Luc, after her, has place 3, and keeps it
        ("luc.garnier@ot-bastides-dordogne.fr", "confirmed", 3),
        ("nadia.roux@ot-isle-auvezere.fr", "waitlisted", 1),
    ]
    assert rows[1]["missing"] == ["fte"]
    code, out, _ = cli(capsys, workspace_config, "candidates", "list", "ot-ruraux")
    assert "informations demandées" in out and "ETP" in out


def test_candidates_list_of_an_unknown_group(workspace_config: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, workspace_config, "candidates", "list", "nope")
    assert code == 2
    assert "groupe inconnu « nope »" in err and "ot-ruraux" in err


def test_groups_list(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, workspace_config, "groups", "list", "--json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == ["porteurs-de-projet", "ot-ruraux", "role-ot"]


def test_dry_run_prints_what_it_would_send(workspace_config: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    settings = config.load(workspace_config)
    deliver(settings, SAMPLES[:2])
    code, out, _ = cli(capsys, workspace_config, "run", "--dry-run")
    assert code == 0
    assert "réponse prévue (inscription confirmée) → marie.dupont@ot-perigord-noir.fr" in out
    assert out.strip().splitlines()[-1].startswith("Essai à blanc : rien n’a été modifié")
    assert not settings.store_path.exists()


def test_check_config_on_the_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--config", str(ROOT / "config" / "mailflow.toml"),
                           "check-config")
    assert code == 0
    assert "groupe ot-ruraux : 20 places" in out
    assert "départements : 12 (dont 4 littoraux)" in out
    assert out.strip().endswith("configuration correcte")


def test_check_config_names_the_key_and_the_file(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    groups = tmp_path / "groups.toml"
    groups.write_text((ROOT / "config" / "groups.toml").read_text(encoding="utf-8")
                      .replace("capacity = 20", 'capacity = "vingt"'), encoding="utf-8")
    cfg = local_config(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(str(ROOT / "config" / "groups.toml"),
                                                           str(groups)), encoding="utf-8")
    code, _, err = run_cli(capsys, "--config", str(cfg), "check-config")
    assert code == 2
    assert (f"{groups} : groupe « ot-ruraux » (n° 2) : capacity : nombre entier attendu, "
            "trouvé « vingt »") in err


BASE = (ROOT / "config" / "mailflow.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('address = "groupes@monatourisme.fr"', "", "network.address", "absente"),
        ('address = "groupes@monatourisme.fr"', 'address = "groupes"', "network.address",
         "pas une adresse électronique"),
        ('timezone = "Europe/Paris"', 'timezone = "Europe/Bordeaux"', "network.timezone",
         "fuseau horaire inconnu"),
        ('staff = ["animation@monatourisme.fr"]', "staff = []", "network.staff", "au moins une adresse"),
        ('url = "maildir:../var/mailbox"', 'url = "pop3://x"', "mailbox.url",
         "« pop3 » n’est pas pris en charge"),
        ("poll_seconds = 30", "poll_seconds = -1", "daemon.poll_seconds", "doit être positif"),
        ("poll_seconds = 30", 'poll_seconds = "30"', "daemon.poll_seconds", "nombre attendu"),
        ('[store]\npath = "../var/mailflow.json"', "", "store", "absente"),
    ],
)
def test_configuration_errors_name_the_key(tmp_path: Path, old: str, new: str, key: str,
                                           problem: str) -> None:
    assert old in BASE
    cfg = tmp_path / "config" / "mailflow.toml"
    cfg.parent.mkdir()
    for name in ("groups.toml", "departments.toml"):
        (cfg.parent / name).write_text((ROOT / "config" / name).read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    cfg.write_text(BASE.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(cfg)
    assert caught.value.key == key
    assert caught.value.file == str(cfg)
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('roles = ["director"]', 'roles = ["mayor"]', "groupe « ot-ruraux » (n° 2) : criteria.roles",
         "valeur inconnue « mayor » ; valeurs possibles : director, other"),
        ('id = "role-ot"', 'id = "ot-ruraux"', "groupe « ot-ruraux » (n° 3) : id", "défini deux fois"),
        ('id = "role-ot"', 'id = "Rôle OT"', "groupe « Rôle OT » (n° 3) : id", "lettres minuscules"),
        ("capacity = 15\nrequired", "capacity = 0\nrequired",
         "groupe « porteurs-de-projet » (n° 1) : capacity", "au moins 1"),
        ('required = ["name", "structure", "role", "department"]\ncommitment = "suivre les deux '
         'journées en présentiel et au moins deux réunions à distance ; les frais de déplacement '
         'sont à la charge de la structure participante"\ncall = "open"\ncloses_at',
         'required = ["name", "age"]\ncommitment = "x"\ncall = "open"\ncloses_at',
         "groupe « role-ot » (n° 3) : required", "champ inconnu « age »"),
        ("starts_at = 2027-04-06T09:30:00", 'starts_at = "bientôt"',
         "groupe « ot-ruraux » (n° 2) : first_meeting.starts_at", "date et heure attendues"),
        ('call = "open"\n\n[group.quotas]', 'call = "ouvert"\n\n[group.quotas]',
         "groupe « ot-ruraux » (n° 2) : call",
         "valeur inconnue « ouvert » ; valeurs possibles : draft, open, closed"),
    ],
)
def test_group_file_errors_name_the_key(tmp_path: Path, old: str, new: str, key: str,
                                        problem: str) -> None:
    text = (ROOT / "config" / "groups.toml").read_text(encoding="utf-8")
    assert old in text
    groups = tmp_path / "groups.toml"
    groups.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_groups(groups, ZoneInfo("Europe/Paris"))
    assert (caught.value.key, caught.value.file) == (key, str(groups))
    assert problem in caught.value.problem


def test_a_missing_configuration_file_is_named(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--config", str(tmp_path / "nope.toml"), "status")
    assert code == 2
    assert f"{tmp_path / 'nope.toml'} : fichier de configuration introuvable" in err


def test_invalid_toml_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "mailflow.toml"
    bad.write_text("[network]\nname = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ligne 2, colonne 8 : ce n’est pas du TOML valide : "
                                          r"valeur incomprise"):
        config.load(bad)


def _daemon(cfg: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "mailflow", "--config", str(cfg), "run"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_daemon_answers_while_running_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    cfg = local_config(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("poll_seconds = 30", "poll_seconds = 1"),
                   encoding="utf-8")
    settings: Settings = config.load(cfg)
    assert settings.delivery.path is not None
    proc = _daemon(cfg)
    try:
        deadline = time.monotonic() + 15
        while not settings.store_path.with_name(settings.store_path.name + ".lock").exists():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        deliver(settings, SAMPLES[:2])
        while len(list(settings.delivery.path.glob("*.eml"))) < 2:
            assert time.monotonic() < deadline, "no reply within 15 s"
            assert proc.poll() is None
            time.sleep(0.1)
        # A second reader of the mailbox is kept out, with a clear message...
        second = subprocess.run([sys.executable, "-m", "mailflow", "--config", str(cfg), "run",
                                 "--once"], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert "un autre mailflow lit déjà cette boîte (mailflow pid" in plain(second.stderr)
        # ...but staff act while it runs (between its jobs), and it sees what they did.
        staff = subprocess.run([sys.executable, "-m", "mailflow", "--config", str(cfg), "groups",
                                "close", "ot-ruraux"], cwd=ROOT, capture_output=True, text=True,
                               timeout=60)
        assert staff.returncode == 0, staff.stderr
        deliver(settings, SAMPLES[8:9])  # a candidature to the group just closed
        # The answer to it says the call is closed (a digest of the day may go out meanwhile).
        while not any(b"X-Mailflow-Outcome: closed" in p.read_bytes()
                      for p in settings.delivery.path.glob("*.eml")):
            assert time.monotonic() < deadline + 15, "no reply to the third message"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "signal SIGTERM reçu" in err and "mailflow arrêté" in err


def _mailbox_config(tmp_path: Path, mailbox: str) -> Path:
    cfg = local_config(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    start = text.index('url = "maildir:')
    end = text.index("\n", start)
    cfg.write_text(text[:start] + mailbox + text[end:], encoding="utf-8")
    return cfg


@pytest.mark.parametrize(
    ("mailbox", "key", "problem"),
    [
        ('url = "imap://groupes@mail.example.fr/INBOX"\nallow_plaintext = "yes"',
         "mailbox.allow_plaintext", "écrivez exactement « passwords and mail travel unencrypted »"),
        ('url = "imaps://groupes@mail.example.fr/INBOX"\n'
         'allow_plaintext = "passwords and mail travel unencrypted"',
         "mailbox.allow_plaintext", "imaps:// passe toujours par TLS"),
        ('url = "imaps://mail.example.fr/INBOX"', "mailbox.url", "aucun utilisateur"),
        ('url = "imaps://groupes@mail.example.fr:port/INBOX"', "mailbox.url", "port invalide"),
        ('url = "imaps://groupes@mail.example.fr/INBOX"\nauth = "xoauth2"',
         "mailbox.oauth_token_command", "demande oauth_token_command ou oauth_token_file"),
        ('url = "imaps://groupes@mail.example.fr/INBOX"\nauth = "kerberos"', "mailbox.auth",
         "valeurs possibles : password, xoauth2"),
    ],
)
def test_server_settings_errors(tmp_path: Path, mailbox: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(_mailbox_config(tmp_path, mailbox))
    assert caught.value.key == key
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("mailbox", "tls", "port", "user", "folder"),
    [
        ('url = "imaps://groupes@monatourisme.fr@mail.example.fr/INBOX"', "implicit", 993,
         "groupes@monatourisme.fr", "INBOX"),
        ('url = "imaps://groupes%40monatourisme.fr@mail.example.fr:1993/Candidatures"', "implicit",
         1993, "groupes@monatourisme.fr", "Candidatures"),
        ('url = "imap://groupes@mail.example.fr"', "starttls", 143, "groupes", "INBOX"),
        ('url = "imap://groupes@mail.example.fr/INBOX"\n'
         'allow_plaintext = "passwords and mail travel unencrypted"', "none", 143, "groupes", "INBOX"),
    ],
)
def test_server_urls(tmp_path: Path, mailbox: str, tls: str, port: int, user: str,
                     folder: str) -> None:
    server = config.load(_mailbox_config(tmp_path, mailbox)).mailbox.server
    assert server is not None
    assert (server.tls, server.port, server.auth.user, server.folder) == (tls, port, user, folder)
    assert server.auth.password_env == "MAILFLOW_IMAP_PASSWORD"


def readme_server_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Connect to your mailbox", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```toml\n(.*?)```", section, re.DOTALL)


@pytest.mark.parametrize("example", readme_server_examples(), ids=["hosted", "xoauth2"])
def test_readme_server_examples_are_valid(tmp_path: Path, example: str) -> None:
    cfg = local_config(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    start, end = text.index("[mailbox]"), text.index("[store]")
    cfg.write_text(text[:start] + example + "\n" + text[end:], encoding="utf-8")
    settings = config.load(cfg)
    assert settings.mailbox.server is not None and settings.delivery.server is not None
    assert settings.mailbox.server.auth.user == "groupes@monatourisme.fr"
    assert settings.delivery.server.tls == "starttls"


@pytest.mark.parametrize(("file", "old", "new", "key", "hint"), [
    ("mailflow.toml", "[daemon]", "[deamon]", "deamon", "vouliez-vous dire « daemon » ?"),
    ("mailflow.toml", "poll_seconds = 30", "poll_second = 30", "daemon.poll_second",
     "vouliez-vous dire « poll_seconds » ?"),
    ("mailflow.toml", "[network]\n", "[network]\naliasses = []\n", "network.aliasses", "clés possibles"),
    ("groups.toml", "[group.quotas]", "[group.quota]", "groupe « ot-ruraux » (n° 2) : quota",
     "vouliez-vous dire « quotas » ?"),
    ("groups.toml", 'call = "open"\ncloses_at', 'call = "open"\nconfirm_within_hour = 48\ncloses_at',
     "groupe « role-ot » (n° 3) : confirm_within_hour", "vouliez-vous dire « confirm_within_hours » ?"),
    ("groups.toml", "aliases = [\n  \"OT ruraux\",", "aliasses = [\n  \"OT ruraux\",",
     "groupe « ot-ruraux » (n° 2) : aliasses", "vouliez-vous dire « aliases » ?"),
    ("groups.toml", "fte_below = 10", "fte_bellow = 10", "groupe « ot-ruraux » (n° 2) : criteria.fte_bellow",
     "vouliez-vous dire « fte_below » ?"),
    ("departments.toml", "coastal = true", "coastal = true\nlittoral = true",
     "département « 17 » (n° 2) : littoral", "clé inconnue"),
])
def test_a_misspelt_key_is_an_error_that_names_it_and_the_nearest_known_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, old: str, new: str, key: str,
        hint: str) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    for name in ("mailflow.toml", "groups.toml", "departments.toml"):
        text = (ROOT / "config" / name).read_text(encoding="utf-8")
        if name == file:
            assert old in text
            text = text.replace(old, new, 1)
        (folder / name).write_text(text, encoding="utf-8")
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    code, out, err = run_cli(capsys, "--config", str(folder / "mailflow.toml"), "check-config")
    assert code == 2 and "configuration correcte" not in out
    assert f"{folder / file} : {key} : clé inconnue" in err and hint in err
