"""The ``lineageql`` command as a user runs it: a subprocess, its output and exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def lineageql(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lineageql", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_demo_records_runs_and_prints_lineage(tmp_path: Path) -> None:
    store = str(tmp_path / "demo.lbdb")
    first = lineageql("demo", "--store", store)
    assert first.returncode == 0, first.stderr
    assert "Recorded 2 runs" in first.stdout
    assert "trained_model v2  (depth 0)" in first.stdout
    assert "X_train v2  (depth 1)" in first.stdout
    assert "y_train v2  (depth 1)" in first.stdout
    assert "X_test" not in first.stdout.split("Upstream lineage")[1]
    second = lineageql("demo", "--store", store)
    assert second.returncode == 0, second.stderr
    assert "trained_model v4" in second.stdout
    assert "The store now holds 4 runs." in second.stdout


def test_unreachable_store_is_one_friendly_line(tmp_path: Path) -> None:
    result = lineageql("demo", "--store", "bolt://127.0.0.1:9")
    assert result.returncode == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
