"""The Customer 360 app (`make app`): Streamlit pages over the gold layer, on either target.

    access.py      what each role may see (the same rule on DuckDB and Snowflake)
    warehouse.py   short read-only queries: DuckDB without holding the file, Snowflake as the app's role
    queries.py     every query the pages run, parameterized
    campaign.py    the campaign simulator's arithmetic
    cortex.py      Cortex Analyst (Snowflake only) over the published semantic model
    streamlit_app.py  the pages
"""
