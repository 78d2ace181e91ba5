"""Model versions in the object store, and which one is promoted.

    models/churn/<version>/model.pkl    the fitted pipeline with its threshold and training reference (pickle)
    models/churn/<version>/card.json    metrics, calibration, importance, class balance, the pickle's SHA-256
    models/churn/current.json           the promoted version: what scoring uses

A version is written once and never changed; promotion only rewrites current.json. Nothing in the bucket is trusted
to say what may be unpickled: a version must have the shape new_version() gives (so current.json cannot point outside
models/churn/), and the pickle's SHA-256 must equal the one recorded in the candidate's Dagster materialization when it
was trained (the card's copy was written by the same writer as the pickle, so it proves nothing), else it is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from customer360.lib.churn.model import TrainedModel
from customer360.lib.resources.object_store import ObjectStoreResource

PREFIX = "models/churn/"
CURRENT = f"{PREFIX}current.json"
# new_version(): the UTC time of training, then the first characters of the Dagster run id.
VERSION = re.compile(r"\d{8}T\d{6}Z-[0-9A-Za-z]{1,8}")


class RegistryError(RuntimeError):
    """The registry has no usable model; the message says what to run."""


@dataclass(frozen=True)
class StoredVersion:
    version: str
    model_key: str
    card_key: str
    sha256: str


def new_version(run_id: str, now: dt.datetime | None = None) -> str:
    """Sortable and unique: the UTC time of training and the run that trained it."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{run_id[:8]}"


def card(model: TrainedModel) -> dict:
    return {"version": model.version, "trained_at": model.trained_at, "gates_passed": model.gates_passed,
            "threshold": model.threshold,
            "metrics": model.metrics, "importance": model.importance, "calibration": model.calibration,
            "class_balance": model.class_balance, "features": list(model.features)}


def _write_bytes(store: ObjectStoreResource, key: str, data: bytes) -> None:
    store.write(key, lambda path: Path(path).write_bytes(data))


def _read_bytes(store: ObjectStoreResource, key: str) -> bytes:
    with store.open(key) as stream:
        return stream.read()


def save(store: ObjectStoreResource, model: TrainedModel) -> StoredVersion:
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(payload).hexdigest()
    stored = StoredVersion(model.version, f"{PREFIX}{model.version}/model.pkl", f"{PREFIX}{model.version}/card.json",
                           digest)
    _write_bytes(store, stored.model_key, payload)
    _write_bytes(store, stored.card_key, json.dumps({**card(model), "sha256": digest}, indent=2).encode())
    return stored


def checked_version(version: object) -> str:
    """The version if it has new_version()'s shape; a `../` or any other path would leave models/churn/."""
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        raise RegistryError(f"model version {version!r} is not a version this registry writes (like "
                            "20260630T120000Z-abcdef12); fix models/churn/current.json or retrain (churn_training job)")
    return version


def load(store: ObjectStoreResource, version: str, sha256: str | None) -> TrainedModel:
    """The version's model, unpickled only if its bytes have `sha256`, the digest Dagster recorded at training."""
    model_key = f"{PREFIX}{checked_version(version)}/model.pkl"
    if not store.exists(model_key):
        raise RegistryError(f"model version {version} is not in {store.location}{PREFIX}; train one with the "
                            "churn_training job")
    if not sha256:
        raise RegistryError(f"model version {version} has no SHA-256 in a churn_model_candidate materialization of "
                            "this Dagster instance, so nothing vouches for its pickle; retrain (churn_training job)")
    payload = _read_bytes(store, model_key)
    if hashlib.sha256(payload).hexdigest() != sha256:
        raise RegistryError(f"{model_key} does not match the SHA-256 Dagster recorded when it was trained: it was "
                            "changed after training; retrain (churn_training job) instead of loading it")
    return pickle.loads(payload)  # noqa: S301 - our own artifact, verified against the digest Dagster recorded


def current(store: ObjectStoreResource) -> dict | None:
    """The promoted version's pointer, or None before the first promotion."""
    return json.loads(_read_bytes(store, CURRENT)) if store.exists(CURRENT) else None


def load_current(store: ObjectStoreResource, recorded_sha256: Callable[[str], str | None]) -> TrainedModel:
    """The promoted model; `recorded_sha256` gives a version's digest from Dagster's materializations."""
    pointer = current(store)
    if pointer is None:
        raise RegistryError(f"no churn model has been promoted yet ({store.location}{CURRENT} is missing): run the "
                            "churn_training job (or `make demo`) first")
    version = checked_version(pointer.get("version"))
    return load(store, version, recorded_sha256(version))


def promote(store: ObjectStoreResource, version: str, run_id: str, sha256: str | None) -> dict:
    model = load(store, version, sha256)  # refuses a missing or altered version
    pointer = {"version": version, "promoted_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
               "promoted_by_run": run_id, "metrics": model.metrics}
    _write_bytes(store, CURRENT, json.dumps(pointer, indent=2).encode())
    return pointer
