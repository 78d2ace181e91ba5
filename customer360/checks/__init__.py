"""Asset checks on bronze and gold. Each check is a SQL query returning (observed, expected); it passes when they
are equal. Results go to Dagster and to observability.data_quality_metrics."""
