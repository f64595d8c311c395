"""What staff read by email, through the real pipeline: « nous », no command line, examples that
read as examples, an action already done said so and kept out of the history."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow.config.settings import Settings
from mailflow.core.french.staff import SOMEONE, examples
from mailflow.core.read.staff.reader import read_request
from mailflow.model.values import StaffVerb

from .helpers.messages import deliver, staff_answer, staff_message
from .helpers.project import ROOT, SAMPLES
from .helpers.runs import body_html, body_text, cli, run_once, staff_action_mail
from .helpers.worlds import call_of, dordogne_story, staff_history, stored_state

#: What only the command line understands: an option, or a command to type.
COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z]|\bmailflow [a-z]+ [a-z]")
#: The first person, where every mail to staff says « nous ».
FIRST_PERSON = re.compile(r"\b(?:je|j’|j'|me|moi|mon|ma|mes)\b", re.IGNORECASE)


def said(message: EmailMessage) -> str:
    return " ".join(body_text(message).split())


def answer_to(settings: Settings, tmp_path: Path, text: str) -> EmailMessage:
    """What staff read back after writing `text` to the mailbox."""
    deliver(settings, [staff_message(tmp_path, text)])
    run_once(settings)
    return staff_action_mail(settings)[-1]


def confirmed(settings: Settings, tmp_path: Path, text: str) -> EmailMessage:
    """`text` written, its plan answered « Oui »: the last answer."""
    plan = answer_to(settings, tmp_path, text)
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm", body_text(plan)
    deliver(settings, [staff_answer(tmp_path, plan, "Oui")])
    run_once(settings)
    return staff_action_mail(settings)[-1]


def test_a_meeting_moved_into_the_past_is_refused_in_each_ones_words(
        workspace: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dordogne_story(workspace)
    by_email = answer_to(workspace, tmp_path, "Déplacer la première réunion des OT ruraux au 3 janvier 2020")
    text = said(by_email)
    assert by_email["X-Mailflow-Outcome"] == "staff-unclear"
    assert "Nous n’avons rien fait : la première rencontre doit être à venir" in text
    assert COMMAND_LINE.search(text) is None and FIRST_PERSON.search(text) is None
    # The command line says the same, naming its option.
    code, _, err = cli(capsys, workspace, "groups", "set", "ot-ruraux", "--meeting-date", "2020-01-03T09:30")
    assert code == 2 and "--meeting-date : la première rencontre doit être à venir" in err


def test_an_idea_taken_step_by_step_is_told_what_to_write_never_a_command(workspace: Settings,
                                                                           tmp_path: Path) -> None:
    deliver(workspace, [SAMPLES[4]])  # Thomas's idea, I0001
    run_once(workspace)
    too_soon = said(answer_to(workspace, tmp_path, "Valider l’idée I0001 (CA d’aujourd’hui)"))
    assert "écrivez « Avancer l’idée I0001 »" in too_soon
    for _ in range(2):  # discussion, then its note
        confirmed(workspace, tmp_path, "Avancer l’idée I0001")
    next_step = said(answer_to(workspace, tmp_path, "Avancer l’idée I0001"))
    assert "écrivez « Valider l’idée I0001 (CA du …) »" in next_step
    too_early = said(answer_to(workspace, tmp_path, "Valider l’idée I0001 (CA du 12 mars 2020)"))
    assert "la séance du CA du jeudi 12 mars 2020 précède l’arrivée de l’idée" in too_early
    confirmed(workspace, tmp_path, "Valider l’idée I0001 (CA d’aujourd’hui)")
    drafted = said(confirmed(workspace, tmp_path, "Préparer le groupe de l’idée I0001"))
    assert "sont provisoires ; écrivez par exemple « Passer le groupe « Accueil hors les murs » à" in drafted
    assert "« Ouvrir l’appel du groupe « Accueil hors les murs » »" in drafted
    for text in (too_soon, next_step, too_early, drafted):
        assert COMMAND_LINE.search(text) is None, text
        assert FIRST_PERSON.search(text) is None, text


def _raises(tree: ast.AST) -> list[ast.Call]:
    """The errors made for staff in a module: StaffActionError, IdeaError and its children."""
    names = {"StaffActionError", "IdeaError", "UnknownIdeaError", "CoAnimationLimitError"}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id in names]


def _words(node: ast.AST) -> str:
    return " ".join(n.value for n in ast.walk(node)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str))


@pytest.mark.parametrize("module", sorted((ROOT / "mailflow" / "core" / "decide").glob("*.py")),
                         ids=lambda p: p.stem)
def test_every_error_naming_a_command_has_words_for_staff_by_email(module: Path) -> None:
    """An error that reaches a staff member by email never sends them to a command line: one
    that names an option or a command carries its own words for email (`by_email`)."""
    for call in _raises(ast.parse(module.read_text(encoding="utf-8"))):
        by_email = next((k.value for k in call.keywords if k.arg == "by_email"), None)
        if COMMAND_LINE.search(_words(call if by_email is None else call.args[0])):
            assert by_email is not None, f"{module.name}:{call.lineno}"
        if by_email is not None:
            assert COMMAND_LINE.search(_words(by_email)) is None, f"{module.name}:{call.lineno}"


def test_the_examples_name_no_one_and_no_number(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    unclear = answer_to(workspace, tmp_path, "Ajouter la candidature de Jeanne Martin pour OT ruraux")
    text = said(unclear)
    assert unclear["X-Mailflow-Outcome"] == "staff-unclear" and "Nous n’avons rien fait" in text
    assert f"Refuser la candidature de {SOMEONE} : hors profil" in text
    examples_part = text[text.index("Voici ce que vous pouvez écrire"):]
    people = {c.name for c in stored_state(workspace).candidatures} | {"Jeanne Martin", "Hélène Roux"}
    assert not any(name in examples_part for name in people if name)
    # No number that could be a candidature's, an idea's or a question's.
    assert re.search(r"\b[CIQ]\d", text) is None
    assert FIRST_PERSON.search(text) is None


#: The action each example shows, in the order `examples` gives them (a forward is told, not written).
EXAMPLE_VERBS = (StaffVerb.ADD, StaffVerb.CLOSE, StaffVerb.OPEN, StaffVerb.CAPACITY, StaffVerb.MEETING,
                 StaffVerb.DEADLINE, StaffVerb.REFUSE, StaffVerb.WITHDRAW, StaffVerb.PROMOTE,
                 StaffVerb.IDEA_VALIDATE, StaffVerb.IDEA_DECLINE, StaffVerb.QUESTION_DONE, None)
#: Who stands for « Prénom Nom » in each action: someone it fits in the story.
STANDS_FOR = {StaffVerb.ADD: "Jeanne Martin", StaffVerb.PROMOTE: "Nadia Roux",
              StaffVerb.IDEA_VALIDATE: "Thomas Bernard", StaffVerb.IDEA_DECLINE: "Thomas Bernard",
              StaffVerb.QUESTION_DONE: "Claire Fontaine"}


@pytest.mark.parametrize(("line", "verb"), list(enumerate(EXAMPLE_VERBS)), ids=str)
def test_each_example_read_with_a_real_name_is_its_action(workspace: Settings, line: int,
                                                         verb: StaffVerb | None) -> None:
    """With the placeholder as a real name, each example is the action it shows."""
    dordogne_story(workspace)
    deliver(workspace, [SAMPLES[4], SAMPLES[7]])  # Thomas Bernard's idea, Claire Fontaine's question
    run_once(workspace)
    state = stored_state(workspace)
    shown = examples(state)
    assert len(shown) == len(EXAMPLE_VERBS)
    if verb is None:
        assert shown[line].startswith("Transférer (TR)")
        return
    text = shown[line].replace(SOMEONE, STANDS_FOR.get(verb, "Luc Garnier"))
    text = text.replace("prenom.nom@office.fr", "jeanne.martin@ot-confolentais.fr")
    reading = read_request("", text, state, datetime.now(UTC), workspace.tz)
    assert [c.verb for c in reading.commands] == [verb], (text, reading)


def test_a_confirmation_of_what_a_colleague_did_meanwhile_changes_and_records_nothing(
        workspace: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dordogne_story(workspace)
    plan = answer_to(workspace, tmp_path, "Clore l’appel OT ruraux")
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm"
    code, _, _ = cli(capsys, workspace, "groups", "close", "ot-ruraux")  # a colleague, meanwhile
    assert code == 0 and call_of(workspace, "ot-ruraux").value == "closed"
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    done = staff_action_mail(workspace)[-1]
    assert done["X-Mailflow-Outcome"] == "staff-unchanged"
    assert "rien à changer, c’est déjà le cas ; rien n’est inscrit à l’historique" in said(done)
    assert staff_history(workspace) == []  # the colleague's change only, under their name
    history = cli(capsys, workspace, "history", "ot-ruraux")[1]
    assert "action de l’équipe sans effet" in history
    assert sum("modification du groupe par" in line for line in history.splitlines()) == 1
    # The code has served: sent again, it says so and still records nothing.
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    assert "déjà servi" in said(staff_action_mail(workspace)[-1]) and staff_history(workspace) == []


def test_a_number_no_candidature_has_is_not_repeated_as_if_it_were_one(workspace: Settings,
                                                                       tmp_path: Path) -> None:
    dordogne_story(workspace)
    text = said(answer_to(workspace, tmp_path, "Refuser C0042 : hors profil"))
    assert ("nous n’avons pas trouvé de quelle candidature il s’agit : nommez la personne, ou écrivez "
            "le numéro de sa candidature tel que le point du matin le donne") in text
    assert "C0042" not in text and FIRST_PERSON.search(text) is None


def test_no_mail_to_staff_about_their_actions_says_i(workspace: Settings, tmp_path: Path) -> None:
    """Every answer to a staff member's action speaks as « nous », text and HTML alike."""
    dordogne_story(workspace)
    for text in ("Clore l’appel OT ruraux", "Refuser C0042 : hors profil", "Promouvoir C0003",
                 "[mailflow] Le point : rien compris", "Passer les OT ruraux à 0 places"):
        answer_to(workspace, tmp_path, text)
    plan = staff_action_mail(workspace)[0]
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui et non")])
    run_once(workspace)
    mails = staff_action_mail(workspace)
    assert {m["X-Mailflow-Outcome"] for m in mails} >= {"staff-to-confirm", "staff-unclear"}
    for mail in mails:
        body = body_text(mail).split("\n-- \n")[0]
        assert FIRST_PERSON.search(body) is None, body
        assert "Je n’ai" not in body_html(mail)
