"""routeplan's application package: Services API jobs in, technician routes out.

The library in one call::

    from datetime import date
    from routing import FileSource, PlanOptions, load_roster, plan_day

    roster = load_roster("examples/roster.yaml")
    jobs = FileSource("examples/jobs.json").fetch(date(2026, 12, 1), roster.tz)
    plan = plan_day(jobs, roster, date(2026, 12, 1), PlanOptions(time_limit=5))
"""

from routing.config import ConfigError, Settings, load_settings
from routing.durations import DurationsError, DurationTable, load_durations
from routing.errors import RoutingError
from routing.events import EventsError
from routing.geo import GeoError
from routing.plan import Plan
from routing.planner import PlanContext, PlanningError, PlanOptions, plan_day
from routing.reasons import ReasonCode
from routing.replan import Replan, ReplanError, replan_day
from routing.roster import Roster, RosterError, load_roster
from routing.sources import FileSource, JobSource, SourceError, SpApiSource
from routing.spapi import SpApiError

__all__ = [
    "ConfigError",
    "DurationTable",
    "DurationsError",
    "EventsError",
    "FileSource",
    "GeoError",
    "JobSource",
    "Plan",
    "PlanContext",
    "PlanOptions",
    "PlanningError",
    "ReasonCode",
    "Replan",
    "ReplanError",
    "Roster",
    "RosterError",
    "RoutingError",
    "Settings",
    "SourceError",
    "SpApiError",
    "SpApiSource",
    "load_durations",
    "load_roster",
    "load_settings",
    "plan_day",
    "replan_day",
]
