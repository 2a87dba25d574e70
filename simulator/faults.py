"""Dice for injected faults: latency, 5xx answers (before or after a mutation ran) and connection resets."""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulator.config import FaultConfig


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request, decided before it is executed.

    Attributes:
        delay_s: Seconds to wait before answering.
        reset: Close the connection without answering.
        error_status: Answer with this HTTP status instead of executing, or ``None``.
        drop_after_commit: Execute, then close the connection instead of answering (only
            for requests that ran a mutation).
        error_after_commit: Execute, then answer ``error_status`` instead of the result (only for
            requests that ran a mutation).

    """

    delay_s: float = 0.0
    reset: bool = False
    error_status: int | None = None
    drop_after_commit: bool = False
    error_after_commit: bool = False


class FaultInjector:
    """Rolls the dice of one :class:`FaultConfig`; seeded configs give repeatable runs."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)

    def decide(self) -> FaultDecision:
        """Return the faults for the next request.

        One uniform draw picks reset (``[0, reset_rate)``), error
        (``[reset_rate, reset_rate + error_rate)``) or a normal answer; when jitter is set, its
        draw comes first. A normal answer draws once more for ``drop_after_commit_rate`` and then
        for ``error_after_commit_rate``, each only when its rate is set. A seeded config therefore
        replays the same sequence of faults.
        """
        config = self.config
        delay_s = config.latency_ms / 1000.0
        if config.latency_jitter_ms:
            delay_s += self._rng.uniform(0.0, config.latency_jitter_ms) / 1000.0
        roll = self._rng.random()
        if roll < config.reset_rate:
            return FaultDecision(delay_s=delay_s, reset=True)
        if roll < config.reset_rate + config.error_rate:
            return FaultDecision(delay_s=delay_s, error_status=self._rng.choice(config.error_statuses))
        if config.drop_after_commit_rate and self._rng.random() < config.drop_after_commit_rate:
            return FaultDecision(delay_s=delay_s, drop_after_commit=True)
        if config.error_after_commit_rate and self._rng.random() < config.error_after_commit_rate:
            status = self._rng.choice(config.error_statuses)
            return FaultDecision(delay_s=delay_s, error_status=status, error_after_commit=True)
        return FaultDecision(delay_s=delay_s)
