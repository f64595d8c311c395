"""Forged senders: only the receiving server's Authentication-Results count (RFC 8601)."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import main
from mailflow.core.read.authres import check, organisational, parse
from mailflow.store import Store

from .helpers.messages import deliver
from .helpers.project import MX, local_config, trust_mx
from .helpers.runs import member_mail, plain, staff_mail


def test_a_header_is_read_with_its_comments_and_quoted_strings() -> None:
    server, results = parse(
        'MX.monatourisme.fr 1; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=ot-sarlat.fr;\n'
        ' dkim=pass reason="good; signature" header.d=ot-sarlat.fr header.s=sel1;\n'
        ' dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=ot-sarlat.fr')
    assert server == MX
    assert [(r.method, r.result) for r in results] == [("spf", "pass"), ("dkim", "pass"),
                                                        ("dmarc", "pass")]
    assert results[1].properties["header.d"] == "ot-sarlat.fr"


@pytest.mark.parametrize(("headers", "passed"), [
    ([f"{MX}; dmarc=pass header.from=ot-sarlat.fr"], True),
    ([f"{MX}; dmarc=fail (p=REJECT) header.from=ot-sarlat.fr"], False),
    # No DMARC policy: an aligned SPF or DKIM pass vouches for the domain.
    ([f"{MX}; spf=pass smtp.mailfrom=bounce@mail.ot-sarlat.fr; dmarc=none header.from=ot-sarlat.fr"],
     True),
    ([f"{MX}; dkim=pass header.d=ot-sarlat.fr; dmarc=none header.from=ot-sarlat.fr"], True),
    # SPF passes for somebody else's domain: that says nothing of ot-sarlat.fr.
    ([f"{MX}; spf=pass smtp.mailfrom=envoi@mailer-generique.com; dmarc=none header.from=ot-sarlat.fr"],
     False),
    ([f"{MX}; spf=softfail smtp.mailfrom=ot-sarlat.fr; dkim=none"], False),
    # The topmost trusted header is the server's; one below was brought by the sender.
    ([f"{MX}; dmarc=fail header.from=ot-sarlat.fr", f"{MX}; dmarc=pass header.from=ot-sarlat.fr"],
     False),
    # Headers of other servers (or with no authserv-id, as Microsoft 365 writes them) are ignored.
    (["mx.ailleurs.fr; dmarc=pass header.from=ot-sarlat.fr"], None),
    (["dmarc=pass header.from=ot-sarlat.fr"], None),
    ([], None),
])
def test_the_verdict_on_the_from_domain(headers: list[str], passed: bool | None) -> None:
    assert check(headers, MX, "ot-sarlat.fr").passed is passed


def test_the_organisational_domain() -> None:
    assert organisational("Mail.OT-Sarlat.fr.") == "ot-sarlat.fr"


# --- through the pipeline ---------------------------------------------------------------------


@pytest.fixture
def mx_trusting_config(workspace_config: Path) -> Path:
    """A workspace's configuration that trusts the Authentication-Results headers MX writes."""
    return trust_mx(workspace_config)


def candidature(tmp: Path, sender: str, *results: str) -> Path:
    msg = EmailMessage()
    for result in results:  # the receiving server's header first, as it prepends its own
        msg["Authentication-Results"] = result
    msg["From"] = f"Marie Dupont <{sender}>"
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = "Candidature – groupe « Offices de Tourisme ruraux »"
    msg["Message-ID"] = email.utils.make_msgid(domain="ot-perigord-noir.fr")
    msg.set_content("Nom : Marie Dupont\nStructure : Office de Tourisme du Périgord Noir\n"
                    "Fonction : directrice\nDépartement : 24\nNombre d’ETP : 6\n"
                    "Population de la plus grande commune : 9 000 habitants\n"
                    "Territoire : rural, intercommunal\n")
    path = tmp / f"m{len(list(tmp.glob('m*.eml')))}.eml"
    path.write_bytes(bytes(msg))
    return path


def test_a_forged_candidature_takes_no_place_and_staff_are_told(mx_trusting_config: Path,
                                                                tmp_path: Path) -> None:
    settings = config.load(mx_trusting_config)
    marie = "marie.dupont@ot-perigord-noir.fr"
    forged = candidature(tmp_path, marie, f"{MX}; spf=fail smtp.mailfrom=x@spam.example; "
                                          f"dmarc=fail (p=QUARANTINE) header.from=ot-perigord-noir.fr",
                         # written by the forger, below the server's: ignored
                         f"{MX}; dmarc=pass header.from=ot-perigord-noir.fr")
    deliver(settings, [forged])
    assert main(["--config", str(mx_trusting_config), "run", "--once"]) == 0
    assert member_mail(settings) == []  # the real Marie is not written to
    (alert,) = staff_mail(settings, "quarantine")
    assert "expéditeur non authentifié" in alert.get_body(("plain",)).get_content()
    with Store(settings.store_path, read_only=True) as store:
        assert store.state(settings.groups, settings.departments).candidatures == ()
    # The real Marie writes: her server vouches for her, she gets the place.
    deliver(settings, [candidature(tmp_path, marie, f"{MX}; dkim=pass header.d=ot-perigord-noir.fr; "
                                                   "dmarc=pass header.from=ot-perigord-noir.fr")])
    assert main(["--config", str(mx_trusting_config), "run", "--once"]) == 0
    (reply,) = member_mail(settings)
    assert reply["X-Mailflow-Outcome"] == "confirmed"


def test_staff_may_put_a_quarantined_message_back(mx_trusting_config: Path, tmp_path: Path) -> None:
    settings = config.load(mx_trusting_config)
    assert settings.mailbox.path is not None
    deliver(settings, [candidature(tmp_path, "c.martin@ot-vezere.fr", f"{MX}; spf=none; dkim=none")])
    assert main(["--config", str(mx_trusting_config), "run", "--once"]) == 0
    (kept,) = (settings.mailbox.path / ".Quarantaine" / "cur").iterdir()
    kept.rename(settings.mailbox.path / "new" / kept.name.replace(":2,S", ".remis"))
    assert main(["--config", str(mx_trusting_config), "run", "--once"]) == 0
    assert [m["X-Mailflow-Outcome"] for m in member_mail(settings)] == ["confirmed"]


def test_check_config_says_whether_senders_are_checked(mx_trusting_config: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    main(["--config", str(mx_trusting_config), "check-config"])
    assert f"« {MX} »" in plain(capsys.readouterr().out)
    (tmp_path / "off").mkdir()
    main(["--config", str(local_config(tmp_path / "off")), "check-config"])
    assert "vérification des expéditeurs : désactivée" in plain(capsys.readouterr().out)
