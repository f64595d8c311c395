"""Ideas: the state machine, the 5-a-year rule, the note d'intention by email, staff commands, a story."""

from __future__ import annotations

import email
import email.utils
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow.app.attachments import keep_idea_attachments, kept_attachments
from mailflow.config.settings import Settings
from mailflow.core.decide.ideas import (
    CO_ANIMATED_PER_YEAR,
    TRANSITIONS,
    CoAnimationLimitError,
    IdeaError,
    IdeaStatus,
    UnknownIdeaError,
    advance,
    can_move,
    decline,
    draft_group,
    draft_title,
    slug,
    validate,
)
from mailflow.core.decide.member import decide, state_after
from mailflow.core.read.classify import classify
from mailflow.core.read.parse import parse
from mailflow.core.write.render import Renderer
from mailflow.errors import StoreError
from mailflow.model.values import Attachment, Idea, Inbound, Intent, IntentKind, Outcome, State
from mailflow.store import Store
from mailflow.store.codecs import group_from_json, group_to_json

from .helpers.messages import deliver
from .helpers.project import ROOT, SAMPLES
from .helpers.runs import body_text, mailflow, plain, run_once, sent_mail
from .helpers.worlds import stored_state

NBSP = "\u00a0"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
THOMAS = "thomas.bernard@pat-val-de-garonne.fr"
IDEA_SAMPLE = next(p for p in SAMPLES if "idee" in p.name)

S = IdeaStatus


def flat(text: str) -> str:
    """Line breaks and runs of ASCII spaces as one space (no-break spaces kept)."""
    return re.sub(r"[ \r\n]+", " ", text)


# --- the state machine, as a table ---------------------------------------------------------------

ALLOWED = {
    (S.RECEIVED, S.DISCUSSION), (S.RECEIVED, S.DECLINED),
    (S.RECEIVED, S.NOTE_RECEIVED),  # the note may come by email before any discussion
    (S.DISCUSSION, S.NOTE_RECEIVED), (S.DISCUSSION, S.DECLINED),
    (S.NOTE_RECEIVED, S.VALIDATED), (S.NOTE_RECEIVED, S.DECLINED),
    (S.VALIDATED, S.DRAFTED), (S.VALIDATED, S.DECLINED),
}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transitions_table(source: IdeaStatus, target: IdeaStatus) -> None:
    assert can_move(source, target) is ((source, target) in ALLOWED)


def test_final_states_lead_nowhere() -> None:
    assert TRANSITIONS[S.DRAFTED] == TRANSITIONS[S.DECLINED] == frozenset()
    assert all(S.DECLINED in TRANSITIONS[s] for s in S if not s.final)


def idea(status: IdeaStatus = S.RECEIVED, n: int = 1, **fields: Any) -> Idea:
    base = Idea(id=f"I{n:04d}", seq=n, email=f"m{n}@ot.example.fr", name=f"Membre {n}",
                subject=f"Idée de groupe de travail : thème {n}", summary="Bonjour,\n\nUn thème.",
                received_at=datetime(2027, 1, 2, 10, 0, tzinfo=UTC), message_key=f"k{n}",
                status=status, message_id=f"<idea{n}@ot.example.fr>")
    return replace(base, **fields)


def state_of(settings: Settings, *ideas: Idea) -> State:
    return State(groups=settings.groups, departments=settings.departments, ideas=ideas,
                 next_seq=max((i.seq for i in ideas), default=0) + 1)


# (status, result of `advance`: the new status and the mail it sends, or the error's words)
ADVANCE: list[tuple[IdeaStatus, str | tuple[IdeaStatus, Outcome | None]]] = [
    (S.RECEIVED, (S.DISCUSSION, None)),
    (S.DISCUSSION, (S.NOTE_RECEIVED, Outcome.IDEA_NOTE_RECEIVED)),
    (S.NOTE_RECEIVED, "ideas validate I0001 --board-date"),
    (S.VALIDATED, "ideas draft I0001"),
    (S.DRAFTED, "aucune étape ne suit"),
    (S.DECLINED, "aucune étape ne suit"),
]


