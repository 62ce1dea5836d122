"""The Summariser a briefing uses, holding only the API key its config allows.

A config can name any server as ``base_url``. The user's ``OPENAI_API_KEY`` (or their
``api_key_file``) is meant for their own server or OpenAI, so it goes to a server the config names
only when the config says so, with ``api_key_env = "OPENAI_API_KEY"`` (or another variable).
"""

from __future__ import annotations

import os

from summarise.client.summariser import Summariser
from summarise.errors import ConfigError
from summarise.outputs.briefing.config import BriefConfig


def summariser(config: BriefConfig) -> Summariser:
    """The client for ``config``; ConfigError when the key variable it names is not set."""
    keyless = config.base_url is not None and not config.api_key_env  # "": send no key at all
    key = "" if keyless else _named_key(config)  # without base_url: OpenAI or the user's own server
    return Summariser(config.model, base_url=config.base_url, api_key=key, strategy=config.strategy,
                      max_chars=config.max_chars)


def _named_key(config: BriefConfig) -> str | None:
    if not config.api_key_env:
        return None
    key = os.environ.get(config.api_key_env)
    if not key:
        raise ConfigError(f"the briefing config names api_key_env = {config.api_key_env!r}, "
                          f"but {config.api_key_env} is not set in the environment")
    return key
