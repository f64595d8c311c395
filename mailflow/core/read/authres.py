"""Whether the receiving server vouches for the sender: its Authentication-Results (RFC 8601).

Only the topmost header stamped with the configured authserv-id counts: the receiving server
adds its own above whatever the message brought, and anything else could be written by the
sender. The From domain passes with DMARC; where the domain publishes no DMARC policy, with SPF
or DKIM passing for the same organisational domain (an aligned identifier, as DMARC would ask).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_COMMENT = re.compile(r"\([^()]*\)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True)
class Result:
    """One `method=result` of an Authentication-Results header, with its properties."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """`passed` is None when nothing was checked (no trusted header); `reason` says why, in French."""

    passed: bool | None
    reason: str


def _words(header: str) -> list[list[str]]:
    """The header's `;`-separated parts as words, without comments; a quoted string is one word
    (a « ; » or a space inside it cuts nothing)."""
    quoted: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quoted.append(match.group(0)[1:-1])
        return f"\x00{len(quoted) - 1}\x00"

    text = _QUOTED.sub(keep, header)
    previous = None
    while previous != text:  # nested comments
        previous, text = text, _COMMENT.sub(" ", text)
    return [[re.sub(r"\x00(\d+)\x00", lambda m: quoted[int(m.group(1))], word)
             for word in part.split()] for part in text.split(";")]


def parse(header: str) -> tuple[str, tuple[Result, ...]]:
    """(authserv-id, results) of one header value; an unreadable part is skipped."""
    parts = _words(header)
    authserv = parts[0][0].lower() if parts and parts[0] else ""
    results: list[Result] = []
    for words in parts[1:]:
        if not words or "=" not in words[0]:
            continue  # « none », or garbage
        method, _, result = words[0].partition("=")
        properties: dict[str, str] = {}
        for word in words[1:]:
            key, eq, value = word.partition("=")
            if eq and "." in key:
                properties[key.lower()] = value.strip().lower()
        results.append(Result(method.split("/")[0].lower(), result.lower(), properties))
    return authserv, tuple(results)


def organisational(domain: str) -> str:
    """The registrable part of a domain, approximated by its last two labels (ot-sarlat.fr).

    Enough for the network's domains (.fr, .com, .org); a public suffix of two labels (co.uk)
    would make two organisations look alike, which only ever lets a message through.
    """
    labels = domain.lower().rstrip(".").split(".")
    return ".".join(labels[-2:])


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip("<>").lower()


def _aligned(result: Result, from_domain: str) -> bool:
    if result.result != "pass":
        return False
    keys = ("smtp.mailfrom", "smtp.helo") if result.method == "spf" else ("header.d", "header.i")
    for key in keys:
        value = result.properties.get(key)
        if value and organisational(_domain_of(value)) == organisational(from_domain):
            return True
    return False


def check(headers: Sequence[str], authserv_id: str, from_domain: str) -> Verdict:
    """What the trusted server's results say of the From domain (headers from the top down)."""
    trusted = next((results for header in headers
                    for server, results in [parse(header)] if server == authserv_id.lower()), None)
    if trusted is None:
        return Verdict(None, f"aucun en-tête Authentication-Results de « {authserv_id} »")
    domain = from_domain.lower()
    dmarc = [r for r in trusted if r.method == "dmarc"
             and r.properties.get("header.from", domain) == domain]
    if any(r.result == "pass" for r in dmarc):
        return Verdict(True, f"DMARC validé pour {domain}")
    if any(r.result == "fail" for r in dmarc):
        return Verdict(False, f"le domaine {domain} refuse ce message (DMARC en échec) : "
                              "l’adresse de l’expéditeur est probablement usurpée")
    for method in ("dkim", "spf"):
        if any(r.method == method and _aligned(r, domain) for r in trusted):
            return Verdict(True, f"{method.upper()} validé pour {domain}")
    said = ", ".join(f"{r.method}={r.result}" for r in trusted) or "aucun résultat"
    return Verdict(False, f"ni DMARC, ni SPF, ni DKIM ne confirment que le message vient de "
                          f"{domain} ({said}) : l’adresse de l’expéditeur est peut-être usurpée")
