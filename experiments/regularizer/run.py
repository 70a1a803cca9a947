"""Runner: the exact equilibrium of settings.json's schedule for each value of regularization -> results.json."""

import json
from pathlib import Path

from tqdm import tqdm

from mesa_gym import io
from mesa_gym.responses import equilibrium_summary

HERE = Path(__file__).parent

if __name__ == "__main__":
    settings = json.loads((HERE / "settings.json").read_text())
    rows = [equilibrium_summary(settings["schedule"], settings["theta0"], regularization=value)
            for value in tqdm(settings["regularization"], desc="regularization")]
    io.write_json(HERE / "results.json", {"settings": settings, "rows": rows})
