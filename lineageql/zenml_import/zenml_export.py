"""Print a ZenML store's history as JSON lines, read through ZenML's own Python client.

This file runs in ZenML's environment (``<zenml's python> zenml_export.py``), never in
lineageql's: it imports nothing from lineageql, so neither package pins the other's
dependencies. ZenML finds its store as it always does (``ZENML_CONFIG_PATH`` for a local
store, ``ZENML_STORE_URL`` and ``ZENML_STORE_API_KEY`` for a server).

Lines, in this order: one ``store`` (ZenML's version and the store's); every ``artifact``
version (oldest first); every finished ``run`` with its steps (oldest first; runs still
going are left for a later import); every ``model`` with its versions. ``--since`` (an ISO
time) leaves out runs and artifact versions created before it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import zenml
from zenml.client import Client

PAGE = 100
FINISHED = {"completed", "failed", "cached", "stopped", "cancelled", "skipped"}


def stamp(moment: datetime | None) -> str | None:
    """A ZenML time (naive UTC) in lineageql's stored form."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(value: Any) -> Any:
    """A JSON-safe copy of a configuration or metadata value."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "model_dump"):
        return plain(value.model_dump(mode="json"))
    return str(value)


def metadata(values: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Metadata as key -> [python type name, value], as ZenML's client reports them."""
    return {key: [type(value).__name__, plain(value)] for key, value in (values or {}).items()}


def source_path(source: Any) -> str | None:
    """A ZenML source (module and attribute) as an import path."""
    if source is None:
        return None
    return f"{source.module}.{source.attribute}" if source.attribute else str(source.module)


def pages(listing: Callable[..., Any], **filters: Any) -> Iterator[Any]:
    page = 1
    while True:
        found = listing(sort_by="asc:created", page=page, size=PAGE, hydrate=True, **filters)
        yield from found.items
        if page >= found.total_pages:
            return
        page += 1


def artifact(version: Any) -> dict[str, Any]:
    return {
        "kind": "artifact",
        "id": str(version.id),
        "name": version.artifact.name,
        "version": str(version.version),
        "type": str(getattr(version.type, "value", version.type)),
        "uri": version.uri,
        "materializer": source_path(version.materializer),
        "data_type": source_path(version.data_type),
        "save_type": str(getattr(version.save_type, "value", version.save_type)),
        "created": stamp(version.created),
        "tags": sorted(tag.name for tag in version.tags),
        "metadata": metadata(version.run_metadata),
        "visualizations": [
            {"type": str(getattr(v.type, "value", v.type)), "uri": v.uri}
            for v in version.visualizations or []
        ],
        "producer_step_id": str(version.producer_step_run_id)
        if version.producer_step_run_id
        else None,
    }


def ids(links: Any) -> list[str]:
    return [str(v.id) for v in (links if isinstance(links, list) else [links])]


def step(found: Any) -> dict[str, Any]:
    spec_source = found.spec.source if found.spec else None
    code = found.source_code or ""
    return {
        "id": str(found.id),
        "name": found.name,
        "step_name": spec_source.attribute if spec_source and spec_source.attribute else None,
        "status": str(found.status.value),
        "created": stamp(found.created),
        "start_time": stamp(found.start_time),
        "end_time": stamp(found.end_time),
        "cache_key": found.cache_key,
        "parameters": plain(found.config.parameters),
        "settings": plain(found.config.settings),
        "docstring": found.docstring,
        "source_hash": hashlib.sha256(code.encode()).hexdigest() if code else None,
        "original_step_id": str(found.original_step_run_id) if found.original_step_run_id else None,
        "inputs": {name: ids(links) for name, links in found.inputs.items()},
        "outputs": {name: ids(links) for name, links in found.outputs.items()},
        "metadata": metadata(found.run_metadata),
    }


def run(found: Any) -> dict[str, Any]:
    config = found.config
    reference = found.code_reference
    steps = sorted(found.steps.values(), key=lambda s: (s.start_time or s.created, s.created))
    return {
        "kind": "run",
        "id": str(found.id),
        "name": found.name,
        "pipeline": found.pipeline.name if found.pipeline else found.name,
        "status": str(found.status.value),
        "created": stamp(found.created),
        "start_time": stamp(found.start_time),
        "end_time": stamp(found.end_time),
        "config": {
            "parameters": plain(config.parameters or {}),
            "enable_cache": config.enable_cache,
        },
        "settings": plain(config.settings or {}),
        "git_sha": reference.commit if reference is not None else None,
        "tags": sorted(tag.name for tag in found.tags),
        "metadata": metadata(found.run_metadata),
        "steps": [step(s) for s in steps],
    }


def model(found: Any, client: Client) -> dict[str, Any]:
    versions = []
    for version in pages(client.list_model_versions, model_name_or_id=found.id):
        held = {
            kind: [
                str(v.id)
                for by_version in getattr(version, attribute).values()
                for v in by_version.values()
            ]
            for kind, attribute in (
                ("model", "model_artifacts"),
                ("data", "data_artifacts"),
                ("deployment", "deployment_artifacts"),
            )
        }
        versions.append(
            {
                "id": str(version.id),
                "number": version.number,
                "name": version.name,
                "stage": str(getattr(version.stage, "value", version.stage) or "none"),
                "description": version.description,
                "created": stamp(version.created),
                "tags": sorted(tag.name for tag in version.tags),
                "metadata": metadata(version.run_metadata),
                "artifacts": held,
                "runs": [str(r.id) for r in version.pipeline_runs.values()],
            }
        )
    return {
        "kind": "model",
        "id": str(found.id),
        "name": found.name,
        "description": found.description,
        "license": found.license,
        "audience": found.audience,
        "use_cases": found.use_cases,
        "limitations": found.limitations,
        "trade_offs": found.trade_offs,
        "ethics": found.ethics,
        "tags": sorted(tag.name for tag in found.tags),
        "versions": sorted(versions, key=lambda v: v["number"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", default=None)
    args = parser.parse_args()
    since = {"created": f"gte:{args.since}"} if args.since else {}
    client = Client()
    info = client.zen_store.get_store_info()
    out = sys.stdout

    def emit(line: dict[str, Any]) -> None:
        out.write(json.dumps(line, default=str) + "\n")

    emit({"kind": "store", "zenml_version": zenml.__version__, "store_version": info.version})
    for version in pages(client.list_artifact_versions, **since):
        emit(artifact(version))
    for found in pages(client.list_pipeline_runs, **since):
        if str(found.status.value) in FINISHED:
            emit(run(found))
    for found in pages(client.list_models):
        emit(model(found, client))
    out.flush()


if __name__ == "__main__":
    main()
