"""Great Expectations suites of the xinfang warehouse: one module per raw entity and per public
mart, plus the deliveries as a whole. `pipelines.gates` loads them from here, in this order
(the first failing error check names a build's failure); thresholds live in thresholds.toml.

Each module exposes SUITES: its `delivery` suite runs before dbt (raw tables and audit
records: a broken delivery stops the build early), its `build` suite after dbt (models and
marts). Modules starting with `_` are helpers.
"""

MODULES = (
    "deliveries",
    "villages",
    "cadres",
    "cases",
    "case_events",
    "nominations",
    "surveys",
    "information_adoptions",
    "fct_cases",
    "fct_village_month",
    "fct_village_year",
    "fct_one_low_four_controls",
    "fct_handling_performance",
    "fct_scope_month",
    "fct_cadre_year",
)
