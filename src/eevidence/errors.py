"""The error tree of eevidence: one root, five families by cause.

Every exception a public function raises derives from :class:`EEvidenceError`; third-party
exceptions (pydantic, httpx, psycopg, sqlite3, fpdf2, json, yaml) are wrapped at the
boundary (``raise ...Error(...) from exc``), so callers only ever catch these classes::

    EEvidenceError                      root; .diagnostics() is the text the CLI prints
    |-- InputError                      bad data from a user: fix the input (.source, .problems)
    |   |-- RequestValidationError      a request does not satisfy the request model
    |   |-- ProfileError                a provider profile does not satisfy the profile model
    |   |-- LifecycleError              an event the request lifecycle does not allow
    |   |-- UnknownRequestError         a request id the tracking store does not hold
    |   |-- RenderError                 a letter cannot be rendered (language, format, logo)
    |   |-- SigningKeyError             a key file cannot be read, written or used
    |   |-- PackageError                a package cannot be built or read (.code)
    |   `-- Hi1Error                    an ETSI TS 103 120 message cannot be written or read
    |-- IntegrityError                  something that must verify does not: stop and investigate
    |   |-- ProofError                  a Merkle inclusion or consistency proof fails
    |   `-- PackageVerificationError    a package fails verification (.report, .code)
    |-- TrustError                      validly signed, but not by a signer trusted for this
    |-- ConfigurationError              the environment is wrong (files, options, servers)
    |   |-- StoreError                  the tracking store cannot be opened or used
    |   |   `-- ConcurrentUpdateError   another writer kept changing the same request
    |   `-- CredentialsError            credentials missing, unreadable or readable by others
    `-- RemoteError                     the network or the other side failed
        `-- SubmissionError             sending to a provider failed (.source)
            `-- MalformedAnswerError    a provider's answer cannot be understood

Who must act: the user (input), an investigator or the recipient (integrity, trust), an
administrator (configuration), or nobody yet: retry later (remote).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "ConcurrentUpdateError",
    "ConfigurationError",
    "CredentialsError",
    "EEvidenceError",
    "Hi1Error",
    "InputError",
    "IntegrityError",
    "LifecycleError",
    "MalformedAnswerError",
    "PackageError",
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
    "TrustError",
    "UnknownRequestError",
]


class Problem(NamedTuple):
    """One thing wrong with an input: where (a JSON path, ``$.identifiers[0].value``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class EEvidenceError(Exception):
    """Root of every error raised by eevidence."""

    def diagnostics(self) -> str:
        """A human-readable explanation, suitable for printing on a terminal."""
        return str(self)


class ConfigurationError(EEvidenceError):
    """A file, directory or option the library was pointed at is missing or unusable."""


class InputError(EEvidenceError):
    """Data given to the library is malformed or incomplete.

    ``source`` names the file or stream the data came from (``<input>`` when unknown);
    ``problems`` lists every problem found, each with the JSON path of the field concerned.
    """

    def __init__(self, message: str, *, source: str = "<input>", problems: Iterable[Problem] = ()):
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(message)

    def diagnostics(self) -> str:
        lines = [f"{self.source}: {self.args[0]}"]
        lines.extend(f"  {p.path}: {p.message}" for p in self.problems)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "message": str(self.args[0]),
            "problems": [p.to_dict() for p in self.problems],
        }


class RequestValidationError(InputError):
    """A request document does not satisfy the request model."""


class ProfileError(InputError):
    """A provider profile does not satisfy the profile model; ``origin`` names the file."""

    def __init__(self, origin: str, problems: Iterable[tuple[str, str]]) -> None:
        found = tuple(Problem(path, message) for path, message in problems)
        self.origin = origin
        n = len(found)
        super().__init__(
            f"invalid provider profile ({n} problem{'s' if n != 1 else ''})",
            source=origin,
            problems=found,
        )


class IntegrityError(EEvidenceError):
    """Data failed an integrity check: a proof, a hash chain or a signature does not hold."""


class ProofError(IntegrityError):
    """A Merkle inclusion or consistency proof does not verify."""


class TrustError(EEvidenceError):
    """Data is validly signed, but not by a signer trusted for it (unknown, revoked, or not
    enough trusted signatures to reach the threshold)."""


class RemoteError(EEvidenceError):
    """The network or the system at the other end failed (unreachable, refused, timed out,
    an answer that cannot be used); nothing was recorded, the call may be retried."""


class LifecycleError(InputError):
    """An event that the request lifecycle does not allow (illegal transition, bad details)."""


class UnknownRequestError(InputError):
    """A request id that the tracking store does not hold."""


class StoreError(ConfigurationError):
    """The tracking store cannot be opened or used (unreachable, newer schema, corrupt)."""


class ConcurrentUpdateError(StoreError):
    """Another writer kept changing the same request; the update was not applied."""


class RenderError(InputError):
    """A letter cannot be rendered: unsupported language or format, a missing catalogue entry,
    an unreadable logo or font."""


class SigningKeyError(InputError):
    """A key file cannot be read, written or used (wrong passphrase, unsupported type...)."""


class PackageError(InputError):
    """A package cannot be built or read: unsafe or malformed structure, bad inputs.

    ``code`` names the reason in a stable, machine-readable way (``path_traversal``,
    ``symlink``, ``zip_bomb``, ``duplicate_entry``...).
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

    ``source`` names the package; ``code`` is ``verification_failed``.
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
        return f"{self.source}: {self.args[0]}"


class SubmissionError(RemoteError):
    """Sending a request to a provider failed (network, TLS, refusal, an unusable answer).

    ``source`` names where it went (a URL, a mail server). Nothing is recorded in the
    lifecycle when this is raised.
    """

    def __init__(self, message: str, *, source: str = "<provider>") -> None:
        self.source = source
        super().__init__(message)

    def diagnostics(self) -> str:
        return f"{self.source}: {self.args[0]}"


class MalformedAnswerError(SubmissionError):
    """A provider's answer cannot be understood (not JSON, a reference that is not a text...)."""


class CredentialsError(ConfigurationError):
    """Credentials are missing, unreadable, or kept in a file that others may read."""

    def __init__(self, message: str, *, source: str = "<credentials>") -> None:
        self.source = source
        super().__init__(message)

    def diagnostics(self) -> str:
        return f"{self.source}: {self.args[0]}"


class Hi1Error(InputError):
    """An ETSI TS 103 120 (HI-1) message cannot be written or read: malformed XML, a DTD,
    a document whose checksum fails, or fields that disagree with the embedded request."""
