"""Sending through an SMTP server with smtplib: TLS, authentication, and failures told apart."""

from __future__ import annotations

import base64
import logging
import smtplib
from collections.abc import Sequence

from ..errors import TransportError
from ..ports import Server
from .credentials import CredentialError, oauth_token, password, xoauth2_string
from .imap import plain_words, tls_context

log = logging.getLogger("mailflow.smtp")


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}".strip()


class SmtpTransport:
    """One connection reused across a batch; a 4xx is worth retrying, a 5xx is final."""

    def __init__(self, server: Server, envelope_from: str) -> None:
        self.server = server
        self.envelope_from = envelope_from
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        context = tls_context(server)
        smtp: smtplib.SMTP
        if server.tls == "implicit":
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        try:
            smtp.ehlo()
            if server.tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if server.auth.method == "xoauth2":
                token = xoauth2_string(server.auth.user, oauth_token(server.auth))
                code, reply = smtp.docmd("AUTH", "XOAUTH2 " + base64.b64encode(token.encode()).decode())
                if code != 235:
                    raise smtplib.SMTPAuthenticationError(code, reply)
            elif smtp.has_extn("auth"):
                smtp.login(server.auth.user, password(server.auth))
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message_id: str, recipients: Sequence[str], raw: bytes, label: str) -> dict[str, str]:
        data = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # smtplib does not fix bare LF
        where = f"{self.server.host}:{self.server.port}"
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.sendmail(self.envelope_from, list(recipients), data)
        except smtplib.SMTPRecipientsRefused as exc:
            answers = {r: _answer(c, m) for r, (c, m) in exc.recipients.items()}
            permanent = all(c >= 500 for c, _ in exc.recipients.values())
            raise TransportError(f"{where} a refusé tous les destinataires : "
                                 f"{answers}", permanent=permanent) \
                from None
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise TransportError(f"{where} : identifiant ou mot de passe refusé pour "
                                 f"{self.server.auth.user} : "
                                 f"{_answer(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPResponseException as exc:
            # The server answered: 4xx is temporary, 5xx is final for this message.
            self.close()
            raise TransportError(f"{where} a répondu {_answer(exc.smtp_code, exc.smtp_error)}",
                                 permanent=exc.smtp_code >= 500) from None
        except CredentialError as exc:
            self.close()
            raise TransportError(str(exc)) from None
        except (UnicodeError, ValueError) as exc:
            # An address smtplib cannot write (non-ASCII without SMTPUTF8): final for this reply.
            self.close()
            raise TransportError(f"{where} : adresse impossible {list(recipients)} : {exc}",
                                 permanent=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TransportError(f"{where} injoignable : {plain_words(exc, self.server)}") from None
        return {r: _answer(c, m) for r, (c, m) in refused.items()}

    def check(self) -> str:
        """Connect and log in (for `mailflow check-config`)."""
        where = f"{self.server.host}:{self.server.port}"
        try:
            smtp = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportError(f"{where} : identifiant ou mot de passe refusé pour "
                                 f"{self.server.auth.user} : "
                                 f"{_answer(exc.smtp_code, exc.smtp_error)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"{where} : {plain_words(exc, self.server)}") from None
        except CredentialError as exc:
            raise TransportError(str(exc)) from None
        smtp.quit()
        return f"{self.server.host}:{self.server.port} a accepté la connexion et l’identifiant"

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
        self._smtp = None
