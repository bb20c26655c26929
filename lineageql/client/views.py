"""What the client hands back: read-only views over API answers, with lazy walks.

Runs listed from a pipeline arrive with their steps, inputs, outputs, tags and metadata, so
walking ``pipeline.runs`` down to the outputs' metadata is one request whatever the number
of runs. Each other attribute that walks further (a version's producer, its upstream) costs
one GraphQL request.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineageql.artifacts import ArtifactStore
from lineageql.artifacts.values import load_value
from lineageql.client import documents as d
from lineageql.client.diff_views import LineageDiffView
from lineageql.client.list_options import as_utc
from lineageql.client.visualization import show_visualizations
from lineageql.errors import BadInputError, NotFoundError
from lineageql.records import ExecutionStatus

if TYPE_CHECKING:
    from lineageql.client.client import Client


def status_name(status: ExecutionStatus | str) -> str:
    """The API's name for a status (``"failed"`` -> ``"FAILED"``), or a BadInputError."""
    try:
        return ExecutionStatus(str(status).lower()).name
    except ValueError as error:
        allowed = ", ".join(s.value for s in ExecutionStatus)
        raise BadInputError(
            f"{status!r} is not a status; use one of {allowed}", "status"
        ) from error


def time_of(text: str | None) -> datetime | None:
    """An API time as a datetime (None stays None)."""
    return datetime.fromisoformat(text) if text else None


class MetadataValue:
    """One metadata entry; ``.value`` is the value logged."""

    def __init__(self, key: str, value: Any, type: str) -> None:
        self.key, self.value, self.type = key, value, type

    def __repr__(self) -> str:
        return f"MetadataValue({self.key}={self.value!r})"


def metadata_values(entries: list[dict[str, Any]]) -> dict[str, MetadataValue]:
    return {e["key"]: MetadataValue(e["key"], e["value"], e["type"]) for e in entries}


