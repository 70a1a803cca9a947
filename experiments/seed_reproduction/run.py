"""Runner: solve the write-up's two experiments both ways and write results.json beside this file.

Settings (schedules, θ0 = 0.8, plot windows) are `mesa_gym.reproduce.EXPERIMENTS`, copied into the JSON.
Same as `mesa-gym reproduce --out experiments/seed_reproduction`, which also draws the figures.
"""

from pathlib import Path

from mesa_gym.reproduce import write_results

if __name__ == "__main__":
    print(write_results(Path(__file__).parent))
