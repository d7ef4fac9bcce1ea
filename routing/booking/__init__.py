"""Book pending jobs into route-aware appointment slots over a multi-day horizon.

- :mod:`.slots`: the slots offered for a job (:class:`OfferedSlot`) and the job waiting
  for one (:class:`PendingJob`, with the buyer's preferred times);
- :mod:`.horizon`: one solved day per date (:class:`BookingDay`), from a saved plan or
  planned now (:func:`plan_horizon`);
- :mod:`.rank`: each slot intersected with the job's feasible insertions into its day
  (``solver.InsertionIndex``), scored, or kept out with its reason (:func:`rank_slots`);
- :mod:`.options`: the score's weights (:class:`BookingOptions`);
- :mod:`.book`: jobs booked one by one, each into its day's solution (:func:`book_jobs`).
"""

from routing.booking.book import Booking, Chooser, best_option, book_jobs
from routing.booking.horizon import BookingDay, Horizon, is_pending, plan_horizon
from routing.booking.options import BookingError, BookingOptions
from routing.booking.rank import ExcludedSlot, Ranking, SlotOption, rank_slots
from routing.booking.slots import OfferedSlot, PendingJob, pending_job

__all__ = [
    "Booking",
    "BookingDay",
    "BookingError",
    "BookingOptions",
    "Chooser",
    "ExcludedSlot",
    "Horizon",
    "OfferedSlot",
    "PendingJob",
    "Ranking",
    "SlotOption",
    "best_option",
    "book_jobs",
    "is_pending",
    "pending_job",
    "plan_horizon",
    "rank_slots",
]
