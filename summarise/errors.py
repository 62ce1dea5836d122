"""One exception root for the library; the CLI maps each class to an exit code."""

from __future__ import annotations


class SummariseError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 1


class InputError(SummariseError):
    """The article cannot be read or is not usable text."""

    exit_code = 2


class ConfigError(SummariseError):
    """A setting, model string or optional dependency is wrong or missing."""

    exit_code = 3


class BackendUnavailable(SummariseError):
    """The model backend cannot be reached or loaded (server down, model file bad)."""

    exit_code = 4


class ExtractionFailed(SummariseError):
    """The model's output still failed validation after every allowed attempt."""

    exit_code = 5

    def __init__(self, message: str, *, attempts: int = 0, errors: list[str] | None = None,
                 usage: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.errors = errors or []
        self.usage = usage or {}
