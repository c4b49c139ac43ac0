"""Intake: accept a received request package only when a key the directory lists for the
authority the request names signed it, and say why not otherwise.

The threat is the forged request: in 2021-2022 emergency requests sent from compromised
police mailboxes made providers disclose user data. A signature alone proves only that
some key signed; :func:`intake_package` binds each valid signature to the directory entry
of its key and accepts only when that entry is the authority the request names, the key
was valid and not revoked, and it may sign this kind of request. A signature carrying an
X.509 chain binds through the certificate authority the chain validates to
(:mod:`eevidence.intake._x509`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from eevidence.crypto import MAX_ENVELOPE_BYTES, Envelope, TrustedKey, TrustStore, key_id
from eevidence.directory import (
    CLOCK_SKEW,
    Authority,
    DirectoryKey,
    Revocation,
    VerifiedDirectory,
    as_of,
    kinds_of_role,
)
from eevidence.errors import EEvidenceError
from eevidence.intake._domains import domain_problem
from eevidence.intake._x509 import CertifiedSigner, certified_signers
from eevidence.package import SIGNATURE_FILE, PackageLimits, package_report, reading
from eevidence.request import Request, is_emergency, parse_request

__all__ = ["Check", "IntakeVerdict", "SignerBinding", "intake_package"]

_REQUEST_FILE: Final = "data/request.json"
_MAX_REQUEST: Final = 16 << 20

Decision = Literal["accept", "reject"]


@dataclass(frozen=True)
class Check:
    """One check made, and its result.

    Attributes:
        name: ``directory``, ``certificate``, ``package``, ``request``, ``signer`` or
            ``callback``.
        ok: Whether it passed.
        detail: One line for people.
    """

    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "ok", "detail"}``."""
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class SignerBinding:
    """A valid signature on the package, bound to the directory entry of its key.

    Attributes:
        keyid: The signing key's id (computed from the directory's key, never read from
            the package).
        authority_id, authority_name, authority_country: The authority the directory lists
            the key under.
        roles: What the key may sign.
        reasons: Why this signature does not make the request acceptable (empty when it
            does).
        certificate_subject: For a signature bound through an X.509 chain, the leaf
            certificate's subject (RFC 4514); ``None`` for a directory key.
        certificate_authority: For such a signature, the subject of the CA the chain
            validated to.
    """

    keyid: str
    authority_id: str
    authority_name: str
    authority_country: str
    roles: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    certificate_subject: str | None = None
    certificate_authority: str | None = None

    @property
    def ok(self) -> bool:
        """Whether this signature binds the request to its authority."""
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        """Every field, and ``ok``; ``certificate`` (``{"subject", "ca"}``) only for a
        signature bound through an X.509 chain."""
        out: dict[str, Any] = {
            "keyid": self.keyid,
            "authority": {
                "id": self.authority_id,
                "name": self.authority_name,
                "country": self.authority_country,
            },
            "roles": list(self.roles),
            "ok": self.ok,
            "reasons": list(self.reasons),
        }
        if self.certificate_subject is not None:
            out["certificate"] = {
                "subject": self.certificate_subject,
                "ca": self.certificate_authority,
            }
        return out


