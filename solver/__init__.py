"""Technician routing engine on OR-Tools: integers in, routes and exact reasons out.

It knows nothing of Amazon, addresses or datetimes: times are integer seconds from the
start of the planning horizon, distances metres, places indices into the matrices.
"""

from solver.errors import ProblemError, SolverError, VerificationError
from solver.insertions import (
    Insertion,
    InsertionIndex,
    InsertionTable,
    feasible_insertions,
    insert_visit,
    remove_visits,
)
from solver.model import OBJECTIVES, Objective
from solver.problem import Break, Problem, Technician, TimeWindow, Visit
from solver.solution import BreakPlacement, ReasonCode, Route, Solution, Stop, Unassigned
from solver.solve import solve
from solver.verify import verify

__all__ = [
    "OBJECTIVES",
    "Break",
    "BreakPlacement",
    "Insertion",
    "InsertionIndex",
    "InsertionTable",
    "Objective",
    "Problem",
    "ProblemError",
    "ReasonCode",
    "Route",
    "Solution",
    "SolverError",
    "Stop",
    "Technician",
    "TimeWindow",
    "Unassigned",
    "VerificationError",
    "Visit",
    "feasible_insertions",
    "insert_visit",
    "remove_visits",
    "solve",
    "verify",
]
