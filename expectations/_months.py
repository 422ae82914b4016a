"""A month missing from a monthly series: a hole, not a quiet spell.

A delivery that lacks a month leaves a hole in an otherwise continuous series: the month (or a
short run of months) is nearly empty while the months on *both* sides are substantial. A
board that starts slowly, a quiet season or a sparse sample has low months next to low months,
and a spike (a bulk import) is high on one side only, so neither is taken for a hole. The
reference of a run is the smaller of its two neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Hole:
    start: int  # index of the first month of the run
    end: int  # index of the last month of the run (inclusive)
    reference: float  # the smaller neighbour's count


def holes(counts: Sequence[float], min_ratio: float, min_reference: float, max_months: int) -> list[Hole]:
    """Runs of at most `max_months` interior months each below `min_ratio` × the smaller
    neighbour of the run, when that neighbour has at least `min_reference` items. The shortest
    run starting at a month wins; the search resumes after its right neighbour."""
    found: list[Hole] = []
    i = 1
    while i < len(counts) - 1:
        hole = _run_at(counts, i, min_ratio, min_reference, max_months)
        if hole is None:
            i += 1
        else:
            found.append(hole)
            i = hole.end + 2
    return found


def _run_at(counts: Sequence[float], i: int, min_ratio: float, min_reference: float,
            max_months: int) -> Hole | None:
    for length in range(1, max_months + 1):
        after = i + length
        if after >= len(counts):
            return None
        if counts[after - 1] >= min_ratio * counts[i - 1]:
            return None  # the run would contain a month that is not low against its left side
        reference = min(counts[i - 1], counts[after])
        if reference >= min_reference and all(c < min_ratio * reference for c in counts[i:after]):
            return Hole(i, after - 1, float(reference))
    return None
