"""An independent reference implementation of CONTRACT §3 and §4, written from the contract text
only (never from the dbt models), used to check the dbt marts. See `contract.py`."""
