"""Learning-rate schedules: one learning rate per episode, positive while training, 0 in deployment."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

MAX_LEARNING_RATE = 1e100
"""Larger learning rates make lr² overflow in the solvers; they are rejected, not clipped."""


def step_schedule(train_episodes: int, horizon: int, lr: float = 1.0) -> np.ndarray:
    """``train_episodes`` episodes at ``lr``, then deployment (lr 0) up to ``horizon`` episodes."""
    if not 0 <= train_episodes <= horizon or horizon < 1:
        raise ValueError(
            f"step schedule needs 0 <= train_episodes <= horizon and horizon >= 1, "
            f"got train_episodes={train_episodes}, horizon={horizon}")
    rates = np.zeros(horizon)
    rates[:train_episodes] = lr
    return as_schedule(rates)


PRESETS: dict[str, tuple[int, int]] = {
    "seed-exp1": (20, 100),  # the write-up's experiment one: 20 episodes at lr 1, then 80 at 0
    "seed-exp2": (100, 100),  # experiment two: 100 episodes at lr 1
}
"""Named step schedules as (training episodes, horizon), all at learning rate 1."""


def as_schedule(schedule: str | ArrayLike) -> np.ndarray:
    """A validated, read-only float64 copy of ``schedule`` (an array or a preset name).

    Raises ValueError naming the problem: unknown preset, not 1-D, empty, NaN, inf, negative or
    above ``MAX_LEARNING_RATE``.
    """
    if isinstance(schedule, str):
        if schedule not in PRESETS:
            raise ValueError(f"unknown schedule preset {schedule!r}; known presets: {', '.join(PRESETS)}")
        return step_schedule(*PRESETS[schedule])
    try:
        rates = np.array(schedule, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"schedule must be an array of learning rates: {error}") from None
    if rates.ndim != 1:
        raise ValueError(f"schedule must be 1-D (one learning rate per episode), got shape {rates.shape}")
    if rates.size == 0:
        raise ValueError("schedule is empty: it needs at least one episode")
    for problem, bad in (("NaN", np.isnan(rates)), ("an infinite value", np.isinf(rates)),
                         ("a negative learning rate", rates < 0),
                         (f"a learning rate above {MAX_LEARNING_RATE:g}", rates > MAX_LEARNING_RATE)):
        if bad.any():
            index = int(np.argmax(bad))
            raise ValueError(f"schedule has {problem} at episode {index}: {rates[index]}")
    rates.flags.writeable = False
    return rates


def training_mask(schedule: np.ndarray) -> np.ndarray:
    """Episodes in which the base optimizer learns (lr > 0): the 'train' phase; the rest deploy."""
    return schedule > 0
