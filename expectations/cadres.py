"""raw.cadres — each delivered cadres file, and the cadres from raw to staging."""

from __future__ import annotations

from . import _raw

SUITES = _raw.keyed_entity_suites("cadres", "cadre_id", "stg_lake__cadres")
