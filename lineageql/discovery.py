"""Finding the server that holds an embedded store.

The embedded store admits one process. While ``lineageql serve`` holds it, the server
records its URL in a file beside the store, and clients, the CLI and the SDK on this machine
go through that server instead of opening the store. A record whose process is gone, or
whose server does not answer, is stale and ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

RECORD_SUFFIX = ".server.json"
HEALTH_TIMEOUT_SECONDS = 2.0


def record_path(store: str) -> Path:
    """Where the server of the embedded store ``store`` records its URL."""
    path = Path(store).expanduser()
    return path.with_name(path.name + RECORD_SUFFIX)


def write_record(store: str, url: str) -> None:
    path = record_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}))


def remove_record(store: str) -> None:
    """Remove the record if this process wrote it."""
    path = record_path(store)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def find_server(store: str) -> str | None:
    """The URL of a live server holding ``store``, or None."""
    try:
        record = json.loads(record_path(store).read_text())
        url, pid = str(record["url"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    try:
        answered = httpx.get(f"{url}/health", timeout=HEALTH_TIMEOUT_SECONDS)
    except httpx.HTTPError:
        return None
    return url if answered.status_code in (200, 503) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
