"""summarise: grounded, validated summaries of conflict and crisis reporting.

Names are imported on first use (PEP 562) so that ``summarise --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import asummarise, summarise
    from .errors import BackendUnavailable, ConfigError, ExtractionFailed, InputError, SummariseError
    from .result import SummaryResult, Usage
    from .schema import SCHEMA_VERSION, ArticleSummary, CasualtyClaim, KeyDemand, Negotiation, Strike
    from .sources import Article

logging.getLogger("summarise").addHandler(logging.NullHandler())  # a library logs, the application shows

_WHERE = {
    "summarise": "api", "asummarise": "api",
    "SummariseError": "errors", "InputError": "errors", "ConfigError": "errors",
    "BackendUnavailable": "errors", "ExtractionFailed": "errors",
    "SummaryResult": "result", "Usage": "result",
    "SCHEMA_VERSION": "schema", "ArticleSummary": "schema", "CasualtyClaim": "schema",
    "KeyDemand": "schema", "Negotiation": "schema", "Strike": "schema",
    "Article": "sources",
}

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleSummary",
    "BackendUnavailable",
    "CasualtyClaim",
    "ConfigError",
    "ExtractionFailed",
    "InputError",
    "KeyDemand",
    "Negotiation",
    "Strike",
    "SummariseError",
    "SummaryResult",
    "Usage",
    "asummarise",
    "summarise",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'summarise' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
