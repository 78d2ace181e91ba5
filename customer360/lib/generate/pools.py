"""Value pools taken from Faker's en_US word lists (with their frequency weights), then sampled with numpy.

Faker per row makes ~1.7k customers/s; reading its lists once and sampling arrays makes hundreds of thousands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from faker import Faker
from faker.providers.address.en_US import Provider as AddressProvider
from faker.providers.person.en_US import Provider as PersonProvider

CITIES = 400  # Faker composes city names from parts; a few hundred distinct ones are plenty
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")


@dataclass(frozen=True)
class Pool:
    values: pa.Array
    weights: np.ndarray  # probabilities, sum to 1

    def sample(self, rng: np.random.Generator, count: int) -> pa.Array:
        return self.values.take(rng.choice(len(self.values), size=count, p=self.weights))


@dataclass(frozen=True)
class NamePools:
    first_names: Pool
    last_names: Pool
    cities: Pool
    states: Pool


def _weighted(frequencies: dict[str, float]) -> Pool:
    weights = np.array(list(frequencies.values()), dtype=float)
    return Pool(pa.array(list(frequencies)), weights / weights.sum())


def _uniform(values: list[str]) -> Pool:
    return Pool(pa.array(values), np.full(len(values), 1 / len(values)))


def build_pools(seed: int) -> NamePools:
    """Faker's name lists with their weights, and a seeded set of city names; same seed, same pools."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return NamePools(
        first_names=_weighted(PersonProvider.first_names),
        last_names=_weighted(PersonProvider.last_names),
        cities=_uniform(sorted({fake.city() for _ in range(CITIES)})),
        states=_uniform(list(AddressProvider.states_abbr)),
    )
