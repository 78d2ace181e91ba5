"""Reports: results that leave the warehouse with a trail.

`catalogue` says what each report asks of gold; `document` renders the HTML a manager opens; `status` writes each
attempt's transitions to observability.report_runs; `export` loads a result into a named warehouse table; `publish`
runs one attempt end to end (query, files, upload with retries, export, status).
"""
