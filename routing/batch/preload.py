"""What the local executor's fork server loads once, so that every task forks ready to plan.

Importing the planner and OR-Tools, and reading the offline gazetteer's US index, take
seconds; done here, in the fork server, each task's process inherits them instead of
paying for them again.
"""

from routing.batch.task import run_task
from routing.cli.exits import exit_code_for  # what a failing task reports its exit code with
from routing.geo import Gazetteer
from routing.spapi.models import Address

__all__ = ["exit_code_for", "run_task"]

Gazetteer().geocode(Address(name="warm-up", address_line1="-", postal_code="10001",
                            country_code="US"))
