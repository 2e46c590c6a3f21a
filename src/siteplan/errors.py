"""One small exception tree; each error knows the CLI exit code it maps to."""

from __future__ import annotations


class SiteplanError(Exception):
    """Base of every error siteplan raises on purpose (never a bare traceback for users)."""

    exit_code = 1


class ScenarioError(SiteplanError):
    """The scenario YAML (or a --set override) is malformed."""

    exit_code = 2


class InputDataError(SiteplanError):
    """One or more dataset CSV problems; ``problems`` holds one line per problem."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = self.problems[0] if self.problems else "invalid input data"
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(head + more)


class InfeasibleError(SiteplanError):
    """The plan cannot meet the scenario's constraints; ``causes`` explain why in planning terms."""

    exit_code = 3

    def __init__(self, message: str, causes: list[str] | None = None):
        self.causes = list(causes or [])
        super().__init__(message)


class SolverError(SiteplanError):
    """HiGHS failed, or stopped (time limit) without any feasible plan."""

    exit_code = 4