@dataclass(frozen=True)
class IntakeVerdict:
    """What a recipient should do with a received package.

    Attributes:
        decision: ``accept`` only when every check holds; else ``reject``.
        reasons: Every reason for a rejection (empty on accept).
        checks: Every check made, in order.
        signers: Each valid signature, bound to its directory entry.
        authority: The directory's entry for the authority the request is accepted from,
            or ``None`` on reject.
        callback: For an accepted request, the number to confirm it on: the directory's,
            never the request's.
        callback_note: For an emergency request, the instruction to call back on that
            number and not on the one the request gives.
        request: The request read from the verified package, or ``None``.
        package: The package path as given.
        package_sha256: SHA-256 of the package file (zip form) or ``None`` (directory form).
        directory_version: The version of the directory the verdict rests on.
        checked_at: The time the checks were made at.
        notices: What does not change the decision but a person should see (the request
            names its authority otherwise than the directory does).
    """

    decision: Decision
    reasons: tuple[str, ...]
    checks: tuple[Check, ...]
    signers: tuple[SignerBinding, ...]
    authority: Authority | None
    callback: str | None
    callback_note: str | None
    request: Request | None
    package: str
    package_sha256: str | None
    directory_version: int
    checked_at: datetime
    request_bytes: bytes | None = field(default=None, repr=False)
    notices: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the decision is ``accept``."""
        return self.decision == "accept"

    def to_dict(self) -> dict[str, Any]:
        """The JSON verdict ``eevidence intake --json`` prints.

        Returns:
            ``{"decision", "reasons", "authority" (the directory's entry: id, name,
            country, kind, domains, callback) or null, "callback": {"number", "source":
            "directory", "note"} or null, "signers", "checks", "request" (id, kind,
            created_at, claimed authority, officer email and phone as the request gives
            them) or null, "package": {"path", "sha256"}, "directory_version",
            "checked_at"}``.
        """
        a = self.authority
        r = self.request
        return {
            "decision": self.decision,
            "reasons": list(self.reasons),
            "authority": None
            if a is None
            else {
                "id": a.id,
                "name": a.name,
                "country": a.country,
                "kind": a.kind,
                "domains": list(a.domains),
                "callback": a.callback,
            },
            "callback": None
            if self.callback is None
            else {"number": self.callback, "source": "directory", "note": self.callback_note},
            "signers": [s.to_dict() for s in self.signers],
            "checks": [c.to_dict() for c in self.checks],
            "request": None
            if r is None
            else {
                "id": r.id,
                "kind": r.kind,
                "created_at": as_of(r.created_at),
                "claimed_authority": {"name": r.authority.name, "country": r.authority.country},
                "officer_email": r.authority.officer.email,
                "officer_phone": r.authority.officer.phone,
            },
            "package": {"path": self.package, "sha256": self.package_sha256},
            "directory_version": self.directory_version,
            "checked_at": as_of(self.checked_at),
            "notices": list(self.notices),
        }


def _file_sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _key_problems(
    key: DirectoryKey, request: Request, now: datetime, packaged: datetime | None = None
) -> list[str]:
    """Why ``key`` could not sign ``request`` (validity, revocation, roles).

    The key must be valid when the request says it was created and when the package says
    it was built (``EEvidence-Package-Created`` in the signed ``bag-info.txt``): both are
    the signer's statements, so a request backdated into an expired key's period must be
    backdated twice; revocation, judged at ``now``, is the remedy for a stolen key.
    """
    out = []
    if key.revoked is not None and key.revoked.at <= now:
        out.append(
            f"key {key.keyid[:16]} was revoked at {as_of(key.revoked.at)} "
            f"({key.revoked.reason}): nothing it signed is accepted any more"
        )
    moments = [("the request says it was created", request.created_at)]
    if packaged is not None:
        moments.append(("the package says it was built", packaged))
    for what, when in moments:
        if when < key.valid_from:
            out.append(
                f"key {key.keyid[:16]} was not yet valid when {what} ({as_of(when)}; valid "
                f"from {as_of(key.valid_from)}: the directory can list it earlier with "
                "directory add --valid-from)"
            )
        if key.valid_until is not None and when > key.valid_until:
            out.append(
                f"key {key.keyid[:16]} had expired when {what} "
                f"({as_of(when)}; valid until {as_of(key.valid_until)})"
            )
    allowed: set[str] = set()
    for role in key.roles:
        allowed |= kinds_of_role(role)
    if request.kind not in allowed:
        out.append(
            f"key {key.keyid[:16]} may sign {', '.join(key.roles)}, not a request of kind "
            f"{request.kind}"
        )
    return out


def _name_notice(request: Request, authority: Authority) -> tuple[str, ...]:
    """A notice when the request names its authority otherwise than the directory."""
    claimed = request.authority.name
    if " ".join(claimed.casefold().split()) == " ".join(authority.name.casefold().split()):
        return ()
    return (
        f"the request names its authority {claimed!r}; the directory lists the signer under "
        f"{authority.name!r}: check that {authority.name} may act for it",
    )


def _packaged_at(info: tuple[tuple[str, str], ...]) -> datetime | None:
    """``EEvidence-Package-Created`` of the signed ``bag-info.txt``, if readable."""
    for label, value in info:
        if label == "EEvidence-Package-Created":
            try:
                when = datetime.fromisoformat(value)
            except ValueError:
                return None
            return when if when.tzinfo is not None else None
    return None


def _ca_problems(
    signer: CertifiedSigner, revoked: Revocation | None, request: Request, now: datetime
) -> list[str]:
    """Why the CA's certificates could not sign ``request`` (revocation, roles)."""
    out = []
    ca = signer.ca
    if revoked is not None and revoked.at <= now:
        out.append(
            f"the certificate authority {ca.subject} was revoked at {as_of(revoked.at)} "
            f"({revoked.reason}): nothing signed under it is accepted any more"
        )
    allowed: set[str] = set()
    for role in ca.roles:
        allowed |= kinds_of_role(role)
    if request.kind not in allowed:
        out.append(
            f"certificates of {ca.subject} may sign {', '.join(ca.roles)}, "
            f"not a request of kind {request.kind}"
        )
    return out