@pytest.mark.parametrize(("status", "expected"), ADVANCE)
def test_advance(status: IdeaStatus,
                 expected: str | tuple[IdeaStatus, Outcome | None]) -> None:
    before = idea(status)
    if isinstance(expected, str):
        with pytest.raises(IdeaError, match=expected):
            advance(before, NOW, "staff")
        return
    target, outcome = expected
    change = advance(before, NOW, "staff")
    assert change.after.status == target.value
    assert change.after.history[-1][2] == "staff" and change.after.updated_at == NOW
    assert (change.reply.outcome if change.reply else None) == outcome
    if change.reply is not None:
        assert change.reply.to == before.email and change.reply.in_reply_to == before.message_id


@pytest.mark.parametrize("status", [s for s in S if not s.final])
def test_decline_from_any_open_state_tells_the_member(status: IdeaStatus) -> None:
    change = decline(idea(status), "  Un groupe proche existe déjà.  ", NOW, "staff")
    assert change.after.status == "declined"
    assert change.after.declined_reason == "Un groupe proche existe déjà."
    assert change.reply is not None and change.reply.outcome is Outcome.IDEA_DECLINED
    assert change.reply.reason == "Un groupe proche existe déjà."


@pytest.mark.parametrize("status", [S.DRAFTED, S.DECLINED])
def test_decline_refused_when_final(status: IdeaStatus) -> None:
    with pytest.raises(IdeaError, match="elle ne peut pas passer à « déclinée »"):
        decline(idea(status), "trop tard", NOW, "staff")


@pytest.mark.parametrize(("reason", "said"), [
    ("un groupe proche existe déjà", f"ne pourra pas lui donner suite{NBSP}: un groupe proche existe déjà."),
    ("   ", "ne pourra pas lui donner suite."),  # staff by email may give none: no empty clause
])
def test_a_decline_tells_its_reason_or_none(renderer: Renderer, reason: str, said: str) -> None:
    change = decline(idea(), reason, NOW, "staff")
    assert change.after.status is S.DECLINED and change.reply is not None
    text = renderer.render(change.reply, NOW).get_body(("plain",))
    assert text is not None and said in flat(text.get_content())


def test_the_command_line_asks_for_a_reason(workspace: Settings) -> None:
    assert mailflow(workspace, "ideas", "decline", "I0001", "--reason", "  ") == 2


@pytest.mark.parametrize("status", [S.RECEIVED, S.DISCUSSION, S.VALIDATED, S.DRAFTED, S.DECLINED])
def test_validate_only_after_the_note(shipped_settings: Settings, status: IdeaStatus) -> None:
    with pytest.raises(IdeaError, match="une fois sa note d’intention reçue"):
        validate(state_of(shipped_settings, idea(status)), "I0001", date(2027, 5, 1), True, NOW, "staff")


def test_validate_checks_the_board_date(shipped_settings: Settings) -> None:
    state = state_of(shipped_settings, idea(S.NOTE_RECEIVED))
    with pytest.raises(IdeaError, match="est à venir"):
        validate(state, "I0001", date(2027, 7, 1), True, NOW, "staff")
    with pytest.raises(IdeaError, match="précède l’arrivée de l’idée"):
        validate(state, "I0001", date(2026, 11, 1), True, NOW, "staff")
    with pytest.raises(UnknownIdeaError, match="idée inconnue « I0042 » ; idées connues : I0001"):
        validate(state, "I0042", date(2027, 5, 1), True, NOW, "staff")


# --- at most 5 co-animated groups a year ---------------------------------------------------------


def five_in_2027(settings: Settings) -> State:
    validated = [idea(S.VALIDATED if n % 2 else S.DRAFTED, n, validated_on=date(2027, n, 10),
                      co_animated=True) for n in range(1, 6)]
    # Neither a group that is not co-animated nor a declined idea counts.
    others = [idea(S.VALIDATED, 6, validated_on=date(2027, 3, 3), co_animated=False),
              idea(S.DECLINED, 7, validated_on=None), idea(S.NOTE_RECEIVED, 8),
              idea(S.NOTE_RECEIVED, 9)]
    return state_of(settings, *validated, *others)


