"""mailto: links as RFC 6068 writes them, for buttons and confirmation links."""

from __future__ import annotations

from urllib.parse import quote


def mailto_link(address: str, subject: str, body: str) -> str:
    """`mailto:ADDR?subject=…&body=…` as RFC 6068 writes it: UTF-8 percent-encoding, CRLF breaks.

    Every character outside the unreserved set is encoded (a space is `%20`, never `+`), so
    `&`, `=`, `?`, `#` and `+` inside a value cannot be taken for the URL's own syntax.
    """

    def encode(value: str) -> str:
        lines = value.replace("\r\n", "\n").replace("\r", "\n")
        return quote(lines.replace("\n", "\r\n"), safe="")

    return f"mailto:{quote(address, safe='@')}?subject={encode(subject)}&body={encode(body)}"