def _bind(
    directory: VerifiedDirectory,
    keyid: str,
    request: Request,
    now: datetime,
    certified: tuple[CertifiedSigner, ...] = (),
    *,
    packaged: datetime | None = None,
) -> SignerBinding:
    owner = directory.directory.key_owner(keyid)
    cert = next((c for c in certified if c.keyid == keyid), None)
    if owner is not None:
        authority, key = owner
        reasons = _key_problems(key, request, now, packaged)
        roles = tuple(key.roles)
    else:
        # The trust store holds directory keys and leaf keys of validated chains only.
        assert cert is not None  # noqa: S101
        authority = cert.authority
        reasons = _ca_problems(cert, cert.ca.revoked, request, now)
        roles = tuple(cert.ca.roles)
    claimed = request.authority
    if claimed.country != authority.country:
        reasons.append(
            f"signed by {authority.name} ({authority.country}), but the request names an "
            f"authority of {claimed.country}: a signer of another authority"
        )
    domain = claimed.officer.email.rpartition("@")[2]
    others = [d for a in directory.directory.authorities if a.id != authority.id for d in a.domains]
    problem = domain_problem(domain, authority.domains, others)
    if problem is not None:
        reasons.append(f"the officer's address: {problem}")
    return SignerBinding(
        keyid=keyid,
        authority_id=authority.id,
        authority_name=authority.name,
        authority_country=authority.country,
        roles=roles,
        reasons=tuple(reasons),
        certificate_subject=None if owner is not None or cert is None else cert.subject,
        certificate_authority=None if owner is not None or cert is None else cert.ca.subject,
    )


def _chains(
    path: Path, directory: VerifiedDirectory, limits: PackageLimits | None
) -> tuple[tuple[CertifiedSigner, ...], tuple[str, ...], datetime | None]:
    """Validate the certificate chains the package's signatures carry, at the creation
    time its request gives (read here before verification; the caller checks that the
    verified request gives the same time)."""
    try:
        with reading(path, limits) as reader:
            envelope = Envelope.from_bytes(
                reader.read_bytes(SIGNATURE_FILE, MAX_ENVELOPE_BYTES), source=str(path)
            )
            if not any(s.certificates for s in envelope.signatures):
                return (), (), None
            data = reader.read_bytes(_REQUEST_FILE, _MAX_REQUEST)
        created = parse_request(data, source=f"{path}:{_REQUEST_FILE}").created_at
    except (EEvidenceError, ValueError, KeyError, OSError):
        return (), (), None  # the package checks say what is wrong
    good, problems = certified_signers(envelope, directory.directory, created)
    return good, problems, created


