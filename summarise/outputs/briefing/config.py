"""The briefing config (TOML), read through the package's one settings loader.

A config may come from someone else, so what it can reach is bounded: relative outputs and ``path``
sources must stay inside the config's folder (an absolute path says "elsewhere, on purpose"), and
a ``base_url`` it names gets an API key only from the variable ``api_key_env`` names.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from summarise.errors import ConfigError
from summarise.inputs import DEFAULT_MAX_CHARS
from summarise.settings import load_toml, parse_duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    """One source: exactly one of a path (file, folder or glob), a URL, or a feed."""

    path: str | None = None
    url: str | None = None
    feed: str | None = None
    outlet: str | None = None
    published: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        if sum(v is not None for v in (self.path, self.url, self.feed)) != 1:
            raise ValueError("each [[sources]] needs exactly one of path, url, feed")
        return self


class Schedule(_Strict):
    every: str | None = None
    cron: str | None = None


class BriefFile(_Strict):
    """What the TOML file may hold; relative paths in it are from the file's folder and stay inside it."""

    title: str = "Briefing"
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = Field(default=None, description="the variable holding the key for base_url")
    allow_private_network: bool = Field(default=False, description="fetch URLs and feeds on private addresses")
    strategy: str | None = None
    window: str | None = Field(default=None, description="24h, 7d or all")
    keywords: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    output: dict[Literal["markdown", "html", "json"], str] = Field(min_length=1)
    schedule: Schedule = Field(default_factory=Schedule)
    max_chars: int = DEFAULT_MAX_CHARS

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value not in (None, "", "all"):
            parse_duration(value)  # ValueError: reported with the file's name
        return value


class BriefConfig(BriefFile):
    base: Path

    @property
    def outputs(self) -> dict[str, Path]:
        return {fmt: (self.base / p).resolve() for fmt, p in self.output.items()}

    @property
    def window_delta(self) -> timedelta | None:
        return None if self.window in (None, "", "all") else parse_duration(self.window)


_WILDCARD = re.compile(r"[*?\[]")


def _is_glob(pattern: str) -> bool:
    return bool(_WILDCARD.search(pattern))


def expand(base: Path, pattern: str) -> list[Path]:
    """What a ``path`` source names: a file or folder, or the sorted matches of a glob (relative or absolute)."""
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if _is_glob(part)), None)
    if fixed is None:
        return [base / pattern]
    # Path.glob takes only relative patterns: glob the wildcard part from the folder before it
    # (an absolute prefix replaces ``base`` in joinpath)
    return sorted(base.joinpath(*parts[:fixed]).glob(str(Path(*parts[fixed:]))))


def _inside(base: Path, value: str) -> bool:
    """Relative ``value`` stays in ``base`` once ``..`` is resolved; absolute ones are on purpose.

    Checked on the text, not through symlinks: a link the user put in the folder is their choice.
    """
    return Path(value).is_absolute() or Path(os.path.normpath(base / value)).is_relative_to(base)


def _check_paths(config: BriefConfig, path: Path) -> None:
    named = [(f"output.{fmt}", value) for fmt, value in config.output.items()]
    named += [(f"sources[{i}].path", s.path) for i, s in enumerate(config.sources) if s.path is not None]
    for key, value in named:
        if not _inside(config.base, value):
            raise ConfigError(f"briefing config {path}: {key} = {value!r} leads outside the config's folder "
                              f"{config.base}; give an absolute path to use a place outside it on purpose")


def load_config(path: Path) -> BriefConfig:
    """The briefing config at ``path``; ConfigError names the file and what is wrong."""
    data = load_toml(path, BriefFile, what="briefing config")
    config = BriefConfig(**data.model_dump(), base=path.resolve().parent)
    _check_paths(config, path)
    return config
