"""Dates and times as French staff write them in an email: « le 3 mars à 10 h », « hier », « mardi »."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..french import DAYS
from ..french import MONTHS as MONTH_WORDS
from .text import fold_aligned

# --- the words, spelt as they are matched: lower case, accents removed ------------------------

#: Month names and the abbreviations staff use, each to its number. Longer spellings are tried
#: first, so « septembre » is not read as « sept » followed by « embre ».
MONTH_NAMES: dict[str, int] = {fold_aligned(month): number for number, month in enumerate(MONTH_WORDS, 1)}
MONTH_ABBREVIATIONS: dict[str, int] = {
    "janv": 1, "jan": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "juill": 7,
    "sept": 9, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTHS: dict[str, int] = MONTH_NAMES | MONTH_ABBREVIATIONS

WEEKDAYS: dict[str, int] = {day: number for number, day in enumerate(DAYS)}

#: Days named from today, keyed without spaces or hyphens (« avant-hier », « avant hier »).
DAYS_FROM_TODAY: dict[str, int] = {
    "avanthier": -2, "hier": -1, "aujourd'hui": 0, "cematin": 0, "cetapresmidi": 0, "cesoir": 0,
    "demain": 1, "apresdemain": 2,
}

#: How far a day and month without a year is looked for: 29 February comes back within 8 years.
YEARS_TO_LOOK = 9
#: How far a weekday with a day of the month (« jeudi 12 ») is looked for, in months.
MONTHS_TO_LOOK = 28

# --- the patterns, on folded text ----------------------------------------------------------------

def _either(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Not inside a word, an id (I0003, C0042), a number (1.5, 1,5) or another date (03/03).
_NOT_AFTER = r"(?<![\w/.,:-])"
_ARTICLE = r"(?:(?<![\w'])(?:le|ce)\s+)?"
_WEEKDAY = rf"(?<![\w-])(?P<weekday>{_either(WEEKDAYS)})(?![\w-])"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_MONTH_WORD = rf"(?:{_either(MONTH_NAMES)})(?![a-z])|(?:{_either(MONTH_ABBREVIATIONS)})(?![a-z])\.?"
_WHICH = r"(?:\s+(?P<which>dernier|derniere|prochain|prochaine)(?![\w-]))?"

#: « le 3 mars », « mardi 6 avril 2027 », « 1er avril », « 3 févr. », « le 12 mars dernier », and
#: the first day of « du 3 au 5 mars ».
DAY_MONTH = re.compile(
    rf"{_ARTICLE}(?:{_WEEKDAY}\s+)?{_NOT_AFTER}(?P<day>{_DAY}|1er|premier)"
    rf"(?:\s*(?:au|et|-)\s*(?:{_DAY}|1er)(?!\d))?\s*"
    rf"(?P<month>{_MONTH_WORD})(?:\s+(?P<year>\d{{4}})(?!\d))?{_WHICH}"
)

#: « le 03/03 », « 3/3/2027 », « 03.03.2027 », « 3-3-27 »: a year is needed with « . » and « - »,
#: and without one both have two digits or « le », « du », « au » or a weekday comes first, so that
#: « 1/2 journée », « 3/4 des places » or « page 3/12 » stay what they are.
NUMERIC = re.compile(
    rf"{_ARTICLE}(?:{_WEEKDAY}\s+)?{_NOT_AFTER}(?P<day>\d{{1,2}})(?P<sep>[/.-])(?P<month>\d{{1,2}})"
    r"(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?![\w/]|[.,:-]\d)"
)

# What may stand before « 3/3 » for it to be a date: « du 3/3 », « au 3/3 ».
_INTRODUCED = re.compile(r"(?<![\w'])(?:le|du|au)\s+\Z")

#: « 2027-03-03 », as a form or a spreadsheet writes it.
ISO = re.compile(r"(?<![\w/.-])(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)(?![\w/]|[.,:-]\d)")

#: « hier », « avant-hier », « aujourd'hui », « après-demain », « ce matin ».
RELATIVE = re.compile(
    r"(?:(?<![\w'-])|(?<=\bd'))"  # « d'aujourd'hui », « d'hier »: the elided « de » of « le CA d'hier »
    r"(?P<relative>avant[- ]?hier|hier|aujourd'hui|aujourd hui|demain|apres[- ]?demain"
    r"|ce\s+matin|cet\s+apres[- ]?midi|ce\s+soir)(?![\w'-])"
)

#: « mardi », « mardi dernier », « le mardi prochain », « ce jeudi », « jeudi 12 » (not « jeudi 10 h »).
WEEKDAY = re.compile(
    rf"{_ARTICLE}{_WEEKDAY}"
    rf"(?:\s+(?P<day>{_DAY}|1er)(?![\w/]|[.,:]\d|\s*(?:h|heures?)(?![a-z])|\s+(?:{_MONTH_WORD})))?{_WHICH}"
)

_HOUR = r"(?:[01]?\d|2[0-3])"
_TIME = (
    rf"(?P<at>(?:(?:a|vers|des|de|entre|disons|plutot|genre|soit)\s+)?){_NOT_AFTER}"
    # Spaces and tabs only inside a time: « 10 h » at a line's end is not 10 h 15 with the next line.
    rf"(?:(?P<hour>{_HOUR})[ \t]*(?:h|heures?)(?:[ \t]*(?P<minute>[0-5]\d)(?:[ \t]*(?:min|mn))?)?(?![\w])"
    rf"|(?P<clock_hour>{_HOUR}):(?P<clock_minute>[0-5]\d)(?![\w:])"
    r"|(?<!apres )(?<!apres-)(?P<noon>midi|minuit)(?![\w-]))"
)
#: A time right after a date: « le 3 mars à 10 h », « 3 mars 2027, 10h30 », « le 03/03 à 10:00 ».
TIME_AFTER = re.compile(rf"[ \t]*,?[ \t]*{_TIME}")
#: A time right before it: « à 10 h le 3 mars ».
TIME_BEFORE = re.compile(rf"{_TIME}[ \t]*,?[ \t]*\Z")
#: A time with no day: « à 10 h », « 10 h 15 », « 10:15 ».
TIME_ALONE = re.compile(_TIME)

#: « fin février », « fin juillet 2027 », « mi-juin »: the month's last day, or its 15th.
MONTH_PART = re.compile(
    rf"(?<![\w-])(?P<part>fin|mi)(?:\s+|-)(?:de\s+"
    rf"|d')?(?P<month>{_MONTH_WORD})(?:\s+(?P<year>\d{{4}})(?!\d))?"
)

_DATE_PATTERNS = (DAY_MONTH, NUMERIC, ISO, RELATIVE, WEEKDAY, MONTH_PART)


# --- what is found ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Found:
    """A date read in a text, and where its words stand (`text[start:end]`, « le » and « à » included).

    `value` is an aware datetime in the time zone given when a time was written, a date otherwise.
    """

    value: datetime | date
    start: int
    end: int
    exact: bool = True  # its day is written with its number (not « mardi », « hier »)

    @property
    def has_time(self) -> bool:
        return isinstance(self.value, datetime)

    @property
    def day(self) -> date:
        return self.value.date() if isinstance(self.value, datetime) else self.value

    def rest(self, text: str) -> str:
        """`text` without the date's words: « Valider l'idée I0003 (CA du) » from « …(CA du 12 mars) »."""
        before, after = text[: self.start].rstrip(" "), text[self.end :].lstrip(" ")
        if not before or not after or after[0] in ",.;:!?)":
            return before + after
        return f"{before} {after}"


def find_datetime(text: str, now: datetime, tz: ZoneInfo, *, past: bool) -> Found | None:
    """The first date in `text`, with its time if one is written next to it, else a time alone (today's).

    `past`: a date without a year, or a weekday alone, is the latest one not after today (a
    candidature received at a meeting), else the first one not before today (a meeting to come);
    « dernier » and « prochain » say it themselves. A time alone is today's, or yesterday's
    (`past`) or tomorrow's (not `past`) when today's would be on the wrong side of `now`.
    None when there is none, or when the first one written does not exist (« le 31 février »).
    """
    try:
        return _find(fold_aligned(text), now, tz, past, time_alone=True)
    except (ValueError, OverflowError):  # a date that does not exist, or past year 1 or 9999
        return None


def find_date(text: str, now: datetime, tz: ZoneInfo, *, past: bool) -> Found | None:
    """The first date in `text` as a day (`value` a date); its span covers a time written next to it.

    Like `find_datetime` otherwise, without the time alone: « à 10 h » is no date.
    """
    try:
        found = _find(fold_aligned(text), now, tz, past, time_alone=False)
    except (ValueError, OverflowError):
        return None
    return None if found is None else Found(found.day, found.start, found.end)


def find_dates(text: str, now: datetime, tz: ZoneInfo, *, past: bool) -> list[Found]:
    """Every date in `text`, in order, each with its time when one is written next to it; those
    that do not exist (« le 31 février », a weekday that is not the date's) are left out."""
    folded = fold_aligned(text)
    today, _local = _today(now, tz)
    found: list[Found] = []
    at = 0
    while at < len(folded):
        try:
            first = _first_date(folded[at:], today, past)
        except (ValueError, OverflowError):
            first = _first_valid(folded, at, today, past)
        if first is None:
            break
        day, clock, start, end = first
        said = folded[at + start:at + end]
        exact = any(ch.isdigit() for ch in said) or MONTH_PART.match(said) is not None
        found.append(Found(day if clock is None else _aware(day, clock, tz), at + start, at + end, exact))
        at += max(end, start + 1)
    return found


def _first_valid(folded: str, at: int, today: date, past: bool) -> tuple[date, time | None, int, int] | None:
    """Past a date that does not exist: the next one that does, from the next word on."""
    space = folded.find(" ", at + 1)
    while space != -1:
        try:
            found = _first_date(folded[space:], today, past)
        except (ValueError, OverflowError):
            space = folded.find(" ", space + 1)
            continue
        if found is None:
            return None
        day, clock, start, end = found
        return day, clock, space - at + start, space - at + end
    return None


def find_times(text: str) -> list[tuple[time, int, int]]:
    """Every time written in `text` that is introduced or has its minutes (« à 10 h », « 14h30 »,
    « 10:00 »), with its span."""
    found = []
    for match in TIME_ALONE.finditer(fold_aligned(text)):
        line_start = match.start() == 0 or text[:match.start()].rstrip(" \t").endswith("\n")
        if match["at"] or match["minute"] or match["clock_hour"] or match["noon"] or line_start:
            found.append((_clock(match), match.start(), match.end()))
    return found


# --- reading --------------------------------------------------------------------------------

def _find(folded: str, now: datetime, tz: ZoneInfo, past: bool, *, time_alone: bool) -> Found | None:
    today, local_now = _today(now, tz)
    found = _first_date(folded, today, past)
    if found is not None:
        day, clock, start, end = found
        return Found(day if clock is None else _aware(day, clock, tz), start, end)
    for match in TIME_ALONE.finditer(folded) if time_alone else ():
        # « 2 h » alone is more often a duration than a time: a time alone is introduced
        # (« à 10 h ») or has its minutes (« 10 h 15 », « 10:15 »).
        if not (match["at"] or match["minute"] or match["clock_hour"]):
            continue
        clock = _clock(match)
        at = _aware(today, clock, tz)
        if past and at > local_now:
            at = _aware(today - timedelta(days=1), clock, tz)
        elif not past and at < local_now:
            at = _aware(today + timedelta(days=1), clock, tz)
        return Found(at, match.start(), match.end())
    return None


def _today(now: datetime, tz: ZoneInfo) -> tuple[date, datetime]:
    local = now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)
    return local.date(), local


def _aware(day: date, clock: time, tz: ZoneInfo) -> datetime:
    # The round trip through UTC moves a time that does not exist (2 h 30 on the night clocks go
    # forward) to the hour that does (3 h 30); a time that happens twice is the first (fold=0).
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _clock(match: re.Match[str]) -> time:
    if match["noon"]:
        return time(12 if match["noon"] == "midi" else 0)
    if match["clock_hour"]:
        return time(int(match["clock_hour"]), int(match["clock_minute"]))
    return time(int(match["hour"]), int(match["minute"] or 0))


def _first_date(folded: str, today: date, past: bool) -> tuple[date, time | None, int, int] | None:
    """The first date written, leftmost then longest; raises ValueError when it does not exist."""
    candidates = sorted(
        ((m.start(), -m.end(), index, m) for index, pattern in enumerate(_DATE_PATTERNS)
         for m in pattern.finditer(folded)),
        key=lambda c: c[:3],
    )
    for start, _, _, match in candidates:
        day = _resolve(match, today, past)  # raises ValueError for « 31 février »: no other is taken
        if day is None:  # the pattern matched but the words are not a date here
            continue
        end, clock = match.end(), None
        after = TIME_AFTER.match(folded, end)
        if after is not None:
            end, clock = after.end(), _clock(after)
        else:
            before = TIME_BEFORE.search(folded, max(0, start - 40), start)
            if before is not None:
                start, clock = before.start(), _clock(before)
        return day, clock, start, end
    return None


def _resolve(match: re.Match[str], today: date, past: bool) -> date | None:
    """The day `match` names, None when it is no date after all."""
    groups = match.re.groupindex
    weekday = WEEKDAYS[match["weekday"]] if "weekday" in groups and match["weekday"] else None
    which = match["which"] if "which" in groups else None
    backwards = past if which is None else which.startswith("dernier")
    if match.re is RELATIVE:
        key = re.sub(r"[\s-]", "", match["relative"]).replace("aujourdhui", "aujourd'hui")
        return today + timedelta(days=DAYS_FROM_TODAY[key])
    if match.re is WEEKDAY:
        assert weekday is not None
        if match["day"]:
            return _weekday_in_month(weekday, _day_number(match["day"]), today, backwards)
        if match.group(0).startswith("ce ") and weekday == today.weekday():
            return today
        # One to seven days away: « mardi » said on a Tuesday is a week off, today is « aujourd'hui ».
        if backwards:
            return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if match.re is ISO:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    if match.re is MONTH_PART:
        return _month_part(match, today, backwards)
    if match.re is NUMERIC:
        day_text, month_text, year_text = match["day"], match["month"], match["year"]
        if int(month_text) > 12 or int(day_text) > 31:
            return None  # « 45/60 »: a ratio
        if year_text is None and (match["sep"] != "/" or not (
            len(day_text) == len(month_text) == 2 or match.group(0)[0].isalpha()
            or _INTRODUCED.search(match.string, max(0, match.start() - 8), match.start())
        )):
            return None
        day_number, month = int(day_text), int(month_text)
    else:
        day_number, month = _day_number(match["day"]), MONTHS[match["month"].rstrip(".")]
        year_text = match["year"]
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        found = date(year, month, day_number)
    else:
        found = _nearest(month, day_number, today, backwards)
    if weekday is not None and found.weekday() != weekday:
        raise ValueError("the weekday is not the date's")
    return found


def _month_part(match: re.Match[str], today: date, backwards: bool) -> date:
    """« fin février »: the last day of that month (of the year said, else the nearest one)."""
    month = MONTHS[match["month"].rstrip(".")]
    first = date(int(match["year"]), month, 1) if match["year"] else _nearest(month, 1, today, backwards)
    if match["part"] == "mi":
        return first.replace(day=15)
    return first.replace(day=calendar.monthrange(first.year, month)[1])


def _day_number(text: str) -> int:
    return 1 if text in ("1er", "premier") else int(text)


def _nearest(month: int, day: int, today: date, backwards: bool) -> date:
    """`day` `month` of the latest year not after today (`backwards`), or the first not before."""
    date(2000, month, day)  # raises for a day no month has, « 31 février »: not worth a search
    for offset in range(YEARS_TO_LOOK):
        year = today.year - offset if backwards else today.year + offset
        try:
            found = date(year, month, day)
        except ValueError:  # 29 February of a common year
            continue
        if (found <= today) if backwards else (found >= today):
            return found
    raise ValueError("no such day within reach")


def _weekday_in_month(weekday: int, day: int, today: date, backwards: bool) -> date:
    """« jeudi 12 »: the nearest 12th that is a Thursday, in the months behind or ahead."""
    for offset in range(MONTHS_TO_LOOK):
        index = today.year * 12 + today.month - 1 + (-offset if backwards else offset)
        try:
            found = date(index // 12, index % 12 + 1, day)
        except ValueError:  # no 31st this month
            continue
        if found.weekday() == weekday and ((found <= today) if backwards else (found >= today)):
            return found
    raise ValueError("no such day within reach")
