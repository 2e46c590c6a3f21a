"""One small exception tree; each error knows the CLI exit code it maps to."""

from __future__ import annotations

from collections.abc import Iterable


class SiteplanError(Exception):
    """Base of every error siteplan raises on purpose (never a bare traceback for users)."""

    exit_code = 1


class _ProblemsError(SiteplanError):
    """An error made of one or more independent problems, one line each (``problems``)."""

    default_message = "invalid input"

    def __init__(self, problems: str | Iterable[str]):
        if isinstance(problems, str):
            problems = [problems]
        # one problem per line: a problem text never spans lines
        self.problems = [" ".join(str(p).split()) for p in problems]
        head = self.problems[0] if self.problems else self.default_message
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(head + more)


class ScenarioError(_ProblemsError):
    """The scenario YAML (or a --set override) is malformed; ``problems`` holds one line each.

    ``dataset`` is the dataset folder the scenario names, when it could be read, so that a
    caller can check the dataset too and report every problem at once.
    """

    exit_code = 2
    default_message = "invalid scenario"

    def __init__(self, problems: str | Iterable[str], dataset=None):
        super().__init__(problems)
        self.dataset = dataset


class InputDataError(_ProblemsError):
    """One or more dataset CSV problems; ``problems`` holds one line per problem."""

    exit_code = 2
    default_message = "invalid input data"


class InfeasibleError(SiteplanError):
    """The plan cannot meet the scenario's constraints; ``causes`` explain why in planning terms."""

    exit_code = 3

    def __init__(self, message: str, causes: list[str] | None = None):
        self.causes = list(causes or [])
        super().__init__(message)


class SolverError(SiteplanError):
    """HiGHS failed, or stopped (time limit) without any feasible plan."""

    exit_code = 4
