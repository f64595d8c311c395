"""The command line: its parser, and `main`, which loads the configuration and runs one command.

Each command's module is imported only when it runs, so that `mailflow --help` starts at once.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

if TYPE_CHECKING:
    from .config.settings import Settings

log = logging.getLogger("mailflow")

# A string: argparse's class is generic for type checkers only.
SubParsers: TypeAlias = "argparse._SubParsersAction[FrenchParser]"

DRY_RUN_HELP = "montrer ce qui changerait et les messages qui partiraient ; ne rien changer"

# argparse's own messages (Python 3.11 to 3.13), as French staff read them.
_ARGPARSE_FR = (
    (re.compile(r"^the following arguments are required: (.*)$"), r"à indiquer : \1"),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"argument inconnu : \1"),
    (re.compile(r"^one of the arguments (.*) is required$"), r"l’un de ces arguments est demandé : \1"),
    (re.compile(r"^argument (\S+): not allowed with argument (.*)$"),
     r"l’argument \1 ne va pas avec \2"),
    (re.compile(r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$"),
     r"argument \1 : \2 n’est pas possible ; choix possibles : \3"),
    (re.compile(r"^argument (\S+): invalid int value: (.*)$"),
     r"argument \1 : nombre entier attendu, et non \2"),
    (re.compile(r"^argument (\S+): expected one argument$"), r"argument \1 : une valeur est attendue"),
    (re.compile(r"^ambiguous option: (\S+) could match (.*)$"),
     r"option ambiguë : \1 peut être \2"),
    (re.compile(r"^argument (\S+): (.*)$"), r"argument \1 : \2"),
)


def french_error(message: str) -> str:
    """An argparse error message in French (one it does not know is kept as it is)."""
    for pattern, french in _ARGPARSE_FR:
        if pattern.match(message):
            return pattern.sub(french, message)
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help in French: « utilisation : », and a space before each title's colon."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(f"{heading} " if heading else heading)  # « options : »


class FrenchParser(argparse.ArgumentParser):
    """An argument parser whose help, titles and errors are in French; examples in its epilog."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="afficher cette aide et s’arrêter")

    def error(self, message: str) -> NoReturn:
        if message in _NO_COMMAND:  # `mailflow` or `mailflow groups` alone: what can follow
            self.print_help(sys.stdout)
            self.exit(2)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_error(message)}\n")


#: argparse's words when only the command (or a command's action) is missing.
_NO_COMMAND = {f"the following arguments are required: {what}" for what in ("COMMANDE", "ACTION")}


