"""Runner: the exact equilibrium of settings.json's schedule for each value of discount -> results.json."""

from pathlib import Path

from mesa_gym.responses import write_response_sweep

if __name__ == "__main__":
    print(write_response_sweep(Path(__file__).parent, "discount"))
