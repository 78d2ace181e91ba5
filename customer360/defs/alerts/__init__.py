"""Alerts when something fails: run failures and recoveries, blocking checks, churn gates, freshness."""
