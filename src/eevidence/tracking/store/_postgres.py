"""The shared store: a PostgreSQL database (psycopg 3), for many users at once.

psycopg is imported only when a PostgreSQL store is opened. Writers serialise on row
versions (``UPDATE ... WHERE version = ?``) and, for migrations and the custody log, on
transaction-scoped advisory locks; read calls run in ``REPEATABLE READ READ ONLY``
transactions, so each sees one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from eevidence.errors import StoreError
from eevidence.tracking.store._base import SqlStore

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore"]


def _parsed(url: str) -> dict[str, Any] | None:
    """The connection parameters of ``url``; ``None`` when it cannot be parsed or is
    ambiguous (:func:`_ambiguous`)."""
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415 - loaded only for PostgreSQL

    if _ambiguous(url):
        return None
    try:
        return dict(conninfo_to_dict(url))
    except Exception:
        return None


def _redact(info: dict[str, Any]) -> str:
    """``postgresql://host:port/dbname`` of parsed connection parameters, without user or
    password (an unambiguous URL, :func:`_parsed`, keeps them apart from the password)."""
    return (
        f"postgresql://{info.get('host', 'localhost')}:{info.get('port', 5432)}/"
        f"{info.get('dbname', '')}"
    )


_DELIMITERS: Final = "/?#"
"""Characters that end a URL's authority (RFC 3986 section 3.2): unescaped before the ``@``
they would put part of the password into the host, port or database name."""


def _ambiguous(url: str) -> bool:
    """Whether ``url`` has an ``@`` that does not end a plain user information part: more
    than one ``@``, or one after a ``/``, ``?`` or ``#``. libpq reads such a URL otherwise
    than it was meant (``u:pa/ss@host`` names the host ``u``), and would show the rest of the
    password as a host or database name."""
    rest = url.split("://", 1)[-1]
    if "@" not in rest:
        return False
    userinfo, _, after = rest.partition("@")
    return "@" in after or any(c in userinfo for c in _DELIMITERS)


def _secrets(url: str, info: dict[str, Any] | None = None) -> list[str]:
    """The parts of ``url`` a message must never show: its user information (user and
    password, RFC 3986 section 3.2.1), raw and percent-decoded, and its query (which can
    carry ``password=``)."""
    from urllib.parse import unquote  # noqa: PLC0415

    out: list[str] = []
    rest = url.split("://", 1)[-1]
    authority = rest.split("/", 1)[0]
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        out += [userinfo, *userinfo.split(":", 1)]
    if "?" in rest:
        out.append(rest.split("?", 1)[1])
        out += [v.split("&", 1)[0] for v in rest.split("password=")[1:]]
    out += [unquote(s) for s in out]
    out += [str(info[key]) for key in ("password", "user") if info and info.get(key)]
    return sorted({s for s in out if len(s) >= 3}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class PostgresStore(SqlStore):
    """A shared store in a PostgreSQL database (psycopg 3), for many users at once.

    Opening migrates the schema (under an advisory lock, so concurrent openers wait for one
    another). Timestamps are stored as ``TIMESTAMPTZ`` and the session time zone is UTC.
    Messages name the server as ``postgresql://host:port/dbname``, never with the user or
    password.

    Args:
        url: A libpq connection URL, ``postgresql://user:password@host:port/dbname``.
        connect_timeout: How long to wait for the server, in seconds.

    Raises:
        StoreError: psycopg is not installed (the ``eevidence[postgres]`` extra, named in
            the message); the server cannot be reached or refuses the connection; the URL is
            malformed; the database cannot be used as a store; or it was written by a newer
            release.
    """

    _placeholder = "%s"
    _ts_type = "TIMESTAMPTZ"
    _real_type = "DOUBLE PRECISION"
    _LOCK_KEY: Final = 0x6565_7664  # advisory lock taken while migrating

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        try:
            import psycopg  # noqa: PLC0415 - loaded only for PostgreSQL
        except ImportError:
            raise StoreError(
                "PostgreSQL support is not installed: install the extra with "
                "pip install 'eevidence[postgres]' (it adds psycopg), or use a SQLite store"
            ) from None

        info = _parsed(url)
        if info is None:  # psycopg's own message would quote the URL, password and all
            raise StoreError(
                "the PostgreSQL store URL cannot be parsed (it is not repeated here: it may "
                "hold a password); give postgresql://user:password@host:port/dbname, with "
                "any @ / ? # % inside the user name or password percent-encoded "
                "(%40 %2F %3F %23 %25)"
            )
        secrets = _secrets(url, info)
        self._secrets = secrets
        self._where = _redact(info)
        try:
            self._conn: psycopg.Connection[tuple[Any, ...]] = psycopg.connect(
                url, autocommit=True, connect_timeout=connect_timeout
            )
        except (psycopg.Error, ValueError) as exc:
            text = str(exc).strip()
            first = _scrub(text.splitlines()[0], secrets) if text else type(exc).__name__
            raise StoreError(
                f"cannot reach PostgreSQL at {self._where}: {first}; check that the server "
                "runs and the URL (--store) is right"
            ) from None
        try:
            self._conn.execute("SET TIME ZONE 'UTC'")
            self._migrate()
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(
                f"cannot use the store {self._where}: {_scrub(str(exc), secrets)}"
            ) from None
        except BaseException:
            self._conn.close()
            raise

    @property
    def location(self) -> str:
        """The server and database, ``postgresql://host:port/dbname`` (no credentials)."""
        return self._where

    def close(self) -> None:
        """Close the connection (a second call does nothing)."""
        self._conn.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.execute(sql.encode(), params)
        return cur.fetchall() if cur.description is not None else []

    def _execute_count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql.encode(), params).rowcount

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql.encode(), rows)

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[None]:
        import psycopg  # noqa: PLC0415 - already loaded by __init__

        try:
            with self._conn.transaction():
                if not write:
                    self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield
        except psycopg.Error as exc:
            text = str(exc).strip()
            first = _scrub(text.splitlines()[0], self._secrets) if text else type(exc).__name__
            raise StoreError(f"the store {self._where} failed: {first}") from None

    def _lock_schema(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._LOCK_KEY,))

    def _lock_custody(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._LOCK_KEY + 1,))

    def _table_exists(self, name: str) -> bool:
        rows = self._execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
        return bool(rows[0][0])

    def _ts_in(self, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def _ts_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.fromisoformat(value)
