"""Measure dateparser against mailflow's own reader of French dates (`core/when.py`), and print the figures.

Usage: python scripts/measure_dates.py [--repeat 20]

The table below holds French dates and times as staff write them, each inside a sentence, with
the value meant, read on Sunday 29 November 2026 at noon in Europe/Paris, as a date in the past
(a candidature received, a board meeting) or in the future (a meeting). Each reader is asked for
the first date of each sentence: exact, wrong (another value, or a number that is no date read
as one) or missed. dateparser is `search.search_dates` with `languages=["fr"]` and the settings
PREFER_DATES_FROM, RELATIVE_BASE, TIMEZONE, RETURN_AS_TIMEZONE_AWARE and DATE_ORDER; it is measured only
where it is installed (a throw-away virtualenv: `/tmp/dp-venv/bin/python scripts/measure_dates.py`),
else the script says so and measures mailflow's reader alone. Also printed: the time of
`import dateparser` and of its first call, each in a fresh process, the time per sentence once
warm, and what installing it brings (the distributions it pulls in and their size on disk).
Nothing is asserted here; tests/test_when.py checks mailflow's reader on the same table.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import re
import subprocess
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from any virtualenv: core/when.py needs nothing installed

from mailflow.core.read.dates import find_datetime  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=PARIS)  # a Sunday
PAST, FUTURE = True, False


@dataclass(frozen=True)
class Case:
    """A sentence, whether its date is in the past, and the value meant: « 2026-03-03 10:00 »,
    « 2026-03-03 » (a day, no time written) or None (no date in it)."""

    sentence: str
    past: bool
    expected: str | None

    def value(self) -> datetime | date | None:
        if self.expected is None:
            return None
        if " " in self.expected:
            return datetime.fromisoformat(self.expected).replace(tzinfo=PARIS)
        return date.fromisoformat(self.expected)


CASES: tuple[Case, ...] = (
    # The brief's own sentences.
    Case("Ajouter la candidature de Jeanne Martin, directrice de l'OT du Confolentais (16), reçue en "
         "réunion départementale le 3 mars à 10 h, pour le groupe OT ruraux", PAST, "2026-03-03 10:00"),
    Case("Valider l'idée I0003 (CA du 12 mars)", PAST, "2026-03-12"),
    Case("Changer la date de la première rencontre au mardi 6 avril 2027 à 9 h 30", FUTURE,
         "2027-04-06 09:30"),
    # A day and a month, with or without a year and a time.
    Case("La première rencontre aura lieu le 3 mars à 10 h.", FUTURE, "2027-03-03 10:00"),
    Case("Candidature reçue le 3 mars 2026 à 10h30 au salon.", PAST, "2026-03-03 10:30"),
    Case("Rencontre déplacée au 3 mars 2027 à 10h30, salle du conseil.", FUTURE, "2027-03-03 10:30"),
    Case("Rencontre le 1er avril à 14 h à Cognac.", FUTURE, "2027-04-01 14:00"),
    Case("Reçue le 1er avril en réunion de bureau.", PAST, "2026-04-01"),
    Case("Reçue le 2 mai, pendant le salon.", PAST, "2026-05-02"),
    Case("Idée validée au CA du 12 mars.", PAST, "2026-03-12"),
    Case("Le CA du 5 novembre a validé l'idée I0002.", PAST, "2026-11-05"),
    Case("Rencontre le 5 novembre à 9 h 30.", FUTURE, "2027-11-05 09:30"),
    Case("Candidature reçue le 12 décembre.", PAST, "2025-12-12"),
    Case("Réunion le 12 décembre.", FUTURE, "2026-12-12"),
    Case("Candidature reçue le 28 novembre à 17 h 45.", PAST, "2026-11-28 17:45"),
    Case("Rencontre le 3 mars à 14 heures.", FUTURE, "2027-03-03 14:00"),
    Case("Rencontre le 3 mars à midi.", FUTURE, "2027-03-03 12:00"),
    Case("Rencontre à 10 h le 3 mars à Niort.", FUTURE, "2027-03-03 10:00"),
    Case("Candidature reçue le 3 mars dernier en réunion.", FUTURE, "2026-03-03"),
    Case("Rencontre le 29 février.", FUTURE, "2028-02-29"),
    Case("Candidature reçue le 29 février.", PAST, "2024-02-29"),
    Case("Candidature C0042 reçue le 3 mars à 10 h pour 20 places.", PAST, "2026-03-03 10:00"),
    # Accents left out, upper case, abbreviations.
    Case("Candidature reçue le 3 fevrier, pour le groupe OT ruraux.", PAST, "2026-02-03"),
    Case("Réunion le 15 aout à 9 h 30.", FUTURE, "2027-08-15 09:30"),
    Case("Rencontre le 10 decembre à 14h.", FUTURE, "2026-12-10 14:00"),
    Case("CANDIDATURE REÇUE LE 3 MARS À 10 H", PAST, "2026-03-03 10:00"),
    Case("Valider l'idée I0007 (CA du 14 janv.)", PAST, "2026-01-14"),
    Case("Rencontre le 3 févr. 2027 à 10 h.", FUTURE, "2027-02-03 10:00"),
    Case("Réunion du 22 sept. à 9 h.", PAST, "2026-09-22 09:00"),
    # In figures.
    Case("Candidature de Paul Durand reçue le 03/03 à 10:00 par téléphone.", PAST, "2026-03-03 10:00"),
    Case("Réunion le 03/03 à 10:00 à Angoulême.", FUTURE, "2027-03-03 10:00"),
    Case("Reporter la rencontre au 3/3/2027.", FUTURE, "2027-03-03"),
    Case("Candidature arrivée par courrier le 12/10/2026.", PAST, "2026-10-12"),
    Case("Candidature reçue à la réunion du 3/3 à Cognac.", PAST, "2026-03-03"),
    Case("Réunion le 03.03.2027 à 10 h.", FUTURE, "2027-03-03 10:00"),
    Case("Candidature reçue le 2026-03-03 à 10:00.", PAST, "2026-03-03 10:00"),
    # Weekdays and days named from today.
    Case("Changer la date au lundi 7 décembre 2026 à 14 h.", FUTURE, "2026-12-07 14:00"),
    Case("Rencontre le jeudi 10 décembre à 10 h.", FUTURE, "2026-12-10 10:00"),
    Case("Rencontre jeudi 10 à 14 h.", FUTURE, "2026-12-10 14:00"),
    Case("Il a candidaté mardi dernier lors de la réunion.", PAST, "2026-11-24"),
    Case("Déplacer la rencontre à mardi prochain à 10 h.", FUTURE, "2026-12-01 10:00"),
    Case("Rencontre jeudi à 10 h à Poitiers.", FUTURE, "2026-12-03 10:00"),
    Case("Candidature reçue jeudi à 10 h.", PAST, "2026-11-26 10:00"),
    Case("Elle m'a appelé hier à 14 h pour candidater au groupe numérique.", PAST, "2026-11-28 14:00"),
    Case("Candidature déposée aujourd'hui à 9h à l'accueil.", PAST, "2026-11-29 09:00"),
    Case("Candidature reçue avant-hier au téléphone.", PAST, "2026-11-27"),
    Case("Candidature reçue ce matin à l'accueil.", PAST, "2026-11-29"),
    Case("Rencontre demain à 9 h 30.", FUTURE, "2026-11-30 09:30"),
    Case("Rencontre après-demain à 14 h.", FUTURE, "2026-12-01 14:00"),
    # A time alone: today's.
    Case("Accueil à 10 h 15 dans le hall.", PAST, "2026-11-29 10:15"),
    # Either side of the clock change: summer time (+02:00) on 29 March, winter time on 25 October.
    Case("Candidature reçue le 29 mars 2026 à 10 h.", PAST, "2026-03-29 10:00"),
    Case("Candidature reçue le 25 octobre à 10 h.", PAST, "2026-10-25 10:00"),
    # No date at all, or none that exists.
    Case("Candidature reçue le 31 février.", PAST, None),
    Case("Valider l'idée I0003.", PAST, None),
    Case("Directrice de l'OT du Confolentais (16).", PAST, None),
    Case("Valider la candidature C0042.", PAST, None),
    Case("Le groupe compte 20 places.", FUTURE, None),
    Case("Nous prévoyons 1/2 journée de visite.", FUTURE, None),
    Case("Comptez 2 h de route depuis Limoges.", FUTURE, None),
    Case("Nous avons reçu 12/20 candidatures.", PAST, None),
    Case("Nous serons sept au salon.", FUTURE, None),
    # Written after the reader, and read by it before any change: it had 18 of these 20 (the range
    # « du 3 au 5 mars » and « page 3/12 » were then wrong), dateparser 9.
    Case("Rendez-vous le vendredi 18 décembre à 8h45 devant l'OT.", FUTURE, "2026-12-18 08:45"),
    Case("Inscription faite le 2 novembre 2026 vers 16 h.", PAST, "2026-11-02 16:00"),
    Case("Elle est passée lundi dernier à 11 h.", PAST, "2026-11-23 11:00"),
    Case("Candidature reçue le 14/11.", PAST, "2026-11-14"),
    Case("Rencontre reportée au 14 JANVIER 2027, 9H.", FUTURE, "2027-01-14 09:00"),
    Case("Le bureau du 1er décembre a validé l'idée.", PAST, "2025-12-01"),
    Case("Reçue par courrier le 30 nov.", PAST, "2025-11-30"),
    Case("Atelier samedi prochain de 9 h à 12 h.", FUTURE, "2026-12-05 09:00"),
    Case("La visite du 8 juillet 2027 à 14h00 est confirmée.", FUTURE, "2027-07-08 14:00"),
    Case("Candidature déposée hier soir.", PAST, "2026-11-28"),
    Case("Nous serons 12 le 4 mars.", FUTURE, "2027-03-04"),
    Case("Réunion le 4 mars à 18 h 00.", FUTURE, "2027-03-04 18:00"),
    Case("Appel reçu à 9 h 05 ce matin.", PAST, "2026-11-29 09:05"),
    Case("Candidature du 05/11/26.", PAST, "2026-11-05"),
    Case("Le séminaire du 3 au 5 mars.", FUTURE, "2027-03-03"),
    Case("Rencontre le 3 mars de 10h à 12h.", FUTURE, "2027-03-03 10:00"),
    Case("Candidature reçue le mercredi 25/11 à 15h30.", PAST, "2026-11-25 15:30"),
    Case("Rencontre prévue début mars.", FUTURE, None),
    Case("Voir la page 3/12 du dossier.", FUTURE, None),
    Case("Tél. 05 45 12 03 27, poste 10.", FUTURE, None),
)

Reader = Callable[[Case], datetime | date | None]


def ours(case: Case) -> datetime | date | None:
    found = find_datetime(case.sentence, NOW, PARIS, past=case.past)
    return None if found is None else found.value


def dateparser_reader() -> tuple[Reader, Reader] | None:
    """dateparser's first date of a sentence, and whether any of its dates is the one meant."""
    try:
        from dateparser.search import search_dates  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None

    def dates(case: Case) -> list[datetime]:
        settings: dict[str, Any] = {
            "PREFER_DATES_FROM": "past" if case.past else "future",
            "RELATIVE_BASE": NOW.replace(tzinfo=None),  # a naive base: its own reading of the zone
            "TIMEZONE": "Europe/Paris",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "DATE_ORDER": "DMY",  # its best: without it « 12/10/2026 » is read as 10 December
        }
        return [value for _, value in search_dates(case.sentence, languages=["fr"], settings=settings) or []]

    def first(case: Case) -> datetime | date | None:
        found = dates(case)
        return _as_meant(found[0], case) if found else None

    def any_of(case: Case) -> datetime | date | None:
        meant = case.value()
        return next((meant for value in dates(case) if _as_meant(value, case) == meant), None)

    return first, any_of


