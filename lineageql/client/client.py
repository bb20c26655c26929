"""``Client``: scripts' and notebooks' way into the lineage, over HTTP or in-process.

Without a URL (argument or ``LINEAGEQL_URL``) the client goes through the server that holds
the configured embedded store, if one runs, and otherwise runs the API in this process
against the store; every client of one process shares that connection, since the embedded
store admits one process at a time.
"""

from __future__ import annotations

import atexit
import os
import re
import tempfile
import threading
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from lineageql.artifacts import ArtifactStore
from lineageql.client import documents as d
from lineageql.client import list_options as lo
from lineageql.client.model_views import (
    ModelVersionDiffView,
    ModelVersionView,
    ModelView,
    stage_name,
)
from lineageql.client.transport import (
    HttpTransport,
    InProcessTransport,
    Transport,
    raise_first_error,
    server_base_url,
)
from lineageql.client.views import (
    ArtifactSummary,
    ArtifactVersionView,
    ArtifactView,
    PipelineView,
    RunView,
    StepView,
    status_name,
)
from lineageql.discovery import find_server
from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph.connect import is_neo4j_url
from lineageql.model_records import ModelArtifactKind, ModelStage
from lineageql.records import ExecutionStatus, metadata_type_names
from lineageql.settings import Settings

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

RUN_SORT_FIELDS = ("created", "name", "start_time", "end_time", "status")

_shared: dict[tuple[str, ...], Transport] = {}
_shared_lock = threading.Lock()


def _transport(settings: Settings, url: str | None, token: str | None) -> Transport:
    """HTTP to ``url``, else to the server holding the embedded store, else in-process."""
    if url is None and not is_neo4j_url(settings.store):
        url = find_server(settings.store)
    if url is not None:
        url = server_base_url(url)
    if token is None and settings.api_token is not None:
        token = settings.api_token.get_secret_value()
    key = ("http", url, token or "") if url else ("local", settings.store, settings.artifact_store)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = HttpTransport(url, token) if url else InProcessTransport(settings)
        return _shared[key]


def close_connections() -> None:
    """Close every connection clients of this process opened (tests call it between runs)."""
    with _shared_lock:
        for transport in _shared.values():
            transport.close()
        _shared.clear()


atexit.register(close_connections)


