"""Leadership dashboards (Dash, offline: every asset is served from installed packages)."""
