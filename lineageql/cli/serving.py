"""``lineageql serve`` and ``lineageql demo``: the API under uvicorn, and the demo history
served for GraphiQL."""

from __future__ import annotations

import asyncio
import os
import socket

import typer
import uvicorn
from rich.markup import escape
from uvicorn.supervisors import Multiprocess

from lineageql.cli.output import console, friendly_errors
from lineageql.client import close_connections
from lineageql.demo import WALK_QUERY, record_demo
from lineageql.discovery import find_server
from lineageql.errors import BadInputError
from lineageql.graph import open_store
from lineageql.graph.connect import is_neo4j_url
from lineageql.server.origins import host_name, is_loopback
from lineageql.server.protocol import DeadlineHttpProtocol
from lineageql.settings import Settings

StoreOption = typer.Option(None, help="Store path or Neo4j URL (default: LINEAGEQL_STORE).")
HostOption = typer.Option("127.0.0.1", help="Interface to listen on.")
PortOption = typer.Option(8000, help="Port to listen on.")


def _settings(store: str | None) -> Settings:
    return Settings(store=store) if store else Settings()


def serve(
    host: str = HostOption,
    port: int = PortOption,
    store: str | None = StoreOption,
    workers: int = typer.Option(
        1, min=1, help="Worker processes (a Neo4j store only; the embedded store is one process)."
    ),
) -> None:
    """Serve the explorer (/), the GraphQL API (GraphiQL at /graphql in a browser),
    OpenLineage ingestion, /health and downloads."""
    settings = _settings(store)
    with friendly_errors():
        if workers > 1 and not is_neo4j_url(settings.store):
            raise BadInputError(
                f"--workers {workers} needs a Neo4j store: the embedded store {settings.store} "
                "admits one process. Serve it with one worker, or point --store (or "
                "LINEAGEQL_STORE) at a Neo4j URL such as bolt://localhost:7687",
                "workers",
            )
        settings.check_serving()
        _check_store(settings)
    url = _url(host, port)
    console.print(f"Explorer: {url}/   GraphiQL: {url}/graphql   store: {settings.store}")
    _warn_if_open(settings, host)
    if workers > 1:
        # Each worker process builds its app from the environment, so the store goes there.
        os.environ["LINEAGEQL_STORE"] = settings.store
        _run_workers(host, port, workers)
        return
    _run_server(settings, host, port)


def _run_workers(host: str, port: int, workers: int) -> None:
    """``workers`` uvicorn processes sharing one listening socket.

    The socket is bound here rather than by uvicorn: uvicorn 0.54's ``Config.bind_socket``
    leaves the protocol at 0, so asyncio does not set TCP_NODELAY on the connections it
    accepts, and every keep-alive request after the first waits ~40 ms for a delayed ACK
    (uvicorn issue #3149; measured 48 ms against 3.5 ms for a small query).
    """
    config = uvicorn.Config(
        "lineageql.server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        http=DeadlineHttpProtocol,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.set_inheritable(True)
    try:
        Multiprocess(config, sockets=[listener]).run()
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()


def demo(
    store: str | None = StoreOption,
    host: str = HostOption,
    port: int = PortOption,
    serve_after: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the API after recording (until stopped)."
    ),
) -> None:
    """Record the iris training pipeline a few times, then serve it for GraphiQL."""
    settings = _settings(store)
    if store:
        # The SDK reads its settings from the environment, like any script.
        os.environ["LINEAGEQL_STORE"] = store
    with friendly_errors():
        console.print(f"Recording runs of the iris training pipeline into {settings.store}:")
        result = record_demo(lambda line: console.print(line, markup=False))
    console.print(f"Recorded {len(result.runs) + 1} runs ({len(result.runs)} succeeded).")
    running = None if is_neo4j_url(settings.store) else find_server(settings.store)
    close_connections()
    url = running or _url(host, port)
    console.print(
        f"\nExplore it in the browser: {url}/\n"
        f"or in GraphiQL: {url}/graphql, with this query:\n{WALK_QUERY}"
    )
    if serve_after and running is None:
        console.print("Serving until you press Ctrl+C.")
        _run_server(settings, host, port)
    elif running is not None:
        console.print(f"(the server at {running} already holds this store)")


def _warn_if_open(settings: Settings, host: str) -> None:
    """Say so when the server listens beyond this machine and anyone may write."""
    if settings.api_token is None and not is_loopback(host_name(host)):
        console.print(
            f"[yellow]warning:[/yellow] serving on {escape(host)} without LINEAGEQL_API_TOKEN: "
            "anyone who reaches this port may read and write the whole history (and prune "
            "artifacts). Set LINEAGEQL_API_TOKEN, or serve on 127.0.0.1."
        )


def _check_store(settings: Settings) -> None:
    """Open and close the store once, so a bad setting fails with one clear line."""

    async def check() -> None:
        await (await open_store(settings)).close()

    asyncio.run(check())


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{port}"


def _run_server(settings: Settings, host: str, port: int) -> None:
    from lineageql.server import create_app  # the whole app: only for the commands that serve

    app = create_app(settings, advertise_url=_url(host, port))
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=DeadlineHttpProtocol,
    )