def test_a_sixth_co_animated_group_in_a_year_is_refused(shipped_settings: Settings) -> None:
    state = five_in_2027(shipped_settings)
    with pytest.raises(CoAnimationLimitError) as caught:
        validate(state, "I0008", date(2027, 5, 20), True, NOW, "staff")
    assert [i.id for i in caught.value.validated] == ["I0001", "I0002", "I0003", "I0004", "I0005"]
    assert f"co-anime au plus {CO_ANIMATED_PER_YEAR} groupes par an" in str(caught.value)
    assert "I0005" in str(caught.value) and "--not-co-animated" in str(caught.value)


def test_a_sixth_is_allowed_when_not_co_animated(shipped_settings: Settings) -> None:
    change = validate(five_in_2027(shipped_settings), "I0008", date(2027, 5, 20), False, NOW, "staff")
    assert (change.after.status, change.after.co_animated) == ("validated", False)
    assert change.reply is not None and "assistance technique" in change.reply.reason


def test_a_sixth_in_the_next_year_is_allowed(shipped_settings: Settings) -> None:
    state = five_in_2027(shipped_settings)
    later = datetime(2028, 2, 1, 9, 0, tzinfo=UTC)
    change = validate(state, "I0008", date(2028, 1, 15), True, later, "staff")
    assert change.after.validated_on == date(2028, 1, 15)
    assert change.reply is not None and "samedi 15 janvier 2028" in change.reply.reason
    # …and once it counts, a 2028 limit starts from one.
    state = replace(state, ideas=(*state.ideas, change.after))
    validate(state, "I0009", date(2028, 1, 15), True, later, "staff")


# --- the note d'intention arrives by email -------------------------------------------------------


def message(sender: str, subject: str, text: str, files: tuple[str, ...] = (),
            in_reply_to: str | None = None, n: int = 1) -> Intent:
    inbound = Inbound(key=f"k{n}", sha256=f"{n:064x}", message_id=f"<note{n}@ot.example.fr>",
                      sender=sender, sender_name="Membre", subject=subject, text=text,
                      new_text=text, in_reply_to=in_reply_to,
                      attachments=tuple(Attachment(f, "application/pdf", 10) for f in files))
    return Intent(IntentKind.IDEA, inbound, sender, "Membre")


def test_a_new_idea_is_received_and_acknowledged(shipped_settings: Settings) -> None:
    state = state_of(shipped_settings)
    decision = decide(state, message(THOMAS, "Idée de groupe", "J'ai une idée de groupe."),
                      NOW)
    assert decision.outcome is Outcome.IDEA_RECEIVED
    (new,) = decision.ideas
    assert (new.id, new.status, new.message_id) == ("I0001", "received", "<note1@ot.example.fr>")
    assert new.history == ((NOW.isoformat(), "received", THOMAS),)
    assert decision.replies[0].template == "idea_received"


@pytest.mark.parametrize(("subject", "text", "files"), [
    ("RE : Idée de groupe", "Voici ma note d'intention : objectifs, fonctionnement.", ()),
    ("Note d’intention – accueil hors les murs", "Bonjour, ci-joint.", ()),
    ("RE : Idée de groupe", "Voici le document.", ("Note_d'intention v2.pdf",)),
])
@pytest.mark.parametrize("status", [S.RECEIVED, S.DISCUSSION])
def test_the_note_moves_the_open_idea(shipped_settings: Settings, status: IdeaStatus, subject: str,
                                      text: str, files: tuple[str, ...]) -> None:
    state = state_of(shipped_settings, idea(status, 1, email=THOMAS, attachments=("fiche.pdf",)))
    decision = decide(state, message(THOMAS.upper(), subject, text, files, n=2), NOW)
    assert decision.outcome is Outcome.IDEA_NOTE_RECEIVED
    (noted,) = decision.ideas
    assert (noted.id, noted.status, noted.note_received_at) == ("I0001", "note-received", NOW)
    assert noted.note == text and noted.attachments == ("fiche.pdf", *files)
    reply = decision.replies[0]
    assert (reply.template, reply.to, reply.in_reply_to) == (
        "idea_note_received", THOMAS.upper(), "<note2@ot.example.fr>")
    after = state_after(state, decision)
    assert after.next_seq == state.next_seq  # no new idea


