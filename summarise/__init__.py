"""summarise: grounded, validated summaries of conflict and crisis reporting.

The public surface is ``__all__``; everything else is private to the package. Names are imported
on first use (PEP 562) so that ``summarise --help`` stays fast. No logic lives here.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarise.client.summariser import Summariser, asummarise, summarise
    from summarise.contract.models import SCHEMA_VERSION, ArticleSummary, CasualtyClaim, KeyDemand, Negotiation, Strike
    from summarise.contract.record import DroppedItem, SummaryResult, Usage
    from summarise.errors import BackendUnavailable, ConfigError, ExtractionFailed, InputError, SummariseError
    from summarise.hooks import Hooks
    from summarise.inputs.article import Article

logging.getLogger("summarise").addHandler(logging.NullHandler())  # a library logs, the application shows

_WHERE = {
    "Summariser": "client.summariser", "summarise": "client.summariser", "asummarise": "client.summariser",
    "Hooks": "hooks",
    "SummariseError": "errors", "InputError": "errors", "ConfigError": "errors",
    "BackendUnavailable": "errors", "ExtractionFailed": "errors",
    "SummaryResult": "contract.record", "Usage": "contract.record", "DroppedItem": "contract.record",
    "SCHEMA_VERSION": "contract.models", "ArticleSummary": "contract.models", "CasualtyClaim": "contract.models",
    "KeyDemand": "contract.models", "Negotiation": "contract.models", "Strike": "contract.models",
    "Article": "inputs.article",
}

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleSummary",
    "BackendUnavailable",
    "CasualtyClaim",
    "ConfigError",
    "DroppedItem",
    "ExtractionFailed",
    "Hooks",
    "InputError",
    "KeyDemand",
    "Negotiation",
    "Strike",
    "SummariseError",
    "Summariser",
    "SummaryResult",
    "Usage",
    "asummarise",
    "summarise",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'summarise' has no attribute {name!r}")
    return getattr(importlib.import_module(f"summarise.{module}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
