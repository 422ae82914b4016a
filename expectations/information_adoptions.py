"""raw.information_adoptions — each delivered information-adoption file (信息采用), and the
adoptions from raw to staging (the latest delivery of an adoption id wins)."""

from __future__ import annotations

from . import _raw

SUITES = _raw.keyed_entity_suites("information_adoptions", "adoption_id", "stg_lake__information_adoptions")
