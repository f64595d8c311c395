"""What members are told holds against the state: a place number is a promise kept, and every
letter says what happened (a place given by the team, a registration by the team, a question
from someone already in a group, a message with nothing to read)."""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from pathlib import Path

from mailflow.config.settings import Settings
from mailflow.store import Store

from .helpers.messages import MARIE, NADIA, deliver, member_reply, staff_answer, staff_message
from .helpers.project import SAMPLES
from .helpers.runs import body_text, member_mail, run_once, sent_mail, staff_action_mail, staff_mail
from .helpers.worlds import dordogne_story, stored_state

PLACE = re.compile(r"la place (\d+) sur (\d+)")


def said(message: EmailMessage) -> str:
    return " ".join(body_text(message).split())


def places_told(settings: Settings) -> dict[str, int]:
    """The place each member was last told, from every letter sent."""
    told: dict[str, int] = {}
    for message in member_mail(settings):
        found = PLACE.search(said(message))
        if found is not None:
            told[message["To"].addresses[0].addr_spec] = int(found.group(1))
    return told


def test_no_two_holders_were_told_the_same_place(workspace: Settings, tmp_path: Path) -> None:
    """Sophie's place is held while she answers our question; Luc, after her, is told place 3;
    her answer confirms her at place 2, the one held for her: nobody is told a place another has."""
    deliver(workspace, SAMPLES)
    run_once(workspace)
    asked = next(m for m in member_mail(workspace) if m["X-Mailflow-Outcome"] == "needs-info")
    deliver(workspace, [member_reply(asked, "Nous sommes 4 salariés à temps plein.", tmp_path)])
    run_once(workspace)
    state = stored_state(workspace)
    holders = {c.email: c.seat for c in state.of_group("ot-ruraux") if c.status.holds_place}
    told = places_told(workspace)
    assert {who: told[who] for who in holders} == holders
    assert len(set(holders.values())) == len(holders)
    assert told["s.lacombe@tourisme-creuse-sud.fr"] == 2


def test_places_from_before_they_were_kept_are_given_once(workspace: Settings) -> None:
    """A store written before places were kept: its holders get theirs in arrival order, written
    with the next change, so that they never move again."""
    deliver(workspace, SAMPLES[:1] + SAMPLES[8:10])
    run_once(workspace)
    with Store(workspace.store_path) as store:  # as an older mailflow left them
        for doc in store.tables.docs("candidatures"):
            store.tables.put("candidatures", {**doc, "seat": None})
        store.commit()
    assert [c.seat for c in stored_state(workspace).of_group("ot-ruraux")] == [1, 2, None]
    with Store(workspace.store_path) as store:
        raw = [doc.get("seat") for doc in store.tables.docs("candidatures")]
    assert raw == [None, None, None]  # read, not yet written
    deliver(workspace, [SAMPLES[1]])  # any change records them
    run_once(workspace)
    with Store(workspace.store_path) as store:
        seats = {doc["email"]: doc.get("seat") for doc in store.tables.docs("candidatures")}
    assert seats[MARIE] == 1 and seats["luc.garnier@ot-bastides-dordogne.fr"] == 2


def test_a_place_given_by_the_team_says_so(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Donner une place à Nadia Roux")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    letter = member_mail(workspace)[-1]
    assert letter["To"].addresses[0].addr_spec == NADIA
    text = said(letter)
    assert "l’équipe de la MONA vous a attribué une place" in text
    assert "au-delà du quota de 2 places prévu pour le département Dordogne (24)" in text
    assert "s’est libérée" not in text and "la place 3 sur 20" in text
    assert "à la suite d’une décision de l’équipe de la MONA" in text


def test_a_registration_by_the_team_is_a_first_letter(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(
        tmp_path, "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-confolentais.fr, "
        "directrice de l’OT du Confolentais (16), reçue en réunion départementale le 3 mars à 10 h, "
        "pour le groupe OT ruraux")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    letter = next(m for m in member_mail(workspace)
                  if m["To"].addresses[0].addr_spec == "jeanne.martin@ot-confolentais.fr")
    assert not str(letter["Subject"]).startswith("Re") and letter["In-Reply-To"] is None
    text = said(letter)
    assert "L’équipe de la MONA a enregistré votre candidature" in text and "3 mars" in text
    assert "à la réception du vôtre" not in text
    assert "envoyé par l’équipe de la MONA, qui a enregistré votre candidature" in text


def test_a_question_from_someone_in_a_group_is_answered_with_her_place(workspace: Settings,
                                                                        tmp_path: Path) -> None:
    dordogne_story(workspace)
    confirmed = next(m for m in member_mail(workspace) if m["To"].addresses[0].addr_spec == MARIE)
    deliver(workspace, [member_reply(confirmed, "Bonjour, à quelle heure commence la première "
                                                "rencontre ? Faut-il apporter quelque chose ?", tmp_path)])
    run_once(workspace)
    answer = member_mail(workspace)[-1]
    text = said(answer)
    assert answer["X-Mailflow-Outcome"] == "question-forwarded"
    assert "Où en est votre candidature" in text and "votre place est confirmée (place 1 sur 20)" in text
    assert "Pour candidater" not in text


def _mail(tmp: Path, name: str, subject: str, body: str, attachment: str | None = None) -> Path:
    message = EmailMessage()
    message["From"] = "Agnès Vidal <agnes.vidal@ot-exemple.fr>"
    message["To"] = "groupes@monatourisme.fr"
    message["Subject"] = subject
    message["Message-ID"] = f"<{name}@ot-exemple.fr>"
    message.set_content(body)
    if attachment:
        message.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename=attachment)
    path = tmp / f"{name}.eml"
    path.write_bytes(bytes(message))
    return path


def test_a_message_with_nothing_to_read_is_told_so(workspace: Settings, tmp_path: Path) -> None:
    deliver(workspace, [_mail(tmp_path, "empty", "", "\n"),
                        _mail(tmp_path, "pdf", "", "", "Candidature_OT_ruraux_Vidal.pdf")])
    run_once(workspace)
    empty, pdf = (said(m) for m in member_mail(workspace))
    assert "il ne contient aucun texte" in empty
    assert "il ne contient qu’une pièce jointe" in pdf
    assert "« Candidature_OT_ruraux_Vidal.pdf »" in pdf and "que nous ne lisons pas" in pdf
    assert staff_mail(workspace, "question") == []  # no person asked to answer an empty mail
    outcomes = [m["X-Mailflow-Outcome"] for m in sent_mail(workspace)]
    assert outcomes == ["help", "help"], json.dumps(outcomes)
