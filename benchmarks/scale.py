"""Scale benchmark: the whole pipeline on a synthetic province, against DuckDB's own scan.

    .venv/bin/python benchmarks/scale.py --cases 1000000 [--workdir /tmp/xinfang-bench]

Steps, each timed in its own process (wall seconds and peak memory):
1. `xinfang demo-data --cases N` (the drop; not part of the pipeline, reported for context)
2. `xinfang ingest` of the whole drop (parse, validate, pseudonymise, write the raw lake)
3. `xinfang build` (dbt: staging, intermediate, marts, tests; publish)
4. a second `xinfang ingest` of the same drop (every file a known hash: should cost ~nothing)
5. the baseline: DuckDB alone scanning the raw lake's Parquet and aggregating items per
   village and year (the floor any warehouse over these files must pay)

The ratio build ÷ baseline and (ingest + build) ÷ baseline are the numbers the project's
speed target (a small multiple of DuckDB's own scan-and-aggregate time) is judged by. Results go to
benchmarks/results/ (not committed) as JSON and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
XINFANG = str(Path(sys.executable).with_name("xinfang"))


def timed(step: str, argv: list[str], env: dict[str, str]) -> dict:
    """Run one step in its own process; its own peak memory comes from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{step} failed ({code}): {proc.stderr.read().decode(errors='replace').strip()[-300:]}")
    proc.stderr.close()
    return {"step": step, "seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024)}


def baseline(home: Path) -> dict:
    import duckdb

    lake = home / "lake" / "cases" / "*.parquet"
    start = time.perf_counter()
    con = duckdb.connect()
    rows = con.sql(
        f"""
        select village_code, year(received_at) as year, count(*) as items,
               count(*) filter (where channel = 'visit' and headcount >= 5) as collective,
               count(*) filter (where abnormal_behaviour is not null) as abnormal
        from read_parquet('{lake}')
        group by all
        """
    ).fetchall()
    con.close()
    return {"step": "baseline: DuckDB scan + aggregate", "seconds": round(time.perf_counter() - start, 2),
            "peak_mb": None, "groups": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xinfang-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the drop and warehouse")
    args = parser.parse_args()

    work = args.workdir / f"n{args.cases}"
    shutil.rmtree(work, ignore_errors=True)
    drop, home = work / "drop", work / "home"
    env = {**os.environ, "XINFANG_HOME": str(home), "DO_NOT_TRACK": "1"}

    results = [
        timed("demo-data", [XINFANG, "demo-data", "--cases", str(args.cases), "--out", str(drop)], env),
        timed("ingest", [XINFANG, "ingest", str(drop)], env),
        timed("build", [XINFANG, "build"], env),
        timed("ingest again (no-op)", [XINFANG, "ingest", str(drop)], env),
    ]
    results.append(baseline(home))
    by = {r["step"]: r["seconds"] for r in results}
    floor = max(by["baseline: DuckDB scan + aggregate"], 0.01)
    summary = {
        "cases": args.cases,
        "drop_bytes": sum(f.stat().st_size for f in drop.rglob("*") if f.is_file()),
        "steps": results,
        "build_over_baseline": round(by["build"] / floor, 1),
        "pipeline_over_baseline": round((by["ingest"] + by["build"]) / floor, 1),
        "ingest_rows_per_second": None,
    }
    ledger = subprocess.run(
        [XINFANG, "query", "select sum(rows_read) from audit.load_ledger where status = 'loaded'",
         "--format", "csv"], check=True, env=env, capture_output=True, text=True,
    ).stdout.splitlines()
    rows_read = int(ledger[1]) if len(ledger) > 1 else 0
    summary["ingest_rows_per_second"] = round(rows_read / by["ingest"]) if by["ingest"] else None
    summary["rows_ingested"] = rows_read

    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"scale-{args.cases}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"\nxinfang scale benchmark, {args.cases:,} items ({rows_read:,} rows ingested)")
    print(f"{'step':40s} {'seconds':>9s} {'peak MB':>8s}")
    for r in results:
        print(f"{r['step']:40s} {r['seconds']:9.2f} {r['peak_mb'] if r['peak_mb'] is not None else '':>8}")
    print(f"build ÷ baseline: {summary['build_over_baseline']}×; "
          f"ingest + build ÷ baseline: {summary['pipeline_over_baseline']}×; "
          f"ingest {summary['ingest_rows_per_second']:,} rows/s")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
