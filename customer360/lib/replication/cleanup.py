"""What happens to staged files once bronze has them (C360_STAGING_CLEANUP)."""

from __future__ import annotations

from customer360.lib.bronze.results import LOADED, FileLoadResult
from customer360.lib.resources.object_store import ObjectStoreResource

# keep: files stay; each file loaded in full is tagged (ObjectStoreResource.mark_loaded) and the bucket's lifecycle
# rule expires only tagged objects under staging/ after its retention days (terraform/s3.tf), so a file that did not
# load in full, or was never loaded (an outage longer than the retention), stays.
# after_each: each file goes as soon as its COPY loaded it whole, even if another file of the run failed.
# after_all: the run's files go only when every one of them loaded whole.
# A partially loaded or failed file always stays, for whoever fixes it: deletion follows the outcome load_history
# records for the file, so one that loaded in part is kept on every later run too (it is skipped as already loaded,
# with its recorded PARTIALLY_LOADED).


def clean_up(mode: str, store: ObjectStoreResource, results: list[FileLoadResult]) -> list[str]:
    """Delete the staged files `mode` says may go; return their keys."""
    whole = [r for r in results if r.loaded_in_full]
    if mode == "keep":  # tagged once, when it loads (a file already loaded was tagged then)
        for result in whole:
            if result.status == LOADED:
                store.mark_loaded(result.file_name)
        return []
    if mode == "after_all" and len(whole) != len(results):
        return []
    for result in whole:
        store.delete(result.file_name)
    return [r.file_name for r in whole]