class Client:
    """Pipelines, runs, steps and artifact versions, as the SDK recorded them."""

    def __init__(
        self, url: str | None = None, token: str | None = None, settings: Settings | None = None
    ) -> None:
        self.settings = settings or Settings()
        url = url or os.environ.get("LINEAGEQL_URL") or None
        self.transport = _transport(self.settings, url, token)
        self.artifact_store = ArtifactStore(self.settings.artifact_store)

    def execute(self, document: str, **variables: Any) -> dict[str, Any]:
        """Run one GraphQL document; lineageql errors raise as their exception classes."""
        return self.transport.execute(document, variables)

    # -- pipelines and runs --------------------------------------------------------

    def get_pipeline(self, name_or_id: str) -> PipelineView:
        found = self.execute(d.GET_PIPELINE, **_id_or_name(name_or_id))["pipeline"]
        if found is None:
            raise NotFoundError(
                f"no pipeline {name_or_id!r}; list pipelines with `lineageql pipeline list`"
            )
        return PipelineView(self, found)

    def list_pipelines(
        self,
        size: int = 100,
        page: int = 1,
        sort_by: str = "asc:created",
        name: str | None = None,
    ) -> list[PipelineView]:
        """Pipelines, oldest first unless ``sort_by`` says otherwise (ZenML spellings)."""
        variables = {
            "filter": lo.name_filter(name) or None,
            "orderBy": lo.order_by(sort_by, ("created", "name"), default_desc=False),
        }
        nodes = self._paged(d.LIST_PIPELINES, "pipelines", variables, page, size)
        return [PipelineView(self, node) for node in nodes]

    def get_pipeline_run(self, name_id_or_prefix: str) -> RunView:
        """A run by id, by name, or by a name prefix only it has."""
        for variables in (_id_or_name(name_id_or_prefix), {"namePrefix": name_id_or_prefix}):
            found = self.execute(d.GET_RUN, **variables)["pipelineRun"]
            if found is not None:
                return RunView(self, found)
        raise NotFoundError(f"no pipeline run {name_id_or_prefix!r}")

    def list_pipeline_runs(
        self,
        size: int = 20,
        pipeline_name: str | None = None,
        status: ExecutionStatus | str | None = None,
        sort_by: str = "desc:created",
        descending: bool | None = None,
        page: int = 1,
        name: str | None = None,
        created: str | datetime | None = None,
    ) -> list[RunView]:
        """Runs, newest first unless ``sort_by`` says otherwise.

        Takes ZenML's spellings: ``sort_by="asc:name"``, ``page``/``size``,
        ``name="startswith:train"``, ``created="gte:2026-01-01"``, ``status="failed"``.
        """
        order = lo.order_by(sort_by, RUN_SORT_FIELDS)
        if descending is not None:
            order["direction"] = "DESC" if descending else "ASC"
        run_filter = lo.merge(lo.name_filter(name), lo.created_filter(created))
        if pipeline_name is not None:
            run_filter["pipelineName"] = pipeline_name
        if status is not None:
            run_filter["status"] = [status_name(lo.status_value(str(status)))]
        variables = {"filter": run_filter, "orderBy": order}
        nodes = self._paged(d.LIST_RUNS, "pipelineRuns", variables, page, size)
        return [RunView(self, node) for node in nodes]

    def get_run_step(self, step_id: str) -> StepView:
        found = self.execute(d.GET_STEP, id=step_id)["step"]
        if found is None:
            raise NotFoundError(f"no step with id {step_id!r}")
        return StepView(self, found)

    def delete_pipeline_run(self, name_id_or_prefix: str) -> None:
        run = self.get_pipeline_run(name_id_or_prefix)
        self.execute(d.DELETE_RUN, id=run.id)

    # -- artifacts -----------------------------------------------------------------

    def prune_artifacts(
        self,
        only_artifact: bool = False,
        only_metadata: bool = False,
        ignore_errors: bool = False,
        threads: int = 1,
        version_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """Delete artifact versions no run produced or consumed (records, files, or both),
        files ``threads`` at a time; with ``version_ids``, only those. Returns what was
        deleted, kept and not deleted; ``stopped`` says why it stopped early, if it did."""
        data = self.execute(
            d.PRUNE,
            onlyMetadata=only_metadata,
            onlyArtifact=only_artifact,
            ignoreErrors=ignore_errors,
            threads=threads,
            ids=version_ids,
        )
        return dict(data["pruneArtifacts"])

    def get_artifact(self, name_or_id: str) -> ArtifactView:
        """An artifact with its versions (newest first, up to 100)."""
        found = self.execute(d.GET_ARTIFACT, **_id_or_name(name_or_id))["artifact"]
        if found is None:
            raise NotFoundError(
                f"no artifact {name_or_id!r}; list artifacts with `lineageql artifact list`"
            )
        return ArtifactView(self, found)

    def list_artifacts(
        self,
        size: int = 100,
        name_contains: str | None = None,
        page: int = 1,
        sort_by: str = "asc:name",
        name: str | None = None,
    ) -> list[ArtifactSummary]:
        """Artifacts by name, each with its latest version and version count."""
        artifact_filter = lo.name_filter(name)
        if name_contains:
            artifact_filter["nameContains"] = name_contains
        variables = {
            "filter": artifact_filter or None,
            "orderBy": lo.order_by(sort_by, ("created", "name"), default_desc=False),
        }
        nodes = self._paged(d.LIST_ARTIFACTS, "artifacts", variables, page, size)
        return [ArtifactSummary.of(node) for node in nodes]

    def list_artifact_versions(
        self,
        name: str | None = None,
        size: int = 100,
        only_unused: bool = False,
        page: int = 1,
        created: str | datetime | None = None,
    ) -> list[ArtifactVersionView]:
        """Versions, newest first; of the artifact ``name`` only, or only those no run uses."""
        version_filter: dict[str, Any] = {"onlyUnused": only_unused, **lo.created_filter(created)}
        if name:
            version_filter["artifactName"] = name
        nodes = self._paged(
            d.LIST_VERSIONS, "artifactVersions", {"filter": version_filter}, page, size
        )
        return [ArtifactVersionView(self, node) for node in nodes]

    def unused_artifact_versions(self) -> list[ArtifactVersionView]:
        """Every version no run uses (what ``prune_artifacts`` would delete), newest first."""
        nodes = self._nodes(d.LIST_VERSIONS, "artifactVersions", {"filter": {"onlyUnused": True}})
        return [ArtifactVersionView(self, node) for node in nodes]

    def _paged(
        self, document: str, field: str, variables: dict[str, Any], page: int, size: int
    ) -> list[dict[str, Any]]:
        """Nodes ``page`` (1-based) of ``size`` rows of a listing, walking its cursors."""
        offset, size = lo.page_window(page, size)
        return self._nodes(document, field, variables, offset + size)[offset : offset + size]

    def _nodes(
        self, document: str, field: str, variables: dict[str, Any], wanted: int | None = None
    ) -> list[dict[str, Any]]:
        """The first ``wanted`` nodes of a listing (all of them without it), page by page."""
        nodes: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            left = lo.MAX_PAGE_SIZE if wanted is None else wanted - len(nodes)
            first = min(lo.MAX_PAGE_SIZE, left)
            listing = self.execute(document, first=first, after=after, **variables)[field]
            nodes.extend(edge["node"] for edge in listing["edges"])
            after = listing["pageInfo"]["endCursor"]
            done = wanted is not None and len(nodes) >= wanted
            if done or not listing["pageInfo"]["hasNextPage"]:
                return nodes

    # -- the model registry --------------------------------------------------------

    def create_model(self, name: str, **card: Any) -> ModelView:
        """Register a model; ``card`` takes description, license, audience, use_cases,
        limitations, trade_offs, ethics and tags."""
        unknown = sorted(set(card) - set(_MODEL_CARD_INPUT))
        if unknown:
            raise BadInputError(
                f"unknown model fields {', '.join(unknown)}; use {', '.join(_MODEL_CARD_INPUT)}"
            )
        fields = {_MODEL_CARD_INPUT[key]: value for key, value in card.items()}
        created = self.execute(d.CREATE_MODEL, input={"name": name, **fields})["createModel"]
        return ModelView(self, created)

    def get_model(self, name: str) -> ModelView:
        found = self.execute(d.GET_MODEL, name=name)["model"]
        if found is None:
            raise NotFoundError(f"no model named {name!r}; list models with `lineageql model list`")
        return ModelView(self, found)

    def list_models(self) -> list[ModelView]:
        """Every registered model, by name."""
        return [ModelView(self, node) for node in self._nodes(d.LIST_MODELS, "models", {})]

    def get_model_version(
        self,
        model_name: str,
        version: str | int | ModelStage | None = None,
        as_of: datetime | None = None,
    ) -> ModelVersionView:
        """A version by name, number or stage (``"production"``), the latest without one;
        with ``as_of``, the version that held the stage then."""
        variables: dict[str, Any] = {"model": model_name, "version": None, "stage": None}
        if as_of is not None:
            if version is None:
                raise BadInputError("as_of needs a stage: which version held it then", "as_of")
            variables["stage"] = stage_name(str(version))
            variables["asOf"] = lo.as_utc(as_of).isoformat()
        elif version is not None:
            variables["version"] = str(
                version.value if isinstance(version, ModelStage) else version
            )
        found = self.execute(d.GET_MODEL_VERSION, **variables)["modelVersion"]
        if found is None:
            which = "" if version is None else f" {version!r}"
            raise NotFoundError(f"model {model_name!r} has no version{which}")
        return ModelVersionView(self, found)

    def list_model_versions(
        self, model_name: str, stage: ModelStage | str | None = None, size: int = 100
    ) -> list[ModelVersionView]:
        """A model's versions, newest first (only those in ``stage``, if given)."""
        wanted = None if stage is None else stage_name(stage)
        found = self.execute(d.LIST_MODEL_VERSIONS, model=model_name, first=size, stage=wanted)
        if found["model"] is None:
            raise NotFoundError(f"no model named {model_name!r}")
        return [ModelVersionView(self, v) for v in found["model"]["versions"]]

    def create_model_version(
        self,
        model_name: str,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        reuse_named: bool = False,
    ) -> ModelVersionView:
        """Number a new version of ``model_name`` (registering the model if it is new)."""
        values = metadata or {}
        created = self.execute(
            d.CREATE_MODEL_VERSION,
            input={
                "model": model_name,
                "name": name,
                "description": description,
                "tags": tags or [],
                "metadata": values,
                "metadataTypes": metadata_type_names(values),
                "reuseNamed": reuse_named,
            },
        )["createModelVersion"]
        return ModelVersionView(self, created)

    def link_to_model_version(
        self,
        version_id: str,
        artifacts: dict[str, ModelArtifactKind | str] | None = None,
        run_ids: list[str] | None = None,
    ) -> None:
        """Add artifact versions (id to kind) and the runs that made them to a model version."""
        links = [
            {"artifactVersionId": i, "kind": ModelArtifactKind(str(kind).lower()).name}
            for i, kind in (artifacts or {}).items()
        ]
        self.execute(d.LINK_MODEL, id=version_id, artifacts=links, runIds=run_ids or [])

    def diff_model_versions(
        self, model_name: str, before: str | int, after: str | int, depth: int = 10
    ) -> ModelVersionDiffView:
        """What changed from version ``before`` to ``after`` (stages, numbers or names)."""
        found = self.execute(
            d.MODEL_VERSION_DIFF,
            model=model_name,
            **{"from": str(before)},
            to=str(after),
            depth=depth,
        )["modelVersionDiff"]
        return ModelVersionDiffView.of(model_name, found)

    def fetch_files(self, version_id: str) -> Path | None:
        """A local copy of a version's files through the server's download route (folders
        arrive zipped and are unpacked), or None when this client talks to no server."""
        if not isinstance(self.transport, HttpTransport):
            return None
        target = Path(tempfile.mkdtemp(prefix="lineageql-download-")) / "data"
        response = self.transport.download(version_id)
        try:
            if response.status_code != 200:
                response.read()
                raise_first_error(response.json()["errors"])
            archive = target.with_suffix(".part")
            with archive.open("wb") as sink:
                for chunk in response.iter_bytes():
                    sink.write(chunk)
            zipped = response.headers.get("content-type") == "application/zip"
        finally:
            response.close()
        if zipped:
            with zipfile.ZipFile(archive) as opened:
                opened.extractall(target)
            archive.unlink()
        else:
            archive.rename(target)
        return target

    def lineage(self, version_id: str, downstream: bool = False, depth: int = 3) -> dict[str, Any]:
        """The lineage graph around a version: versions (with depth), steps and edges."""
        direction = "DOWNSTREAM" if downstream else "UPSTREAM"
        return dict(
            self.execute(d.LINEAGE, id=version_id, direction=direction, depth=depth)["lineage"]
        )

    def column_lineage(
        self, version_id: str, column: str, downstream: bool = False, depth: int = 3
    ) -> dict[str, Any]:
        """The column-level lineage around one column of a version: columns (with depth and
        their versions) and the links between them, each with its transformation."""
        direction = "DOWNSTREAM" if downstream else "UPSTREAM"
        return dict(
            self.execute(
                d.COLUMN_LINEAGE, id=version_id, column=column, direction=direction, depth=depth
            )["columnLineage"]
        )

    def get_artifact_version(
        self,
        name_or_id: str,
        version: str | int | None = None,
        as_of: datetime | None = None,
    ) -> ArtifactVersionView:
        """A version by id, or by artifact name and version (the latest without one; with
        ``as_of``, the latest created at or before that time)."""
        if UUID.match(name_or_id) and version is None and as_of is None:
            variables: dict[str, Any] = {"id": name_or_id}
        else:
            variables = {
                "name": name_or_id,
                "version": None if version is None else str(version),
                "asOf": None if as_of is None else lo.as_utc(as_of).isoformat(),
            }
        found = self.execute(d.GET_VERSION, **variables)["artifactVersion"]
        if found is None:
            which = f"version {version!r} of " if version is not None else ""
            if as_of is not None:
                which = f"version created at or before {as_of.isoformat()} of "
            raise NotFoundError(
                f"no {which}artifact {name_or_id!r}; list artifacts with `lineageql artifact list`"
            )
        return ArtifactVersionView(self, found)


_MODEL_CARD_INPUT = {
    "description": "description",
    "license": "license",
    "audience": "audience",
    "use_cases": "useCases",
    "limitations": "limitations",
    "trade_offs": "tradeOffs",
    "ethics": "ethics",
    "tags": "tags",
}
"""The keyword of each model-card field, and its name in ``ModelInput``."""


def _id_or_name(key: str) -> dict[str, str]:
    return {"id": key} if UUID.match(key) else {"name": key}
