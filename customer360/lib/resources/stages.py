"""The external stages and file formats snowflake_setup/04_file_formats_stages.sql creates, and which holds a key.

Plain data (no Snowflake SDK), so the setup's tests and the loaders share one list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str  # bronze.<stage>, created by snowflake_setup/04_file_formats_stages.sql
    prefix: str  # the landing prefix the stage's URL points at


# Longest prefix first: a key belongs to the most specific stage.
STAGES = (
    Stage("bronze.transaction_stage_historical", "transactions/historical/"),
    Stage("bronze.transaction_stage_streaming", "transactions/streaming/"),
    Stage("bronze.replication_stage", "staging/"),
    Stage("bronze.report_stage", "reports/"),  # report results, COPYed into export tables (reports/export.py)
)
FILE_FORMATS = {"csv": "bronze.c360_csv", "parquet": "bronze.c360_parquet"}


def stage_for(key: str) -> tuple[Stage, str]:
    """The stage holding `key` and the key's path relative to it."""
    for stage in STAGES:
        if key.startswith(stage.prefix):
            return stage, key[len(stage.prefix):]
    raise ValueError(f"{key} is under no external stage; stages cover {', '.join(s.prefix for s in STAGES)}")


def sql_literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
