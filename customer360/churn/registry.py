"""Model versions in the object store, and which one is promoted.

    models/churn/<version>/model.pkl    the fitted pipeline with its threshold and training reference (pickle)
    models/churn/<version>/card.json    metrics, calibration, importance, class balance, the pickle's SHA-256
    models/churn/current.json           the promoted version: what scoring uses

A version is written once and never changed; promotion only rewrites current.json. Loading checks the pickle's
SHA-256 against the card, so a model file replaced in the bucket is refused instead of unpickled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

from customer360.churn.model import TrainedModel
from customer360.resources.object_store import ObjectStoreResource

PREFIX = "models/churn/"
CURRENT = f"{PREFIX}current.json"


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


def load(store: ObjectStoreResource, version: str) -> TrainedModel:
    card_key, model_key = f"{PREFIX}{version}/card.json", f"{PREFIX}{version}/model.pkl"
    if not store.exists(card_key):
        raise RegistryError(f"model version {version} is not in {store.location}{PREFIX}; train one with the "
                            "churn_training job")
    expected = json.loads(_read_bytes(store, card_key))["sha256"]
    payload = _read_bytes(store, model_key)
    if hashlib.sha256(payload).hexdigest() != expected:
        raise RegistryError(f"{model_key} does not match the SHA-256 in its card: it was changed after training; "
                            "retrain (churn_training job) instead of loading it")
    return pickle.loads(payload)  # noqa: S301 - our own artifact, verified against the digest written with it


def current(store: ObjectStoreResource) -> dict | None:
    """The promoted version's pointer, or None before the first promotion."""
    return json.loads(_read_bytes(store, CURRENT)) if store.exists(CURRENT) else None


def load_current(store: ObjectStoreResource) -> TrainedModel:
    pointer = current(store)
    if pointer is None:
        raise RegistryError(f"no churn model has been promoted yet ({store.location}{CURRENT} is missing): run the "
                            "churn_training job (or `make demo`) first")
    return load(store, pointer["version"])


def promote(store: ObjectStoreResource, version: str, run_id: str) -> dict:
    model = load(store, version)  # refuses a missing or altered version
    pointer = {"version": version, "promoted_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
               "promoted_by_run": run_id, "metrics": model.metrics}
    _write_bytes(store, CURRENT, json.dumps(pointer, indent=2).encode())
    return pointer
