"""Quality gates: the Great Expectations suites of `expectations/`, run on pandas frames pulled
from the build database (GX 1.x cannot validate DuckDB through SQLAlchemy and does not accept
polars), with their results recorded in audit.quality_results and an offline HTML report.

`run_phase(con, build_id, "delivery")` runs before dbt (raw tables and audit records),
`run_phase(con, build_id, "build")` after dbt on the models; pipelines.build decides what a
failure means for publication.
"""

from __future__ import annotations

import os

os.environ["GX_ANALYTICS_ENABLED"] = "False"

from pipelines.gates.runner import CheckResult, GateOutcome, run_phase

__all__ = ["CheckResult", "GateOutcome", "run_phase"]