def test_a_fiche_projet_alone_is_a_new_idea(shipped_settings: Settings) -> None:
    state = state_of(shipped_settings, idea(S.RECEIVED, 1, email=THOMAS))
    decision = decide(state, message(THOMAS, "Une autre idée", "Une autre idée de groupe",
                                     ("fiche-projet.pdf",), n=2), NOW)
    assert decision.outcome is Outcome.IDEA_RECEIVED and decision.ideas[0].id == "I0002"


def test_a_note_from_someone_else_or_for_a_closed_idea_is_a_new_idea(shipped_settings: Settings) -> None:
    state = state_of(shipped_settings, idea(S.RECEIVED, 1, email=THOMAS),
                     idea(S.DECLINED, 2, email="other@ot.example.fr"))
    for n, sender in ((3, "nobody@ot.example.fr"), (4, "other@ot.example.fr")):
        decision = decide(state, message(sender, "Note d'intention", "Ma note d'intention", n=n),
                          NOW)
        assert decision.outcome is Outcome.IDEA_RECEIVED


def test_the_note_goes_to_the_idea_it_answers(shipped_settings: Settings) -> None:
    state = state_of(shipped_settings, idea(S.RECEIVED, 1, email=THOMAS),
                     idea(S.DISCUSSION, 2, email=THOMAS))
    decision = decide(state, message(THOMAS, "Note d'intention", "Ma note", n=3,
                                     in_reply_to="<idea1@ot.example.fr>"), NOW)
    assert decision.ideas[0].id == "I0001"
    decision = decide(state, message(THOMAS, "Note d'intention", "Ma note", n=4), NOW)
    assert decision.ideas[0].id == "I0002"  # no thread: the latest open one


def test_a_second_note_completes_the_first(shipped_settings: Settings) -> None:
    state = state_of(shipped_settings, idea(S.NOTE_RECEIVED, 1, email=THOMAS, note="Première version."))
    decision = decide(state, message(THOMAS, "Note d'intention complétée", "Deuxième version.",
                                     ("note-intention-v2.pdf",), n=2), NOW)
    assert decision.outcome is Outcome.IDEA_NOTE_RECEIVED
    (noted,) = decision.ideas
    assert noted.status == "note-received"
    assert noted.note == "Première version.\n\nDeuxième version."
    assert noted.history[-1][1] == "note d’intention complétée par e-mail"


# --- the drafted group ---------------------------------------------------------------------------


@pytest.mark.parametrize(("subject", "title", "group_id"), [
    ("Idée de groupe de travail : accueil hors les murs", "Accueil hors les murs",
     "accueil-hors-les-murs"),
    ("RE : TR : Proposition de groupe : l’itinérance à vélo", "L’itinérance à vélo",
     "itinerance-a-velo"),
    ("Taxe de séjour : mutualiser", "Taxe de séjour : mutualiser", "taxe-de-sejour-mutualiser"),
    ("", "Groupe issu de l’idée I0001", "groupe-issu-de-idee-i0001"),
])
def test_title_and_id_from_the_subject(subject: str, title: str, group_id: str) -> None:
    assert draft_title(idea(subject=subject)) == title
    assert slug(title) == group_id


def test_slug_is_unique() -> None:
    assert slug("OT ruraux", {"ot-ruraux": 1, "ot-ruraux-2": 1}) == "ot-ruraux-3"


