"""Studies over many solves: compare scenarios, sweep parameters, trace the cost-green frontier.

Python API::

    from siteplan.study import compare, sweep, pareto
    cmp = compare(["scenarios/china-2026.yaml", "out/china-2026-east-only"])
    print(cmp.text()); cmp.long            # comparison.csv as a DataFrame
    res = sweep("scenarios/china-2026.yaml", grid=["policy.min_green_share=0.8:0.95:4"],
                outdir="out/sweep", workers=2)          # or scheduler="tcp://host:8786"
    res.table                               # sweep.csv
    front = pareto("scenarios/china-2026.yaml", between=("cost", "green_share"), points=5)
    front.table                             # pareto.csv

The command line is ``siteplan compare | sweep | pareto`` (:mod:`siteplan.study.cli`).
"""

from siteplan.study.compare import Comparison, compare
from siteplan.study.pareto import ParetoResult, pareto
from siteplan.study.runs import StudyError, run_id
from siteplan.study.sweep import SweepResult, plan_runs, run_batch, sweep

__all__ = ["Comparison", "ParetoResult", "StudyError", "SweepResult", "compare", "pareto",
           "plan_runs", "run_batch", "run_id", "sweep"]
