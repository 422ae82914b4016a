"""Nominations for the advanced individuals of 和谐信访十件新事 (基层申报) and the committee's
decisions: a dozen or so nominees a year, mostly cadres who handled many items that year, one
who handled none (a deed outside the registered items), each with a deed type, the nominating
unit (the cadre's own unit) and a short description; every year but the last is decided, ten
selected (the award count) and the others not selected with a reason; the last year is still
pending. Drawn from a generator of its own, so the other files of the drop are unchanged.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from pipelines.demo_data.cadres import Cadres

STREAM = 1011  # the nominations' own random stream beside the drop's seed
NOMINEES = (12, 15)  # per year, both ends included
AWARDS = 10
DEEDS = {  # deed type: the description's wording (invented; names no one)
    "resolve_difficult": "牵头化解一起多年信访积案，当事人息诉罢访",
    "handle_emergency": "及时到场处置一起群体性来访，未发生越级上访",
    "reduce_at_source": "排查化解矛盾纠纷，辖区重复访明显下降",
    "serve_petitioners": "为来访群众协调解决实际困难，群众满意",
}
REASONS = ("quota", "quota", "weaker_evidence", "other", None)  # not selected: why, if said


def assigned_counts(events: pl.DataFrame) -> Counter:
    """Assignments per cadre in one chunk of events (a stand-in for the items handled)."""
    assigned = events.filter(pl.col("event_type") == "assigned").get_column("cadre_id")
    return Counter(assigned.drop_nulls().to_list())


def nominations_frame(seed: int, cad: Cadres, handled: dict[int, Counter]) -> pl.DataFrame:
    """The nominations of every year in `handled` (year → assignments per cadre id)."""
    rng = np.random.Generator(np.random.PCG64([seed, STREAM]))
    index = {cadre_id: i for i, cadre_id in enumerate(cad.cadre_id)}
    years = sorted(handled)
    rows: list[dict] = []
    for year in years:
        counts = handled[year]
        busy = sorted(counts)
        idle = [c for c in cad.cadre_id if c not in counts]
        n = int(rng.integers(NOMINEES[0], NOMINEES[1] + 1))
        weights = np.array([counts[c] for c in busy], dtype=float)
        chosen = list(rng.choice(busy, size=min(n - 1, len(busy)), replace=False,
                                 p=weights / weights.sum()))
        if idle:
            chosen.append(str(rng.choice(idle)))
        decided = year != years[-1]
        # the committee weighs the record and the deed: more items, better odds
        merit = np.array([counts.get(c, 0) for c in chosen], dtype=float) * rng.uniform(0.5, 1.5, len(chosen))
        selected = set(np.array(chosen)[np.argsort(-merit, kind="stable")[:AWARDS]])
        for cadre_id in sorted(chosen):
            deed = str(rng.choice(list(DEEDS)))
            reason = REASONS[int(rng.integers(len(REASONS)))]
            if decided and counts.get(cadre_id, 0) == 0:
                reason = "weaker_evidence"
            rows.append({
                "year": year,
                "cadre_id": cadre_id,
                "nominating_unit": cad.units[cad.unit_index[index[cadre_id]]],
                "deed_type": deed,
                "description": DEEDS[deed],
                "decision": None if not decided else ("selected" if cadre_id in selected else "not_selected"),
                "decision_reason": None if not decided or cadre_id in selected else reason,
            })
    return pl.DataFrame(rows, schema={
        "year": pl.Int64, "cadre_id": pl.String, "nominating_unit": pl.String,
        "deed_type": pl.String, "description": pl.String, "decision": pl.String,
        "decision_reason": pl.String,
    })
