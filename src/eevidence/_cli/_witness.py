"""``eevidence witness``: run a witness for other parties' custody logs (C2SP tlog-witness).

``witness serve`` cosigns the checkpoints of the logs it is given (``--log VKEY``, the log's
note key named by its origin) when they extend the latest one it cosigned; ``witness vkey``
prints the verifier key to hand out (the witness's, or with ``--log`` a log's). The helpers
:func:`cosign_with` and :func:`witness_evidence` are what ``custody checkpoint --witness``
and ``custody verify --witness-key`` call.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eevidence._cli._common import EXIT_OK, CliUsageError, echo
from eevidence._cli._options import passphrase_of, passphrase_options
from eevidence.crypto import (
    CosignatureVerifier,
    KeySigner,
    NoteVerifier,
    PublicKey,
    load_private_key,
    load_public_key,
    open_cosigned_checkpoint,
    verifier_key,
)
from eevidence.custody import (
    Anchor,
    ChainBreak,
    CustodyStore,
    Witness,
    serve_witness,
    witness_anchors,
    witness_checkpoint,
)
from eevidence.errors import EEvidenceError, InputError, IntegrityError

__all__ = ["cosign_with", "register", "witness_evidence", "witness_keys"]

_log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("witness", help="witness other parties' custody logs (C2SP tlog-witness)")
    wsub = p.add_subparsers(dest="witness_command", metavar="ACTION", required=True)

    q = wsub.add_parser(
        "serve",
        help="cosign checkpoints that extend the latest one cosigned, per log",
        description="Answer POST /add-checkpoint (C2SP tlog-witness) with cosignature/v1 "
        "lines for the logs given with --log; keep the latest cosigned checkpoint of each in "
        "--state. Listens on loopback unless told otherwise.",
    )
    q.add_argument("--key", required=True, metavar="FILE", help="the witness's Ed25519 key")
    passphrase_options(q)
    q.add_argument("--name", required=True, help="the witness's name, e.g. witness.example/w1")
    q.add_argument(
        "--log",
        action="append",
        required=True,
        metavar="VKEY",
        help="a log's verifier key (name = its origin), or a file holding one (repeatable)",
    )
    q.add_argument("--state", required=True, metavar="DIR", help="the witness's state folder")
    q.add_argument("--listen", default="127.0.0.1:7380", metavar="HOST:PORT")
    q.add_argument("--prefix", default="", help="URL path prefix, e.g. /witness")
    q.set_defaults(handler=_cmd_serve)

    q = wsub.add_parser("vkey", help="print a verifier key (C2SP signed-note) for a key file")
    q.add_argument("key", metavar="FILE", help="an Ed25519 key (public or private PEM)")
    q.add_argument("--name", required=True, help="the witness's name, or with --log the origin")
    q.add_argument("--log", action="store_true", help="a log's checkpoint key, not a witness's key")
    passphrase_options(q)
    q.set_defaults(handler=_cmd_vkey)


def _text_or_file(value: str) -> str:
    if "+" in value:
        return value
    try:
        return Path(value).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"not a verifier key, and not a readable file: {exc}", source=value
        ) from None


def witness_keys(values: Sequence[str]) -> list[CosignatureVerifier]:
    """The witnesses' verifier keys (type 0x04) given as text or files.

    Raises:
        InputError: a value is neither a witness verifier key nor a file holding one.
    """
    return [CosignatureVerifier.decode(_text_or_file(v)) for v in values]


def _ed25519_public(path: str, args: argparse.Namespace) -> Ed25519PublicKey:
    try:
        public: PublicKey = load_public_key(path)
    except EEvidenceError:
        public = load_private_key(path, passphrase=passphrase_of(args)).public_key()
    if not isinstance(public, Ed25519PublicKey):
        raise InputError("signed notes use Ed25519 keys", source=path)
    return public


def _cmd_vkey(args: argparse.Namespace) -> int:
    public = _ed25519_public(args.key, args)
    if args.log:
        echo(verifier_key(args.name, public).encode())
    else:
        echo(CosignatureVerifier(verifier_key(args.name, public).name, public).encode())
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    host, sep, port_text = args.listen.rpartition(":")
    if not sep or not port_text.isdigit() or not host:
        raise CliUsageError("--listen takes HOST:PORT, e.g. 127.0.0.1:7380")
    logs = [NoteVerifier.decode(_text_or_file(v)) for v in args.log]
    signer = KeySigner.from_file(args.key, passphrase=passphrase_of(args))
    witness = Witness(args.name, signer, logs, args.state)
    try:
        server = serve_witness(witness, host.strip("[]"), int(port_text), prefix=args.prefix)
        echo(f"witness {witness.verifier.encode()}")
        echo(f"listening on http://{host}:{server.server_port}{args.prefix}/add-checkpoint")
        for v in logs:
            echo(f"  witnessing {v.name}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo("stopped")
        finally:
            server.server_close()
    finally:
        witness.close()
    return EXIT_OK


def cosign_with(
    lines: Sequence[bytes],
    note: str,
    log: NoteVerifier,
    urls: Sequence[str],
    keys: Sequence[str],
) -> str:
    """``note`` with the cosignatures of the witnesses at ``urls`` appended.

    With ``keys`` (witness verifier keys, text or files), each answer must hold a valid
    cosignature by one of them.

    Raises:
        IntegrityError: a witness refuses the checkpoint (rollback, inconsistency) or none of
            ``keys`` cosigned its answer.
        ConfigurationError: a witness does not witness this log.
        RemoteError: a witness cannot be reached.
    """
    import httpx  # noqa: PLC0415 - only when a witness is asked

    wanted = witness_keys(keys)
    with httpx.Client(timeout=30.0) as client:
        for url in urls:
            cosigned, _ = witness_checkpoint(lines, note, url, log=log, client=client)
            if wanted:
                try:
                    _, found = open_cosigned_checkpoint(cosigned, [log], wanted, source=url)
                except InputError:
                    raise IntegrityError(f"{url}: the witness's answer is malformed") from None
                if not found:
                    raise IntegrityError(f"{url}: no cosignature by the --witness-key given")
                for c in found:
                    echo(f"cosigned by {c.name} at {c.time.isoformat()}")
            else:
                echo(f"cosigned by {url} (not verified: no --witness-key)")
            note = cosigned
    return note


def witness_evidence(
    store: CustodyStore,
    trusted: Sequence[PublicKey],
    keys: Sequence[str],
    given: tuple[str, str] | None,
) -> tuple[list[Anchor], list[ChainBreak]]:
    """The witness anchors of a stored log: its kept checkpoints and ``given`` (a checkpoint
    file as ``(source, text)``), checked for cosignatures by ``keys``.

    Raises:
        InputError: a key is not a witness verifier key.
        StoreError: the store fails.
    """
    wanted = witness_keys(keys)
    notes = [(f"kept checkpoint {size}", note) for size, note, _ in store.checkpoints()]
    if given is not None:
        notes.append(given)
    return witness_anchors(notes, store.custody_lines(), trusted, wanted)
