"""Secrets for logging in, read at every (re)connection: never from the configuration file itself."""

from __future__ import annotations

import os
import shlex
import subprocess

from ..errors import MailflowError
from ..ports import Auth


class CredentialError(MailflowError):
    """A password or token cannot be read; says where mailflow looked."""


def _read_file(path: os.PathLike[str] | str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
    except OSError as exc:
        raise CredentialError(f"impossible de lire le fichier {what} {path} : {exc.strerror}") from None
    if not value:
        raise CredentialError(f"le fichier {what} {path} est vide")
    return value


def password(auth: Auth) -> str:
    """The password: from the file named in the configuration, else from the environment."""
    if auth.password_file is not None:
        return _read_file(auth.password_file, "du mot de passe")
    value = os.environ.get(auth.password_env, "")
    if not value:
        raise CredentialError(
            f"pas de mot de passe pour {auth.user} : définissez {auth.password_env} ou "
            f"password_file dans la configuration"
        )
    return value


def oauth_token(auth: Auth, timeout: float = 30.0) -> str:
    """A fresh XOAUTH2 access token, from the configured command or file."""
    if auth.token_command:
        try:
            done = subprocess.run(shlex.split(auth.token_command), capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CredentialError(f"la commande du jeton {auth.token_command!r} a échoué : {exc}") from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token:
            detail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise CredentialError(
                f"la commande du jeton {auth.token_command!r} s’est terminée avec le code "
                f"{done.returncode} : {detail[0]}"
            )
        return token
    assert auth.token_file is not None
    return _read_file(auth.token_file, "du jeton")


def xoauth2_string(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as Google and Microsoft define it."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"
