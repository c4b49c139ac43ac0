"""What verifying or inspecting a package finds: per-file fixity, signatures, problems.

The reports are plain frozen values; their ``to_dict`` forms are what
``eevidence package verify --json`` and ``eevidence package inspect --json`` print, so their
keys and order are part of the command-line interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from eevidence.package._tagfiles import visible

__all__ = [
    "FileResult",
    "FileStatus",
    "LetterSignature",
    "LetterStatus",
    "PackageInfo",
    "SignatureResult",
    "SignatureStatus",
    "StructuralProblem",
    "VerificationReport",
]

FileStatus = Literal[
    "ok",
    "missing",
    "unexpected",
    "not_covered",
    "size_mismatch",
    "digest_mismatch",
    "unreadable",
]
SignatureStatus = Literal["valid", "invalid", "unknown_key"]
LetterStatus = Literal["valid", "invalid", "unsigned", "unreadable"]


@dataclass(frozen=True, slots=True)
class LetterSignature:
    """The PAdES signature of a PDF letter (ETSI EN 319 142), as pyHanko's validator found it.

    Attributes:
        path: The file (a path, or ``data/documents/...`` inside a package).
        status: ``valid`` (intact, cryptographically valid, covering the whole file);
            ``invalid`` (changed after signing, a signature that does not verify, or
            content appended after it); ``unsigned``; ``unreadable`` (not a readable PDF).
        signer: The signer certificate's subject.
        intact: The signed byte ranges hash to the digest the signature signs.
        whole_document: The signature covers the whole file.
        signing_time: The time the signer states (UTC, RFC 3339); not proof of time.
        timestamp: The time an RFC 3161 timestamp on the signature attests (PAdES B-T).
        timestamp_trusted: Whether that timestamp's TSA chains to the trusted CAs
            (``None``: no timestamp, or trust not judged).
        trusted: Whether the signer's certificate chains to a trusted CA at the
            validation time; ``None`` when no CA was given (trust not judged).
        level: ``B-B`` or ``B-T`` (with a signature timestamp).
        signatures: How many signatures the PDF holds (the last one is reported).
        problem: Why it is not valid or not trusted, in one line.
    """

    path: str
    status: LetterStatus
    signer: str | None = None
    intact: bool | None = None
    whole_document: bool | None = None
    signing_time: str | None = None
    timestamp: str | None = None
    timestamp_trusted: bool | None = None
    trusted: bool | None = None
    level: str | None = None
    signatures: int = 0
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the signature is valid and its signer trusted."""
        return self.status == "valid" and self.trusted is True

    def summary(self) -> str:
        """One line: the status, the signer, the trust and the time, or the problem."""
        if self.status in ("unsigned", "unreadable"):
            return self.status + (f" ({self.problem})" if self.problem else "")
        trust = {True: "trusted", False: "NOT trusted", None: "trust not checked"}[self.trusted]
        when = self.timestamp or self.signing_time or "no time"
        text = f"signature {self.status} ({self.level}), {trust}: {self.signer}, {when}"
        return text + (f"; {self.problem}" if self.problem else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``letter verify --json``, and each of ``letters`` in
        ``package verify --json``).

        Returns:
            A new dict with every attribute, and ``ok``.
        """
        return {
            "path": self.path,
            "status": self.status,
            "ok": self.ok,
            "signer": self.signer,
            "intact": self.intact,
            "whole_document": self.whole_document,
            "signing_time": self.signing_time,
            "timestamp": self.timestamp,
            "timestamp_trusted": self.timestamp_trusted,
            "trusted": self.trusted,
            "level": self.level,
            "signatures": self.signatures,
            "problem": self.problem,
        }


@dataclass(frozen=True, slots=True)
class FileResult:
    """The fixity result of one file of a bag (RFC 8493 section 3: validating a bag).

    Attributes:
        path: The file's path relative to the bag root, ``/``-separated
            (``data/request.json``, ``bag-info.txt``).
        status: ``ok``; ``missing`` (listed in a manifest, absent); ``unexpected`` (present,
            listed nowhere); ``not_covered`` (present in a signed package but listed only by
            a manifest the signatures do not cover, such as an added
            ``tagmanifest-sha512.txt``); ``size_mismatch`` (differs from
            ``payload-sizes.txt``); ``digest_mismatch``; ``unreadable`` (the entry could not
            be read).
        algorithm: The manifest algorithm checked (``sha256`` or ``sha512``), ``size`` for a
            size mismatch, ``None`` when nothing was compared.
        expected: The digest (lowercase hex) or size (decimal bytes) the manifest gives.
        found: What the file gave: for ``ok``, the digest computed (equal to
            ``expected``; filled in from it by :meth:`to_dict` when the verifier left it
            unset); for a mismatch, the digest or size found; for ``unreadable``, why the
            file could not be read.
    """

    path: str
    status: FileStatus
    algorithm: str | None = None
    expected: str | None = None
    found: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``path`` and ``status``, then each other field that is set; an
        ``ok`` file always has ``found``, the digest its bytes gave (for an ``ok`` file
        that digest matched, so it is ``expected`` when the verifier did not record it),
        so a report states for every file checked what was computed, not only what was
        listed.

        Returns:
            A new dict with the keys ``path``, ``status`` and, when not ``None``,
            ``algorithm``, ``expected`` and ``found``.
        """
        out: dict[str, Any] = {"path": self.path, "status": self.status}
        found = self.found
        if found is None and self.status == "ok":
            found = self.expected
        for k, v in (("algorithm", self.algorithm), ("expected", self.expected), ("found", found)):
            if v is not None:
                out[k] = v
        return out


