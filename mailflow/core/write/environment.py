"""The Jinja2 environment French templates are written in: its settings, filters and globals."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from ..french import (
    STATUS,
    agree,
    clause,
    fact_short,
    fitted,
    format_date_fr,
    french_typography,
    of,
    sentence,
    wrap_text,
)
from ..french.staff import for_staff, quote
from ..read.headers import clean


def environment(templates_dir: Path, *, html: bool, tz: ZoneInfo) -> jinja2.Environment:
    """A Jinja2 environment as every French template wants it: StrictUndefined, HTML autoescaped.

    Words that come from elsewhere (the configuration, staff, a rule) are fitted into our
    sentences by filters: `clause` after a colon with our own ending, `fitted` after a colon at a
    sentence's end, `sentence` as a sentence of its own.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_fr"] = lambda value: format_date_fr(value, tz)
    env.filters["clause"] = lambda value: clause(clean(value))
    env.filters["fitted"] = lambda value: fitted(clean(value))
    env.filters["sentence"] = lambda value: sentence(clean(value))
    env.filters["wrap"] = wrap_text
    env.filters["fact_short"] = fact_short
    env.filters["typo"] = french_typography
    env.filters["of"] = of  # « la candidature d’Anne Rousseau »
    env.globals["status_fr"] = {status.value: words for status, words in STATUS.items()}
    env.filters.update(quote=quote, for_staff=for_staff)  # what staff read of members' words
    env.globals["agree"] = agree
    return env
