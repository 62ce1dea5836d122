"""The briefing config (TOML), read through the package's one settings loader."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    """What the TOML file may hold; paths in it are relative to the file."""

    title: str = "Briefing"
    model: str | None = None
    base_url: str | None = None
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


def load_config(path: Path) -> BriefConfig:
    """The briefing config at ``path``; ConfigError names the file and what is wrong."""
    data = load_toml(path, BriefFile, what="briefing config")
    return BriefConfig(**data.model_dump(), base=path.resolve().parent)
