"""The ``shopify-sync`` command line."""

from __future__ import annotations

import typer

from producers.commands import auth, connector, dlq, mapping_cmd, serve, shops, simulator_cmd, sync_cmd

app = typer.Typer(
    name="shopify-sync",
    help="Push warehouse records into Shopify stores through Redis and Celery, within Shopify's rate limits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("sync")(sync_cmd.sync)
app.command("status")(sync_cmd.status)
app.command("demo")(sync_cmd.demo)
app.command("worker", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    sync_cmd.worker
)
app.command("simulator")(simulator_cmd.simulator)
app.command("serve")(serve.serve)
app.command("spec")(connector.spec)
app.command("check")(connector.check)
app.command("discover")(connector.discover)
app.command("write")(connector.write)
app.add_typer(dlq.app, name="dlq")
app.add_typer(shops.app, name="shops")
app.add_typer(auth.app, name="auth")
app.add_typer(mapping_cmd.app, name="mapping")


def main() -> None:
    """Entry point of the console script."""
    app()
