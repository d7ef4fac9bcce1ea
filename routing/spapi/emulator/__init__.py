"""A local Services API emulator: real HTTP on loopback, LWA, pagination, slots, faults.

Tests and the demo start it from Python (``with Emulator(jobs) as emulator: ...``) or from
the CLI (:func:`serve_forever`); clients talk to ``emulator.url`` and ``emulator.token_url``.
"""

from routing.spapi.emulator.dataset import load_job_files, load_jobs
from routing.spapi.emulator.errors import EmulatorError
from routing.spapi.emulator.faults import LWA_OPERATION, Fault, FaultPlan
from routing.spapi.emulator.server import Emulator, RecordedCall, serve_forever
from routing.spapi.emulator.slots import SlotConfig
from routing.spapi.emulator.writes import ResourceRule
from routing.spapi.ratelimit import USAGE_PLANS, UsagePlan

__all__ = [
    "LWA_OPERATION",
    "USAGE_PLANS",
    "Emulator",
    "EmulatorError",
    "Fault",
    "FaultPlan",
    "RecordedCall",
    "ResourceRule",
    "SlotConfig",
    "UsagePlan",
    "load_job_files",
    "load_jobs",
    "serve_forever",
]
