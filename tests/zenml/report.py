"""What ZenML's own client reports about its store, as JSON (run with ZenML's Python): the
side the import tests compare lineageql's client against, item by item."""

from __future__ import annotations

import json
import sys

from zenml.client import Client


def every(listing, **filters) -> list:
    """Every item of a paged ZenML listing."""
    items, page = [], 1
    while True:
        found = listing(page=page, size=500, hydrate=True, **filters)
        items += found.items
        if page >= found.total_pages:
            return items
        page += 1


def typed(values: dict) -> dict:
    return {key: [type(value).__name__, value] for key, value in values.items()}


def main() -> None:
    client = Client()
    runs = []
    for run in every(client.list_pipeline_runs):
        steps = {}
        for name, found in run.steps.items():
            steps[name] = {
                "status": found.status.value,
                "parameters": found.config.parameters,
                "metadata": typed(found.run_metadata),
                "inputs": {k: [str(v.id) for v in vs] for k, vs in found.inputs.items()},
                "outputs": {k: [str(v.id) for v in vs] for k, vs in found.outputs.items()},
            }
        runs.append(
            {
                "id": str(run.id),
                "name": run.name,
                "pipeline": run.pipeline.name,
                "status": run.status.value,
                "parameters": run.config.parameters or {},
                "tags": sorted(t.name for t in run.tags),
                "metadata": typed(run.run_metadata),
                "steps": steps,
            }
        )
    versions = []
    for version in every(client.list_artifact_versions):
        versions.append(
            {
                "id": str(version.id),
                "name": version.artifact.name,
                "version": str(version.version),
                "uri": version.uri,
                "save_type": version.save_type.value,
                "tags": sorted(t.name for t in version.tags),
                "metadata": typed(version.run_metadata),
            }
        )
    models = {}
    for model in client.list_models(size=100).items:
        numbered = {}
        for version in client.list_model_versions(model.id, size=100, hydrate=True).items:
            held = {
                kind: sorted(
                    str(v.id) for by_version in found.values() for v in by_version.values()
                )
                for kind, found in (
                    ("model", version.model_artifacts),
                    ("data", version.data_artifacts),
                )
            }
            numbered[str(version.number)] = {
                "stage": str(version.stage or "none"),
                "artifacts": held,
                "runs": sorted(str(r.id) for r in version.pipeline_runs.values()),
            }
        models[model.name] = {"license": model.license, "versions": numbered}
    named = {v["name"] for v in versions}
    x_train = client.get_artifact_version("X_train").load() if "X_train" in named else None
    json.dump(
        {
            "pipelines": sorted(p.name for p in client.list_pipelines(size=1000).items),
            "runs": runs,
            "versions": versions,
            "models": models,
            "x_train": None if x_train is None else x_train.to_dict(orient="split"),
        },
        sys.stdout,
        default=str,
    )


if __name__ == "__main__":
    main()