class _Version(argparse.Action):
    """`--version`: the installed package's version, read only when asked (no import at start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from importlib import metadata

        try:
            version = metadata.version("mailflow")
        except metadata.PackageNotFoundError:  # run from a folder, not installed
            version = "(version inconnue : mailflow n’est pas installé)"
        print(f"mailflow {version}")
        parser.exit(0)


def _examples(*lines: str) -> str:
    return "exemples :\n" + "\n".join(f"  {line}" for line in lines)


def _add(sub: SubParsers, name: str, help_text: str, *examples: str) -> FrenchParser:
    """A command with its help and one or two examples (shown by `mailflow … --help`)."""
    return sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
                          epilog=_examples(*examples) if examples else None)


def _command(parser: argparse.ArgumentParser, handler: str, **defaults: Any) -> None:
    """`handler` is « module:function » in mailflow.commands, imported when the command runs."""
    parser.set_defaults(handler=handler, **defaults)


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="écrire du JSON (pour un programme)")


def _dry_run(parser: argparse.ArgumentParser, text: str = DRY_RUN_HELP) -> None:
    parser.add_argument("--dry-run", action="store_true", help=text)


def _actions(parser: FrenchParser, dest: str) -> SubParsers:
    return parser.add_subparsers(dest=dest, required=True, metavar="ACTION", title="actions")


def _groups(sub: SubParsers) -> None:
    status = _add(sub, "status", "chaque groupe : places prises et libres, liste d’attente",
                  "mailflow status", "mailflow status --json")
    _json(status)
    _command(status, "groups:cmd_status")
    groups = _add(sub, "groups", "les groupes de travail : les voir, ouvrir ou clore leur appel, "
                  "les modifier", "mailflow groups show ot-ruraux", "mailflow groups close role-ot")
    groups_sub = _actions(groups, "groups_command")
    glist = _add(groups_sub, "list", "les groupes, leur appel et leur première rencontre",
                 "mailflow groups list")
    _json(glist)
    _command(glist, "groups:cmd_groups_list")
    gshow = _add(groups_sub, "show", "un groupe : son appel, ses places, sa rencontre, ses quotas et "
                 "qui peut candidater", "mailflow groups show ot-ruraux")
    gshow.add_argument("group", metavar="GROUPE", help="identifiant du groupe, par exemple ot-ruraux")
    _json(gshow)
    _command(gshow, "groups:cmd_groups_show")
    for verb, call_value, what in (
            ("open", "open", "ouvrir l’appel à candidatures (la liste d’attente reçoit les places "
                             "libres, chacun est prévenu)"),
            ("close", "closed", "clore l’appel à candidatures")):
        gcall = _add(groups_sub, verb, what, f"mailflow groups {verb} role-ot --dry-run",
                     f"mailflow groups {verb} role-ot")
        gcall.add_argument("group", metavar="GROUPE", help="identifiant du groupe")
        _dry_run(gcall)
        _command(gcall, "groups:cmd_groups_set", call=call_value, capacity=None, meeting_date=None,
                 place=None, closes_at=None)
    gset = _add(groups_sub, "set", "modifier un groupe pendant son appel ; les membres concernés "
                "sont prévenus", "mailflow groups set ot-ruraux --capacity 22 --dry-run",
                "mailflow groups set ot-ruraux --meeting-date 2027-04-13T09:30 --place \"Sarlat\"")
    gset.add_argument("group", metavar="GROUPE", help="identifiant du groupe")
    gset.add_argument("--capacity", type=int, metavar="N",
                      help="nombre de places (plus de places : la liste d’attente en reçoit)")
    gset.add_argument("--meeting-date", metavar="DATE", help="première rencontre, heure locale : "
                      "2027-04-06T09:30 (les inscrits reçoivent une invitation à jour)")
    gset.add_argument("--place", metavar="LIEU",
                      help="lieu de la première rencontre (les inscrits sont prévenus)")
    gset.add_argument("--closes-at", metavar="DATE",
                      help="clôture de l’appel, heure locale, ou « aucune » pour l’enlever")
    _dry_run(gset)
    _command(gset, "groups:cmd_groups_set", call=None)
    greset = _add(groups_sub, "reset", "revenir aux valeurs de groups.toml là où l’équipe les a "
                  "changées (par courriel ou par set, open, close) ; les membres concernés sont "
                  "prévenus", "mailflow groups reset ot-ruraux capacity --dry-run",
                  "mailflow groups reset ot-ruraux")
    greset.add_argument("group", metavar="GROUPE", help="identifiant du groupe")
    greset.add_argument("key", nargs="?", default=None, metavar="CLÉ",
                        help="capacity, call, closes_at, first_meeting (sa date et son lieu), "
                             "first_meeting.starts_at ou first_meeting.place ; sans CLÉ : toutes")
    _dry_run(greset)
    _command(greset, "groups:cmd_groups_reset")


def _candidates(sub: SubParsers) -> None:
    cands = _add(sub, "candidates", "les candidatures : les voir, en ajouter, retirer, refuser, "
                 "donner une place", "mailflow candidates list ot-ruraux",
                 "mailflow candidates refuse C0042 --reason \"hors profil\" --dry-run")
    cands_sub = _actions(cands, "candidates_command")
    clist = _add(cands_sub, "list", "les candidatures d’un groupe par ordre d’arrivée",
                 "mailflow candidates list ot-ruraux")
    clist.add_argument("group", metavar="GROUPE", help="identifiant du groupe, par exemple ot-ruraux")
    _json(clist)
    _command(clist, "candidates:cmd_candidates_list")
    cadd = _add(cands_sub, "add", "une candidature reçue en personne, placée à son heure",
                "mailflow candidates add ot-ruraux --email jeanne.martin@ot-confolentais.fr "
                "--name \"Jeanne Martin\" --department 16 --received-at 2027-03-03T10:00 --dry-run")
    cadd.add_argument("group", metavar="GROUPE", help="identifiant du groupe")
    cadd.add_argument("--email", required=True, metavar="ADRESSE",
                      help="l’adresse du membre (il est prévenu)")
    cadd.add_argument("--name", required=True, metavar="NOM", help="prénom et nom")
    cadd.add_argument("--department", required=True, metavar="CODE",
                      help="code du département, par exemple 24")
    cadd.add_argument("--structure", metavar="TEXTE", help="l’office ou la structure du membre")
    cadd.add_argument("--role", metavar="TEXTE", help="la fonction du membre, telle qu’il la dit")
    cadd.add_argument("--received-at", metavar="DATE",
                      help="quand elle a été reçue, heure locale (par défaut : maintenant)")
    _dry_run(cadd)
    _command(cadd, "candidates:cmd_candidates_add")
    for verb, what in (("withdraw", "retirer une candidature (sa place va à la liste d’attente)"),
                       ("refuse", "refuser une candidature ; le membre lit le motif"),
                       ("promote", "donner une place à une candidature en attente, au-delà du "
                                   "quota ou des places")):
        caction = _add(cands_sub, verb, what,
                       f"mailflow candidates {verb} C0012 --reason \"appel du 2 mars\" --dry-run")
        caction.add_argument("id", metavar="ID",
                             help="numéro de la candidature, par exemple C0012 (majuscules ou "
                                  "minuscules ; voir candidates list)")
        caction.add_argument("--reason", required=True, metavar="MOTIF",
                             help="pourquoi (en français pour refuse : le membre le lit)")
        _dry_run(caction)
        _command(caction, "candidates:cmd_candidates_action", action=verb)
    export = _add(cands_sub, "export", "les candidatures d’un groupe en CSV pour Excel (UTF-8 avec "
                  "BOM, « ; »)", "mailflow candidates export ot-ruraux --output ot-ruraux.csv")
    export.add_argument("group", metavar="GROUPE", help="identifiant du groupe, par exemple ot-ruraux")
    export.add_argument("--output", type=Path, default=None, metavar="FICHIER",
                        help="écrire ce fichier (par défaut : la sortie standard)")
    _command(export, "records:cmd_candidates_export")


def _ideas(sub: SubParsers) -> None:
    ideas = _add(sub, "ideas", "les idées de nouveaux groupes de travail", "mailflow ideas list",
                 "mailflow ideas validate I0003 --board-date 2027-03-12 --dry-run")
    ideas_sub = _actions(ideas, "ideas_command")
    ilist = _add(ideas_sub, "list", "toutes les idées : numéro, date, étape, expéditeur, objet",
                 "mailflow ideas list")
    _json(ilist)
    _command(ilist, "ideas:cmd_ideas_list")
    ishow = _add(ideas_sub, "show", "une idée : son texte, sa note, son historique, ses pièces jointes",
                 "mailflow ideas show I0005")
    ishow.add_argument("idea", metavar="ID", help="numéro de l’idée, par exemple I0005")
    _json(ishow)
    _command(ishow, "ideas:cmd_ideas_show")

    def changing(name: str, help_text: str, *examples: str) -> FrenchParser:
        p = _add(ideas_sub, name, help_text, *examples)
        p.add_argument("idea", metavar="ID", help="numéro de l’idée, par exemple I0005")
        _dry_run(p)
        return p

    _command(changing("advance", "reçue → en discussion → note d’intention reçue (le membre est "
                      "prévenu)", "mailflow ideas advance I0005 --dry-run"), "ideas:cmd_ideas_advance")
    ival = changing("validate", "enregistrer la validation par le CA (le membre est prévenu)",
                    "mailflow ideas validate I0005 --board-date 2027-01-12",
                    "mailflow ideas validate I0005 --board-date 2027-01-12 --not-co-animated")
    ival.add_argument("--board-date", required=True, metavar="DATE",
                      help="la séance du CA : 2027-01-12")
    ival.add_argument("--not-co-animated", action="store_true",
                      help="l’équipe de la MONA ne le co-anime pas (hors des 5 par an)")
    _command(ival, "ideas:cmd_ideas_validate")
    idec = changing("decline", "décliner l’idée (le membre lit le motif)",
                    "mailflow ideas decline I0005 --reason \"un groupe proche existe déjà\"")
    idec.add_argument("--reason", required=True, metavar="MOTIF",
                      help="pourquoi, en français : le membre le lit")
    _command(idec, "ideas:cmd_ideas_decline")
    idra = changing("draft", "préparer le groupe d’une idée validée, à compléter puis ouvrir",
                    "mailflow ideas draft I0005 --group-id accueil-hors-les-murs")
    idra.add_argument("--group-id", metavar="ID", help="l’identifiant du groupe (par défaut : tiré "
                      "de l’objet)")
    idra.add_argument("--title", metavar="TITRE", help="le titre du groupe (par défaut : l’objet)")
    idra.add_argument("--context", metavar="TEXTE",
                      help="le contexte du groupe (par défaut : le texte de l’idée)")
    _command(idra, "ideas:cmd_ideas_draft")


def _records(sub: SubParsers) -> None:
    questions = _add(sub, "questions", "les questions transmises à l’équipe (une personne y répond)",
                     "mailflow questions list", "mailflow questions done Q0004")
    q_sub = _actions(questions, "questions_command")
    qlist = _add(q_sub, "list", "les questions en attente de réponse, les plus anciennes d’abord",
                 "mailflow questions list", "mailflow questions list --all")
    qlist.add_argument("--all", action="store_true", help="aussi celles qui ont eu leur réponse")
    _json(qlist)
    _command(qlist, "questions:cmd_questions_list")
    done = _add(q_sub, "done", "clore une question répondue hors de la boîte (téléphone, autre "
                "adresse)", "mailflow questions done Q0004 --dry-run")
    done.add_argument("id", metavar="ID", help="numéro de la question, par exemple Q0004 (voir "
                      "questions list)")
    _dry_run(done)
    _command(done, "questions:cmd_questions_done")

    quarantine = _add(sub, "quarantine", "les messages mis de côté (illisibles, ou qui ont fait "
                      "échouer mailflow) : les voir, les remettre dans la boîte",
                      "mailflow quarantine list", "mailflow quarantine retry 2")
    quarantine_sub = _actions(quarantine, "quarantine_command")
    qu_list = _add(quarantine_sub, "list", "les messages en quarantaine, numérotés, avec la raison",
                   "mailflow quarantine list")
    _json(qu_list)
    _command(qu_list, "quarantine:cmd_quarantine_list")
    qu_show = _add(quarantine_sub, "show", "un message en quarantaine : la raison et son texte",
                   "mailflow quarantine show 1")
    qu_show.add_argument("number", type=int, metavar="NUMÉRO", help="son numéro dans quarantine list")
    _command(qu_show, "quarantine:cmd_quarantine_show")
    qu_retry = _add(quarantine_sub, "retry", "remettre des messages dans la boîte, pour que mailflow "
                    "les traite de nouveau (leur heure d’arrivée est gardée)",
                    "mailflow quarantine retry 2", "mailflow quarantine retry --all --dry-run")
    qu_retry.add_argument("numbers", type=int, nargs="*", metavar="NUMÉRO",
                          help="leurs numéros dans quarantine list")
    qu_retry.add_argument("--all", action="store_true", help="tous les messages en quarantaine")
    _dry_run(qu_retry)
    _command(qu_retry, "quarantine:cmd_quarantine_retry")

    hist = _add(sub, "history", "l’historique : actions de l’équipe, messages reçus, réponses, "
                "du plus ancien au plus récent", "mailflow history ot-ruraux",
                "mailflow history marie.dupont@ot-perigord-noir.fr")
    hist.add_argument("target", nargs="?", default=None, metavar="GROUPE|ADRESSE",
                      help="seulement ce groupe (son identifiant) ou cette adresse")
    _json(hist)
    _command(hist, "records:cmd_history")
    privacy = _add(sub, "privacy", "les données personnelles (RGPD) : export, anonymisation",
                   "mailflow privacy export marie.dupont@ot-perigord-noir.fr",
                   "mailflow privacy purge --before 2027-01-31 --dry-run")
    privacy_sub = _actions(privacy, "privacy_command")
    pexport = _add(privacy_sub, "export", "tout ce qui est gardé sur une adresse, en JSON",
                   "mailflow privacy export marie.dupont@ot-perigord-noir.fr")
    pexport.add_argument("email", metavar="ADRESSE", help="l’adresse de la personne")
    _command(pexport, "records:cmd_privacy_export")
    purge = _add(privacy_sub, "purge", "anonymiser les candidatures des groupes réunis avant DATE, "
                 "en gardant les nombres", "mailflow privacy purge --before 2027-01-31 --dry-run")
    purge.add_argument("--before", required=True, metavar="DATE",
                       help="les groupes dont la première rencontre précède cette date (2027-01-31)")
    _dry_run(purge)
    _command(purge, "records:cmd_privacy_purge")


def _review(sub: SubParsers) -> None:
    actions = _actions(_add(sub, "review", "la relecture : les réponses qui attendent l’accord de l’équipe",
                            "mailflow review list", "mailflow review send 3"), "review_command")
    for name, text, arg in (
            ("list", "les réponses en attente de relecture, les plus anciennes d’abord", ""),
            ("show", "une réponse en attente : le message du membre, la décision, la réponse", "3"),
            ("send", "envoyer telle quelle une réponse en attente (son numéro)", "3"),
            ("hold", "garder une réponse en attente (elle compte comme retenue)", "3"),
            ("stats", "ce qu’a donné la relecture sur 30 jours, par type de réponse", ""),
            ("stop", "ne plus relire un type de réponse : elles partent dès la décision", "confirmed"),
            ("resume", "relire de nouveau un type de réponse (valeur de X-Mailflow-Outcome)", "confirmed")):
        act = _add(actions, name, text, f"mailflow review {name} {arg}".strip())
        if arg:
            act.add_argument("target", metavar="NUMÉRO" if arg == "3" else "TYPE")
        if name != "show":
            (_json if name in ("list", "stats") else _dry_run)(act)
        _command(act, f"review:cmd_review_{name}")


def _run(sub: SubParsers) -> None:
    run = _add(sub, "run", "lire la boîte et répondre (le service)", "mailflow run --once",
               "mailflow run --dry-run")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="traiter ce qui attend, puis s’arrêter")
    mode.add_argument("--dry-run", action="store_true",
                      help="décider et montrer les réponses ; ne rien changer ni envoyer")
    run.add_argument("--since", metavar="DATE",
                     help="compter le courrier arrivé depuis cette date (2026-12-01), plus ancien "
                          "compris : mailflow y répond (voir mailflow old)")
    _command(run, "run:cmd_run")


def _old(sub: SubParsers) -> None:
    old = _add(sub, "old", "le courrier arrivé avant que mailflow ne le compte (premier démarrage "
               "sur une boîte déjà utilisée) : le voir, le ranger sans y répondre",
               "mailflow old list", "mailflow old archive --dry-run")
    old_sub = _actions(old, "old_command")
    old_list = _add(old_sub, "list", "les anciens messages qui attendent, sans réponse",
                    "mailflow old list")
    _command(old_list, "old:cmd_old_list")
    old_archive = _add(old_sub, "archive", "ranger les anciens messages dans le dossier d’archives, "
                       "sans jamais y répondre", "mailflow old archive", "mailflow old archive --dry-run")
    _dry_run(old_archive)
    _command(old_archive, "old:cmd_old_archive")


def _digest(sub: SubParsers) -> None:
    digest = _add(sub, "digest", "le point quotidien pour l’équipe depuis le précédent",
                  "mailflow digest --print", "mailflow digest --send")
    how = digest.add_mutually_exclusive_group(required=True)
    how.add_argument("--send", action="store_true",
                     help="l’envoyer à l’équipe maintenant (rien un jour sans nouvelles)")
    how.add_argument("--print", action="store_true",
                     help="afficher son texte ; ne rien envoyer ni changer")
    _command(digest, "digest:cmd_digest")


def _check_and_newsletter(sub: SubParsers) -> None:
    check = _add(sub, "check-config", "vérifier la configuration et les serveurs, et dire ce qui "
                 "a été trouvé", "mailflow check-config",
                 "mailflow --config /etc/mailflow/mailflow.toml check-config")
    _command(check, "check:cmd_check_config")
    news = _add(sub, "newsletter", "les appels ouverts en blocs pour la lettre MONA Infos",
                "mailflow newsletter --html", "mailflow newsletter ot-ruraux --text")
    news.add_argument("groups", nargs="*", metavar="GROUPE",
                      help="identifiants des groupes (par défaut : chaque appel ouvert)")
    fmt = news.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--html", dest="format", action="store_const", const="html",
                     help="un fragment HTML (tableaux, styles en ligne) à coller")
    fmt.add_argument("--text", dest="format", action="store_const", const="text",
                     help="du texte brut, liens écrits en entier")
    _command(news, "newsletter:cmd_newsletter")


def parser() -> argparse.ArgumentParser:
    """The command line, its commands in the order `mailflow --help` lists them."""
    top = FrenchParser(
        prog="mailflow",
        description="Fait vivre les groupes de travail de la MONA depuis une boîte aux lettres.",
        epilog=_examples("mailflow run --once", "mailflow candidates list ot-ruraux")
        + "\n\nL’aide d’une commande : mailflow COMMANDE --help (par exemple mailflow groups set --help)"
        + "\nL’équipe peut aussi agir par courriel, depuis son adresse d’équipe : écrire à la boîte "
          "« Promouvoir C0017 », « Clore l’appel OT ruraux »… (README, « Pour l’équipe »).",
    )
    top.add_argument("--config", type=Path, default=None, metavar="FICHIER",
                     help="fichier de configuration (par défaut : $MAILFLOW_CONFIG ou "
                          "config/mailflow.toml)")
    top.add_argument("-v", "--verbose", action="store_true",
                     help="journal détaillé, pour qui maintient mailflow")
    top.add_argument("--version", action=_Version, help="afficher la version de mailflow et s’arrêter")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMANDE", title="commandes")
    for add in (_run, _old, _groups, _candidates, _digest, _check_and_newsletter, _ideas, _records, _review):
        add(sub)
    return top


#: Exit statuses: 0 done; 1 could not be done (a server, the store); 2 refused as asked (a
#: wrong option, configuration or id); 70 (EX_SOFTWARE) an error mailflow did not expect.
EXIT_FAILED, EXIT_REFUSED, EXIT_UNEXPECTED = 1, 2, 70


def _crash_report(settings: Settings | None, exc: BaseException) -> Path | None:
    """Write the details of an unexpected error where the operator keeps mailflow's files."""
    folder = settings.store_path.parent if settings is not None else Path(tempfile.gettempdir())
    report = folder / "mailflow-erreurs.log"
    text = (f"--- {datetime.now(UTC).isoformat(timespec='seconds')} mailflow {' '.join(sys.argv[1:])}\n"
            + "".join(traceback.format_exception(exc)))
    try:
        fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return None
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # People read a command's output once, in French: the log speaks only of what went wrong,
    # except for the daemon, whose log is its only output (-v: everything, for a maintainer).
    daemon = args.handler == "run:cmd_run" and not (args.once or args.dry_run)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO if daemon else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from . import config
    from .core.french import french_typography as fr
    from .errors import ConfigError, MailflowError, StaffActionError

    settings: Settings | None = None
    try:
        settings = config.load(args.config)
        module, function = args.handler.split(":")
        command = getattr(importlib.import_module(f".commands.{module}", __package__), function)
        code: int = command(settings, args)
        return code
    except ConfigError as exc:
        print(fr(f"mailflow : erreur de configuration : {exc}"), file=sys.stderr)
        return EXIT_REFUSED
    except StaffActionError as exc:
        print(fr(f"mailflow : {exc}"), file=sys.stderr)
        return EXIT_REFUSED
    except MailflowError as exc:
        print(fr(f"mailflow : {exc}"), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("mailflow : interrompu", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: no traceback for the person at the keyboard
        log.debug("unexpected error", exc_info=exc)
        report = _crash_report(settings, exc)
        where = f" ; détails pour l’équipe technique dans {report}" if report else ""
        print(fr(f"mailflow : erreur inattendue ({type(exc).__name__} : {exc}){where}"),
              file=sys.stderr)
        return EXIT_UNEXPECTED
