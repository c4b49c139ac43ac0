"""Merkle trees as in RFC 9162 (Certificate Transparency 2.0), section 2.1.

Leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``; the
tree over ``n`` leaves splits at the largest power of two smaller than ``n``. The empty
tree's root is ``SHA-256("")``.

* :func:`root_of` folds leaf hashes into a root in one pass with O(log n) memory.
* :class:`MerkleTree` keeps every complete level (about 2n hashes) so that any subtree
  hash, inclusion proof or consistency proof costs O(log n).
* :func:`verify_inclusion` and :func:`verify_consistency` follow the verification
  algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step; they return nothing
  and raise :class:`~eevidence.errors.ProofError` on any mismatch.
* Asking a tree for a size, leaf or proof it does not have raises
  :class:`~eevidence.errors.InputError`.

Pure: bytes in, bytes out; no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from eevidence.errors import InputError, ProofError

__all__ = [
    "EMPTY_ROOT",
    "MerkleTree",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""The root of the empty tree: ``SHA-256("")`` (RFC 9162 section 2.1.1)."""
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """The leaf hash of ``data``: ``SHA-256(0x00 || data)`` (RFC 9162 section 2.1.1).

    Returns:
        32 bytes.
    """
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)`` (RFC 9162 section 2.1.1).

    Args:
        left: The left child's hash (32 bytes).
        right: The right child's hash (32 bytes).

    Returns:
        32 bytes.
    """
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """The Merkle Tree Hash ``MTH(D[n])`` of RFC 9162 section 2.1.1, streaming.

    Args:
        leaf_hashes: The leaves' hashes (each already :func:`leaf_hash`-ed, 32 bytes), in
            order; read once, O(log n) memory.

    Returns:
        The 32-byte root; :data:`EMPTY_ROOT` when there is no leaf.
    """
    stack: list[tuple[int, bytes]] = []  # perfect subtrees, sizes strictly decreasing
    for h in leaf_hashes:
        size, node = 1, h
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            node = node_hash(left, node)
            size *= 2
        stack.append((size, node))
    if not stack:
        return EMPTY_ROOT
    node = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        node = node_hash(left, node)
    return node


class MerkleTree:
    """An append-only RFC 9162 tree over leaf hashes, answering roots and proofs for any size.

    Keeps every complete level (about 2n hashes of 32 bytes); roots, inclusion and
    consistency proofs of any earlier size cost O(log n) hash operations.

    Raises:
        InputError: (on construction) a leaf hash is not 32 bytes.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> MerkleTree:
        """A tree over raw leaf data (each item is hashed with :func:`leaf_hash`)."""
        return cls(leaf_hash(d) for d in leaves)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append_hash(self, h: bytes) -> int:
        """Append one leaf hash.

        Args:
            h: The leaf's hash (:func:`leaf_hash`, 32 bytes).

        Returns:
            The new leaf's index (0 for the first).

        Raises:
            InputError: ``h`` is not 32 bytes.
        """
        if len(h) != HASH_SIZE:
            raise InputError(f"a leaf hash is 32 bytes, not {len(h)}")
        levels = self._levels
        index = len(levels[0])
        levels[0].append(h)
        level, i = 0, index
        while i & 1:  # a right child completes its parent
            parent = node_hash(levels[level][i - 1], levels[level][i])
            level += 1
            i >>= 1
            if level == len(levels):
                levels.append([])
            levels[level].append(parent)
        return index

    def leaf(self, index: int) -> bytes:
        """The hash of leaf ``index`` (0-based; negative indexes count from the end).

        Raises:
            InputError: no leaf has that index.
        """
        try:
            return self._levels[0][index]
        except IndexError:
            raise InputError(f"leaf index {index} is outside a tree of size {len(self)}") from None

    def _subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) where ``lo`` is aligned as in the RFC's recursion."""
        n = hi - lo
        if n & (n - 1) == 0:
            h = n.bit_length() - 1
            return self._levels[h][lo >> h]
        k = _split(n)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """The root ``MTH(D[0:size])`` of the first ``size`` leaves (RFC 9162 section 2.1.1).

        Args:
            size: How many leaves, ``0..len(self)``; default: all.

        Returns:
            The 32-byte root (:data:`EMPTY_ROOT` for size 0).

        Raises:
            InputError: ``size`` is outside ``0..len(self)``.
        """
        n = len(self) if size is None else self._check_size(size)
        return EMPTY_ROOT if n == 0 else self._subtree(0, n)

    def _check_size(self, size: int) -> int:
        if not 0 <= size <= len(self):
            raise InputError(f"tree size {size} is outside 0..{len(self)}")
        return size

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The inclusion proof ``PATH(index, D[0:size])`` of RFC 9162 section 2.1.3.1.

        Args:
            index: The leaf, ``0..size-1``.
            size: The tree size the proof is for; default: all leaves.

        Returns:
            The proof's 32-byte hashes, leaf side first (what :func:`verify_inclusion` takes).

        Raises:
            InputError: ``size`` or ``index`` is outside the tree.
        """
        n = len(self) if size is None else self._check_size(size)
        if not 0 <= index < n:
            raise InputError(f"leaf index {index} is outside a tree of size {n}")
        out: list[bytes] = []
        lo, hi, m = 0, n, index
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                out.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._subtree(lo, lo + k))
                lo, m = lo + k, m - k
        out.reverse()
        return out

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """The consistency proof ``PROOF(size1, D[0:size2])`` of RFC 9162 section 2.1.4.1.

        Args:
            size1: The earlier tree size, ``0..size2``.
            size2: The later tree size; default: all leaves.

        Returns:
            The proof's 32-byte hashes (what :func:`verify_consistency` takes); empty when
            ``size1`` is 0 or equals ``size2``.

        Raises:
            InputError: a size is outside the tree or ``size1 > size2``.
        """
        n = len(self) if size2 is None else self._check_size(size2)
        if not 0 <= size1 <= n:
            raise InputError(f"size {size1} is outside 0..{n}")
        if size1 in (0, n):
            return []
        out: list[bytes] = []
        lo, hi, m, complete = 0, n, size1, True
        while True:
            if m == hi - lo:
                if not complete:
                    out.append(self._subtree(lo, hi))
                break
            k = _split(hi - lo)
            if m <= k:
                out.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._subtree(lo, lo + k))
                lo, m, complete = lo + k, m - k, False
        out.reverse()
        return out


def _check_hashes(proof: Sequence[bytes], *names: tuple[str, bytes]) -> None:
    for name, value in names:
        if len(value) != HASH_SIZE:
            raise ProofError(f"{name} is {len(value)} bytes, expected {HASH_SIZE}")
    for i, p in enumerate(proof):
        if len(p) != HASH_SIZE:
            raise ProofError(f"proof element {i} is {len(p)} bytes, expected {HASH_SIZE}")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` is at ``index`` in the tree of ``size`` leaves whose root is ``root``.

    Follows the verification algorithm of RFC 9162 section 2.1.3.2 step by step.

    Args:
        index: The leaf's index, ``0..size-1``.
        size: The tree size.
        leaf: The leaf's hash (:func:`leaf_hash`, 32 bytes).
        proof: The inclusion proof (32-byte hashes, leaf side first).
        root: The expected root (32 bytes).

    Raises:
        ProofError: a hash is not 32 bytes, the index is outside the tree, the proof is too
            long or too short, or it does not lead to ``root``.
    """
    _check_hashes(proof, ("leaf hash", leaf), ("root", root))
    if index < 0 or index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("inclusion proof does not lead to the expected root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (``size2``, ``root2``) extends the tree (``size1``, ``root1``).

    Follows the verification algorithm of RFC 9162 section 2.1.4.2 step by step (an
    append-only log never rewrites its first ``size1`` leaves).

    Args:
        size1: The earlier tree size.
        size2: The later tree size, ``>= size1``.
        root1: The earlier root (32 bytes).
        root2: The later root (32 bytes).
        proof: The consistency proof (32-byte hashes); empty when ``size1`` is 0 or equals
            ``size2``.

    Raises:
        ProofError: a hash is not 32 bytes, the sizes are inconsistent, the proof has the
            wrong length, or it does not lead to both roots.
    """
    _check_hashes(proof, ("first root", root1), ("second root", root2))
    if size1 < 0 or size2 < size1:
        raise ProofError(f"size {size2} cannot extend size {size1}")
    if size1 == size2:
        if proof:
            raise ProofError("trees of equal size need an empty proof")
        if root1 != root2:
            raise ProofError("two trees of the same size have different roots")
        return
    if size1 == 0:
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    if fr != root1:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != root2:
        raise ProofError("consistency proof does not lead to the second root")
