"""Counter-based random draws: every value is a hash of (seed, salt, key).

A row's values never depend on which other rows or areas are drawn, or in which
order, so the same seed gives the same bytes whatever is generated alongside.
"""

from __future__ import annotations

import hashlib

import numpy as np

U64 = np.uint64


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijective 64-bit hash, vectorised (wrapping is intended)."""
    with np.errstate(over="ignore"):
        x = x + U64(0x9E3779B97F4A7C15)
        x ^= x >> U64(30)
        x *= U64(0xBF58476D1CE4E5B9)
        x ^= x >> U64(27)
        x *= U64(0x94D049BB133111EB)
        x ^= x >> U64(31)
    return x


class Rng:
    """Counter-based draws: value = hash(seed, salt, key), independent of draw order."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def u(self, keys: np.ndarray | int, salt: str) -> np.ndarray:
        digest = hashlib.blake2b(f"{self.seed}/{salt}".encode(), digest_size=8).digest()
        x = np.asarray(keys).astype(U64) ^ U64(int.from_bytes(digest, "little"))
        return (mix(x) >> U64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def ints(self, keys, salt: str, lo, hi) -> np.ndarray:
        """Uniform integers in [lo, hi] (hi below lo is read as lo)."""
        lo = np.asarray(lo, dtype=np.int64)
        span = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0) + 1
        return lo + np.floor(self.u(keys, salt) * span).astype(np.int64)

    def choice(self, keys, salt: str, probs) -> np.ndarray:
        cdf = np.cumsum(np.asarray(probs, dtype=np.float64))
        draw = self.u(keys, salt) * cdf[-1]
        return np.minimum(np.searchsorted(cdf, draw, side="right"), len(cdf) - 1)

    def normal(self, keys, salt: str) -> np.ndarray:
        u1 = self.u(keys, salt + ":1")
        u2 = self.u(keys, salt + ":2")
        return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def yn(rng: Rng, keys, salt: str, p_yes, p_blank: float = 0.0) -> np.ndarray:
    """Y/N index array: 1 = Y, 0 = N, -1 = blank."""
    u = rng.u(keys, salt)
    out = np.where(u < p_yes, 1, 0)
    if p_blank:
        out = np.where(rng.u(keys, salt + ":blank") < p_blank, -1, out)
    return out