def intake_package(
    package: str | os.PathLike[str],
    directory: VerifiedDirectory,
    *,
    now: datetime,
    limits: PackageLimits | None = None,
) -> IntakeVerdict:
    """Decide whether to act on a received request package.

    Checks, in order: the directory (verified by the caller, and unexpired at ``now``);
    the package, against the keys the directory lists (every check of
    :func:`~eevidence.package.package_report`: signatures, signed coverage, fixity); the
    request, read from the verified bytes (its digest must be the one the signed manifest
    gives); then each valid signature, bound to its directory entry (:class:`SignerBinding`).
    The request is accepted when at least one signature binds it: a key valid at the
    request's creation time and not revoked by ``now``, listed for an authority of the
    request's country whose official domains hold the officer's address (not public
    webmail, not a look-alike), and allowed to sign this kind of request (an emergency needs
    the ``emergency`` role). For an emergency, the number to call back is the directory's.

    Args:
        package: The received package (zip file or directory).
        directory: The verified directory (:func:`~eevidence.directory.verify_directory`).
        now: The time of the intake.
        limits: Bounds for reading the package.

    Returns:
        The verdict; never raises for a bad package (the reasons say what is wrong).
    """
    path = Path(package)
    d = directory.directory
    checks = [
        Check(
            "directory",
            d.expires > now,
            f"directory version {d.version}, valid until {as_of(d.expires)}, "
            f"{len(d.authorities)} authorities",
        )
    ]
    keys = [k.key() for a in d.authorities for k in a.keys]
    certified, chain_problems, chain_time = _chains(path, directory, limits)

    def reject(
        *reasons: str, request: Request | None = None, signers: tuple[SignerBinding, ...] = ()
    ) -> IntakeVerdict:
        return IntakeVerdict(
            decision="reject",
            reasons=tuple(reasons),
            checks=tuple(checks),
            signers=signers,
            authority=None,
            callback=None,
            callback_note=None,
            request=request,
            package=str(path),
            package_sha256=_file_sha256(path),
            directory_version=d.version,
            checked_at=now,
        )

    if d.expires <= now:
        return reject(f"the directory expired at {as_of(d.expires)}")
    for c in certified:
        checks.append(
            Check(
                "certificate",
                True,
                f"{c.subject}: the chain validates to {c.ca.subject}, listed for "
                f"{c.authority.name}",
            )
        )
    chain_reasons = tuple(f"certificate: {p}" for p in chain_problems)
    checks.extend(Check("certificate", False, p) for p in chain_problems)
    trust = TrustStore(
        [
            *(TrustedKey(key_id(k), k, "<directory>") for k in keys),
            # Leaf keys only after their path validated, and for this package only.
            *(TrustedKey(c.keyid, c.public_key, f"<{c.subject}>", c.leaf) for c in certified),
        ]
    )
    report = package_report(path, trust, limits=limits)
    if not report.ok:
        reasons = report.reasons()
        if report.signed and not report.valid_signers and not report.problems:
            reasons = ["no key the directory lists signed the package (unknown signer)"]
        checks.append(Check("package", False, "; ".join(reasons[:5])))
        return reject(*(f"package: {r}" for r in reasons), *chain_reasons)
    checks.append(
        Check("package", True, f"signatures, coverage and fixity hold ({len(report.files)} files)")
    )
    try:
        with reading(path, limits) as reader:
            data = reader.read_bytes(_REQUEST_FILE, _MAX_REQUEST)
        signed = next(f for f in report.files if f.path == _REQUEST_FILE and f.status == "ok")
        algorithm = signed.algorithm or "sha256"
        if hashlib.new(algorithm, data).hexdigest() != signed.expected:
            raise ValueError("the request changed after the package was verified")
        request = parse_request(data, source=f"{path}:{_REQUEST_FILE}")
    except (EEvidenceError, ValueError, StopIteration) as exc:
        checks.append(Check("request", False, str(exc) or "no data/request.json"))
        return reject(f"request: {exc or 'the package holds no signed data/request.json'}")
    checks.append(Check("request", True, f"{request.kind} {request.id}"))
    if certified and request.created_at != chain_time:
        checks.append(Check("certificate", False, "the request changed while it was checked"))
        return reject("request: changed while it was checked", request=request)
    if request.created_at > now + CLOCK_SKEW:
        checks.append(
            Check("request", False, f"created in the future ({as_of(request.created_at)})")
        )
        return reject(
            f"request: created_at {as_of(request.created_at)} is in the future", request=request
        )
    packaged = _packaged_at(report.info)
    bindings = tuple(
        _bind(directory, k, request, now, certified, packaged=packaged)
        for k in report.valid_signers
    )
    for b in bindings:
        checks.append(
            Check(
                "signer",
                b.ok,
                f"{b.keyid[:16]} of {b.authority_name}"
                + (f" (certificate {b.certificate_subject})" if b.certificate_subject else "")
                + (": " + "; ".join(b.reasons) if b.reasons else ": may sign this request"),
            )
        )
    good = [b for b in bindings if b.ok]
    if not good:
        return reject(
            *(r for b in bindings for r in b.reasons),
            *chain_reasons,
            request=request,
            signers=bindings,
        )
    authority = d.authority(good[0].authority_id)
    assert authority is not None  # noqa: S101 - bound from this directory
    note = None
    if is_emergency(request):
        note = (
            f"confirm the emergency by calling {authority.name} on {authority.callback}, "
            f"the number the directory lists; do not use the number in the request "
            f"({request.authority.officer.phone})"
        )
    checks.append(Check("callback", True, f"{authority.callback} (from the directory)"))
    return IntakeVerdict(
        decision="accept",
        reasons=(),
        checks=tuple(checks),
        signers=bindings,
        authority=authority,
        callback=authority.callback,
        callback_note=note,
        request=request,
        package=str(path),
        package_sha256=_file_sha256(path),
        directory_version=d.version,
        checked_at=now,
        request_bytes=data,
        notices=_name_notice(request, authority),
    )
