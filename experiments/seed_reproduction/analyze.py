"""Analysis: draw exp1.png and exp2.png from results.json and print the headline numbers."""

from pathlib import Path

from mesa_gym.reproduce import make_figures, summary

if __name__ == "__main__":
    here = Path(__file__).parent
    for path in make_figures(here):
        print(path)
    print(summary(here))
