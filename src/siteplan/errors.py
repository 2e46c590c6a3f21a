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


class OutputExistsError(SiteplanError):
    """The output folder or file exists and may not be replaced (no ``--force``, or it holds
    files siteplan did not write)."""

    exit_code = 5


class OutputLockedError(SiteplanError):
    """Another siteplan process is writing the same output folder (it holds the lock)."""

    exit_code = 6


class OutputIOError(SiteplanError):
    """The output cannot be written: read-only or full disk, no permission, bad path."""

    exit_code = 7


# every code the command line can return (README's table is checked against this)
EXIT_CODES = {
    0: "ok",
    1: "internal error (a bug in siteplan: run again with --debug for the traceback)",
    2: "bad input: scenario, dataset, --set or command-line option (one line per problem)",
    3: "infeasible plan (the cause in planning terms, one line per cause)",
    4: "no feasible plan within the time limit, or the solver failed",
    5: "output exists: an existing folder or file without --force, or one siteplan did not "
       "write",
    6: "output locked: another siteplan run is writing the same folder",
    7: "I/O failure: the output cannot be written (read-only or full disk, permission)",
    130: "interrupted (Ctrl-C); nothing partial is left",
    143: "terminated (SIGTERM); nothing partial is left",
}
