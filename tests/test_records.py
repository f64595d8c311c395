"""The records: the CSV for French Excel, the audit trail, a person's data, the RGPD purge."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.core.write.privacy import purge_plan
from mailflow.core.write.records import CSV_HEADER, neutralise, word
from mailflow.model.values import Candidature, Profile, State, Status
from mailflow.store import Store
from mailflow.store.codecs import ledger_to_json, outbox_to_json
from mailflow.store.files import read_json_bytes

from .helpers.messages import LUC, MARIE, NADIA, deliver, member_reply
from .helpers.project import SAMPLES
from .helpers.runs import member_mail, plain, run_once
from .helpers.worlds import stored_state

JULIE = "julie.moreau@larochelle-tourisme.fr"  # role-ot: a group that has not met yet
CLAIRE = "claire.fontaine@ot-vienne-gartempe.fr"  # a question, no candidature
HACKER = "zoe.ebrard@ot-haute-correze.fr"
ENDED = "2027-05-01"  # after ot-ruraux's first meeting (2027-04-06), before the others'


def cli_text(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> tuple[int, str]:
    code = main(["--config", str(settings.file), *args])
    out, err = capsys.readouterr()
    return code, plain(out + err)


def cli_json(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> Any:
    """A command's --json output (stdout only: logs go to stderr)."""
    assert main(["--config", str(settings.file), *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def tricky_candidature(tmp: Path) -> Path:
    """A Corrèze director whose form fields would be formulas in a spreadsheet."""
    msg = EmailMessage()
    msg["From"] = f"Zoé Ébrard <{HACKER}>"
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = "Candidature – groupe « Offices de Tourisme ruraux »"
    msg["Message-ID"] = "<tricky-1@ot-haute-correze.fr>"
    msg.set_content(
        "Bonjour,\n\nJe souhaite candidater au groupe de travail « Offices de Tourisme ruraux ».\n\n"
        'Nom : =HYPERLINK("http://x")\n'
        "Structure : +33 5 55 00 00 00 Office de Tourisme Haute-Corrèze\n"
        "Fonction : Directrice\nDépartement : 19\nNombre d’ETP : 2,5\n"
        "Population de la plus grande commune : 3 000 habitants\n"
        "Type de territoire : rural (ni littoral, ni montagne)\n"
        "Échelle d’intervention : intercommunale\n\nCordialement\n")
    path = tmp / "tricky.eml"
    path.write_bytes(msg.as_bytes())
    return path


@pytest.fixture
def samples_and_formulas(workspace: Settings, tmp_path: Path) -> Settings:
    """The samples' story, then a candidature with formula-like fields, through the real pipeline."""
    deliver(workspace, SAMPLES)
    run_once(workspace)
    deliver(workspace, [tricky_candidature(tmp_path)])
    run_once(workspace)
    return workspace


# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+33 5 55 00 00 00", "'+33 5 55 00 00 00"),
    ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Marie Dupont", "Marie Dupont"), ("a=b", "a=b"), ("", ""),
])
def test_formula_starts_are_neutralised(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_the_csv_opens_in_french_excel(samples_and_formulas: Settings, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ot-ruraux.csv"
    code, out = cli_text(capsys, samples_and_formulas, "candidates", "export", "ot-ruraux", "--output",
                         str(target))
    assert code == 0 and "5 candidatures du groupe ot-ruraux" in out
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8, not ANSI
    assert not data[3:].lower().startswith(b"sep=")  # would make Excel ignore the BOM
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert data.split(b"\r\n")[0].count(b";") == len(CSV_HEADER) - 1
    text = data.decode("utf-8-sig")
    assert "Périgord" in text and "Haute-Corrèze" in text and "Reçue le" in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == list(CSV_HEADER)
    by_mail = {r[3]: r for r in rows[1:]}
    assert [r[3] for r in rows[1:]] == [MARIE, "s.lacombe@tourisme-creuse-sud.fr", LUC, NADIA,
                                        HACKER]  # arrival order
    assert by_mail[MARIE][:3] == ["1", "confirmée", "Marie Dupont"]
    assert by_mail[MARIE][6] == "Dordogne (24)" and by_mail[MARIE][8] == "9800"
    # Luc's place is 3: Sophie's, held while she answers, is 2 (decimal comma)
    assert by_mail[LUC][:2] == ["3", "confirmée"] and by_mail[LUC][7] == "4,5"
    assert by_mail[NADIA][:2] == ["1", "liste d’attente"]
    assert "quota" in by_mail[NADIA][10]
    sophie = by_mail["s.lacombe@tourisme-creuse-sud.fr"]
    assert sophie[:2] == ["", "informations demandées"] and sophie[10] == "manque : ETP"
    tricky = by_mail[HACKER]
    assert tricky[0] == "4" and tricky[2] == '\'=HYPERLINK("http://x")'
    assert tricky[4] == "'+33 5 55 00 00 00 Office de Tourisme Haute-Corrèze"
    assert tricky[7] == "2,5"
    # Dates in the network's time zone, as French Excel reads them.
    marie = next(c for c in stored_state(samples_and_formulas).candidatures if c.email == MARIE)
    assert by_mail[MARIE][9] == marie.received_at.astimezone(
        samples_and_formulas.tz).strftime("%d/%m/%Y %H:%M")
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", r[9]) for r in rows[1:])


def test_the_csv_goes_to_stdout_as_bytes(samples_and_formulas: Settings,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["--config", str(samples_and_formulas.file), "candidates", "export", "role-ot"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbfRang;Statut;") and out.count(b"\r\n") == 3
    assert b"Etcheverry" in out


def test_an_unknown_group_is_a_usage_error(samples_and_formulas: Settings,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli_text(capsys, samples_and_formulas, "candidates", "export", "nope")
    assert code == 2 and "groupe inconnu « nope »" in out
    code, out = cli_text(capsys, samples_and_formulas, "history", "nope")
    assert code == 2 and "n’est ni un groupe" in out


# --- history -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "found"), [
    ("withdraw C0003 (marie.dupont@x.fr, ot-ruraux)", True),
    ("confirmed → Marie.Dupont@X.fr.", True),
    ("anne-marie.dupont@x.fr", False), ("marie.dupont@x.fr.example", False),
    ("marie.dupont@x.frontier.fr", False),
])
def test_an_address_is_found_as_a_whole_word(text: str, found: bool) -> None:
    assert (word("marie.dupont@x.fr").search(text) is not None) is found


def sophie_id(settings: Settings) -> str:
    return next(c.id for c in stored_state(settings).candidatures
                if c.email == "s.lacombe@tourisme-creuse-sud.fr")


def test_staff_actions_on_a_candidature_are_in_its_group_and_person_history(
        samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli_text(capsys, samples_and_formulas, "candidates", "withdraw",
                         sophie_id(samples_and_formulas),
                         "--reason", "Sophie Lacombe a appelé le 2 décembre")
    assert code == 0, out
    group = cli_json(capsys, samples_and_formulas, "history", "ot-ruraux")
    [action] = [e for e in group if e["kind"] == "action"]
    assert action["group"] == "ot-ruraux" and "a appelé" in action["text"]
    person = cli_json(capsys, samples_and_formulas, "history", "S.Lacombe@tourisme-creuse-sud.fr")
    assert action in person
    in_role_ot = cli_json(capsys, samples_and_formulas, "history", "role-ot")
    assert not any(e["kind"] == "action" for e in in_role_ot)


def confirm_luc_withdrawal(settings: Settings, tmp: Path) -> None:
    """Luc asked to withdraw (sample 11); he replies with the code: Nadia is promoted."""
    request = next(m for m in reversed(member_mail(settings))
                   if m["X-Mailflow-Outcome"] == "withdrawal-to-confirm")
    deliver(settings, [member_reply(request, "Je confirme.", tmp)])
    run_once(settings)


def test_history_of_a_group(samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_text(capsys, samples_and_formulas, "groups", "set", "ot-ruraux", "--capacity", "21")[0] == 0
    code, out = cli_text(capsys, samples_and_formulas, "history", "ot-ruraux")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("  ")]  # under each day
    assert any("modification du groupe par" in line and "places : 20 → 21" in line for line in lines)
    assert any(MARIE in line and "inscription confirmée" in line for line in lines)
    assert all(" ot-ruraux " in line for line in lines)
    assert "meeting_sequence" not in out and not re.search(r"\d{4}-\d{2}-\d{2}T", out)
    assert JULIE not in out and CLAIRE not in out  # other groups, questions
    events = cli_json(capsys, samples_and_formulas, "history", "role-ot")
    assert {e["group"] for e in events} == {"role-ot"}
    assert any(e["email"] == JULIE and e["outcome"] == "refused" for e in events)
    assert not any("group-change" in e["text"] for e in events)


def test_history_lines_say_who_did_what_from_what(samples_and_formulas: Settings,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """« place donnée par animation@… » (not « par l’équipe par »), a change from its old value,
    a message without sender « d’un expéditeur inconnu », no dash standing for no group."""
    nadia = next(c.id for c in stored_state(samples_and_formulas).candidatures if c.email == NADIA)
    for args in (("candidates", "promote", nadia, "--reason", "choix du bureau"),
                 ("groups", "set", "role-ot", "--capacity", "18", "--place", "Pau")):
        assert cli_text(capsys, samples_and_formulas, *args)[0] == 0, args
    code, out = cli_text(capsys, samples_and_formulas, "history")
    assert code == 0
    lines = out.splitlines()
    promoted = next(line for line in lines if "place donnée" in line)
    assert re.search(r"place donnée par \S+ — ", promoted) and "par l’équipe" not in promoted
    changed = next(line for line in lines if "modification du groupe" in line and "role-ot" in line)
    assert "places : 15 → 18" in changed and re.search(r"lieu : .+ → Pau", changed)
    unknown = next(line for line in lines if "expéditeur inconnu" in line)
    assert "d’un expéditeur inconnu" in unknown and "de expéditeur" not in unknown
    assert not any(re.search(r"^  .{9}  \S+ +- ", line) for line in lines)


def test_history_of_a_person_oldest_first(samples_and_formulas: Settings, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    confirm_luc_withdrawal(samples_and_formulas, tmp_path)
    capsys.readouterr()
    events = cli_json(capsys, samples_and_formulas, "history", NADIA.upper())
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert all(NADIA in e["text"] for e in events)
    outcomes = [(e["kind"], e["outcome"]) for e in events if e["outcome"]]
    # Waitlisted on her own message, then promoted on Luc's: the reply and the status say so.
    assert outcomes.index(("réponse", "waitlisted")) < outcomes.index(("réponse", "confirmed"))
    assert ("candidature", "confirmed") in outcomes
    assert not any(LUC in e["text"] for e in events)
    code, out = cli_text(capsys, samples_and_formulas, "history")
    lines = out.splitlines()
    assert code == 0
    assert any(CLAIRE in line for line in lines) and any(JULIE in line for line in lines)
    assert not lines[0].startswith(" ") and re.match(r"\w+ \d+(er)? \w+ \d{4}$", lines[0])  # the day
    times = [line[:9] for line in lines if line.startswith("  ")]
    assert all(re.match(r"  [ \d]\d h \d\d$", t) for t in times)


# --- privacy export ------------------------------------------------------------------------


def export(settings: Settings, capsys: pytest.CaptureFixture[str], email: str) -> dict[str, Any]:
    assert main(["--config", str(settings.file), "privacy", "export", email]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_privacy_export_holds_a_person_and_nobody_else(
        samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    data = export(samples_and_formulas, capsys, "Luc.Garnier@OT-Bastides-Dordogne.fr")
    [cand] = data["candidatures"]
    assert cand["group_id"] == "ot-ruraux" and cand["status"] == "confirmed"
    assert cand["profile"]["structure"] == "Office de Tourisme des Bastides de Dordogne"
    assert cand["profile"]["fte"] == 4.5
    received = data["messages_received"]
    assert len(received) == 2 and {m["sender"] for m in received} == {LUC}
    assert {m["outcome"] for m in received} == {"confirmed", "withdrawal-to-confirm"}
    replies = data["replies_sent"]
    assert [r["outcome"] for r in replies] == ["confirmed", "withdrawal-to-confirm"]
    assert all(r["to"] == [LUC] for r in replies)
    # A reply's text is kept only until it is sent (its copy is in the mailbox's Sent folder).
    assert replies[0]["text"] == "" and replies[0]["body_kept"] is False
    assert "raw_b64" not in json.dumps(data)
    [pending] = data["pending_confirmations"]
    assert pending["candidature_id"] == cand["id"] and len(pending["token_hash"]) == 64
    code = re.search(r"MF-[A-Z0-9]+", replies[1]["subject"])
    assert code is not None and code.group(0) not in json.dumps(pending)  # the hash only
    dumped = json.dumps(data, ensure_ascii=False)
    for other in (MARIE, NADIA, JULIE, CLAIRE, HACKER, "Etcheverry"):
        assert other not in dumped


def test_privacy_export_of_a_stranger_is_empty(samples_and_formulas: Settings,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = export(samples_and_formulas, capsys, "personne@example.org")
    assert data["email"] == "personne@example.org"
    assert all(data[k] == [] for k in ("candidatures", "ideas", "messages_received",
                                       "replies_sent", "history", "pending_confirmations"))


# --- privacy purge -------------------------------------------------------------------------


def store_bytes(settings: Settings) -> tuple[bytes, ...]:
    """The state file, its backup (decompressed) and the journal's files."""
    bak = settings.store_path.with_name(settings.store_path.name + ".bak")
    journal = settings.store_path.with_name(settings.store_path.name + ".journal")
    return (read_json_bytes(settings.store_path.read_bytes()), read_json_bytes(bak.read_bytes()),
            *(f.read_bytes() for f in sorted(journal.glob("*.jsonl"))))


def test_purge_dry_run_changes_nothing(samples_and_formulas: Settings,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    before = store_bytes(samples_and_formulas)
    code, out = cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", ENDED, "--dry-run")
    assert code == 0
    assert "ot-ruraux" in out and "5 candidatures anonymisées" in out
    assert "Essai à blanc : rien n’a été modifié" in out
    assert store_bytes(samples_and_formulas) == before


def test_purge_anonymises_ended_groups_and_keeps_the_counts(
        samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    status_before = cli_json(capsys, samples_and_formulas, "status")
    code, out = cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", ENDED)
    assert code == 0 and out.rstrip().endswith("Anonymisation faite.")
    assert cli_json(capsys, samples_and_formulas, "status") == status_before
    state = stored_state(samples_and_formulas)
    ruraux = state.of_group("ot-ruraux")
    assert [c.status for c in ruraux] == [Status.CONFIRMED, Status.NEEDS_INFO, Status.CONFIRMED,
                                          Status.WAITLISTED, Status.CONFIRMED]
    assert [c.profile.department for c in ruraux] == ["24", "23", "24", "24", "19"]
    for cand in ruraux:
        assert re.fullmatch(r"anonyme-[0-9a-f]{16}@invalid", cand.email)
        assert cand.name is None and cand.message_id is None and cand.subject == ""
        assert cand.profile == Profile(department=cand.profile.department)
    assert len({c.email for c in ruraux}) == 5
    # Groups that have not met keep everything.
    role = {c.email: c for c in state.of_group("role-ot")}
    assert role[JULIE].profile.role_text
    assert "Etcheverry" in (role["direction@coeurdebearn-tourisme.fr"].name or "")
    with Store(samples_and_formulas.store_path, read_only=True) as store:
        ledger, items, history = store.ledger(), store.outbox(), store.history()
    assert not any(e.sender in (MARIE, LUC, NADIA, HACKER) for e in ledger)
    assert any(e.sender == JULIE and e.subject for e in ledger)
    purged = [i for i in items if any(t.endswith("@invalid") for t in i.to)]
    assert len(purged) >= 6 and all(i.raw == b"" and i.status == "sent" for i in purged)
    assert any(JULIE in i.to for i in items)  # a running group's member is left as she is
    # Nothing of them is left in the store, nor in its backup; the purge is on record, by counts.
    for blob in store_bytes(samples_and_formulas):
        for gone in (MARIE, LUC, NADIA, HACKER, "Dupont", "Bastides", "HYPERLINK", CLAIRE):
            assert gone.encode() not in blob
        assert JULIE.encode() in blob
    [record] = [h for h in history if h["action"] == "privacy-purge"]
    assert record["groups"] == ["ot-ruraux"] and record["counts"]["candidatures"] == 5
    assert export(samples_and_formulas, capsys, MARIE)["candidatures"] == []
    assert cli_text(capsys, samples_and_formulas, "candidates", "export", "ot-ruraux")[0] == 0


def test_purge_scrubs_staff_notes(samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_text(capsys, samples_and_formulas, "candidates", "withdraw", sophie_id(samples_and_formulas),
                    "--reason", "Sophie Lacombe a appelé le 2 décembre")[0] == 0
    assert cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", ENDED)[0] == 0
    with Store(samples_and_formulas.store_path, read_only=True) as store:
        history = json.dumps(store.history(), ensure_ascii=False)
    assert "s.lacombe" not in history and "Sophie Lacombe" not in history
    assert "[nom effacé] a appelé le 2 décembre" in history and "candidate-withdraw" in history


def test_purge_is_idempotent(samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", ENDED)[0] == 0
    after_first = store_bytes(samples_and_formulas)
    code, out = cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", ENDED)
    assert code == 0 and "rien à anonymiser" in out
    assert store_bytes(samples_and_formulas) == after_first


def test_purge_before_any_meeting_changes_nothing_of_candidatures(
        samples_and_formulas: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", "2026-01-01")
    assert code == 0 and "aucun" in out
    assert {c.email for c in stored_state(samples_and_formulas).candidatures} >= {MARIE, LUC, JULIE}
    code, out = cli_text(capsys, samples_and_formulas, "privacy", "purge", "--before", "hier")
    assert code == 2 and "--before" in out


def test_someone_still_in_a_running_group_keeps_their_messages(samples_and_formulas: Settings) -> None:
    state = stored_state(samples_and_formulas)
    marie = next(c for c in state.candidatures if c.email == MARIE)
    again = Candidature("C0099", "role-ot", MARIE, "Marie Dupont", marie.profile,
                        Status.WAITLISTED, 99, marie.received_at, "k99")
    state = State(state.groups, state.departments, (*state.candidatures, again), state.ideas)
    with Store(samples_and_formulas.store_path, read_only=True) as store:
        ledger = [ledger_to_json(e) for e in store.ledger()]
        items = [outbox_to_json(i) for i in store.outbox()]
    plan = purge_plan(state, ledger, items, [], datetime(2027, 5, 1, tzinfo=UTC), b"salt")
    assert marie.id in {c.id for c in plan.candidatures} and plan.kept_people == 1
    assert not any(d["key"] == marie.message_key for d in plan.ledger)
    assert not any(MARIE in d["to"] for d in plan.outbox)
    assert any(d["key"] != marie.message_key for d in plan.ledger)  # the others' are purged


def test_a_reply_still_to_send_keeps_its_text_until_the_next_purge(samples_and_formulas: Settings) -> None:
    state = stored_state(samples_and_formulas)
    with Store(samples_and_formulas.store_path, read_only=True) as store:
        ledger = [ledger_to_json(e) for e in store.ledger()]
        items = [outbox_to_json(i) for i in store.outbox()]
    late = next(d for d in items if d["to"] == [LUC])
    late["status"] = "pending"  # the SMTP server was down
    before, staff = datetime(2027, 5, 1, tzinfo=UTC), ["animation@monatourisme.fr"]
    first = purge_plan(state, ledger, items, [], before, b"one", staff)
    assert late["id"] not in {d["id"] for d in first.outbox}
    # The first purge is applied; the reply goes out; the next purge takes its text.
    done = {c.id: c for c in first.candidatures}
    state = State(state.groups, state.departments,
                  tuple(done.get(c.id, c) for c in state.candidatures), state.ideas)
    changed = {d["key"]: d for d in first.ledger}
    ledger = [changed.get(d["key"], d) for d in ledger]
    late["status"] = "sent"
    second = purge_plan(state, ledger, [late], [], before, b"two", staff)
    [purged] = second.outbox
    assert purged["raw_b64"] == "" and purged["to"][0].endswith("@invalid")
    assert second.candidatures == [] and second.ledger == []
    alert = next(d for d in items if d["outcome"] == "staff-alert")
    third = purge_plan(state, ledger, [alert], [], before, b"three", staff)
    assert all(d["to"] == staff for d in third.outbox)  # staff stay staff
