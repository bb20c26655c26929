"""Start the real Neo4j of the tests: the Maven-built launcher under ``neo4j-launcher/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class Neo4jProcess:
    """A started Neo4j: its Bolt URL and its process."""

    url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        """Shut it down cleanly (its standard input closes)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_neo4j(home: Path | None = None, port: int | None = None) -> Neo4jProcess:
    """Start a Neo4j: a throwaway one, or with ``home`` and ``port`` one that keeps its data
    in ``home`` and listens on ``port`` (so it can be killed and started again over the same
    data)."""
    build_launcher()
    classpath = os.pathsep.join(
        [str(LAUNCHER_DIR / "target" / "classes"), str(LAUNCHER_DIR / "target" / "lib" / "*")]
    )
    kept = [str(home), str(port)] if home is not None and port is not None else []
    process = subprocess.Popen(
        [
            "java",
            "-Xmx1g",
            "-cp",
            classpath,
            "io.lineageql.launcher.Neo4jLauncher",
            HARNESS_PASSWORD,
            *kept,
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
    return Neo4jProcess(line.split(" ", 1)[1].strip().rstrip("/"), process)


@contextmanager
def running_neo4j() -> Iterator[str]:
    """A Neo4j started for this test session; yields its Bolt URL, stops it afterwards."""
    neo4j = start_neo4j()
    try:
        yield neo4j.url
    finally:
        neo4j.stop()
