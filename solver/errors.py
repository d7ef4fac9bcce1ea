"""Exception tree of the solver package: every error it raises is a `SolverError`."""

__all__ = ["ProblemError", "SolverError", "VerificationError"]


class SolverError(Exception):
    """Root of every error raised by `solver`."""


class ProblemError(SolverError):
    """The problem is malformed: bad shapes, indices, ids or windows."""


class VerificationError(SolverError):
    """A solution breaks at least one constraint of its problem.

    `violations` lists every broken constraint found, one sentence each.
    """

    def __init__(self, violations: list[str]) -> None:
        self.violations = tuple(violations)
        shown = "; ".join(violations[:20])
        more = f" (+{len(violations) - 20} more)" if len(violations) > 20 else ""
        super().__init__(f"{len(violations)} violation(s): {shown}{more}")
