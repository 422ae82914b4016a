"""raw.nominations — each delivered nominations file (基层申报 and the committee's decisions),
and the nominations from raw to staging (the latest delivery of a year and cadre wins)."""

from __future__ import annotations

from . import _raw

SUITES = _raw.keyed_entity_suites("nominations", "year, cadre_id", "stg_lake__nominations")
