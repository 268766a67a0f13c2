"""Progress lines, the rows measured and the closing table."""

import os
import sys
import time
from dataclasses import dataclass

STARTED = time.monotonic()


def progress(message: str) -> None:
    """A line on stderr, with the seconds since the start."""
    print(f"[{time.monotonic() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes, and its cores."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@dataclass(frozen=True)
class Goal:
    """A bound on a row's figure: at least (">=") or at most ("<=") a value."""

    sense: str
    value: float
    unit: str = ""

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.sense == ">=" else figure <= self.value

    def __str__(self) -> str:
        return f"{'≥' if self.sense == '>=' else '≤'} {self.value:g}{self.unit}"


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, the figure compared with the goal."""

    name: str
    measured: str
    goal: Goal
    figure: float | None = None  # None: skipped, `measured` says why

    def cells(self) -> list[str]:
        if self.figure is None:
            return [self.name, self.measured, "-", str(self.goal), "-"]
        shown = f"{self.figure:.2f}{self.goal.unit}"
        met = "met" if self.goal.met(self.figure) else "not met"
        return [self.name, self.measured, shown, str(self.goal), met]


def skipped(names: list[str], goals: list[Goal], why: str) -> list[Row]:
    """The rows of a step that could not run, each saying why."""
    return [Row(name, f"skipped: {why}", goal) for name, goal in zip(names, goals, strict=True)]


def table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table."""
    lines = [["row", "measured", "ratio", "goal", "met"], *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in text)