class ArtifactVersionView:
    """One version of an artifact: its record, and ``load()`` for its value."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.version: str = data["version"]
        self.type: str = data["type"]
        self.data_type: str | None = data["dataType"]
        self.uri: str = data["uri"]
        self.materializer: str | None = data["materializer"]
        self.save_type: str = data["saveType"].lower()
        self.created = time_of(data["created"])
        self.tags: list[str] = data["tags"]
        self.run_metadata = metadata_values(data["runMetadata"])
        self.visualizations: list[dict[str, str]] = data["visualizations"]

    def __repr__(self) -> str:
        return f"ArtifactVersionView(name={self.name!r}, version={self.version!r})"

    def load(self) -> Any:
        """The stored value: read from the artifact store when this machine reaches it, else
        fetched through the server's download route; a version whose files lie outside the
        artifact store (one imported from ZenML) is read where they are, if this machine
        reaches them."""
        store = self._client.artifact_store
        if store.contains(self.uri) and store.exists(self.uri):
            return load_value(store, self.uri, self.materializer, self.data_type)
        if not store.contains(self.uri):
            around = ArtifactStore.around(self.uri)
            if around is not None and around.exists(self.uri):
                return load_value(around, self.uri, self.materializer, self.data_type)
        fetched = self._client.fetch_files(self.id)
        if fetched is None:
            return load_value(store, self.uri, self.materializer, self.data_type)
        local = ArtifactStore(str(fetched.parent))
        return load_value(local, str(fetched), self.materializer, self.data_type)

    def read(self) -> Any:
        """The stored value (the older spelling of ``load``)."""
        return self.load()

    @property
    def metadata(self) -> dict[str, Any]:
        """Metadata values by key (the older spelling; ``run_metadata[key].value``)."""
        return {key: entry.value for key, entry in self.run_metadata.items()}

    def visualize(self, folder: str | Path | None = None) -> list[Path]:
        """Show the visualizations: inline in Jupyter, else copied to a folder it prints."""
        title = f"{self.name} v{self.version}"
        where = Path(folder) if folder is not None else None
        return show_visualizations(self._client.artifact_store, title, self.visualizations, where)

    def download_files(self, path: str | Path, overwrite: bool = False) -> Path:
        """Zip this version's files into ``path`` (which must end in ``.zip``)."""
        target = Path(path)
        if target.suffix != ".zip":
            raise BadInputError(
                f"{str(path)!r} must end in .zip; the files are saved as a zip", "path"
            )
        if target.exists() and not overwrite:
            raise BadInputError(f"{target} exists; pass overwrite=True to replace it", "path")
        store = self._client.artifact_store
        if not store.exists(self.uri):
            raise NotFoundError(
                f"the files of {self.name}:{self.version} are gone from {self.uri!r}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as archive:
            if store.is_dir(self.uri):
                store.zip_folder(self.uri, archive)
            else:
                with tempfile.TemporaryDirectory() as folder:
                    single = Path(folder) / Path(self.uri).name
                    with store.open(self.uri) as source, single.open("wb") as sink:
                        shutil.copyfileobj(source, sink)
                    shutil.make_archive(str(Path(folder) / "a"), "zip", folder, single.name)
                    archive.write((Path(folder) / "a.zip").read_bytes())
        return target

    @property
    def producer_step(self) -> StepView | None:
        """The step that ran and produced this version (None for saved or external data)."""
        data = self._client.execute(d.VERSION_PRODUCERS, id=self.id)["artifactVersion"]
        producer = data["producedBy"] if data else None
        return self._client.get_run_step(producer["id"]) if producer else None

    def diff(self, other: ArtifactVersionView | str, depth: int = 10) -> LineageDiffView:
        """Why ``other`` (a view or a version id) differs from this version: their upstream
        steps and artifacts to ``depth`` steps, matched by name."""
        other_id = other.id if isinstance(other, ArtifactVersionView) else other
        data = self._client.execute(d.LINEAGE_DIFF, fromId=self.id, toId=other_id, depth=depth)
        return LineageDiffView.of(data["lineageDiff"])

    def upstream(self, depth: int = 3) -> list[ArtifactVersionView]:
        """Versions this one was derived from, within ``depth`` steps."""
        return self._lineage("upstream", depth)

    def downstream(self, depth: int = 3) -> list[ArtifactVersionView]:
        """Versions derived from this one, within ``depth`` steps."""
        return self._lineage("downstream", depth)

    def _lineage(self, direction: str, depth: int) -> list[ArtifactVersionView]:
        data = self._client.execute(d.VERSION_LINEAGE, id=self.id, depth=depth)["artifactVersion"]
        return [ArtifactVersionView(self._client, v) for v in data[direction]]


class StepOutput(list[ArtifactVersionView]):
    """The versions under one output name: index it (``[0]``) or use it as the version."""

    def __getattr__(self, attribute: str) -> Any:
        if len(self) != 1:
            raise AttributeError(attribute)
        return getattr(self[0], attribute)


class StepConfig:
    def __init__(self, parameters: dict[str, Any], settings: dict[str, Any]) -> None:
        self.parameters = parameters
        self.settings = settings


class StepView:
    """One step of a run, with its inputs and outputs by name."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.step_name: str = data["stepName"]
        self.status = ExecutionStatus(data["status"].lower())
        self.start_time = time_of(data["startTime"])
        self.end_time = time_of(data["endTime"])
        self.cache_key: str | None = data["cacheKey"]
        self.parameters: dict[str, Any] = data["parameters"]
        self.config = StepConfig(data["parameters"], data["settings"])
        self.docstring: str | None = data["docstring"]
        self.error_message: str | None = data["errorMessage"]
        self.source_hash: str | None = data["sourceHash"]
        self.run_metadata = metadata_values(data["runMetadata"])
        self.inputs = self._by_name(data["inputs"])
        self.outputs = self._by_name(data["outputs"])

    def __repr__(self) -> str:
        return f"StepView(name={self.name!r}, status={self.status.value!r})"

    def _by_name(self, links: list[dict[str, Any]]) -> dict[str, StepOutput]:
        found: dict[str, StepOutput] = {}
        for link in links:
            version = ArtifactVersionView(self._client, link["artifactVersion"])
            found.setdefault(link["name"], StepOutput()).append(version)
        return found

    @property
    def step_configuration(self) -> dict[str, Any]:
        """Parameters and settings (the older spelling of ``config``)."""
        return {"parameters": self.config.parameters, "settings": self.config.settings}

    @property
    def metadata(self) -> dict[str, Any]:
        return {key: entry.value for key, entry in self.run_metadata.items()}

    def visualize(self, folder: str | Path | None = None) -> list[Path]:
        """Show the visualizations of every output of this step."""
        return [
            path
            for versions in self.outputs.values()
            for version in versions
            for path in version.visualize(folder)
        ]

    @property
    def output(self) -> ArtifactVersionView:
        """The only output; an error naming them when there are several."""
        return _single(self.outputs, "output", self.name)

    @property
    def input(self) -> ArtifactVersionView:
        """The only input; an error naming them when there are several."""
        return _single(self.inputs, "input", self.name)


def _single(links: dict[str, StepOutput], which: str, step: str) -> ArtifactVersionView:
    if len(links) != 1:
        names = ", ".join(links) or "none"
        raise BadInputError(
            f"step {step!r} has {len(links)} {which}s ({names}); use `{which}s[name]`"
        )
    return next(iter(links.values()))[0]


class RunConfig(dict[str, Any]):
    """A run's configuration; ``.settings`` and ``.parameters`` are its parts."""

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.get("settings", {}))

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.get("parameters", {}))


