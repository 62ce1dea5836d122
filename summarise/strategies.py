"""The extraction strategies by name; ``auto`` takes the backend's measured default."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import anchored, extract
from .errors import ConfigError

if TYPE_CHECKING:
    from .backends import Backend
    from .result import SummaryResult

Strategy = Callable[..., "SummaryResult"]

STRATEGIES: dict[str, Strategy] = {
    "single-pass": extract.run,  # the whole schema in one call, validators and reasks
    "anchored": anchored.run,  # code finds figures and candidate sentences, the model classifies
    # casualty claims only (no headline call, no other sections): for counting at scale
    "anchored-casualties": functools.partial(anchored.run, casualties_only=True),
}


# Bump when a strategy's code changes what it extracts: part of every cache key, with the prompt version.
VERSIONS = {"single-pass": "2", "anchored": "8", "anchored-casualties": "8"}


def resolve(name: str, backend: Backend) -> tuple[str, Strategy]:
    """The strategy's name and function; ``auto`` means the backend's default."""
    chosen = backend.default_strategy if name == "auto" else name
    if chosen not in STRATEGIES:
        raise ConfigError(f"unknown strategy {name!r}; use auto, {', '.join(STRATEGIES)}")
    return chosen, STRATEGIES[chosen]
