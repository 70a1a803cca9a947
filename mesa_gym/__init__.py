"""mesa-gym: the deceptive-alignment game of a mesa-optimizer trained by gradient descent.

The model lives in `mesa_gym.model`, schedules in `mesa_gym.schedules`, the exact oracle in
`mesa_gym.equilibrium`.
"""

from mesa_gym.equilibrium import (
    agent_gains,
    best_response,
    exploitability,
    rollout,
    solve_equilibrium,
    suffix_sums,
)
from mesa_gym.schedules import PRESETS, as_schedule, step_schedule
from mesa_gym.stationary import stationary_equilibrium

__version__ = "0.1.0"

ENV_ID = "mesa_gym/DeceptiveAlignment-v0"
INFINITE_ENV_ID = "mesa_gym/DeceptiveAlignmentInfinite-v0"


def _register() -> None:
    import gymnasium

    if ENV_ID not in gymnasium.registry:
        gymnasium.register(id=ENV_ID, entry_point="mesa_gym.env:DeceptiveAlignmentEnv",
                           vector_entry_point="mesa_gym.vector_env:DeceptiveAlignmentVectorEnv")
    if INFINITE_ENV_ID not in gymnasium.registry:
        gymnasium.register(id=INFINITE_ENV_ID, entry_point="mesa_gym.infinite_env:DeceptiveAlignmentInfiniteEnv",
                           max_episode_steps=1000)


_register()

__all__ = [
    "ENV_ID",
    "INFINITE_ENV_ID",
    "PRESETS",
    "agent_gains",
    "as_schedule",
    "best_response",
    "exploitability",
    "rollout",
    "solve_equilibrium",
    "stationary_equilibrium",
    "step_schedule",
    "suffix_sums",
]
