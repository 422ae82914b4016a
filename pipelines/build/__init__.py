"""`xinfang build` and `xinfang check`: raw lake → build database (dbt) → gates → publish.

A build never touches the published warehouse. Under the warehouse lock it

1. copies the lake batches that the load ledger lists as loaded into schema `raw` of a new
   database `builds/<build_id>/xinfang.duckdb` (so each build file is self-contained);
2. runs the delivery gates (`run_gates(..., "delivery")`: the new deliveries are whole, not
   truncated, shifted or mostly quarantined), so a broken delivery stops before dbt;
3. runs `dbt build` (seeds, models, data tests; unit tests run in `make test`);
4. writes `meta.build_info` and checkpoints the file;
5. runs the quality gates (`run_gates`: the Great Expectations suites of `expectations/`);
6. publishes by an atomic switch of the pointer file `$XINFANG_HOME/published`.

Every check's result goes to audit.quality_results and an offline HTML report under
`$XINFANG_HOME/reports/`, published or not.

Any failure leaves the previously published build in place, records the build as failed in
`audit.builds` and raises `CheckFailed` (exit 1). Every build file has the same name in its own
folder, because dbt-duckdb names the database after the file's stem and views refer to it.

One job per module:

- `raw`: schema `raw` of a build database from the lake, and the default as_of;
- `dbt_runner`: dbt invocations and what their results mean;
- `gates`: the quality gates on a build database, and the HTML report;
- `publish`: build folders, the publish pointer (its only home), retention;
- `console`: what is printed, and `step()`, which times, shows and records each stage;
- `run`: `xinfang build`; `check`: `xinfang check` and the dbt unit tests.
"""

from pipelines.build.check import check_published, run_dbt_unit_tests
from pipelines.build.dbt_runner import run_dbt
from pipelines.build.failures import Failure
from pipelines.build.gates import run_gates
from pipelines.build.publish import (
    DB_FILE,
    STAGING_MODELS,
    apply_retention,
    build_db_path,
    new_build_id,
    publish,
    published_build_id,
)
from pipelines.build.raw import create_raw_table, lake_files, load_raw
from pipelines.build.run import build_warehouse, parse_as_of

__all__ = [
    "DB_FILE",
    "STAGING_MODELS",
    "Failure",
    "apply_retention",
    "build_db_path",
    "build_warehouse",
    "check_published",
    "create_raw_table",
    "lake_files",
    "load_raw",
    "new_build_id",
    "parse_as_of",
    "publish",
    "published_build_id",
    "run_dbt",
    "run_dbt_unit_tests",
    "run_gates",
]
