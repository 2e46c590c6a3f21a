"""The one error boundary of the command line: every exception becomes one line per problem
on stderr and a documented exit code (:data:`siteplan.errors.EXIT_CODES`); the traceback only
with ``--debug``."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator

import click

from siteplan.errors import (
    InfeasibleError,
    InputDataError,
    OutputIOError,
    ScenarioError,
    SiteplanError,
)

INTERRUPTED = "interrupted; no results were written"


class Terminated(BaseException):
    """SIGTERM turned into an exception so that partial output is cleaned up on the way out."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def describe(exc: BaseException, interrupted: str = INTERRUPTED) -> tuple[int, list[str]]:
    """The exit code and the stderr lines for ``exc``."""
    if isinstance(exc, ScenarioError | InputDataError):
        lines = [f"error: {p}" for p in exc.problems]
        if len(exc.problems) > 1:
            lines.append(f"{len(exc.problems)} problems found")
        return exc.exit_code, lines
    if isinstance(exc, InfeasibleError) and exc.causes:
        return exc.exit_code, [
            "error: infeasible: the scenario's constraints cannot all be met",
            *(f"error: infeasible: {_one_line(c)}" for c in exc.causes)]
    if isinstance(exc, SiteplanError):
        return exc.exit_code, [f"error: {_one_line(exc)}"]
    if isinstance(exc, KeyboardInterrupt):
        return 130, [f"error: {interrupted}"]
    if isinstance(exc, Terminated):
        return 143, [f"error: {interrupted}"]
    if isinstance(exc, OSError) and exc.strerror:  # disk full, read-only, permission, ...
        where = f"{exc.filename}: " if exc.filename else ""
        return OutputIOError.exit_code, [f"error: I/O failure: {where}{exc.strerror}"]
    text = _one_line(exc) or "(no message)"
    return 1, [f"error: internal error {type(exc).__name__}: {text}; run again with --debug "
               "for the traceback and please report it"]


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM unwinds like Ctrl-C (temp folders and locks are removed)."""
    def handler(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. embedded): keep the default behaviour
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def boundary(debug: bool, interrupted: str = INTERRUPTED) -> Iterator[None]:
    """Run a command's body; map any exception to its lines and exit code (``--debug``:
    re-raise it). ``interrupted`` is what Ctrl-C / SIGTERM say (what was kept)."""
    try:
        with _sigterm_raises():
            yield
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except (Exception, KeyboardInterrupt, Terminated) as exc:
        if debug:
            raise
        code, lines = describe(exc, interrupted)
        for line in lines:
            click.echo(line, err=True)
        sys.exit(code)
