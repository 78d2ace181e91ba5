"""The observability schema: check results (and, later, runs and counts) written where analysts can query them."""
