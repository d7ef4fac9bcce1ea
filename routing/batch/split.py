"""Sending each of a seller's jobs to one of its territories.

A seller's jobs are fetched once per date (and timezone), not once per territory, then
split here: a job assigned to a technician goes to that technician's territory (unless
re-assigning, the plan keeps the assignment); else a job whose postal code starts with
one of a territory's ``postal_codes`` goes there; any other goes to the territory whose
technicians live nearest (their mean home), the job placed by the offline gazetteer
(postal code, else city). A job that
cannot be placed when there are several territories to choose from is left out and
reported (``unrouted``): planning it in a territory chosen at random would be worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.batch.manifest import Territory
from routing.geo import Gazetteer
from routing.roster import Roster
from routing.spapi.models import Address, ServiceJob

__all__ = ["Split", "split_jobs"]


@dataclass
class Split:
    """Jobs by territory name, and the ids of those no territory could take."""

    jobs: dict[str, list[ServiceJob]]
    unrouted: list[str] = field(default_factory=list)


def split_jobs(jobs: Sequence[ServiceJob], territories: Sequence[Territory],
               gazetteer: Gazetteer | None = None) -> Split:
    """Each job to one of ``territories`` (see the module docstring)."""
    result = Split({t.name: [] for t in territories})
    if len(territories) == 1:
        result.jobs[territories[0].name].extend(jobs)
        return result
    places = gazetteer or Gazetteer()
    centres = {t.name: _centre(t.roster, places) for t in territories}
    home = {tech.id: t.name for t in territories for tech in t.roster.technicians}
    for job in jobs:
        address = _address(job)
        postal = (address.postal_code or "").strip() if address else ""
        claimed = next((home[tech] for tech in _assigned(job) if tech in home), None)
        if claimed is None:
            claimed = next((t.name for t in territories if postal and any(
                postal.startswith(p) for p in t.postal_codes)), None)
        if claimed is None and address is not None:
            point = places.geocode(address)
            if point is not None:
                claimed = _nearest((point.lat, point.lon), centres)
        if claimed is None:
            result.unrouted.append(job.service_job_id or "?")
        else:
            result.jobs[claimed].append(job)
    return result


def _assigned(job: ServiceJob) -> list[str]:
    """The technicians on the job's appointments, in order."""
    return [tech.technician_id for appointment in job.appointments or ()
            for tech in appointment.assigned_technicians or () if tech.technician_id]


def _address(job: ServiceJob) -> Address | None:
    return job.service_location.address if job.service_location else None


def _centre(roster: Roster, places: Gazetteer) -> tuple[float, float] | None:
    """The mean home of the roster's technicians (those that can be placed)."""
    points = []
    for tech in roster.technicians:
        start = tech.start
        if start.lat is not None and start.lon is not None:
            points.append((start.lat, start.lon))
        elif (address := start.as_address()) is not None and \
                (point := places.geocode(address)) is not None:
            points.append((point.lat, point.lon))
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _nearest(point: tuple[float, float],
             centres: dict[str, tuple[float, float] | None]) -> str | None:
    known = {name: c for name, c in centres.items() if c is not None}
    if not known:
        return None
    return min(known, key=lambda name: _squared_degrees(point, known[name]))


def _squared_degrees(a: tuple[float, float], b: tuple[float, float]) -> float:
    """A distance good enough to rank nearby centres: longitude shrunk by latitude."""
    shrink = math.cos(math.radians((a[0] + b[0]) / 2))
    return (a[0] - b[0]) ** 2 + ((a[1] - b[1]) * shrink) ** 2
