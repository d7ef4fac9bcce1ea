"""A generated, seeded technician day: skills, windows (some multiple), shifts, lunch."""

from __future__ import annotations

import numpy as np

from solver import Break, Problem, Technician, TimeWindow, Visit

SKILLS = ("tv", "appliance", "plumbing", "electrical", "hvac")
HOUR = 3600
AREA_KM = 40.0
SPEED_KMH = 35.0
DETOUR = 1.3
"""Road distance = straight line × DETOUR."""


def generate(visits: int, technicians: int, seed: int = 0) -> Problem:
    """Times are seconds from midnight. Technician homes come first in the matrix."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, AREA_KM, size=(technicians + visits, 2))
    km = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)) * DETOUR
    distances = np.rint(km * 1000).astype(np.int64)
    durations = np.rint(km / SPEED_KMH * HOUR).astype(np.int64)
    techs = []
    for k in range(technicians):
        start = int(rng.choice([7, 8, 9])) * HOUR
        skills = frozenset(rng.choice(SKILLS, size=int(rng.integers(2, 4)), replace=False))
        lunch = Break(TimeWindow(11 * HOUR + 1800, 13 * HOUR + 1800), 1800)
        techs.append(Technician(
            id=f"tech{k:03d}", shift=TimeWindow(start, start + 9 * HOUR),
            start_location=k, end_location=k, skills=skills, breaks=(lunch,),
        ))
    jobs = []
    for i in range(visits):
        kind = rng.random()
        if kind < 0.5:
            begin = int(rng.choice([8, 10, 12, 14])) * HOUR
            windows: tuple[TimeWindow, ...] = (TimeWindow(begin, begin + 3 * HOUR),)
        elif kind < 0.7:
            windows = (TimeWindow(8 * HOUR, 10 * HOUR), TimeWindow(14 * HOUR, 16 * HOUR))
        else:
            windows = ()
        needs = frozenset({str(rng.choice(SKILLS))}) if rng.random() < 0.7 else frozenset()
        jobs.append(Visit(
            id=f"job{i:04d}", location=technicians + i,
            duration=int(rng.choice([15, 20, 30, 45, 60])) * 60,
            windows=windows, skills=needs, priority=2 if rng.random() < 0.1 else 1,
        ))
    return Problem(durations=durations, visits=jobs, technicians=techs, distances=distances)