def test_draft_group_from_a_validated_idea(shipped_settings: Settings) -> None:
    validated = idea(S.VALIDATED, 1, validated_on=date(2027, 5, 20), co_animated=True,
                     summary="Bonjour Jean-Luc,\n\nL'accueil hors les murs.\nSur les marchés.")
    change = draft_group(state_of(shipped_settings, validated), "I0001", NOW, "staff", PARIS)
    group = change.group
    assert group is not None and change.after.group_id == group.id == "theme-1"
    assert change.after.status == "drafted"
    assert group.call.value == "draft" and group.capacity == 12 and group.criteria.roles is None
    assert group.required == ("name", "structure", "role", "department")
    assert group.first_meeting.starts_at == datetime(2027, 8, 18, 9, 30, tzinfo=PARIS)
    assert group.first_meeting.place == "lieu à préciser"
    assert group.context == "L'accueil hors les murs. Sur les marchés."
    assert "sont provisoires" in change.notes[0]
    assert group_from_json(json.loads(json.dumps(group_to_json(group)))) == group
    with pytest.raises(IdeaError, match="seule une idée validée"):
        draft_group(state_of(shipped_settings, idea(S.NOTE_RECEIVED)), "I0001", NOW, "staff", PARIS)
    with pytest.raises(IdeaError, match="existe déjà"):
        draft_group(state_of(shipped_settings, validated), "I0001", NOW, "staff", PARIS,
                    group_id="ot-ruraux")


def test_templates_speak_french(shipped_settings: Settings) -> None:
    renderer = Renderer(shipped_settings.templates_dir, shipped_settings.network, shipped_settings.groups,
                        shipped_settings.departments)
    validated = idea(S.NOTE_RECEIVED, 1)
    change = validate(state_of(shipped_settings, validated), "I0001", date(2027, 5, 20), True, NOW, "s")
    assert change.reply is not None
    text = renderer.render(change.reply, NOW).get_body(("plain",))
    assert text is not None
    words = flat(text.get_content())
    assert f"Bonne nouvelle{NBSP}: le Conseil d’administration de la MONA a validé" in words
    assert "jeudi 20 mai 2027" in words and "co-animera ce groupe avec vous" in words
    assert "Et maintenant\u202f?" in words


# --- the story, through the real pipeline --------------------------------------------------------


def flat_body(msg: EmailMessage) -> str:
    return flat(body_text(msg))


