"""Per-schedule tables the envs read in O(1) per step: equilibrium, suffix sums, observation features.

Built once per (schedule, game parameters) and cached, so drawing a schedule at reset is cheap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from mesa_gym.equilibrium import solve_equilibrium, suffix_sums
from mesa_gym.model import step_factor

N_FEATURES = 4
"""Schedule features after θ in the observation: lr, train_left, steps_left, lr_sum_left (see the env's table)."""


@dataclass(frozen=True)
class GameTable:
    """Everything the env needs about one schedule under one set of game parameters.

    Arrays are indexed by episode n; the suffix sums at n describe agents n+1 … N−1 playing the
    equilibrium, in units of θ_{n+1}. ``features`` has a row for n = N (the terminal observation).
    Lists mirror arrays for the scalar env (Python floats are faster than numpy scalars).
    """

    rates: np.ndarray
    coefficients: np.ndarray
    s0: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    oracle_factor: np.ndarray
    features: np.ndarray

    @property
    def horizon(self) -> int:
        return int(self.rates.size)

    @functools.cached_property
    def observation_rows(self) -> np.ndarray:
        """(N+1, 5) float32 observations with θ = 0: the env copies a row and sets θ."""
        rows = np.zeros((self.horizon + 1, 1 + N_FEATURES), dtype=np.float32)
        rows[:, 1:] = self.features
        return rows

    @functools.cached_property
    def packed(self) -> np.ndarray:
        """(N, 6) rows of (lr, equilibrium coefficient, its step factor, S0, S1, S2): one gather per vector step."""
        return np.stack((self.rates, self.coefficients, self.oracle_factor, self.s0, self.s1, self.s2), axis=1)

    @functools.cached_property
    def lists(self) -> tuple[list[float], ...]:
        return tuple(x.tolist() for x in (self.rates, self.coefficients, self.s0, self.s1, self.s2,
                                          self.oracle_factor))


def schedule_features(rates: np.ndarray, scale: float) -> np.ndarray:
    """(N+1, 4) features of the remaining schedule at each n: lr_n, training episodes left / H,
    episodes left / H, Σ remaining lr / H, with H = ``scale`` (the env's maximum horizon)."""
    n = rates.size
    features = np.zeros((n + 1, N_FEATURES))
    features[:n, 0] = rates
    features[:n, 1] = np.cumsum((rates > 0)[::-1])[::-1] / scale
    features[:n, 2] = np.arange(n, 0, -1) / scale
    features[:n, 3] = np.cumsum(rates[::-1])[::-1] / scale
    return features


@functools.lru_cache(maxsize=512)
def _cached(rates_bytes: bytes, discount: float, regularization: float, bound: float, scale: float) -> GameTable:
    rates = np.frombuffer(rates_bytes, dtype=np.float64)
    coefficients = solve_equilibrium(rates, discount=discount, regularization=regularization,
                                     coefficient_bound=bound)
    suffixes = np.array(suffix_sums(rates, coefficients, discount=discount, regularization=regularization))
    s0, s1, s2 = (np.ascontiguousarray(suffixes[:, i]) for i in range(3))
    oracle_factor = step_factor(coefficients, rates, regularization)
    table = GameTable(rates.copy(), coefficients, s0, s1, s2, oracle_factor, schedule_features(rates, scale))
    for array in (table.rates, table.coefficients, table.s0, table.s1, table.s2, table.oracle_factor,
                  table.features):
        array.flags.writeable = False
    return table


def game_table(rates: np.ndarray, discount: float, regularization: float, bound: float,
               scale: float) -> GameTable:
    """The (cached) table for validated ``rates`` and game parameters; ``scale`` normalises features."""
    return _cached(np.ascontiguousarray(rates, dtype=np.float64).tobytes(), float(discount),
                   float(regularization), float(bound), float(scale))
