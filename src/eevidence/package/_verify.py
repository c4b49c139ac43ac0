"""Verifying and inspecting a package: signatures first, then fixity (RFC 8493 section 3).

Verification never trusts a key id or a path written in the package: keys come from the
caller's :class:`~eevidence.crypto.TrustStore`, every path is checked before anything is
read, and the envelope's payload must be byte-for-byte the tag manifest that pins the
other files. Nothing here imports the request models (a package is verified as bytes).

Order of the checks (so that nothing unsigned costs more than reading a few small files):

1. ``bagit.txt``, the DSSE envelope and the tag manifest it must sign are read, and the
   signatures are checked against the trust store;
2. only when they hold (or the caller asks for a fixity-only check) are the other tag files
   read, and every file is matched against the one tag manifest the signatures cover
   (``tagmanifest-sha256.txt``): pinned by it directly, or listed by a payload manifest it
   pins; any other tag manifest, any file outside that coverage and any ``fetch.txt`` fail;
3. then the payload files are hashed, in one read each.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from eevidence.crypto import Envelope, TrustStore, verify_signature
from eevidence.errors import (
    InputError,
    PackageError,
    PackageTrustError,
    PackageVerificationError,
)
from eevidence.package._bag import PackageLimits, Reader, reading
from eevidence.package._hash import Progress, hash_entries
from eevidence.package._layout import (
    FETCH_FILE,
    PAYLOAD_TYPE,
    SIGNATURE_FILE,
    SIZES_FILE,
    TAGMANIFEST,
)
from eevidence.package._report import (
    FileResult,
    FileStatus,
    LetterSignature,
    PackageInfo,
    SignatureResult,
    StructuralProblem,
    VerificationReport,
)
from eevidence.package._tagfiles import (
    HASH_ALGORITHMS,
    parse_bag_declaration,
    parse_bag_info,
    parse_manifest,
    parse_payload_sizes,
)

if TYPE_CHECKING:
    from cryptography import x509

__all__ = [
    "evaluate",
    "inspect_package",
    "package_report",
    "parse_tags",
    "read_other_tags",
    "read_signed_part",
    "verify_package",
]

_READ_TAGS: Final = frozenset(
    {"bagit.txt", "bag-info.txt", SIZES_FILE, SIGNATURE_FILE}
    | {f"{kind}-{alg}.txt" for kind in ("manifest", "tagmanifest") for alg in HASH_ALGORITHMS}
)
_LINE_END: Final = re.compile(r"\r\n|\r|\n")  # RFC 8493 section 2: CR, LF or CRLF


@dataclass
class _Parsed:
    """What the tag files of a bag say (before any payload is hashed)."""

    manifests: dict[str, dict[str, str]] = field(default_factory=dict)
    tagmanifests: dict[str, dict[str, str]] = field(default_factory=dict)
    tag_bytes: dict[str, bytes] = field(default_factory=dict)
    top_level: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    info: list[tuple[str, str]] = field(default_factory=list)
    envelope: Envelope | None = None
    envelope_malformed: bool = False
    problems: list[StructuralProblem] = field(default_factory=list)

    def problem(self, code: str, message: str) -> None:
        self.problems.append(StructuralProblem(code, message))


def read_signed_part(reader: Reader, limits: PackageLimits) -> _Parsed:
    """Read what the signatures are checked on, and nothing else: ``bagit.txt``, the
    signature envelope and the tag manifest it must sign.

    The tag manifest is read only when its size is that of the envelope's payload (at most
    :data:`~eevidence.crypto.MAX_ENVELOPE_BYTES`), so what is read before any signature is
    checked stays small whatever the package holds.

    Raises:
        PackageError: ``not_a_bag`` (no ``bagit.txt``), ``too_large`` (a tag file over
            ``limits.max_tag_file_size``) or a code of the reader for an unreadable entry.
    """
    parsed = _Parsed()
    entries = reader.entries()
    if "bagit.txt" not in entries:
        raise PackageError("no bagit.txt: not a BagIt bag", code="not_a_bag", source=reader.source)
    parsed.top_level = sorted(n for n in entries if "/" not in n)
    for name in ("bagit.txt", SIGNATURE_FILE):
        if name in entries:
            parsed.tag_bytes[name] = reader.read_bytes(name, limits.max_tag_file_size)
    for message in parse_bag_declaration(parsed.tag_bytes["bagit.txt"])[1]:
        parsed.problem("bad_declaration", message)
    if SIGNATURE_FILE in parsed.tag_bytes:
        try:
            parsed.envelope = Envelope.from_bytes(
                parsed.tag_bytes[SIGNATURE_FILE], source=SIGNATURE_FILE
            )
        except PackageError as exc:
            parsed.envelope_malformed = True
            parsed.problem(exc.code, str(exc.args[0]))
    env = parsed.envelope
    if env is not None and entries.get(TAGMANIFEST) == len(env.payload):
        parsed.tag_bytes[TAGMANIFEST] = reader.read_bytes(TAGMANIFEST, limits.max_tag_file_size)
    return parsed


def read_other_tags(reader: Reader, limits: PackageLimits, parsed: _Parsed) -> None:
    """Read and parse the other tag files at the bag root (manifests, ``bag-info.txt``,
    ``payload-sizes.txt``); no file outside the root is read.

    Raises:
        PackageError: ``too_large`` (a tag file over ``limits.max_tag_file_size``) or a code
            of the reader for an unreadable entry.
    """
    entries = reader.entries()
    # Only the tag files this format reads are loaded (each under the size limit); any other
    # top-level file is hashed as a stream if a tag manifest pins it, else reported.
    for name in parsed.top_level:
        if name in _READ_TAGS:
            if name not in parsed.tag_bytes:
                parsed.tag_bytes[name] = reader.read_bytes(name, limits.max_tag_file_size)
        elif name.startswith(("manifest-", "tagmanifest-")) and name.endswith(".txt"):
            parsed.problem("unsupported_algorithm", f"{name}: only sha256 and sha512")
    if FETCH_FILE in entries:
        parsed.problem(
            "fetch_file",
            f"{FETCH_FILE}: a package must hold every file it lists; files to fetch "
            "(RFC 8493 section 2.2.3) are refused",
        )
    for name, data in sorted(parsed.tag_bytes.items()):
        for prefix, target in (
            ("manifest-", parsed.manifests),
            ("tagmanifest-", parsed.tagmanifests),
        ):
            if name.startswith(prefix) and name.endswith(".txt"):
                alg = name[len(prefix) : -4]  # one of HASH_ALGORITHMS (see _READ_TAGS)
                found, problems = parse_manifest(data, alg, name=name)
                for p in problems:
                    parsed.problem("malformed_manifest", p)
                target[alg] = found
    if not parsed.manifests:
        parsed.problem("no_manifest", "no manifest-sha256.txt or manifest-sha512.txt")
    for alg, found in parsed.manifests.items():
        for path in found:
            if not path.startswith("data/"):
                parsed.problem(
                    "malformed_manifest", f"manifest-{alg}.txt lists {path!r} outside data/"
                )
    for alg, found in parsed.tagmanifests.items():
        for path in found:
            if path.startswith("data/") or path.startswith("tagmanifest-"):
                parsed.problem("malformed_manifest", f"tagmanifest-{alg}.txt lists {path!r}")
    if "bag-info.txt" in parsed.tag_bytes:
        parsed.info, problems = parse_bag_info(parsed.tag_bytes["bag-info.txt"])
        for p in problems:
            parsed.problem("malformed_bag_info", p)
    if SIZES_FILE in parsed.tag_bytes:
        _parse_sizes(parsed)


def parse_tags(reader: Reader, limits: PackageLimits) -> _Parsed:
    """Read and parse every tag file at the bag root (:func:`read_signed_part`, then
    :func:`read_other_tags`); no other file is read and no signature is checked.

    Raises:
        PackageError: As :func:`read_signed_part` and :func:`read_other_tags`.
    """
    parsed = read_signed_part(reader, limits)
    read_other_tags(reader, limits, parsed)
    return parsed


def _parse_sizes(parsed: _Parsed) -> None:
    sizes, problems = parse_payload_sizes(parsed.tag_bytes[SIZES_FILE])
    parsed.sizes.update(sizes)
    for message in problems:
        parsed.problem("malformed_manifest", message)


@dataclass
class _Plan:
    """What is checked without reading a byte of payload, and what is left to hash."""

    results: list[FileResult] = field(default_factory=list)
    # Pinned files that were not read with the tag files: {path: [(algorithm, digest)]}.
    streamed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Payload files to hash: {path: algorithms}, with the manifests that list them.
    payload: dict[str, tuple[str, ...]] = field(default_factory=dict)
    manifests: dict[str, dict[str, str]] = field(default_factory=dict)


def _plan(reader: Reader, parsed: _Parsed) -> _Plan:
    """Match every file of the bag against the manifests that count, by name and size.

    In a signed package (one with a signature envelope file) only the signed tag manifest
    counts, with the payload manifests it pins: a file listed only by another manifest is
    ``not_covered``, and any other tag manifest is an ``unsigned_tag_manifest`` problem. In
    an unsigned bag every manifest counts (RFC 8493 section 3).
    """
    entries = reader.entries()
    plan = _Plan()
    if SIGNATURE_FILE in entries:
        tagmanifests = {a: m for a, m in parsed.tagmanifests.items() if a == "sha256"}
        for name in parsed.top_level:
            if name.startswith("tagmanifest-") and name != TAGMANIFEST:
                parsed.problem(
                    "unsigned_tag_manifest",
                    f"{name}: a tag manifest the signatures do not cover (only {TAGMANIFEST} "
                    "is signed)",
                )
        signed_pins = tagmanifests.get("sha256", {})
        plan.manifests = {
            a: m for a, m in parsed.manifests.items() if f"manifest-{a}.txt" in signed_pins
        }
    else:
        tagmanifests = parsed.tagmanifests
        plan.manifests = parsed.manifests
    # Tag files: every file outside data/ must be pinned by a tag manifest that counts,
    # except the tag manifests themselves and the signature envelope (which signs the
    # sha256 tag manifest).
    pinned: set[str] = set()
    for alg, listed in tagmanifests.items():
        for path, expected in sorted(listed.items()):
            pinned.add(path)
            data = parsed.tag_bytes.get(path)
            if data is not None:
                found = hashlib.new(alg, data).hexdigest()
                status: FileStatus = "ok" if found == expected else "digest_mismatch"
                plan.results.append(FileResult(path, status, alg, expected, found))
            elif path in entries:
                plan.streamed.setdefault(path, []).append((alg, expected))
            else:
                plan.results.append(FileResult(path, "missing", alg, expected))
    listed_algs: dict[str, list[str]] = {}
    for alg, listed in sorted(plan.manifests.items()):
        for path in listed:
            listed_algs.setdefault(path, []).append(alg)
    # Files some manifest lists, though not one that counts: listed, but not signed.
    elsewhere = {p for m in (*parsed.tagmanifests.values(), *parsed.manifests.values()) for p in m}
    elsewhere -= pinned | listed_algs.keys()
    for name in sorted(n for n in entries if not n.startswith("data/")):
        if name in pinned or name == SIGNATURE_FILE:
            continue
        if "/" not in name and name.startswith("tagmanifest-"):
            continue  # reported above when it does not count
        plan.results.append(FileResult(name, "not_covered" if name in elsewhere else "unexpected"))
    # Payload files.
    payload = {n for n in entries if n.startswith("data/")}
    for name in sorted(payload - listed_algs.keys()):
        plan.results.append(FileResult(name, "not_covered" if name in elsewhere else "unexpected"))
    for path, algs in sorted(listed_algs.items()):
        if path not in entries:
            expected = plan.manifests[algs[0]][path]
            plan.results.append(FileResult(path, "missing", algs[0], expected))
            continue
        expected_size = parsed.sizes.get(path)
        if expected_size is not None and expected_size != entries[path]:
            plan.results.append(
                FileResult(path, "size_mismatch", "size", str(expected_size), str(entries[path]))
            )
            continue
        plan.payload[path] = tuple(algs)
    for path in sorted(set(parsed.sizes) - set(listed_algs)):
        parsed.problem("malformed_manifest", f"{SIZES_FILE} lists {path!r}, no manifest does")
    oxum = dict(parsed.info).get("Payload-Oxum")
    if oxum is not None:
        total = sum(entries[n] for n in payload)
        if oxum != f"{total}.{len(payload)}":
            parsed.problem(
                "oxum_mismatch", f"Payload-Oxum {oxum} but payload is {total}.{len(payload)}"
            )
    return plan


def _hash(
    reader: Reader, plan: _Plan, workers: int | None, progress: Progress | None
) -> list[FileResult]:
    """Hash what the plan left: pinned files outside the root, then the payload (each file
    read once, every digest of it from the same read)."""
    results: list[FileResult] = []
    streamed = plan.streamed
    tag_hashes = hash_entries(reader, {p: [a for a, _ in v] for p, v in streamed.items()})
    for path, checks in sorted(streamed.items()):
        outcome = tag_hashes[path]
        if isinstance(outcome, PackageError):
            results.append(FileResult(path, "unreadable", found=str(outcome.args[0])))
            continue
        for alg, digest in checks:
            found = outcome[0][alg]
            status: FileStatus = "ok" if found == digest else "digest_mismatch"
            results.append(FileResult(path, status, alg, digest, found))
    wanted = plan.payload
    hashed = hash_entries(reader, wanted, workers=workers, progress=progress)
    for path in sorted(wanted):
        outcome = hashed.pop(path)
        if isinstance(outcome, PackageError):
            results.append(FileResult(path, "unreadable", found=str(outcome.args[0])))
            continue
        digests, _size = outcome
        expected = {a: plan.manifests[a][path] for a in wanted[path]}
        bad = [a for a in wanted[path] if digests[a] != expected[a]]
        if bad:
            a = bad[0]
            results.append(FileResult(path, "digest_mismatch", a, expected[a], digests[a]))
        else:
            alg = wanted[path][0]
            results.append(FileResult(path, "ok", alg, expected[alg]))
    return results


def _check_signatures(
    parsed: _Parsed, trust: TrustStore, threshold: int
) -> tuple[list[SignatureResult], list[str], bool]:
    """Check the envelope against the tag manifest and every signature against ``trust``.

    Returns:
        ``(one result per signature, distinct trusted key ids that signed, whether the
        signatures hold)``: they hold when the envelope signs this package's tag manifest
        with the package payload type and at least ``threshold`` distinct trusted keys
        signed it.
    """
    env = parsed.envelope
    if env is None:
        return [], [], False
    holds = True
    if env.payload_type != PAYLOAD_TYPE:
        parsed.problem("wrong_payload_type", f"envelope payload type {env.payload_type!r}")
        holds = False
    if parsed.tag_bytes.get(TAGMANIFEST) != env.payload:
        parsed.problem(
            "signature_payload_mismatch",
            f"the signed payload is not the package's {TAGMANIFEST}",
        )
        holds = False
    if not env.signatures:
        parsed.problem("bad_envelope", "the envelope has no signature")
    signed = env.signed_bytes()
    results: list[SignatureResult] = []
    valid: list[str] = []
    for i, sig in enumerate(env.signatures):
        match = next(
            (
                k
                for k in trust.candidates(sig.keyid)
                if verify_signature(k.public_key, sig.sig, signed)
            ),
            None,
        )
        if match is not None:
            results.append(SignatureResult(i, "valid", sig.keyid, match.keyid, match.source))
            if match.keyid not in valid:
                valid.append(match.keyid)
        elif sig.keyid in trust:
            results.append(SignatureResult(i, "invalid", sig.keyid))
        else:
            results.append(SignatureResult(i, "unknown_key", sig.keyid))
    return results, valid, holds and len(valid) >= threshold


def evaluate(
    reader: Reader,
    trust: TrustStore,
    *,
    threshold: int,
    limits: PackageLimits,
    workers: int | None,
    progress: Progress | None,
    fixity_only: bool,
    letter_cas: Sequence[x509.Certificate] = (),
) -> tuple[VerificationReport, Envelope | None]:
    """Verify an open package: signatures from the tag files first, then the payload.

    Returns:
        The report and the parsed envelope (``None`` when absent or malformed).

    Raises:
        PackageError: The tag files cannot be read (see :func:`parse_tags`).
    """
    parsed = read_signed_part(reader, limits)
    sigs, valid, holds = _check_signatures(parsed, trust, threshold)
    hashed = holds or fixity_only
    files: list[FileResult] = []
    if hashed:  # else nothing more is read
        read_other_tags(reader, limits, parsed)
        plan = _plan(reader, parsed)
        files = plan.results + _hash(reader, plan, workers, progress)
        files.sort(key=lambda r: r.path)
    letters = _letters(reader, files, letter_cas) if hashed else ()
    report = VerificationReport(
        source=reader.source,
        form=reader.form,
        files=tuple(files),
        signatures=tuple(sigs),
        signed=parsed.envelope is not None,
        threshold=threshold,
        valid_signers=tuple(valid),
        problems=tuple(parsed.problems),
        info=tuple(parsed.info),
        envelope_malformed=parsed.envelope_malformed,
        payload_checked=hashed,
        letters=letters,
    )
    return report, parsed.envelope


def _letters(
    reader: Reader, files: Sequence[FileResult], cas: Sequence[x509.Certificate]
) -> tuple[LetterSignature, ...]:
    """The PAdES signature of each PDF document whose fixity held (pyHanko loads only when
    a PDF holds a signature)."""
    from eevidence.package._pdfsig import MAX_LETTER_BYTES, check_pdf_signature  # noqa: PLC0415

    out: list[LetterSignature] = []
    for f in files:
        name = f.path
        if f.status != "ok" or not (
            name.startswith("data/documents/") and name.lower().endswith(".pdf")
        ):
            continue
        try:
            data = reader.read_bytes(name, MAX_LETTER_BYTES)
        except PackageError as exc:
            out.append(LetterSignature(name, "unreadable", problem=str(exc.args[0])))
            continue
        if b"/ByteRange" not in data:  # no signature dictionary: no need for pyHanko
            out.append(LetterSignature(name, "unsigned"))
            continue
        out.append(check_pdf_signature(data, path=name, trust_roots=cas))
    return tuple(out)


def package_report(
    path: str | os.PathLike[str],
    trust: TrustStore,
    *,
    threshold: int = 1,
    limits: PackageLimits | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    fixity_only: bool = False,
    letter_cas: Sequence[x509.Certificate] = (),
) -> VerificationReport:
    """Verify a package and return the full report (never raises for a bad package).

    Signatures first: the tag files at the bag root are read and each signature of the DSSE
    envelope is checked against every key of ``trust`` (the key id written in the package
    is only a hint); the envelope's payload must be the package's ``tagmanifest-sha256.txt``
    and its payload type :data:`~eevidence.package.PAYLOAD_TYPE`. Every file must be covered
    by that signed tag manifest, directly or through a payload manifest it pins: another tag
    manifest (``unsigned_tag_manifest``), a file listed only by a manifest that is not
    signed (``not_covered``), a file listed nowhere (``unexpected``) and a ``fetch.txt``
    (``fetch_file``) all fail. Then, only if the signatures hold (at least ``threshold``
    distinct trusted keys), the other tag files are read and fixity is checked as RFC 8493
    section 3 describes (every manifest entry present with its digest, the tag files'
    digests, the Payload-Oxum), plus the sizes in ``payload-sizes.txt``. An unsigned,
    malformed or untrusted package is thus reported after reading ``bagit.txt``, its
    envelope and its tag manifest only, in bounded time and memory whatever it holds
    (``payload_checked`` is false and ``files`` empty), unless ``fixity_only`` asks for
    everything to be read and hashed anyway.

    Args:
        path: A package directory or zip file.
        trust: The keys accepted as signers (may be empty for a fixity-only check).
        threshold: Distinct trusted keys that must have signed (at least 1).
        limits: Bounds checked before reading; ``None`` for the defaults.
        workers: Threads hashing payload files; ``None`` for the CPU count (up to 8).
        progress: Called with the number of payload bytes hashed, from worker threads.
        fixity_only: Hash the payload even when the signatures do not hold, so that
            ``fixity_ok`` says whether the bag is complete and valid; ``ok`` still needs
            the signatures.
        letter_cas: Certificate authorities a PDF letter's PAdES signer must chain to
            (``letters`` in the report; they never change ``ok``); none: each letter's
            signature is checked, its trust not judged.

    Returns:
        The :class:`VerificationReport`; a package that cannot be read at all gives a
        report with ``form`` ``None`` and the reason in ``problems``.

    Raises:
        InputError: ``threshold`` is below 1 (a caller mistake, not a package problem).
    """
    if threshold < 1:
        raise InputError(f"threshold must be at least 1, got {threshold}")
    source = str(path)
    try:
        with reading(path, limits) as reader:
            report, _ = evaluate(
                reader,
                trust,
                threshold=threshold,
                limits=limits or PackageLimits(),
                workers=workers,
                progress=progress,
                fixity_only=fixity_only,
                letter_cas=letter_cas,
            )
    except PackageError as exc:
        return VerificationReport(
            source=source,
            form=None,
            threshold=threshold,
            problems=(StructuralProblem(exc.code, str(exc.args[0])),),
        )
    return replace(report, source=source)


def verify_package(
    path: str | os.PathLike[str],
    trust: TrustStore,
    *,
    threshold: int = 1,
    limits: PackageLimits | None = None,
    workers: int | None = None,
) -> VerificationReport:
    """Like :func:`package_report`, but raise unless the package verifies.

    Args:
        path: A package directory or zip file.
        trust: The keys accepted as signers.
        threshold: Distinct trusted keys that must have signed (at least 1).
        limits: Bounds checked before reading; ``None`` for the defaults.
        workers: Threads hashing payload files; ``None`` for the CPU count (up to 8).

    Returns:
        The report, whose ``ok`` is true.

    Raises:
        PackageTrustError: Nothing is known to be wrong with the package but who signed
            it: the envelope is well formed and signs the tag manifest, no signature by a
            trusted key fails, but fewer than ``threshold`` distinct trusted keys signed it
            (so nothing else was read, and its files were not checked): a
            :class:`~eevidence.errors.TrustError`, and a
            :class:`~eevidence.errors.PackageVerificationError` as below.
        PackageVerificationError: The report is not ok otherwise: the package is altered,
            malformed, unreadable, unsigned, holds a file its signatures do not cover, or a
            signature by a trusted key does not verify (an
            :class:`~eevidence.errors.IntegrityError`; its ``report`` attribute holds the
            full report, its message the first reasons).
        InputError: ``threshold`` is below 1.
    """
    report = package_report(path, trust, threshold=threshold, limits=limits, workers=workers)
    if not report.ok:
        error = PackageTrustError if _untrusted_only(report) else PackageVerificationError
        raise error(report, source=str(path), reasons=report.reasons())
    return report


def _untrusted_only(report: VerificationReport) -> bool:
    """Whether the only thing wrong is who signed: the package is signed, nothing checked
    failed, no signature by a trusted key fails, but too few trusted keys signed it (so
    its files were not read)."""
    return (
        report.signed
        and not report.policy_met
        and not report.problems
        and all(f.status == "ok" for f in report.files)
        and all(s.status != "invalid" for s in report.signatures)
    )


def inspect_package(
    path: str | os.PathLike[str], *, limits: PackageLimits | None = None
) -> PackageInfo:
    """Read a package's metadata and file list without verifying anything.

    Only the tag files are read (each up to ``limits.max_tag_file_size`` bytes); no payload
    file is hashed and no signature is checked.

    Args:
        path: A package directory or zip file.
        limits: Bounds checked before reading; ``None`` for the defaults.

    Returns:
        What the package says about itself (:class:`PackageInfo`, unverified).

    Raises:
        PackageError: The package cannot be read: not a bag (``not_a_bag``), an unsafe or
            oversized entry (the codes of :func:`open_reader`), a tag file too large
            (``too_large``) or unreadable.
    """
    with reading(path, limits) as reader:
        parsed = parse_tags(reader, limits or PackageLimits())
        return PackageInfo(
            source=str(path),
            form=reader.form,
            info=tuple(parsed.info),
            files=tuple(sorted(reader.entries().items())),
            keyid_hints=tuple(s.keyid for s in parsed.envelope.signatures)
            if parsed.envelope
            else (),
        )