class StepsView(dict[str, StepView]):
    """A run's steps by invocation id in execution order; ``[0]`` and ``[-1]`` by position."""

    def __getitem__(self, key: str | int) -> StepView:
        if isinstance(key, int):
            return list(self.values())[key]
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError(f"no step {key!r} in this run; it has {', '.join(self)}") from None


class RunView:
    """One pipeline run."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.status = ExecutionStatus(data["status"].lower())
        self.created = time_of(data["created"])
        self.start_time = time_of(data["startTime"])
        self.end_time = time_of(data["endTime"])
        self.config = RunConfig(data["config"])
        self.config["settings"] = data["settings"]
        self.settings: dict[str, Any] = data["settings"]
        self.git_sha: str | None = data["gitSha"]
        self.docstring: str | None = data["docstring"]
        self.tags: list[str] = data["tags"]
        self.run_metadata = metadata_values(data["runMetadata"])
        self.pipeline_id: str = data["pipeline"]["id"]
        self.pipeline_name: str = data["pipeline"]["name"]
        version = data.get("pipelineVersion")
        self.pipeline_version: int | None = version["version"] if version else None
        self._steps: StepsView | None = None
        if "steps" in data:
            self._steps = self._steps_of(data["steps"])

    def __repr__(self) -> str:
        return f"RunView(name={self.name!r}, status={self.status.value!r})"

    @property
    def steps(self) -> StepsView:
        """Steps by invocation id, in execution order (fetched once, in one request)."""
        if self._steps is None:
            data = self._client.execute(d.RUN_STEPS, id=self.id)["pipelineRun"]
            self._steps = self._steps_of(data["steps"])
        return self._steps

    def _steps_of(self, steps: list[dict[str, Any]]) -> StepsView:
        return StepsView((step["name"], StepView(self._client, step)) for step in steps)

    def get_step(self, step: Any) -> StepView:
        """A step by invocation id (or by the step function, for a step run once)."""
        return self.steps[step if isinstance(step, str | int) else step.name]

    @property
    def pipeline_configuration(self) -> RunConfig:
        """The older spelling of ``config``."""
        return self.config

    @property
    def metadata(self) -> dict[str, Any]:
        return {key: entry.value for key, entry in self.run_metadata.items()}

    def visualize(self, folder: str | Path | None = None) -> list[Path]:
        """Show the visualizations of every artifact this run produced."""
        return [path for step in self.steps.values() for path in step.visualize(folder)]

    @property
    def pipeline(self) -> PipelineView:
        return self._client.get_pipeline(self.pipeline_id)

    def refresh(self) -> RunView:
        """This run as it is stored now (for a run still going)."""
        return self._client.get_pipeline_run(self.id)


class PipelineVersionView:
    """One structure of a pipeline, with its runs newest first."""

    def __init__(self, client: Client, pipeline_name: str, data: dict[str, Any]) -> None:
        self.name = pipeline_name
        self.version: int = data["version"]
        self.structure_hash: str = data["structureHash"]
        self.created = time_of(data["created"])
        self.runs = [RunView(client, edge["node"]) for edge in data["runs"]["edges"]]

    def __repr__(self) -> str:
        return f"PipelineVersionView(name={self.name!r}, version={self.version})"


class PipelineView:
    """A pipeline: its runs, newest first."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.docstring: str | None = data["docstring"]
        self.created = time_of(data["created"])
        self.run_count: int = data["runCount"]

    def __repr__(self) -> str:
        return f"PipelineView(name={self.name!r})"

    def get_runs(
        self, size: int = 100, status: ExecutionStatus | str | None = None
    ) -> list[RunView]:
        """Up to ``size`` runs, newest first, optionally only those with ``status``."""
        wanted = status_name(status) if status is not None else None
        data = self._client.execute(d.PIPELINE_RUNS, id=self.id, first=size, status=wanted)
        edges = data["pipeline"]["runs"]["edges"]
        return [RunView(self._client, edge["node"]) for edge in edges]

    @property
    def runs(self) -> list[RunView]:
        return self.get_runs()

    @property
    def last_run(self) -> RunView:
        """The newest run."""
        return self._newest("lastRun")

    @property
    def last_successful_run(self) -> RunView:
        """The newest completed (or fully cached) run."""
        return self._newest("lastSuccessfulRun")

    def last_run_as_of(self, as_of: datetime, successful: bool = False) -> RunView:
        """The newest run (or newest successful one) created at or before ``as_of``."""
        return self._newest("lastSuccessfulRun" if successful else "lastRun", as_of)

    @property
    def versions(self) -> list[PipelineVersionView]:
        """The structures this pipeline ran with, newest first, each with its runs."""
        data = self._client.execute(d.PIPELINE_VERSIONS, id=self.id)["pipeline"]
        return [PipelineVersionView(self._client, self.name, v) for v in data["versions"]]

    def _newest(self, field: str, as_of: datetime | None = None) -> RunView:
        moment = None if as_of is None else as_utc(as_of).isoformat()
        found = self._client.execute(d.LAST_RUNS, id=self.id, asOf=moment)["pipeline"][field]
        if found is None:
            which = "successful run" if field == "lastSuccessfulRun" else "run"
            when = "yet" if as_of is None else f"created at or before {moment}"
            raise NotFoundError(f"pipeline {self.name!r} has no {which} {when}")
        return RunView(self._client, found)


@dataclass(frozen=True)
class ArtifactSummary:
    """One line of an artifact listing."""

    id: str
    name: str
    created: datetime | None
    tags: list[str]
    latest_version: str | None
    version_count: int

    @classmethod
    def of(cls, data: dict[str, Any]) -> ArtifactSummary:
        latest = data["latestVersion"]
        return cls(
            id=data["id"],
            name=data["name"],
            created=time_of(data["created"]),
            tags=data["tags"],
            latest_version=latest["version"] if latest else None,
            version_count=data["versions"]["totalCount"],
        )


class ArtifactView:
    """An artifact: its versions by version name (``versions["2"]``), and the latest."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.created = time_of(data["created"])
        self.tags: list[str] = data["tags"]
        edges = data["versions"]["edges"]
        self.versions: dict[str, ArtifactVersionView] = {
            edge["node"]["version"]: ArtifactVersionView(client, edge["node"]) for edge in edges
        }

    def __repr__(self) -> str:
        return f"ArtifactView(name={self.name!r}, versions={len(self.versions)})"

    @property
    def latest_version(self) -> ArtifactVersionView:
        """The newest version."""
        if not self.versions:
            raise NotFoundError(f"artifact {self.name!r} has no versions")
        return next(iter(self.versions.values()))
