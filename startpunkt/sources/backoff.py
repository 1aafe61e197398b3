"""Retry delays every source shares: capped, exponential, with jitter.

The Kubernetes informers and the followers of remote instances both wait this way after a
failure, so many replicas (or many followers of one instance) never retry in lockstep.
"""

from __future__ import annotations

import random

from startpunkt import durations


class Backoff:
    """Capped exponential delays with jitter, so many replicas do not retry in lockstep."""

    def __init__(self, *, initial: float, cap: float) -> None:
        self._initial = initial
        self._cap = cap
        self.attempts = 0

    def next(self) -> float:
        """Count one more failure; the seconds to wait before the next try."""
        self.attempts += 1
        delay = durations.backoff(self._initial, 2.0, self.attempts, self._cap)
        return delay * random.uniform(0.8, 1.0)

    def reset(self) -> None:
        """A success: the next failure starts from the initial delay again."""
        self.attempts = 0
