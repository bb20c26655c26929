"""Start the real Neo4j of the tests: the Maven-built launcher under ``neo4j-launcher/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LAUNCHER_DIR = Path(__file__).resolve().parent.parent / "neo4j-launcher"
READY_TIMEOUT_SECONDS = 180
HARNESS_USER = "neo4j"
HARNESS_PASSWORD = "lineageql-test-password"
"""The harness runs with authentication on, so credentials are checked as in production."""


class Neo4jUnavailable(RuntimeError):
    """Java, Maven or Neo4j itself could not be made to run here."""


def build_launcher() -> None:
    """Compile the launcher and copy its classpath (Maven caches the downloads in ~/.m2)."""
    if (LAUNCHER_DIR / "target" / "classes").is_dir() and (
        LAUNCHER_DIR / "target" / "lib"
    ).is_dir():
        return
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise Neo4jUnavailable(
            "Java 17 and Maven are needed to start Neo4j for the tests; install them "
            "(e.g. `apt-get install openjdk-17-jdk-headless maven`) or set NEO4J_URI"
        )
    result = subprocess.run(
        ["mvn", "-B", "-q", "package", "-DskipTests"],
        cwd=LAUNCHER_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Neo4jUnavailable(f"building the Neo4j launcher failed:\n{result.stdout[-4000:]}")


@contextmanager
def running_neo4j() -> Iterator[str]:
    """A Neo4j started for this test session; yields its Bolt URL, stops it afterwards."""
    build_launcher()
    classpath = os.pathsep.join(
        [str(LAUNCHER_DIR / "target" / "classes"), str(LAUNCHER_DIR / "target" / "lib" / "*")]
    )
    process = subprocess.Popen(
        [
            "java",
            "-Xmx1g",
            "-cp",
            classpath,
            "io.lineageql.launcher.Neo4jLauncher",
            HARNESS_PASSWORD,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(READY_TIMEOUT_SECONDS)
    line = ready[0] if ready else ""
    if not line.startswith("READY "):
        process.kill()
        _, errors = process.communicate()
        raise Neo4jUnavailable(f"Neo4j did not start: {line!r}\n{errors[-4000:]}")
    try:
        yield line.split(" ", 1)[1].strip().rstrip("/")
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