def ideas_json(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    """A command's --json output, as JSON gives it (lists and dicts)."""
    capsys.readouterr()
    assert mailflow(settings, "ideas", *args, "--json") == 0
    return json.loads(capsys.readouterr().out)


def note_mail(to: EmailMessage, tmp: Path) -> Path:
    """Thomas answers our acknowledgement with his note d'intention as a PDF."""
    msg = EmailMessage()
    msg["From"] = f"Thomas Bernard <{THOMAS}>"
    msg["To"] = str(to["From"])
    msg["Subject"] = f"RE : {to['Subject']}"
    msg["Message-ID"] = email.utils.make_msgid(domain="pat-val-de-garonne.fr")
    msg["In-Reply-To"] = str(to["Message-ID"])
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content("Bonjour,\n\nVoici notre note d'intention : objectifs, fonctionnement du "
                    "groupe, participants, calendrier et résultats attendus.\n\nThomas Bernard\n")
    msg.add_attachment(b"%PDF-1.4\n% note\n", maintype="application", subtype="pdf",
                       filename="Note d'intention - accueil hors les murs.pdf")
    path = tmp / "note.eml"
    path.write_bytes(msg.as_bytes())
    return path


def keep_attachments_as_the_service_does(settings: Settings, idea_id: str, raw: bytes) -> None:
    """What the service does after the commit (idempotent: harmless when it already did)."""
    keep_idea_attachments(settings, idea_id, raw)


def test_an_idea_becomes_a_group(workspace: Settings, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    # 1. Thomas's idea arrives with its « fiche projet » in PDF.
    deliver(workspace, [IDEA_SAMPLE])
    run_once(workspace)
    (ack,) = sent_mail(workspace)
    assert ack["X-Mailflow-Outcome"] == "idea-received"
    assert ack["To"].addresses[0].addr_spec == THOMAS
    words = flat_body(ack)
    for part in ("les objectifs du groupe", "le fonctionnement du groupe", "les participants visés",
                 "le calendrier", "les résultats attendus", f"«{NBSP}note d’intention{NBSP}»"):
        assert part in words
    keep_attachments_as_the_service_does(workspace, "I0001", IDEA_SAMPLE.read_bytes())
    listed = ideas_json(workspace, capsys, "list")
    assert listed == [{"id": "I0001", "received_at": listed[0]["received_at"],
                       "email": THOMAS, "name": "Thomas Bernard",
                       "subject": "Idée de groupe de travail : accueil hors les murs",
                       "status": "received"}]
    shown = ideas_json(workspace, capsys, "show", "I0001")
    assert isinstance(shown, dict)
    (fiche,) = shown["attachments"]
    assert fiche["original"] == "fiche-projet-accueil-hors-les-murs.pdf" and not fiche["refused"]
    assert Path(fiche["path"]).read_bytes().startswith(b"%PDF-")
    assert Path(fiche["path"]).parent == workspace.store_path.parent / "attachments" / "I0001"

    # 2. Staff talk with him: in discussion (nothing to tell by mail).
    assert mailflow(workspace, "ideas", "advance", "I0001") == 0
    assert len(sent_mail(workspace)) == 1

    # 3. He answers with the note d'intention: the idea moves, no new idea, he is told.
    note = note_mail(ack, tmp_path)
    deliver(workspace, [note])
    run_once(workspace)
    noted = sent_mail(workspace)[-1]
    assert noted["X-Mailflow-Outcome"] == "idea-note-received"
    assert "nous avons bien reçu la note d’intention" in flat_body(noted)
    keep_attachments_as_the_service_does(workspace, "I0001", note.read_bytes())
    shown = ideas_json(workspace, capsys, "show", "I0001")
    assert isinstance(shown, dict) and shown["status"] == "note-received"
    assert [a["original"] for a in shown["attachments"]] == [
        "fiche-projet-accueil-hors-les-murs.pdf", "Note d'intention - accueil hors les murs.pdf"]
    assert len(ideas_json(workspace, capsys, "list")) == 1
    capsys.readouterr()
    assert mailflow(workspace, "ideas", "show", "I0001") == 0
    out = plain(capsys.readouterr().out)
    assert "note d’intention :" in out and "gardée dans" in out and " Ko, application/pdf" in out

    # 4. The board validated it today: a dry run first (nothing changes, nothing goes), then for real.
    board = datetime.now(UTC).date().isoformat()
    store_before = workspace.store_path.read_bytes()
    assert mailflow(workspace, "ideas", "validate", "I0001", "--board-date", board, "--dry-run") == 0
    out = plain(capsys.readouterr().out)
    assert "idée validée → " + THOMAS in out and "Essai à blanc : rien n’a été modifié" in out
    assert "note d’intention reçue → validée par le CA (séance du CA du" in out
    assert workspace.store_path.read_bytes() == store_before and len(sent_mail(workspace)) == 2
    assert mailflow(workspace, "ideas", "validate", "I0001", "--board-date", board) == 0
    validated = sent_mail(workspace)[-1]
    assert validated["X-Mailflow-Outcome"] == "idea-validated"
    assert validated["In-Reply-To"] == "<05-idee-de-groupe@mail.example.fr>"
    assert "Conseil d’administration de la MONA a validé" in flat_body(validated)
    assert "co-animera ce groupe avec vous" in flat_body(validated)

    # 5. Staff draft its group: it is a group like the others, in draft.
    assert mailflow(workspace, "ideas", "draft", "I0001") == 0
    out = plain(capsys.readouterr().out)
    assert "Nouveau groupe « Accueil hors les murs » (accueil-hors-les-murs)" in out
    assert "12 places (provisoire)" in out
    shown_group = json.loads(_run_json(workspace, capsys, "groups", "show", "accueil-hors-les-murs"))
    assert (shown_group["title"], shown_group["call"], shown_group["capacity"]) == (
        "Accueil hors les murs", "draft", 12)
    assert shown_group["place"] == "lieu à préciser"
    assert "l'accueil hors les murs (accueil mobile sur les marchés" in shown_group["context"]
    with Store(workspace.store_path, read_only=True) as store:
        history = [h for h in store.history() if h.get("idea") == "I0001"]
    assert [h["action"] for h in history] == ["idea-advance", "idea-validate", "idea-draft"]
    assert history[1]["sent"] == [f"idea-validated → {THOMAS}"]

    # 6. Staff complete and open it.
    meeting = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT09:30")
    assert mailflow(workspace, "groups", "set", "accueil-hors-les-murs", "--capacity", "10",
                    "--meeting-date", meeting, "--place", "Marmande (Lot-et-Garonne)") == 0
    assert mailflow(workspace, "groups", "open", "accueil-hors-les-murs") == 0
    shown_group = json.loads(_run_json(workspace, capsys, "groups", "show", "accueil-hors-les-murs"))
    assert (shown_group["call"], shown_group["capacity"], shown_group["accepting"]) == (
        "open", 10, True)
    assert shown_group["place"] == "Marmande (Lot-et-Garonne)"
    # Nothing more for the idea: it is drafted.
    assert mailflow(workspace, "ideas", "advance", "I0001") == 2
    assert "aucune étape ne suit" in capsys.readouterr().err


def _run_json(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert mailflow(settings, *args, "--json") == 0
    return capsys.readouterr().out


CANDIDATURE = """\
From: Claire Martin <claire.martin@ot-marmande.fr>
To: groupes@monatourisme.fr
Subject: =?utf-8?q?Candidature_=E2=80=93_groupe_=C2=AB_Accueil_hors_les_murs_=C2=BB?=
Message-ID: <claire-1@ot-marmande.fr>
Date: Tue, 01 Dec 2026 09:12:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Bonjour,

Je souhaite candidater au groupe de travail « Accueil hors les murs ».

Nom : Claire Martin
Structure : Office de Tourisme du Val de Garonne
Fonction : Chargée d’accueil
Département : 47

Cordialement,
Claire Martin
"""


def opened_drafted_group(settings: Settings) -> None:
    deliver(settings, [IDEA_SAMPLE])
    run_once(settings)
    board = datetime.now(UTC).date().isoformat()
    meeting = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT09:30")
    for args in (("ideas", "advance", "I0001"), ("ideas", "advance", "I0001"),
                 ("ideas", "validate", "I0001", "--board-date", board),
                 ("ideas", "draft", "I0001"),
                 ("groups", "set", "accueil-hors-les-murs", "--capacity", "10", "--meeting-date",
                  meeting, "--place", "Marmande (Lot-et-Garonne)"),
                 ("groups", "open", "accueil-hors-les-murs")):
        assert mailflow(settings, *args) == 0, args


def test_the_drafted_group_is_seen_by_the_classifier(workspace: Settings) -> None:
    opened_drafted_group(workspace)
    state = stored_state(workspace)
    inbound = parse(CANDIDATURE.encode(), "k")
    intent = classify(inbound, workspace.network, state.groups, workspace.departments)
    assert (intent.kind, intent.group_id) == (IntentKind.CANDIDATURE, "accueil-hors-les-murs")
    decision = decide(state, intent, datetime.now(UTC))
    assert decision.outcome is Outcome.CONFIRMED


def test_a_candidature_by_email_to_the_drafted_group_is_confirmed(workspace: Settings,
                                                                  tmp_path: Path) -> None:
    opened_drafted_group(workspace)
    path = tmp_path / "claire.eml"
    path.write_bytes(CANDIDATURE.encode())
    deliver(workspace, [path])
    run_once(workspace)
    reply = sent_mail(workspace)[-1]
    assert reply["To"].addresses[0].addr_spec == "claire.martin@ot-marmande.fr"
    assert reply["X-Mailflow-Outcome"] == "confirmed"
    assert "la place 1 sur 10" in flat_body(reply)


def test_a_declined_idea_tells_the_member(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    deliver(workspace, [IDEA_SAMPLE])
    run_once(workspace)
    store_before = workspace.store_path.read_bytes()
    reason = "un groupe très proche, « Accueil mobile », est déjà en place en Gironde"
    assert mailflow(workspace, "ideas", "decline", "I0001", "--reason", reason, "--dry-run") == 0
    assert "idée déclinée → " + THOMAS in capsys.readouterr().out
    assert workspace.store_path.read_bytes() == store_before and len(sent_mail(workspace)) == 1
    assert mailflow(workspace, "ideas", "decline", "I0001", "--reason", reason) == 0
    declined = sent_mail(workspace)[-1]
    assert declined["X-Mailflow-Outcome"] == "idea-declined"
    assert declined["To"].addresses[0].addr_spec == THOMAS
    words = flat_body(declined)
    assert f"ne pourra pas lui donner suite{NBSP}: un groupe très proche, «{NBSP}Accueil mobile{NBSP}»" \
        in words
    shown = ideas_json(workspace, capsys, "show", "I0001")
    assert isinstance(shown, dict) and shown["status"] == "declined"
    assert shown["declined_reason"] == reason
    assert mailflow(workspace, "ideas", "validate", "I0001", "--board-date", "2026-01-01") == 2


def test_errors_exit_2(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    deliver(workspace, [IDEA_SAMPLE])
    run_once(workspace)
    assert mailflow(workspace, "ideas", "show", "I0099") == 2
    assert "idée inconnue « I0099 » ; idées connues : I0001" in plain(capsys.readouterr().err)
    assert mailflow(workspace, "ideas", "validate", "I0001", "--board-date", "12/01/2027") == 2
    assert "--board-date : date attendue" in plain(capsys.readouterr().err)
    assert mailflow(workspace, "ideas", "draft", "I0001") == 2
    assert "seule une idée validée" in capsys.readouterr().err
    assert mailflow(workspace, "ideas", "show", "i0001") == 0  # ids in any case


def test_a_sixth_co_animated_group_is_refused_by_the_command(
        workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    with Store(workspace.store_path) as store:
        before = store.state(workspace.groups, workspace.departments)
        ideas = [idea(S.VALIDATED, n, validated_on=today, co_animated=True,
                      received_at=datetime.now(UTC) - timedelta(days=30)) for n in range(1, 6)]
        ideas.append(idea(S.NOTE_RECEIVED, 6, received_at=datetime.now(UTC) - timedelta(days=30)))
        store.save_state(before, replace(before, ideas=tuple(ideas), next_seq=7))
        store.commit()
    assert mailflow(workspace, "ideas", "validate", "I0006", "--board-date", today.isoformat()) == 2
    err = capsys.readouterr().err
    assert "co-anime au plus 5 groupes par an" in err
    assert all(f"I000{n}" in err for n in range(1, 6))
    assert not sent_mail(workspace)
    assert mailflow(workspace, "ideas", "validate", "I0006", "--board-date", today.isoformat(),
                    "--not-co-animated") == 0
    sent = sent_mail(workspace)[-1]
    assert sent["X-Mailflow-Outcome"] == "idea-validated"
    assert "ne fera pas partie de ceux que l’équipe de la MONA co-anime" in flat_body(sent)


def test_ideas_list_text(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert mailflow(workspace, "ideas", "list") == 0
    assert "aucune idée pour l’instant" in capsys.readouterr().out
    deliver(workspace, [IDEA_SAMPLE])
    run_once(workspace)
    capsys.readouterr()
    assert mailflow(workspace, "ideas", "list") == 0
    out = plain(capsys.readouterr().out)
    assert "I0001" in out and "reçue" in out and THOMAS in out and "1 idée :" in out


def test_kept_attachments_ignore_a_planted_link(workspace: Settings, tmp_path: Path) -> None:
    root = workspace.store_path.parent / "attachments"
    root.mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "I0001").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(StoreError, match="lien symbolique"):
        kept_attachments(workspace, "I0001")
    assert kept_attachments(workspace, "../etc") == []


def test_readme_documents_the_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("ideas list", "ideas show", "ideas advance", "ideas validate", "ideas decline",
                    "ideas draft", "--not-co-animated", "--board-date"):
        assert command in readme
