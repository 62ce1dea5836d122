"""``summarise keys``: keep an API key in a 0600 file instead of the environment; the key is never shown."""

from __future__ import annotations

import sys

import click

PROVIDERS = ("openai",)


def _from_terminal() -> bool:
    return sys.stdin.isatty()


@click.group("keys")
def keys_cmd() -> None:
    """Store API keys in a file only you can read (used when OPENAI_API_KEY is unset)."""


@keys_cmd.command("set")
@click.argument("provider", type=click.Choice(PROVIDERS))
def set_cmd(provider: str) -> None:
    """Save the key for PROVIDER: typed at a hidden prompt, or piped on standard input."""
    from summarise.settings import save_key

    if _from_terminal():
        key = click.prompt(f"{provider} API key", hide_input=True, prompt_suffix=": ", err=True)
    else:
        key = sys.stdin.read()
    path = save_key(key, provider)
    click.echo(f"summarise: saved the {provider} key to {path} (readable by you only)", err=True)


@keys_cmd.command("path")
@click.argument("provider", type=click.Choice(PROVIDERS), default="openai")
def path_cmd(provider: str) -> None:
    """Print the path of PROVIDER's key file (whether or not it exists yet)."""
    from summarise.settings import key_path

    click.echo(str(key_path(provider)))


COMMANDS = [keys_cmd]