def _as_meant(value: datetime, case: Case) -> datetime | date:
    # dateparser always gives a datetime: where no time was written only its day is compared.
    return value.date() if case.value() is not None and not isinstance(case.value(), datetime) else value


@dataclass
class Score:
    exact: int = 0
    wrong: int = 0  # another value, or a date read where there is none
    missed: int = 0
    false_finds: int = 0  # of the wrong ones, on sentences holding no date
    time_lost: int = 0  # of the wrong ones, the right day without the time written

    def add(self, case: Case, got: datetime | date | None) -> None:
        meant = case.value()
        if got == meant:
            self.exact += 1
        elif got is None:
            self.missed += 1
        else:
            self.wrong += 1
            self.false_finds += meant is None
            self.time_lost += isinstance(meant, datetime) and isinstance(got, datetime) and (
                got.date() == meant.date() and got.time() == time(0, 0))


def score(reader: Reader, show: bool = False) -> Score:
    result = Score()
    for case in CASES:
        got = reader(case)
        result.add(case, got)
        if show and got != case.value():
            print(f"    {case.sentence!r} ({'past' if case.past else 'future'}): "
                  f"meant {case.expected}, got {got.isoformat() if got is not None else None}")
    return result


def per_sentence_ms(reader: Reader, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = timeit.default_timer()
        for case in CASES:
            reader(case)
        runs.append(timeit.default_timer() - start)
    return min(runs) / len(CASES) * 1000


def fresh_process_ms(code: str) -> float:
    """The minimum over 5 fresh interpreters of what `code` prints (milliseconds)."""
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return min(runs)


def import_time_us(module: str) -> int:
    """`python -X importtime -c 'import MODULE'`: its cumulative microseconds (minimum of 5)."""
    runs = []
    for _ in range(5):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stderr
        line = next(ln for ln in err.splitlines() if re.search(rf"\|\s*{re.escape(module)}$", ln))
        runs.append(int(line.split("|")[1]))
    return min(runs)


FIRST_CALL = """
import time
from datetime import datetime
from dateparser.search import search_dates
imported = time.perf_counter()
search_dates("Candidature reçue le 3 mars à 10 h", languages=["fr"], settings={
    "PREFER_DATES_FROM": "past", "RELATIVE_BASE": datetime(2026, 11, 29, 12),
    "TIMEZONE": "Europe/Paris", "RETURN_AS_TIMEZONE_AWARE": True})
print((time.perf_counter() - imported) * 1000)
"""


def installed(name: str, seen: dict[str, metadata.Distribution]) -> None:
    """`name` and what it requires, recursively (extras left out)."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return
    key = dist.metadata["Name"].lower()
    if key in seen:
        return
    seen[key] = dist
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        installed(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0], seen)


def size_on_disk(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or []:
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs of the table for the time per sentence")
    args = parser.parse_args()
    dated = sum(case.expected is not None for case in CASES)
    print(f"{len(CASES)} sentences ({dated} with a date, {len(CASES) - dated} without), "
          f"read on {NOW.isoformat()} Europe/Paris")

    mine = score(ours, show=True)
    print(f"mailflow core/when.py: {mine.exact} exact, {mine.wrong} wrong "
          f"({mine.false_finds} false finds), {mine.missed} missed; "
          f"{per_sentence_ms(ours, args.repeat):.3f} ms a sentence; "
          f"import {import_time_us('mailflow.core.read.dates') / 1000:.1f} ms; "
          f"{(ROOT / 'mailflow/core/when.py').read_text(encoding='utf-8').count(chr(10))} lines, "
          "standard library only")

    readers = dateparser_reader()
    if readers is None:
        print(f"dateparser is not installed in {sys.prefix}: not measured "
              "(install it in a throw-away virtualenv and run this script with its python)")
        return
    first, any_of = readers
    print(f"dateparser {metadata.version('dateparser')}, search_dates, first date of the sentence:")
    theirs = score(first, show=True)
    print(f"dateparser: {theirs.exact} exact, {theirs.wrong} wrong ({theirs.false_finds} false finds, "
          f"{theirs.time_lost} the right day without the time written), {theirs.missed} missed")
    lenient = score(any_of)
    print(f"dateparser, any of its dates the one meant: {lenient.exact} of {len(CASES)}")
    print(f"dateparser: {per_sentence_ms(first, args.repeat):.3f} ms a sentence once warm")
    print(f"import dateparser: {import_time_us('dateparser') / 1000:.0f} ms (-X importtime, cumulative); "
          f"first search_dates call after it: {fresh_process_ms(FIRST_CALL):.0f} ms "
          "(fresh process, min of 5)")
    seen: dict[str, metadata.Distribution] = {}
    installed("dateparser", seen)
    sizes = {name: size_on_disk(dist) for name, dist in seen.items()}
    listed = ", ".join(f"{name} {seen[name].version} ({size / 1e6:.1f} MB)" for name, size in sizes.items())
    total = sum(sizes.values()) / 1e6
    print(f"installing dateparser brings {len(seen)} distributions, {total:.1f} MB: {listed}")


if __name__ == "__main__":
    main()
