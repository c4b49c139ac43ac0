"""A witness run by another party, and its client (C2SP tlog-witness, tlog-cosignature).

Specification: https://c2sp.org/tlog-witness (read at C2SP/C2SP commit 5ba5ee8,
2026-07-22). A witness keeps, per log origin, the latest checkpoint it cosigned; it cosigns
a new checkpoint only when the log's trusted key signed it and a consistency proof (RFC 9162
section 2.1.4) shows it extends that latest one. A log that was rolled back, or forked,
gets no cosignature; a cosignature held by a verifier shows that someone outside the store
saw the log at that size and root.

* :class:`Witness`: the protocol, pure but for its state directory: ``add_checkpoint``
  takes the request body of ``POST <prefix>/add-checkpoint`` and returns the answer
  (200 with a ``cosignature/v1`` line; 400 malformed; 403 no valid signature by a
  trusted log key; 404 unknown origin; 409 stale ``old`` size, the body being the
  witness's size; 422 inconsistent). The check against the latest size and the write of
  the new one happen under one lock, and the new state is on disk before the answer.
* :func:`serve_witness`: the HTTP server (stdlib ``http.server``, one thread per
  connection, keep-alive), also answering ``GET <prefix>/<sha256(origin)>/checkpoint``.
* :func:`request_cosignature`: the client, which retries once from the size a 409 gives.
* :func:`witness_checkpoint` and :func:`witness_anchors`: what ``custody checkpoint
  --witness`` and ``custody verify --witness-key`` use.

The state directory holds one file per origin, ``<sha256(origin) hex>.json`` (``origin``,
``size``, base64 ``root``, the cosigned ``note``), each written whole through a temporary
file and a rename, mode 0600. One process serves a directory at a time (an exclusive
``flock`` on ``.lock``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eevidence._internal.fs import write_atomic
from eevidence.crypto import (
    EMPTY_ROOT,
    Checkpoint,
    Cosignature,
    CosignatureVerifier,
    MerkleTree,
    NoteKey,
    NoteVerifier,
    PublicKey,
    cosign_note,
    leaf_hash,
    open_cosigned_checkpoint,
    parse_checkpoint,
    root_of,
    verifier_key,
    verify_consistency,
)
from eevidence.custody._audit import Anchor
from eevidence.custody._entries import ChainBreak
from eevidence.errors import (
    ConfigurationError,
    InputError,
    IntegrityError,
    ProofError,
    RemoteError,
    TrustError,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "Witness",
    "WitnessAnswer",
    "request_cosignature",
    "serve_witness",
    "witness_anchors",
    "witness_checkpoint",
]

_log = logging.getLogger(__name__)
SIZE_CONTENT_TYPE: Final = "text/x.tlog.size"
_TEXT: Final = "text/plain; charset=utf-8"
_MAX_PROOF: Final = 63
_MAX_BODY: Final = (1 << 20) + 64 * 64
_OLD = re.compile(r"old (0|[1-9][0-9]*)")
_ORIGIN_HASH = re.compile(r"/([0-9a-f]{64})/checkpoint")


@dataclass(frozen=True, slots=True)
class WitnessAnswer:
    """An HTTP answer of the witness: ``status`` code, ``body`` bytes and ``content_type``."""

    status: int
    body: bytes
    content_type: str = _TEXT


def _answer(status: int, text: str, content_type: str = _TEXT) -> WitnessAnswer:
    return WitnessAnswer(status, text.encode(), content_type)


@dataclass(frozen=True, slots=True)
class _Latest:
    size: int
    root: bytes
    note: str


class Witness:
    """A tlog-witness over a state directory, cosigning with one Ed25519 key.

    Args:
        name: The witness's key name (e.g. ``witness.example/w1``).
        key: Its Ed25519 key, used for nothing else (tlog-cosignature).
        logs: The logs it witnesses: their note verifier keys, each named by the log's
            origin (the key name a log signs its checkpoints under).
        state: The state directory (created with mode 0700).
        clock: The time of each cosignature (default: the system clock, UTC).

    Raises:
        InputError: an invalid name or a key that is not Ed25519.
        ConfigurationError: the state directory cannot be created or is served by another
            process.
    """

    def __init__(
        self,
        name: str,
        key: NoteKey,
        logs: Iterable[NoteVerifier],
        state: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._signer = key
        public = verifier_key(name, key).public_key  # checks the name and the key type
        self.verifier = CosignatureVerifier(name, public)
        """The witness's public key, to give to verifiers (:meth:`CosignatureVerifier.encode`)."""
        self._logs: dict[str, list[NoteVerifier]] = {}
        for v in logs:
            self._logs.setdefault(v.name, []).append(v)
        self._clock = clock
        self._dir = Path(state)
        self._mutex = threading.Lock()
        try:
            self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._lockfile: IO[bytes] = (self._dir / ".lock").open("ab")
        except OSError as exc:
            raise ConfigurationError(
                f"{self._dir}: cannot use the state directory: {exc.strerror or exc}"
            ) from None
        _exclusive(self._lockfile, str(self._dir))

    def close(self) -> None:
        """Release the state directory."""
        self._lockfile.close()

    def _path(self, origin: str) -> Path:
        return self._dir / f"{hashlib.sha256(origin.encode()).hexdigest()}.json"

    def _latest(self, origin: str) -> _Latest | None:
        path = self._path(origin)
        try:
            data = json.loads(path.read_bytes())
            if data["origin"] != origin:
                raise ValueError("another origin")
            latest = _Latest(int(data["size"]), base64.b64decode(data["root"]), str(data["note"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise ConfigurationError(
                f"{path}: witness state is damaged ({exc}); nothing is cosigned for this "
                "log until it is restored"
            ) from None
        return latest

    def latest_note(self, origin: str) -> str | None:
        """The latest checkpoint cosigned for ``origin``, with the log's and the witness's
        signatures, or ``None`` if none was.

        Raises:
            ConfigurationError: the state file is damaged.
        """
        latest = self._latest(origin)
        return None if latest is None else latest.note

    def add_checkpoint(self, body: bytes) -> WitnessAnswer:
        """Answer ``POST add-checkpoint`` (C2SP tlog-witness, section add-checkpoint).

        Args:
            body: ``old <size>``, up to 63 base64 consistency-proof lines, an empty line,
                then the signed checkpoint.

        Returns:
            200 and one cosignature/v1 line; 400 malformed (or ``old`` above the
            checkpoint's size); 403 no valid signature by a key trusted for the origin; 404
            unknown origin; 409 and ``<size>\\n`` (``text/x.tlog.size``) when ``old`` is not
            the size last cosigned; 422 a non-empty tree proved from size 0, a wrong empty
            root, or a consistency proof that fails (a rolled-back or forked log).

        Raises:
            ConfigurationError: the state cannot be read or written (nothing is cosigned).
        """
        try:
            old, proof, note = _parse_request(body)
        except InputError as exc:
            return _answer(400, f"{exc}\n")
        origin = note.split("\n", 1)[0]
        logs = self._logs.get(origin)
        if not logs:
            return _answer(404, "unknown log origin\n")
        try:
            checkpoint = parse_checkpoint(note, logs, origin=origin, source="checkpoint")
        except (TrustError, IntegrityError) as exc:
            _log.warning("refused a checkpoint for %s: %s", origin, exc)
            return _answer(403, f"{exc}\n")
        except InputError as exc:
            return _answer(400, f"{exc}\n")
        if old > checkpoint.size:
            return _answer(400, "old size is larger than the checkpoint's size\n")
        with self._mutex:
            latest = self._latest(origin)
            current = 0 if latest is None else latest.size
            if old != current:
                return _answer(409, f"{current}\n", SIZE_CONTENT_TYPE)
            refusal = _inconsistent(checkpoint, old, proof, latest)
            if refusal:
                _log.warning(
                    "refused %s at size %d: %s (kept size %d)",
                    origin,
                    checkpoint.size,
                    refusal,
                    current,
                )
                return _answer(422, f"{refusal}\n")
            line = cosign_note(
                checkpoint.text(), self.verifier.name, self._signer, now=self._clock()
            )
            kept = _trusted_lines(note, logs) + line
            record = {
                "origin": origin,
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode(),
                "note": kept,
            }
            path = self._path(origin)
            try:
                write_atomic(path, json.dumps(record).encode(), mode=0o600)
            except InputError as exc:
                raise ConfigurationError(f"{path}: {exc}") from None
        _log.info("cosigned %s at size %d", origin, checkpoint.size)
        return _answer(200, line)

    def get(self, path: str) -> WitnessAnswer:
        """Answer ``GET <sha256(origin) hex>/checkpoint`` (the monitoring endpoint).

        Returns:
            200 and the latest cosigned checkpoint, or 404.

        Raises:
            ConfigurationError: the state file is damaged.
        """
        m = _ORIGIN_HASH.fullmatch(path)
        if not m:
            return _answer(404, "not found\n")
        for origin in self._logs:
            if hashlib.sha256(origin.encode()).hexdigest() == m.group(1):
                note = self.latest_note(origin)
                if note is not None:
                    return _answer(200, note)
        return _answer(404, "no checkpoint cosigned for this log\n")


def _exclusive(handle: IO[bytes], where: str) -> None:
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - not POSIX: one process is trusted to run
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ConfigurationError(
            f"{where}: another witness process serves this state directory"
        ) from None


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    if len(body) > _MAX_BODY:
        raise InputError("request body is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("request body is not UTF-8") from None
    first, sep, rest = text.partition("\n")
    m = _OLD.fullmatch(first)
    if not sep or not m:
        raise InputError("the first line must be 'old <size>'")
    proof: list[bytes] = []
    while True:
        line, sep, rest = rest.partition("\n")
        if not sep:
            raise InputError("no empty line before the checkpoint")
        if not line:
            break
        try:
            h = base64.b64decode(line, validate=True)
        except binascii.Error:
            raise InputError("a consistency proof line is not base64") from None
        if len(h) != 32 or len(proof) == _MAX_PROOF:
            raise InputError("at most 63 consistency proof lines of 32-byte hashes")
        proof.append(h)
    return int(m.group(1)), proof, rest


def _inconsistent(
    checkpoint: Checkpoint, old: int, proof: list[bytes], latest: _Latest | None
) -> str | None:
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        return "an empty tree must have the root of the empty tree"
    if old == 0:
        return "a proof from size 0 must be empty" if proof else None
    if latest is None:  # old is the kept size, so not reached
        return "no checkpoint kept"
    try:
        verify_consistency(old, checkpoint.size, latest.root, checkpoint.root, proof)
    except ProofError as exc:
        return f"not consistent with the checkpoint cosigned at size {old}: {exc}"
    return None


def _trusted_lines(note: str, logs: Sequence[NoteVerifier]) -> str:
    """The note's text and only its signature lines by the trusted log keys."""
    text, _, sigs = note.rpartition("\n\n")
    ids = {(v.name, v.key_hash) for v in logs}
    keep = []
    for line in sigs.splitlines():
        name, _, blob = line.removeprefix("\u2014 ").partition(" ")
        if (name, base64.b64decode(blob)[:4]) in ids:
            keep.append(line + "\n")
    return text + "\n\n" + "".join(keep)


def serve_witness(
    witness: Witness, host: str, port: int, *, prefix: str = ""
) -> ThreadingHTTPServer:
    """An HTTP server for ``witness`` (not yet serving: call ``serve_forever``).

    Answers ``POST <prefix>/add-checkpoint`` and ``GET <prefix>/<origin hash>/checkpoint``;
    everything else is 404. Bodies over about 1 MiB are refused (413).

    Args:
        witness: The witness.
        host: The address to listen on (``127.0.0.1`` for loopback only).
        port: The TCP port (0: any free port; see ``server.server_address``).
        prefix: The URL path prefix (no trailing slash), e.g. ``/witness``.

    Returns:
        The server (one thread per connection, HTTP/1.1 keep-alive).

    Raises:
        ConfigurationError: the address cannot be bound.
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "eevidence-witness"

        def _send(self, answer: WitnessAnswer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def _guarded(self, call: Callable[[], WitnessAnswer]) -> None:
            try:
                answer = call()
            except ConfigurationError as exc:
                _log.error("witness state: %s", exc)
                answer = _answer(500, "the witness cannot use its state\n")
            self._send(answer)

        def do_POST(self) -> None:
            if self.path != f"{prefix}/add-checkpoint":
                self._send(_answer(404, "not found\n"))
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self.close_connection = True
                self._send(_answer(411, "Content-Length required\n"))
                return
            if not 0 <= length <= _MAX_BODY:
                self.close_connection = True
                self._send(_answer(413, "request body is too large\n"))
                return
            body = self.rfile.read(length)
            self._guarded(lambda: witness.add_checkpoint(body))

        def do_GET(self) -> None:
            path = self.path
            if not path.startswith(f"{prefix}/"):
                self._send(_answer(404, "not found\n"))
                return
            self._guarded(lambda: witness.get(path[len(prefix) :]))

        def log_message(self, format: str, *args: Any) -> None:
            _log.info("%s %s", self.address_string(), format % args)

    try:
        return ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


# -- the log's side ----------------------------------------------------------------------------


def request_cosignature(
    url: str,
    note: str,
    *,
    proof_for: Callable[[int], Sequence[bytes]],
    client: httpx.Client,
    old_size: int = 0,
) -> str:
    """Ask a witness to cosign a signed checkpoint (C2SP tlog-witness ``add-checkpoint``).

    Starts from ``old_size`` (0 when unknown, as the specification allows); on a 409 it
    retries once from the size the witness gives, with the proof ``proof_for`` returns.

    Args:
        url: The witness's submission prefix (``https://witness.example/w1``).
        note: The checkpoint, signed by the log (text).
        proof_for: The RFC 9162 consistency proof from a size to the checkpoint's size.
        client: The HTTP client (timeouts are its own).
        old_size: The size the witness is believed to have cosigned last.

    Returns:
        The witness's signature lines (each ``— name base64...``, ending with a newline),
        to append to the note; not yet verified.

    Raises:
        InputError: the note is not a checkpoint.
        IntegrityError: the witness has cosigned a larger checkpoint of this log (the log
            was rolled back), or refuses the checkpoint as inconsistent (422).
        ConfigurationError: the witness does not know the log or does not trust its key
            (404, 403).
        RemoteError: the witness cannot be reached or answers otherwise.
    """
    import httpx  # noqa: PLC0415 - only when a witness is asked

    try:
        size = int(note.split("\n", 2)[1])
    except (IndexError, ValueError):
        raise InputError("not a checkpoint: no size on its second line") from None
    target = url.rstrip("/") + "/add-checkpoint"
    old = old_size
    for _ in range(2):
        proof = list(proof_for(old)) if 0 < old < size else []
        body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        try:
            r = client.post(
                target, content=(body + "\n" + note).encode(), headers={"Content-Type": _TEXT}
            )
        except httpx.HTTPError as exc:
            raise RemoteError(f"{url}: the witness cannot be reached: {exc}") from None
        text = r.text
        if r.status_code == 200:
            lines = text.splitlines(keepends=True)
            if not lines or not all(x.startswith("\u2014 ") and x.endswith("\n") for x in lines):
                raise RemoteError(f"{url}: the witness's answer is not signature lines")
            return text
        if r.status_code == 409:
            try:
                theirs = int(text.strip())
            except ValueError:
                raise RemoteError(f"{url}: the witness's 409 answer is not a size") from None
            if theirs > size:
                raise IntegrityError(
                    f"{url}: the witness has cosigned this log at size {theirs}, beyond this "
                    f"checkpoint's {size}: the log was rolled back or forked",
                )
            old = theirs
            continue
        detail = text.strip()[:200]
        if r.status_code == 422:
            raise IntegrityError(f"{url}: the witness refuses an inconsistent checkpoint: {detail}")
        if r.status_code in (403, 404):
            raise ConfigurationError(
                f"{url}: the witness does not witness this log or key ({r.status_code}): {detail}"
            )
        raise RemoteError(f"{url}: the witness answered {r.status_code}: {detail}")
    raise RemoteError(f"{url}: the witness's size kept changing")


def witness_checkpoint(
    lines: Sequence[bytes],
    note: str,
    url: str,
    *,
    log: NoteVerifier,
    client: httpx.Client,
    witness: CosignatureVerifier | None = None,
) -> tuple[str, tuple[Cosignature, ...]]:
    """Get a witness's cosignature on a checkpoint of the custody log.

    Args:
        lines: The stored entry lines (at least the checkpoint's size).
        note: The checkpoint signed by ``log``.
        url: The witness's submission prefix.
        log: The log's note key (to read the checkpoint).
        client: The HTTP client.
        witness: The witness's key; when given its cosignature must verify.

    Returns:
        The note with the witness's signature lines appended, and the verified
        cosignatures (empty without ``witness``).

    Raises:
        InputError: the checkpoint does not match ``lines``.
        IntegrityError: the witness refuses (rollback, inconsistency) or, with ``witness``,
            its cosignature is missing or does not verify.
        ConfigurationError: the witness does not witness this log.
        RemoteError: the witness cannot be reached or answers otherwise.
    """
    checkpoint = parse_checkpoint(note, [log], source="checkpoint")
    tree = MerkleTree(leaf_hash(x) for x in lines[: checkpoint.size])
    if len(tree) != checkpoint.size or tree.root() != checkpoint.root:
        raise InputError("the checkpoint is not over these entries")
    sigs = request_cosignature(url, note, proof_for=tree.consistency_proof, client=client)
    cosigned = note + sigs
    if witness is None:
        return cosigned, ()
    try:
        _, found = open_cosigned_checkpoint(cosigned, [log], [witness], source=url)
    except InputError:
        raise IntegrityError(f"{url}: the witness's answer is not a valid signature") from None
    if not found:
        raise IntegrityError(f"{url}: the answer holds no cosignature by {witness.name}")
    return cosigned, found


def witness_anchors(
    notes: Iterable[tuple[str, str]],
    lines: Sequence[bytes],
    trusted: Iterable[PublicKey],
    witnesses: Sequence[CosignatureVerifier],
) -> tuple[list[Anchor], list[ChainBreak]]:
    """The witness cosignatures a log's checkpoints carry, checked against the log.

    For each witness, the largest checkpoint it cosigned (with a valid signature by a
    trusted Ed25519 key under the checkpoint's origin) is an anchor that holds when the
    log's first ``size`` entries still give its root.

    Args:
        notes: ``(source, signed note)`` pairs: kept checkpoints, checkpoint files.
        lines: The stored entry lines.
        trusted: The keys trusted to sign the log (Ed25519 ones sign checkpoints).
        witnesses: The witnesses whose cosignature is required.

    Returns:
        One ``witness_cosignature`` anchor per witness that cosigned, and the problems: an
        ``anchor_missing`` break for a witness that cosigned nothing, a ``rewritten`` break
        for a cosignature that does not verify.
    """
    keys = [k for k in trusted if isinstance(k, Ed25519PublicKey)]
    best: dict[int, tuple[Checkpoint, Cosignature]] = {}  # by index in witnesses
    problems: list[ChainBreak] = []
    for source, note in notes:
        origin = note.split("\n", 1)[0]
        with contextlib.suppress(InputError):
            logs = [verifier_key(origin, k) for k in keys]
            try:
                cp, cosigs = open_cosigned_checkpoint(note, logs, witnesses, source=source)
            except IntegrityError as exc:
                problems.append(ChainBreak(None, "rewritten", str(exc)))
                continue
            except TrustError:
                continue  # not a checkpoint of a trusted log key: reported with kept ones
            for c in cosigs:
                for i, w in enumerate(witnesses):
                    mine = (w.name, w.key_hash) == (c.name, c.key_hash)
                    if mine and (i not in best or best[i][0].size < cp.size):
                        best[i] = (cp, c)
    anchors: list[Anchor] = []
    for i, w in enumerate(witnesses):
        if i not in best:
            problems.append(
                ChainBreak(None, "anchor_missing", f"no checkpoint cosigned by witness {w.name}")
            )
            continue
        cp, c = best[i]
        holds = cp.size <= len(lines) and root_of(leaf_hash(x) for x in lines[: cp.size]) == cp.root
        anchors.append(
            Anchor(
                "witness_cosignature",
                cp.size,
                holds,
                f"{w.name} cosigned size {cp.size} at {c.time.isoformat()}",
            )
        )
    return anchors, problems
