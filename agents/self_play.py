"""Self-play: later agents are played by a frozen snapshot of the learner, refreshed during training."""

from __future__ import annotations

import copy

import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.policies import BasePolicy


class PolicySnapshot:
    """A frozen copy of an SB3 policy as a batched callable: observations (B, 5) → actions (B, 1).

    Deterministic, and clipped to [−1, 1] the way SB3's ``predict`` clips (or, for squashed policies
    such as SAC's, already leaves) its actions. Picklable, so it can be sent to SubprocVecEnv workers.
    """

    def __init__(self, policy: BasePolicy) -> None:
        # rebuilt from constructor arguments + weights, as SB3 saves policies (deepcopy can fail
        # on tensors that are not graph leaves)
        self.policy = policy.__class__(**policy._get_constructor_parameters())
        self.policy.load_state_dict(copy.deepcopy(policy.state_dict()))
        self.policy.to("cpu")
        self.policy.set_training_mode(False)

    def __call__(self, observations: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            actions = self.policy._predict(torch.as_tensor(observations, dtype=torch.float32), deterministic=True)
        return np.clip(actions.numpy().reshape(len(observations), -1), -1.0, 1.0)


class SelfPlayCallback(BaseCallback):
    """Installs a fresh `PolicySnapshot` of the learner as every env's continuation every ``refresh_every`` steps.

    For envs made with ``continuation="self"``. The first snapshot (the untrained policy) is installed
    when training starts, so later agents are never played by anything but the learner itself.
    """

    def __init__(self, refresh_every: int = 2048, verbose: int = 0) -> None:
        super().__init__(verbose)
        if int(refresh_every) < 1:
            raise ValueError(f"refresh_every must be >= 1, got {refresh_every}")
        self.refresh_every = int(refresh_every)
        self.refreshes = 0
        self._last = 0

    def install(self) -> None:
        """Snapshot the current policy and hand it to every env."""
        self.training_env.env_method("set_continuation_policy", PolicySnapshot(self.model.policy))
        self._last = self.num_timesteps
        self.refreshes += 1

    def _on_training_start(self) -> None:
        self.install()

    def _on_step(self) -> bool:
        if self.num_timesteps - self._last >= self.refresh_every:
            self.install()
        return True
