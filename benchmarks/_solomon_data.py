"""Solomon VRPTW instances as `solver.Problem`s (read from ../shared/benchmarks/solomon)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from solver import Problem, Technician, TimeWindow, Visit

SOLOMON_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks" / "solomon"
SCALE = 1000
"""Travel time = Euclidean distance (double precision) × SCALE, rounded to an integer."""
FLEET = 25


@dataclass(frozen=True)
class Instance:
    name: str
    coords: np.ndarray
    """(n+1)×2, depot first."""
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray
    capacity: int

    @property
    def instance_class(self) -> str:
        """C1, C2, R1, R2, RC1 or RC2."""
        return self.name.rstrip("0123456789") + self.name.lstrip("RC")[0]

    def euclidean(self) -> np.ndarray:
        delta = self.coords[:, None, :] - self.coords[None, :, :]
        return np.sqrt((delta**2).sum(axis=2))


def names() -> list[str]:
    return sorted(p.stem for p in SOLOMON_DIR.glob("*.txt"))


def load(name: str) -> Instance:
    lines = (SOLOMON_DIR / f"{name}.txt").read_text().splitlines()
    capacity = int(lines[4].split()[1])
    rows = [list(map(float, line.split())) for line in lines[9:] if line.strip()]
    table = np.array(rows)
    return Instance(
        name=name,
        coords=table[:, 1:3],
        demand=table[:, 3].astype(np.int64),
        ready=table[:, 4].astype(np.int64),
        due=table[:, 5].astype(np.int64),
        service=table[:, 6].astype(np.int64),
        capacity=capacity,
    )


def best_known() -> dict[str, float]:
    with (SOLOMON_DIR / "bks_distance_only.csv").open() as f:
        return {row["instance"]: float(row["distance"]) for row in csv.DictReader(f)}


def to_problem(inst: Instance) -> Problem:
    """Depot = location 0, customer i = location i; times scaled by SCALE like distances."""
    matrix = np.rint(inst.euclidean() * SCALE).astype(np.int64)
    visits = [
        Visit(
            id=str(i),
            location=i,
            duration=int(inst.service[i]) * SCALE,
            windows=(TimeWindow(int(inst.ready[i]) * SCALE, int(inst.due[i]) * SCALE),),
            demand=int(inst.demand[i]),
        )
        for i in range(1, len(inst.coords))
    ]
    shift = TimeWindow(int(inst.ready[0]) * SCALE, int(inst.due[0]) * SCALE)
    techs = [
        Technician(id=f"v{k}", shift=shift, start_location=0, end_location=0,
                   capacity=inst.capacity)
        for k in range(FLEET)
    ]
    return Problem(durations=matrix, visits=visits, technicians=techs, distances=matrix)
