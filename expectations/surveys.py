"""raw.surveys — each delivered satisfaction-survey file (党务投诉公开满意度调查), and the surveys
from raw to staging (the latest delivery of a survey id wins)."""

from __future__ import annotations

from . import _raw

SUITES = _raw.keyed_entity_suites("surveys", "survey_id", "stg_lake__surveys")
