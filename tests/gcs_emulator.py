"""Start the GCS emulator (``gcp-storage-emulator`` from PyPI) on 127.0.0.1 for the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

BUCKET = "lineageql-tests"
START_TIMEOUT_SECONDS = 30


class EmulatorUnavailable(RuntimeError):
    """The emulator would not start here."""


@contextmanager
def running_gcs_emulator() -> Iterator[str]:
    """An in-memory emulator with the bucket BUCKET; yields its http://host:port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--in-memory", "--default-bucket", BUCKET]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            process.wait()
            log.seek(0)
            raise EmulatorUnavailable(f"the GCS emulator did not start: {log.read()[-2000:]}")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def use_emulator(url: str) -> None:
    """Point gcsfs at the emulator (which speaks JSON over HTTP, not gRPC)."""
    os.environ["STORAGE_EMULATOR_HOST"] = url
    os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"
