"""The error tree of eevidence: one root, five families by cause.

Every exception a public function raises derives from :class:`EEvidenceError`; third-party
exceptions (pydantic, cryptography, rfc3161-client, httpx, psycopg, sqlite3, fpdf2, json,
yaml) are wrapped at the boundary (``raise ...Error(...) from exc``), so callers only ever
catch these classes. Building a model with bad data raises its family's error too
(:class:`RequestValidationError` for requests, :class:`ProfileError` for provider
profiles, :class:`InputError` for custody entries and legal facts), never pydantic's::

    EEvidenceError                      root; .diagnostics() is the text the CLI prints
    |-- InputError                      bad data from a user: fix the input (.source, .problems)
    |   |-- RequestValidationError      a request does not satisfy the request model
    |   |-- ProfileError                a provider profile does not satisfy the profile model
    |   |-- LifecycleError              an event the request lifecycle does not allow
    |   |-- UnknownRequestError         a request id the tracking store does not hold
    |   |-- RenderError                 a letter cannot be rendered (language, format, logo)
    |   |-- SigningKeyError             a key file cannot be read, written or used
    |   |-- PackageError                a package cannot be built or read (.code)
    |   |-- DirectoryError              a directory of authorities or an edit is malformed
    |   `-- Hi1Error                    an ETSI TS 103 120 message cannot be written or read
    |-- IntegrityError                  something that must verify does not: stop and investigate
    |   |-- ProofError                  a Merkle inclusion or consistency proof fails
    |   |-- DirectoryVerificationError  a directory's versions do not verify (.reasons)
    |   `-- PackageVerificationError    a package fails verification (.report, .code)
    |-- TrustError                      validly signed, but not by a signer trusted for this
    |   |-- PackageTrustError           too few trusted signers (also a PackageVerificationError)
    |   `-- UntrustedNoteError          a signed note or checkpoint that no trusted key signed
    |-- ConfigurationError              the environment is wrong (files, options, servers)
    |   |-- StoreError                  the tracking store cannot be opened or used
    |   |   `-- ConcurrentUpdateError   another writer kept changing the same request
    |   `-- CredentialsError            credentials missing, unreadable or readable by others
    `-- RemoteError                     the network or the other side failed
        |-- SubmissionError             sending to a provider failed (.source)
        |   `-- MalformedAnswerError    a provider's answer cannot be understood
        `-- TimestampError              a timestamping authority cannot be reached or fails

Who must act: the user (input), an investigator or the recipient (integrity, trust), an
administrator (configuration), or nobody yet: retry later (remote). A class with two
parents is drawn under one and names the other (``also a ...``). The tree above is checked
against the classes by the test suite.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, NamedTuple

__all__ = [
    "ConcurrentUpdateError",
    "ConfigurationError",
    "CredentialsError",
    "DirectoryError",
    "DirectoryVerificationError",
    "EEvidenceError",
    "Hi1Error",
    "InputError",
    "IntegrityError",
    "LifecycleError",
    "MalformedAnswerError",
    "PackageError",
    "PackageTrustError",
    "PackageVerificationError",
    "Problem",
    "ProfileError",
    "ProofError",
    "RemoteError",
    "RenderError",
    "RequestValidationError",
    "SigningKeyError",
    "StoreError",
    "SubmissionError",
    "TimestampError",
    "TrustError",
    "UnknownRequestError",
    "UntrustedNoteError",
]


class Problem(NamedTuple):
    """One thing wrong with an input: where (a JSON path, ``$.identifiers[0].value``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """``{"path": ..., "message": ...}`` for JSON output."""
        return {"path": self.path, "message": self.message}


def _cut(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


class EEvidenceError(Exception):
    """Root of every error raised by eevidence: ``except EEvidenceError`` catches them all.

    ``str(error)`` is a one-line message; :meth:`diagnostics` the full text the command
    line prints. A wrapped third-party exception, if any, is ``__cause__``.
    """

    def diagnostics(self) -> str:
        """A human-readable explanation, suitable for printing on a terminal.

        Returns:
            The message, possibly on several lines (subclasses add the source and problems).
        """
        return str(self)


class ConfigurationError(EEvidenceError):
    """A file, directory or option the library was pointed at is missing or unusable.

    Raised for a missing provider directory or trust store, a broken installation (shipped
    data or legal facts missing), an unusable timestamping authority URL, a provider API URL
    that is not ``https``, an unknown schema name. An administrator must act; retrying
    unchanged will fail again.
    """


class InputError(EEvidenceError):
    """Data given to the library is malformed or incomplete.

    ``source`` names the file or stream the data came from (``<input>`` when unknown);
    ``problems`` lists every problem found, each with the JSON path of the field concerned
    (``$.identifiers[0].value``). The user must fix the input; nothing was changed.

    Args:
        message: One line saying what is wrong (``invalid request: 2 problems``).
        source: Where the data came from.
        problems: Every problem found, each a path and a reason.
    """

    def __init__(self, message: str, *, source: str = "<input>", problems: Iterable[Problem] = ()):
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(message)

    SHOWN: ClassVar[int] = 50
    """Problems :meth:`diagnostics` prints (the rest are counted); JSON keeps ten times as
    many. A file with 100,000 bad identifiers gets a readable answer, not 100,000 lines."""
    LONGEST: ClassVar[int] = 300
    """Characters of one printed problem path or message (longer ones are cut, saying so)."""

    def diagnostics(self) -> str:
        """``<source>: <message>``, then one indented ``<path>: <reason>`` line per problem
        (at most :attr:`SHOWN`, then ``... and N more problems``)."""
        lines = [f"{_cut(self.source, self.LONGEST)}: {_cut(str(self.args[0]), self.LONGEST)}"]
        lines.extend(
            f"  {_cut(p.path, self.LONGEST)}: {_cut(p.message, self.LONGEST)}"
            for p in self.problems[: self.SHOWN]
        )
        if len(self.problems) > self.SHOWN:
            lines.append(f"  ... and {len(self.problems) - self.SHOWN} more problems")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """``{"source", "message", "problems": [{"path", "message"}...], "problems_total"}``
        for JSON output (at most ten times :attr:`SHOWN` problems listed)."""
        kept = self.problems[: self.SHOWN * 10]
        return {
            "source": self.source,
            "message": str(self.args[0]),
            "problems": [
                {"path": _cut(p.path, self.LONGEST), "message": _cut(p.message, self.LONGEST)}
                for p in kept
            ],
            "problems_total": len(self.problems),
        }


class RequestValidationError(InputError):
    """A request document does not satisfy the request model.

    Raised by :func:`eevidence.request.parse_request` and :func:`eevidence.request.read_request`
    and by every request model built directly with bad data, with every problem and its
    JSON path.
    """


class ProfileError(InputError):
    """A provider profile does not satisfy the profile model; ``origin`` names the file.

    Raised when a profile file is not JSON, breaks ``provider.schema.json`` or the model
    (a fact without a source, a source id that does not resolve...), and by every profile
    model built directly with bad data.

    Args:
        origin: The profile's file (``<input>`` for a model built directly); also ``source``.
        problems: ``(JSON path, reason)`` pairs (:class:`Problem` instances are pairs too).
    """

    def __init__(self, origin: str, problems: Iterable[tuple[str, str]]) -> None:
        found = tuple(Problem(path, message) for path, message in problems)
        self.origin = origin
        n = len(found)
        super().__init__(
            f"invalid provider profile ({n} problem{'s' if n != 1 else ''})",
            source=origin,
            problems=found,
        )


class DirectoryError(InputError):
    """A directory of authorities (:mod:`eevidence.directory`) or an edit to it is malformed.

    Raised when a directory version is not JSON, is not in canonical form, breaks the
    directory model (a key id that is not its key's, an authority listed twice, an expiry
    before the issue time...), or an edit names an unknown key or authority.
    """


class IntegrityError(EEvidenceError):
    """Data failed an integrity check: a proof, a hash chain or a signature does not hold.

    Raised when a signed note or checkpoint does not verify, a custody log to import is
    broken, an RFC 3161 time-stamp does not verify. Stop and investigate: the data may
    have been altered.
    """


class ProofError(IntegrityError):
    """A Merkle inclusion or consistency proof does not verify (RFC 9162 sections 2.1.3.2
    and 2.1.4.2): wrong sizes, wrong length, or a path that does not lead to the root."""


class DirectoryVerificationError(IntegrityError):
    """A directory of authorities does not verify: a version is not signed by the threshold
    of its own root keys and of the previous version's (TUF 1.0 section 5.3), versions are
    missing or out of order, the given root key is not among the roots, or the newest
    version has expired. Its ``reasons`` list every reason found."""

    def __init__(self, message: str, reasons: Iterable[str] = ()) -> None:
        self.reasons: tuple[str, ...] = tuple(reasons) or (message,)
        super().__init__(message)


class TrustError(EEvidenceError):
    """Data is validly signed, but not by a signer trusted for it (unknown, revoked, or not
    enough trusted signatures to reach the threshold).

    Nothing shows that the data was altered: the recipient must decide whom to trust (add
    a key to the trust store) or refuse. Raised as :class:`PackageTrustError` for a package
    and :class:`UntrustedNoteError` for a signed note or checkpoint.
    """


class UntrustedNoteError(TrustError):
    """A signed note (a checkpoint, C2SP signed-note) carries no signature by a trusted key.

    Its signature lines name keys that are not among the verifiers given (a signature that
    names a trusted key but does not verify is an :class:`IntegrityError` instead).
    """


class RemoteError(EEvidenceError):
    """The network or the system at the other end failed (unreachable, refused, timed out,
    an answer that cannot be used); nothing was recorded, the call may be retried."""


class LifecycleError(InputError):
    """An event that the request lifecycle does not allow (illegal transition, bad details).

    Nothing was recorded; the request's state is unchanged.
    """


class UnknownRequestError(InputError):
    """A request id that the tracking store does not hold (``source`` names the store)."""


class StoreError(ConfigurationError):
    """The tracking store cannot be opened or used (unreachable, newer schema, corrupt).

    Raised by the SQLite and PostgreSQL stores, which wrap ``sqlite3`` and ``psycopg``
    errors; nothing was written by the failing call.
    """


class ConcurrentUpdateError(StoreError):
    """Another writer kept changing the same request; the update was not applied.

    Retrying later usually succeeds.
    """


class RenderError(InputError):
    """A letter cannot be rendered: unsupported language or format, a missing catalogue entry,
    an unreadable logo or font."""


class SigningKeyError(InputError):
    """A key file cannot be read, written or used (wrong passphrase, unsupported type...).

    ``source`` names the key file. Supported keys: Ed25519 (RFC 8032), ECDSA P-256
    (FIPS 186-5), RSA of at least 2048 bits signing with PSS (RFC 8017).
    """


class PackageError(InputError):
    """A package cannot be built or read: unsafe or malformed structure, bad inputs.

    ``code`` names the reason in a stable, machine-readable way (``path_traversal``,
    ``symlink``, ``zip_bomb``, ``duplicate_entry``, ``bad_envelope``...).

    Args:
        message: What is wrong.
        code: The stable reason code (``malformed`` by default).
        source: The package, file or envelope concerned.
        problems: Problems with paths, when there are several.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "malformed",
        source: str = "<input>",
        problems: Iterable[Problem] = (),
    ) -> None:
        self.code = code
        super().__init__(message, source=source, problems=problems)


class PackageVerificationError(IntegrityError):
    """A package failed verification; ``report`` is the full verification report.

    ``source`` names the package; ``code`` is ``verification_failed``. The message lists
    the first five reasons; the report holds them all. A package that is intact but not
    signed by enough trusted keys raises the subclass :class:`PackageTrustError`.

    Args:
        report: The verification report (:class:`eevidence.package.VerificationReport`).
        source: The package.
        reasons: Why it failed, one line each.
    """

    code = "verification_failed"

    def __init__(self, report: object, *, source: str, reasons: Iterable[str]) -> None:
        self.report = report
        self.source = source
        found = tuple(reasons)
        super().__init__(
            "package verification failed: "
            + "; ".join(found[:5])
            + (f" (+{len(found) - 5} more)" if len(found) > 5 else "")
        )

    def diagnostics(self) -> str:
        """``<package>: package verification failed: <reasons>``."""
        return f"{self.source}: {self.args[0]}"


class PackageTrustError(PackageVerificationError, TrustError):
    """A package is intact, but not signed by enough trusted keys.

    Every file and the envelope check out (fixity, RFC 8493 section 3; the DSSE envelope
    signs the tag manifest) and no signature by a trusted key fails; but fewer distinct
    trusted keys signed it than the threshold asks (signatures by keys outside the trust
    store cannot be checked). A :class:`TrustError`, and still a
    :class:`PackageVerificationError` (``report``, ``source``, ``code``, the same message),
    so code that catches those (or :class:`IntegrityError`) keeps catching it. Add the
    signer's public key to the trust store, or refuse the package.
    """


class SubmissionError(RemoteError):
    """Sending a request to a provider failed (network, TLS, refusal, an unusable answer).

    ``source`` names where it went (a URL, a mail server). Nothing is recorded in the
    lifecycle when this is raised; the submission may be retried.

    Args:
        message: What failed.
        source: Where the request was sent.
    """

    def __init__(self, message: str, *, source: str = "<provider>") -> None:
        self.source = source
        super().__init__(message)

    def diagnostics(self) -> str:
        """``<where it went>: <message>``."""
        return f"{self.source}: {self.args[0]}"


class MalformedAnswerError(SubmissionError):
    """A provider's answer cannot be understood (not JSON, a reference that is not a text...).

    The request may have reached the provider: check with it before sending again.
    """


class TimestampError(RemoteError):
    """A timestamping authority (RFC 3161) cannot be reached, times out, or fails (an HTTP
    5xx or 429 answer); nothing was timestamped, the query may be sent again later."""


class CredentialsError(ConfigurationError):
    """Credentials are missing, unreadable, or kept in a file that others may read.

    Args:
        message: What is wrong.
        source: The credentials file or variable concerned.
    """

    def __init__(self, message: str, *, source: str = "<credentials>") -> None:
        self.source = source
        super().__init__(message)

    def diagnostics(self) -> str:
        """``<credentials file>: <message>``."""
        return f"{self.source}: {self.args[0]}"


class Hi1Error(InputError):
    """An ETSI TS 103 120 (HI-1) message cannot be written or read: malformed XML, a DTD,
    a document whose checksum fails, or fields that disagree with the embedded request."""
