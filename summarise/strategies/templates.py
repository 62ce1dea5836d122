"""Prompt templates (``prompts/*.j2``): loaded once, checked strictly, versioned by content."""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from typing import Any

import jinja2
from jinja2 import meta

from summarise.resources import data_dir

TEMPLATES = ("system", "user", "reask", "anchored_system", "anchored_article", "anchored_overview",
             "anchored_figure", "anchored_select", "anchored_strikes", "anchored_key_demands",
             "anchored_negotiations")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("prompts"))),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        auto_reload=False,  # loaded once per process: a run never mixes prompt versions
    )


@cache
def _variables(name: str) -> frozenset[str]:
    env = _environment()
    source = env.loader.get_source(env, f"{name}.j2")[0]  # type: ignore[union-attr]
    return frozenset(meta.find_undeclared_variables(env.parse(source)))


def render(name: str, **variables: Any) -> str:
    """Render ``prompts/NAME.j2``; unknown or missing variables raise ValueError."""
    expected = _variables(name)
    unknown = set(variables) - expected
    missing = expected - set(variables)
    if unknown or missing:
        raise ValueError(f"prompt {name!r}: unknown variables {sorted(unknown)}, missing {sorted(missing)}")
    return _environment().get_template(f"{name}.j2").render(**variables).strip()


@lru_cache(maxsize=1)
def prompt_version() -> str:
    """A short hash of every template: part of each cache key, changes with any prompt edit."""
    digest = hashlib.sha256()
    folder = data_dir("prompts")
    for name in TEMPLATES:
        digest.update((folder / f"{name}.j2").read_bytes())
    return "p1-" + digest.hexdigest()[:8]
