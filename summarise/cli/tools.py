"""``summarise schema`` and ``summarise serve``."""

from __future__ import annotations

import sys

import click


@click.command("schema")
@click.option("--record", is_flag=True, help="The full output record (with quote spans and usage), "
              "not just what the model fills.")
def schema_cmd(record: bool) -> None:
    """Print the JSON Schema of the output contract (schema v1)."""
    from summarise.contract.export import schema_json

    click.echo(schema_json(record=record), nl=False)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it local).")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--n-ctx", type=int, default=8192, show_default=True, help="Context window in tokens.")
# The key may come from the environment: a command line is visible to every user of the machine (ps).
@click.option("--api-key", envvar="SUMMARISE_SERVE_API_KEY", show_envvar=True,
              help="Require every request to send 'Authorization: Bearer KEY' (summarise clients: OPENAI_API_KEY).")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN",
              help="Let web pages from ORIGIN (e.g. http://localhost:3000) call the server; repeatable. "
              "Default: no web page may.")
def serve_cmd(host: str, port: int, n_ctx: int, api_key: str | None, allow_origins: tuple[str, ...]) -> None:
    """Serve the embedded model on an OpenAI-compatible HTTP API (llama-cpp-python's server).

    Point a client at it with --model llamacpp/local --base-url http://HOST:PORT/v1. Requests
    from web pages are refused unless --allow-origin names their origin; request bodies over
    2 MB are refused.
    """
    from summarise.backends.server import serve

    sys.exit(serve(host=host, port=port, n_ctx=n_ctx, api_key=api_key, allow_origins=allow_origins,
                   progress=lambda m: click.echo(f"summarise: {m}", err=True)))


COMMANDS = [schema_cmd, serve_cmd]
