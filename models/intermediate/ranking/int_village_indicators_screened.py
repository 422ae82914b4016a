"""Every village × year × indicator of the seed `ranking_indicators` (unit_type village):
empirical-Bayes estimate, funnel z and position with overdispersion adjustment, the limits,
and the posterior the ranking draws from (pipelines.stats.screening). Long format: one row
per indicator, unit_id = village_code. Signal indicators (role `signal`) are screened but not
ranked: they feed the under-registration signal.
"""

from pipelines.stats.screening import parameters_from_rows, read_definitions, screen_units


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_village_years_for_ranking").pl()
    definitions = read_definitions(dbt.ref("ranking_indicators").pl().to_dicts(), "village")
    parameters = parameters_from_rows(dbt.ref("ranking_parameters").pl().to_dicts())
    return screen_units(counts, "village_code", definitions, parameters).to_arrow()
