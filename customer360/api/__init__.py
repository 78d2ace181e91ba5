"""The report requests HTTP API for other services (server.py): file a request, follow it, scrape its metrics."""
