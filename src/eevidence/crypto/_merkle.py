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

Pure: bytes in, bytes out; no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from eevidence.errors import ProofError

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
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root over ``leaf_hashes`` (already leaf-hashed), streaming, O(log n) memory."""
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
    """An append-only tree over leaf hashes, answering roots and proofs for any size."""

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> MerkleTree:
        """A tree over raw leaf data (each is leaf-hashed)."""
        return cls(leaf_hash(d) for d in leaves)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append_hash(self, h: bytes) -> int:
        """Append one leaf hash; returns its index."""
        if len(h) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
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
        return self._levels[0][index]

    def _subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) where ``lo`` is aligned as in the RFC's recursion."""
        n = hi - lo
        if n & (n - 1) == 0:
            h = n.bit_length() - 1
            return self._levels[h][lo >> h]
        k = _split(n)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all)."""
        n = len(self) if size is None else self._check_size(size)
        return EMPTY_ROOT if n == 0 else self._subtree(0, n)

    def _check_size(self, size: int) -> int:
        if not 0 <= size <= len(self):
            raise ValueError(f"tree size {size} is outside 0..{len(self)}")
        return size

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1."""
        n = len(self) if size is None else self._check_size(size)
        if not 0 <= index < n:
            raise ValueError(f"leaf index {index} is outside a tree of size {n}")
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
        """PROOF(size1, D[0:size2]) of RFC 9162 section 2.1.4.1 (empty when trivial)."""
        n = len(self) if size2 is None else self._check_size(size2)
        if not 0 <= size1 <= n:
            raise ValueError(f"size {size1} is outside 0..{n}")
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
    """Check that the leaf hash ``leaf`` is at ``index`` in the tree of ``size`` with ``root``."""
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
    """Check that the tree (``size2``, ``root2``) extends the tree (``size1``, ``root1``)."""
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
