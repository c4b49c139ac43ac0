"""Credentials for submission: API tokens per provider and the outgoing mail server.

They come from environment variables or from a TOML file only the user can read, and are
held in :class:`Secret` objects that never print their value.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from eevidence._internal.documents import MAX_TOML_BYTES, decode_toml
from eevidence._internal.fs import open_regular
from eevidence.errors import CredentialsError, InputError
from eevidence.tracking import default_store_path

__all__ = [
    "CREDENTIALS_ENV",
    "Credentials",
    "Secret",
    "SmtpSettings",
    "default_credentials_path",
    "load_credentials",
    "token_env_name",
]

CREDENTIALS_ENV: Final = "EEVIDENCE_CREDENTIALS"
"""The environment variable naming the credentials file."""


class Secret:
    """A credential: its value is only given by :meth:`reveal`, never by ``str`` or ``repr``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value itself (to be sent, never printed or logged)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class SmtpSettings:
    """The outgoing mail server. STARTTLS (RFC 3207) is always required.

    Attributes:
        host: the server's host name or address.
        sender: the ``From`` address (RFC 5322, section 3.6.2).
        port: the TCP port (default 587, message submission, RFC 6409).
        username: the login name, if the server needs one (sent only after STARTTLS).
        password: the login password.
        timeout: the timeout of each network operation, in seconds.
    """

    host: str
    sender: str
    port: int = 587
    username: str | None = None
    password: Secret | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Credentials:
    """API tokens by provider id (``*``: any provider) and the SMTP settings, as far as they
    are configured."""

    tokens: Mapping[str, Secret] = field(default_factory=dict)
    smtp: SmtpSettings | None = None

    def token(self, provider: str) -> Secret | None:
        """The API token for provider id ``provider``, else the one for any provider, else
        ``None``."""
        return self.tokens.get(provider) or self.tokens.get("*")


def default_credentials_path() -> Path:
    """``credentials.toml`` next to the default tracking store (``$EEVIDENCE_HOME``, else the
    per-user data directory).

    Raises:
        CredentialsError: the home directory, and so the default location, is unknown.
    """
    try:
        return default_store_path().parent / "credentials.toml"
    except RuntimeError as exc:  # Path.home() without a home directory
        raise CredentialsError(f"no default credentials file: {exc}") from None


def token_env_name(provider: str) -> str:
    """The environment variable holding ``provider``'s API token:
    ``EEVIDENCE_API_TOKEN_`` and the id in upper case, other characters as ``_``."""
    return "EEVIDENCE_API_TOKEN_" + re.sub(r"[^A-Z0-9]", "_", provider.upper())


def _read_private_file(path: Path) -> dict[str, Any]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialsError(f"cannot read: {exc.strerror}", source=str(path)) from None
    if os.name == "posix":
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialsError(
                f"the credentials file is readable by others (mode {stat.S_IMODE(st.st_mode):o});"
                f" make it private: chmod 600 {path}",
                source=str(path),
            )
        if st.st_uid != os.getuid():
            raise CredentialsError("the credentials file belongs to another user", source=str(path))
    try:
        with open_regular(path, "credentials file") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
    except InputError as exc:  # not a regular file: a FIFO is refused, not waited on
        reason = str(exc.args[0]).removeprefix("cannot read file: ")
        raise CredentialsError(
            f"the credentials file cannot be read: {reason}", source=str(path)
        ) from None
    except OSError as exc:
        raise CredentialsError(
            f"the credentials file cannot be read: {type(exc).__name__}", source=str(path)
        ) from None
    try:
        return decode_toml(data, str(path))
    except InputError as exc:
        # the messages give positions and limits only, never the contents
        reason = str(exc.args[0]).removeprefix("file is ")
        raise CredentialsError(f"the credentials file is {reason}", source=str(path)) from None


def _exists(file: Path) -> bool:
    try:
        return file.exists()
    except OSError as exc:
        raise CredentialsError(f"cannot read: {exc.strerror}", source=str(file)) from None


def load_credentials(
    path: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> Credentials:
    """Credentials from environment variables, else from a TOML file only the user can read.

    Environment: ``EEVIDENCE_API_TOKEN_<PROVIDER>`` (``-`` as ``_``) or ``EEVIDENCE_API_TOKEN``
    for any provider; ``EEVIDENCE_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``.
    File: ``[api.<provider>] token = "..."`` and ``[smtp] host, port, username, password,
    from``. A variable wins over the file. A missing default file is no error (nothing is
    configured).

    Args:
        path: the credentials file; ``None``: ``$EEVIDENCE_CREDENTIALS``, else
            :func:`default_credentials_path`.
        environ: the environment to read (default :data:`os.environ`).

    Returns:
        The tokens and mail settings found.

    Raises:
        CredentialsError: a file given (by ``path`` or the environment) does not exist; the
            file is readable by group or others, belongs to another user, cannot be read, is
            larger than 64 KiB, nested more than 16 levels deep or is not valid TOML
            (TOML 1.0; a leading UTF-8 byte order mark is accepted); ``[api]`` or ``[smtp]``
            is not a table, a provider has no token text; mail settings lack a host or a
            from address, or give a port that is not a number.
    """
    env = os.environ if environ is None else environ
    given = path or env.get(CREDENTIALS_ENV)
    file = Path(given or default_credentials_path())
    if given and not _exists(file):
        raise CredentialsError("the credentials file does not exist", source=str(file))
    doc = _read_private_file(file)
    tokens: dict[str, Secret] = {}
    api = doc.get("api", {})
    if not isinstance(api, dict):
        raise CredentialsError("[api] must be a table", source=str(file))
    for provider, entry in api.items():
        token = entry.get("token") if isinstance(entry, dict) else None
        if not isinstance(token, str) or not token:
            raise CredentialsError(f"[api.{provider}] needs a token text", source=str(file))
        tokens[provider] = Secret(token)
    for name, value in env.items():
        if name.startswith("EEVIDENCE_API_TOKEN_") and value:
            tokens[name.removeprefix("EEVIDENCE_API_TOKEN_").lower().replace("_", "-")] = Secret(
                value
            )
    if env.get("EEVIDENCE_API_TOKEN"):
        tokens["*"] = Secret(env["EEVIDENCE_API_TOKEN"])
    section = doc.get("smtp", {})
    if not isinstance(section, dict):
        raise CredentialsError("[smtp] must be a table", source=str(file))
    return Credentials(tokens, _smtp(section, env, file))


def _smtp(section: Mapping[str, Any], env: Mapping[str, str], file: Path) -> SmtpSettings | None:
    host = env.get("EEVIDENCE_SMTP_HOST") or section.get("host")
    sender = env.get("EEVIDENCE_SMTP_FROM") or section.get("from")
    if not (host or sender):
        return None
    if not (isinstance(host, str) and isinstance(sender, str) and host and sender):
        raise CredentialsError(
            "mail needs both a host and a from address (EEVIDENCE_SMTP_HOST and "
            "EEVIDENCE_SMTP_FROM, or host and from in [smtp])",
            source=str(file),
        )
    port = env.get("EEVIDENCE_SMTP_PORT") or section.get("port", 587)
    try:
        port_no = int(port)
    except (TypeError, ValueError):
        raise CredentialsError(f"SMTP port {port!r} is not a number", source=str(file)) from None
    user = env.get("EEVIDENCE_SMTP_USER") or section.get("username")
    password = env.get("EEVIDENCE_SMTP_PASSWORD") or section.get("password")
    return SmtpSettings(
        host=host,
        sender=sender,
        port=port_no,
        username=str(user) if user else None,
        password=Secret(str(password)) if password else None,
    )