@dataclass(frozen=True, slots=True)
class SignatureResult:
    """One signature of the package's DSSE envelope, checked against the trust store.

    ``keyid_hint`` is what the package says; ``keyid`` is the id computed from the trusted key
    that verified the signature (None unless ``status`` is ``valid``).

    Attributes:
        index: Position of the signature in the envelope's ``signatures`` list, from 0.
        status: ``valid`` (a trusted key verifies it); ``invalid`` (no trusted key verifies
            it, though the hinted key id is trusted); ``unknown_key`` (no trusted key verifies
            it and the hinted key id is not trusted).
        keyid_hint: The signature's ``keyid`` field as written in the package (untrusted).
        keyid: Key id (SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex) of the
            trusted key that verified the signature; ``None`` unless ``valid``.
        trusted_source: Where that trusted key was loaded from (a file name).
    """

    index: int
    status: SignatureStatus
    keyid_hint: str
    keyid: str | None = None
    trusted_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every field, ``None`` as ``null``.

        Returns:
            A new dict with the keys ``index``, ``status``, ``keyid_hint``, ``keyid`` and
            ``trusted_source``.
        """
        return {
            "index": self.index,
            "status": self.status,
            "keyid_hint": self.keyid_hint,
            "keyid": self.keyid,
            "trusted_source": self.trusted_source,
        }


@dataclass(frozen=True, slots=True)
class StructuralProblem:
    """Something wrong with the package as a whole rather than with one file's bytes.

    Attributes:
        code: A stable machine-readable reason: a :class:`~eevidence.errors.PackageError`
            code when the package could not be read (``not_a_bag``, ``zip_bomb``,
            ``path_traversal``...), else one of ``bad_declaration``, ``no_manifest``,
            ``malformed_manifest``, ``malformed_bag_info``, ``unsupported_algorithm``,
            ``oxum_mismatch``, ``fetch_file`` (the bag has a ``fetch.txt``: remote files are
            refused), ``unsigned_tag_manifest`` (a signed package holds a tag manifest other
            than the one its signatures cover), ``bad_envelope`` (or another code of
            :meth:`~eevidence.crypto.Envelope.from_bytes`: the envelope is malformed),
            ``wrong_payload_type``, ``signature_payload_mismatch``.
        message: A one-line explanation for people.
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form.

        Returns:
            A new dict with the keys ``code`` and ``message``.
        """
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class VerificationReport:
    """Everything :func:`~eevidence.package.package_report` found; ``ok`` only when every
    part holds: the DSSE envelope signs the package's tag manifest, at least ``threshold``
    distinct trusted keys signed it, every file is covered by that signed tag manifest, and
    the bag is complete and valid (RFC 8493 section 3).

    Signatures are checked first, from ``bagit.txt``, the envelope and the tag manifest
    alone: unless the caller asks for a fixity-only check, nothing else is read until they
    hold, so an unsigned, malformed or untrusted package is reported with
    ``payload_checked`` false, no ``files`` and no ``info``.

    Attributes:
        source: The package path as given.
        form: ``zip`` or ``directory``; ``None`` when the package could not be read at all
            (then ``problems`` holds the one reason and nothing else was evaluated).
        files: One :class:`FileResult` per file checked (tag files and payload), sorted by
            path; empty unless ``payload_checked``.
        signatures: One :class:`SignatureResult` per envelope signature, in envelope order.
        signed: Whether the package has a well-formed signature envelope.
        threshold: Distinct trusted signers required (at least 1).
        valid_signers: Key ids of the distinct trusted keys with a valid signature, in
            envelope order.
        problems: The structural problems found.
        info: The ``bag-info.txt`` labels and values, in file order (unverified unless
            ``ok``).
        envelope_malformed: The package has a signature envelope file that cannot be read
            as a DSSE envelope (its problem is in ``problems``); such a package is not
            reported as unsigned.
        payload_checked: Whether the files were checked (the other tag files read, every
            file matched against the manifests, the payload hashed); false when the
            signatures did not hold and no fixity-only check was asked for.
        letters: The PAdES signature of each PDF under ``data/documents/`` whose fixity
            held, checked once the files were (informative: it does not change ``ok``).
    """

    source: str
    form: str | None
    files: tuple[FileResult, ...] = ()
    signatures: tuple[SignatureResult, ...] = ()
    signed: bool = False
    threshold: int = 1
    valid_signers: tuple[str, ...] = ()
    problems: tuple[StructuralProblem, ...] = ()
    info: tuple[tuple[str, str], ...] = ()
    envelope_malformed: bool = False
    payload_checked: bool = False
    letters: tuple[LetterSignature, ...] = ()

    @property
    def fixity_ok(self) -> bool:
        """True when the payload was checked, there is no structural problem and every file
        checked is ``ok``."""
        return (
            self.payload_checked
            and not self.problems
            and bool(self.files)
            and all(f.status == "ok" for f in self.files)
        )

    @property
    def policy_met(self) -> bool:
        """True when the package is signed by at least ``threshold`` distinct trusted keys."""
        return self.signed and len(self.valid_signers) >= self.threshold

    @property
    def ok(self) -> bool:
        """True when both :attr:`fixity_ok` and :attr:`policy_met` hold."""
        return self.fixity_ok and self.policy_met

    @property
    def envelope(self) -> Literal["absent", "malformed", "present"]:
        """The signature envelope: ``absent`` (unsigned), ``malformed`` or ``present``."""
        if self.signed:
            return "present"
        return "malformed" if self.envelope_malformed else "absent"

    def reasons(self) -> list[str]:
        """Why the report is not ok, one short line per reason (empty when ok).

        Returns:
            Lines such as ``"digest_mismatch: data/request.json"``,
            ``"not_covered: URGENT.txt"``, ``"signature 1 unknown_key"`` or
            ``"threshold_not_met: ..."``: structural problems first, then files, signatures
            and the signing policy. An unsigned package gives ``"unsigned: ..."``; a
            malformed envelope gives its problem (``"bad_envelope: ..."``) instead.
        """
        out = [f"{p.code}: {p.message}" for p in self.problems]
        if self.form is None:
            return out  # the package could not be read: nothing else was evaluated
        out += [f"{f.status}: {_shown(f.path)}" for f in self.files if f.status != "ok"]
        out += [f"signature {s.index} {s.status}" for s in self.signatures if s.status != "valid"]
        if not self.signed:
            if not self.envelope_malformed:  # a malformed envelope is named in the problems
                out.append("unsigned: the package has no signature envelope")
        elif not self.policy_met:
            out.append(
                f"threshold_not_met: {len(self.valid_signers)} valid trusted signature(s), "
                f"{self.threshold} required"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``eevidence package verify --json``.

        Returns:
            A new dict with the keys ``source``, ``form``, ``ok``, ``fixity_ok``, ``signed``,
            ``policy`` (``threshold``, ``valid_signers``, ``met``), ``problems``, ``files``,
            ``signatures`` (lists of their ``to_dict`` forms), ``info`` (a dict),
            ``reasons``, ``envelope`` (``absent``, ``malformed`` or ``present``),
            ``payload_checked`` and ``letters`` (the PDF letters' signatures).
        """
        return {
            "source": self.source,
            "form": self.form,
            "ok": self.ok,
            "fixity_ok": self.fixity_ok,
            "signed": self.signed,
            "policy": {
                "threshold": self.threshold,
                "valid_signers": list(self.valid_signers),
                "met": self.policy_met,
            },
            "problems": [p.to_dict() for p in self.problems],
            "files": [f.to_dict() for f in self.files],
            "signatures": [s.to_dict() for s in self.signatures],
            "info": dict(self.info),
            "reasons": self.reasons(),
            "envelope": self.envelope,
            "payload_checked": self.payload_checked,
            "letters": [letter.to_dict() for letter in self.letters],
        }


@dataclass(frozen=True)
class PackageInfo:
    """What a package says about itself (nothing here is verified).

    Attributes:
        source: The package path as given.
        form: ``zip`` or ``directory``.
        info: The ``bag-info.txt`` labels and values, in file order.
        files: ``(path, size in bytes)`` of every file of the bag, sorted by path.
        keyid_hints: The ``keyid`` of each envelope signature as written (untrusted).
    """

    source: str
    form: str
    info: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, int], ...]
    keyid_hints: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``eevidence package inspect --json``.

        Returns:
            A new dict with the keys ``source``, ``form``, ``verified`` (always ``False``),
            ``info`` (a dict), ``files`` (``{"path", "size"}`` objects) and
            ``signature_keyid_hints``.
        """
        return {
            "source": self.source,
            "form": self.form,
            "verified": False,
            "info": dict(self.info),
            "files": [{"path": p, "size": s} for p, s in self.files],
            "signature_keyid_hints": list(self.keyid_hints),
        }


def _shown(path: str) -> str:
    """``path`` as is, or quoted with escapes when it holds anything that could hide a
    difference on screen (a trailing space, a line separator, another normal form)."""
    quoted = visible(path)
    return path if quoted[1:-1] == path else quoted
