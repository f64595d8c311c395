"""The README's « Run it as a service » followed as far as a machine without systemd allows: a
plain install into a fresh virtual environment, the configuration where the README puts it, a
sample email answered from a neutral folder, and the unit checked by systemd-analyze."""

from __future__ import annotations

import email
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from email import policy
from pathlib import Path

import pytest

from .helpers.project import ROOT

pytestmark = pytest.mark.install

#: The machine the recipe was followed on: the folder standing for /, and what the recipe printed.
Installed = tuple[Path, subprocess.CompletedProcess[str]]

#: The recipe's places, moved under the test's folder (in this order: longer paths first).
PLACES = ("/etc/systemd/system", "/usr/local/bin", "/opt/mailflow", "/etc/mailflow", "/var/lib/mailflow")
#: What needs root or systemd: left out here (everything runs as the test's user).
LEFT_OUT = re.compile(r"^(apt-get|useradd|systemctl) ")
#: What the project's copy leaves behind: the tests' and tools' leftovers, the virtual environment.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__",
                                    ".*_cache", ".hypothesis", "test-artifacts")


def recipe() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("### Run it as a service"):readme.index("### What happens when")]
    (block,) = re.findall(r"```sh\n(.*?)```", part, re.S)
    return str(block)


def here(block: str, root: Path, src: Path) -> str:
    """The recipe as this machine can run it: its places under `root`, the project's copy as
    `SRC`, no user made, and pip without the network (dependencies from this environment)."""
    deps = sysconfig.get_paths()["purelib"]
    lines = []
    for line in block.splitlines():
        if LEFT_OUT.match(line):
            continue
        line = line.replace("-o mailflow -g mailflow ", "").replace("runuser -u mailflow -- ", "")
        if line.startswith("SRC="):
            line = f"SRC={src}"
        for place in PLACES:
            line = line.replace(place, f"{root}{place}")
        if line.startswith("python3 -m venv "):
            line = line.replace("python3", sys.executable, 1)
        if "/bin/pip install " in line:
            venv = line.split("/bin/pip", 1)[0]
            lines.append(f"echo {deps} > \"$({venv}/bin/python -c 'import sysconfig; "
                         f"print(sysconfig.get_paths()[\"purelib\"])')/test-dependencies.pth\"")
            line = line.replace("pip install ", "pip install -q --no-index --no-build-isolation --no-deps ")
        lines.append(line)
    return "\n".join(lines) + "\n"


def neutral(root: Path) -> Path:
    folder = root / "somewhere"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The recipe run once: the root folder standing for /, and what the script printed."""
    for needed in ("setuptools", "wheel"):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{needed} is missing here: the project cannot be built without the network")
    root = tmp_path_factory.mktemp("machine")
    src = root / "usr" / "local" / "src" / "mailflow"
    shutil.copytree(ROOT, src, ignore=NOT_COPIED)
    for place in PLACES:
        (root / place.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    (root / "etc" / "systemd" / "system").mkdir(parents=True)
    (root / "usr" / "local" / "bin").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILFLOW_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{root}/usr/local/bin:{env.get('PATH', '/usr/bin:/bin')}"
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", here(recipe(), root, src)],
                          cwd=neutral(root), env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return root, done


def command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command as an operator types it: the README's wrapper, from a folder not the project's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILFLOW_", "PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([str(root / "usr/local/bin/mailflow"), *args], cwd=neutral(root), env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_install_is_plain_and_carries_its_templates(installed: Installed) -> None:
    root, done = installed
    prefix = root / "opt" / "mailflow"
    where = subprocess.run([str(prefix / "bin" / "python"), "-c",
                            "import mailflow; print(mailflow.__file__)"],
                           cwd=neutral(root), capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(prefix)) and "site-packages" in where  # not the clone, not editable
    package = Path(where).parent
    assert sorted(p.name for p in (package / "templates").glob("*.j2")) == sorted(
        p.name for p in (ROOT / "templates").glob("*.j2"))
    assert {p.name for p in (package / "examples").iterdir()} >= {
        "mailflow.toml", "groups.toml", "departments.toml", "mailflow.service"}
    # check-config, run by the recipe itself, found everything where the README puts it.
    out = done.stdout.replace("\u00a0", " ").replace("\u202f", " ")
    assert f"configuration : {root}/etc/mailflow/mailflow.toml" in out
    assert f"modèles : {package / 'templates'}" in out
    assert out.rstrip().endswith("configuration correcte")


def test_the_secrets_and_the_data_are_for_the_service_only(installed: Installed) -> None:
    root, _ = installed
    assert (root / "etc/mailflow/secrets.env").stat().st_mode & 0o777 == 0o600
    assert (root / "var/lib/mailflow").stat().st_mode & 0o777 == 0o700


def test_an_email_is_answered_from_anywhere(installed: Installed) -> None:
    root, _ = installed
    inbox = root / "var/lib/mailflow/mailbox/new"
    inbox.mkdir(parents=True, exist_ok=True)
    sample = min((ROOT / "samples").glob("*.eml"))  # a director applies through the newsletter form
    shutil.copyfile(sample, inbox / "1796666207.M1P1Q1.host")
    done = command(root, "run", "--once")
    assert done.returncode == 0, done.stderr
    (reply,) = sorted((root / "var/lib/mailflow/outbox").glob("*.eml"))
    message = email.message_from_bytes(reply.read_bytes(), policy=policy.default)
    assert message["X-Mailflow-Outcome"] == "confirmed"
    assert "place 1 sur 20" in message.get_body(("plain",)).get_content().replace("\u00a0", " ")
    store = root / "var/lib/mailflow/mailflow.json"
    assert store.stat().st_mode & 0o777 == 0o600
    status = command(root, "status")
    assert status.returncode == 0 and "ot-ruraux" in status.stdout


def test_the_unit_passes_systemd_analyze(installed: Installed) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    root, _ = installed
    unit = root / "etc/systemd/system/mailflow.service"
    text = unit.read_text(encoding="utf-8")
    assert "User=mailflow" in text and "ExecStart=/opt/mailflow/bin/mailflow --config " in text
    # The program the unit starts is the one installed under the test's folder.
    moved = unit.with_name("moved") / "mailflow.service"
    moved.parent.mkdir()
    moved.write_text(text.replace("/opt/mailflow", str(root / "opt/mailflow")), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(moved)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stderr.strip()) == (0, "")


def test_every_package_folder_is_installed() -> None:
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                   ["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mailflow").rglob("__init__.py")}
    assert folders <= declared
    assert declared - folders == {"mailflow.templates", "mailflow.examples"}
