"""What the attack tests and benchmark share: a history shaped like the demo's, where nested
lineage fans out fast (one loader writes four data versions, and ``runs`` trainer steps, one
per run, each consume all four and write a model: downstream of a data version are ``runs``
models, upstream of a model four data versions, so each nesting level of upstream/downstream
multiplies the answer), the nested documents, and a watch on the server while they run."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from lineageql.graph import LineageRepository
from lineageql.records import NewArtifactVersion, NewStep
from tests.lineage_builders import Recorder

DATA = ("X_train", "X_test", "y_train", "y_test")


async def record_fan_out(repo: LineageRepository, runs: int = 5) -> dict[str, str]:
    """Record the history; returns the data versions' ids by name."""
    first = await Recorder.start(repo, "training_pipeline", "run-0")
    await first.step("training_data_loader", outputs=list(DATA))
    data = {name: first.version_id(f"training_data_loader.{name}") for name in DATA}
    for index in range(runs):
        recorder = (
            first if index == 0 else await Recorder.start(repo, "training_pipeline", f"run-{index}")
        )
        step = await repo.create_step(NewStep(run_id=recorder.run.id, name="svc_trainer"))
        model = await repo.create_artifact_version(
            NewArtifactVersion(name="trained_model", uri=f"mem://run-{index}/model")
        )
        await repo.link_step_io(step.id, inputs=dict(data), outputs={"model": model.id})
    return data


def nested_walk(levels: int, leaf: str = "id") -> str:
    """``artifactVersion(name: "X_train") { downstream { upstream { ... } } }``, ``levels``
    lists deep."""
    inner = leaf
    for level in range(levels, 0, -1):
        inner = f"{'downstream' if level % 2 else 'upstream'} {{ {inner} }}"
    return f'{{ artifactVersion(name: "X_train") {{ {inner} }} }}'


def count_objects(value: object) -> int:
    """Objects (JSON objects) in an answer's data, the root excluded."""
    if isinstance(value, dict):
        return 1 + sum(count_objects(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_objects(item) for item in value)
    return 0


def resident_megabytes(pid: int) -> float:
    """The resident memory of process ``pid``, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


class ServerWatch:
    """Polls a server's /health every 20 ms from a thread, and samples its resident memory:
    each answer's latency (ms), whether every answer was 200, and the peak memory (MB)."""

    def __init__(self, url: str, pid: int) -> None:
        self.url, self.pid = url, pid
        self.latencies: list[float] = []
        self.all_ok = True
        self.peak_mb = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll)

    def __enter__(self) -> ServerWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _poll(self) -> None:
        with httpx.Client(timeout=120) as client:
            while not self.stop.is_set():
                began = time.perf_counter()
                self.all_ok = client.get(f"{self.url}/health").status_code == 200 and self.all_ok
                self.latencies.append((time.perf_counter() - began) * 1000)
                self.peak_mb = max(self.peak_mb, resident_megabytes(self.pid))
                self.stop.wait(0.02)
