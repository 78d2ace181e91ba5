"""What happens to staged files once bronze has them (C360_STAGING_CLEANUP)."""

from __future__ import annotations

from customer360.bronze.results import FileLoadResult
from customer360.resources.object_store import ObjectStoreResource

# keep: files stay (the bucket's lifecycle rule expires staging/ after its retention days; terraform/s3.tf).
# after_each: each file goes as soon as its COPY loaded it whole, even if another file of the run failed.
# after_all: the run's files go only when every one of them loaded whole.
# A partially loaded or failed file always stays, for whoever fixes it: deletion follows the outcome load_history
# records for the file, so one that loaded in part is kept on every later run too (it is skipped as already loaded,
# with its recorded PARTIALLY_LOADED).


def clean_up(mode: str, store: ObjectStoreResource, results: list[FileLoadResult]) -> list[str]:
    """Delete the staged files `mode` says may go; return their keys."""
    if mode == "keep":
        return []
    whole = [r for r in results if r.loaded_in_full]
    if mode == "after_all" and len(whole) != len(results):
        return []
    for result in whole:
        store.delete(result.file_name)
    return [r.file_name for r in whole]
