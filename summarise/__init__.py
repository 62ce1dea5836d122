"""summarise: grounded, validated summaries of conflict and crisis reporting."""

from .api import asummarise, summarise
from .errors import BackendUnavailable, ConfigError, ExtractionFailed, InputError, SummariseError
from .result import SummaryResult, Usage
from .schema import SCHEMA_VERSION, ArticleSummary, CasualtyClaim, KeyDemand, Negotiation, Strike
from .sources import Article

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
