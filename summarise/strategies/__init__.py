"""The extraction strategies, by name; ``auto`` takes the backend's measured default.

Every strategy is a function ``(Run) -> ArticleSummary`` behind the ``Strategy`` protocol: it asks
the model through ``Run.ask`` (the one reask loop) and validates through ``Run.validate`` (the one
drop-and-report path), so options, hooks and the call log reach every strategy alike.

This module stays light (``summarise --help`` imports it): implementations load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from summarise.errors import ConfigError

if TYPE_CHECKING:
    from summarise.contract.models import ArticleSummary
    from summarise.strategies.loop import Run

# name: (module, function, version). Bump a version when a strategy's code changes what it extracts:
# it is part of every cache key, with the prompt version.
_REGISTRY: dict[str, tuple[str, str, str]] = {
    "single-pass": ("single_pass", "run", "7"),  # the whole schema in one call, validators and reasks
    "anchored": ("anchored", "run", "13"),  # code finds figures and candidate sentences, the model classifies
    # casualty claims only (no headline call, no other sections): for counting at scale
    "anchored-casualties": ("anchored", "run_casualties_only", "13"),
}
NAMES: tuple[str, ...] = tuple(_REGISTRY)
CHOICES: tuple[str, ...] = ("auto", *NAMES)  # what a user may pass
VERSIONS: dict[str, str] = {name: version for name, (_, _, version) in _REGISTRY.items()}


class Strategy(Protocol):
    def __call__(self, run: Run) -> ArticleSummary: ...


def resolve(name: str, default: str) -> tuple[str, Strategy]:
    """The strategy's name and function; ``auto`` means ``default`` (the backend's)."""
    chosen = default if name == "auto" else name
    if chosen not in _REGISTRY:
        raise ConfigError(f"unknown strategy {name!r}; use {', '.join(CHOICES)}")
    module, function, _ = _REGISTRY[chosen]
    strategy: Strategy = getattr(importlib.import_module(f"summarise.strategies.{module}"), function)
    return chosen, strategy
