"""When to retry a submission and how long to wait: exponential backoff with full jitter, and
the provider's ``Retry-After`` (RFC 9110, section 10.2.3). Pure: the clock, the sleep and the
random source are injected, so nothing here waits or reads the time unless asked to."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

__all__ = ["RETRY_STATUS", "RetryPolicy"]

RETRY_STATUS: Final = frozenset({429, 500, 502, 503, 504})
"""HTTP status codes worth retrying (RFC 9110 section 15.6, RFC 6585 section 4): too many
requests and the server-side failures a retry may get past."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Delay before retry ``n`` (1-based): a random value in ``[0, min(cap, base * 2**(n-1))]``
    seconds ("full jitter"), unless the provider sent ``Retry-After`` (RFC 9110, section
    10.2.3), which is honoured as given up to ``max_retry_after`` seconds (a longer wait is
    reported, not slept). ``sleep``, ``clock`` and ``rng`` are injectable so tests never wait.

    Attributes:
        attempts: the most attempts made in all (the first one included).
        base: the first backoff step, in seconds.
        cap: the longest backoff delay, in seconds.
        max_retry_after: the longest ``Retry-After`` honoured, in seconds.
        total: the longest a whole exchange may take, waits and attempts included, in
            seconds: a retry that would end past it is not made (the submission stops with
            one line saying so, and can be tried again later without a double submission).
        deadline: the longest one attempt may take, in seconds, from sending the request to
            the last byte of the answer (not only one read: an answer dripped a byte at a
            time is stopped there); an attempt past it is reported, not retried.
        sleep: waits a number of seconds (default :func:`time.sleep`).
        clock: the current time, time-zone aware (for ``Retry-After`` dates).
        rng: the source of jitter.
    """

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0
    deadline: float = 60.0
    total: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    rng: random.Random = field(default_factory=random.SystemRandom)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based), drawn uniformly from
        ``[0, min(cap, base * 2**(attempt-1))]``."""
        return self.rng.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def retry_after(self, value: str | None) -> float | None:
        """Seconds to wait from a ``Retry-After`` value (RFC 9110, section 10.2.3).

        Args:
            value: the header's value: a number of seconds (``delay-seconds``) or an
                HTTP-date (RFC 9110, section 5.6.7); a date without a zone is taken as UTC.

        Returns:
            The seconds to wait (``0.0`` for a date already past), or ``None`` when the
            header is absent or cannot be read.
        """
        if value is None:
            return None
        text = value.strip()
        if text.isdigit():
            try:
                return float(text)
            except ValueError:  # digits that are not decimal digits, such as superscripts
                return None
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self.clock()).total_seconds())
