"""The model registry: models, their numbered versions, what each version holds, and stages.

Kept as its own part beside the lineage repository (``LineageRepository.models``), over the
same store and in the same graph: a version HOLDS artifact versions and was MADE_BY runs, so
a walk from a model version goes on into lineage. Stage changes take the model node's write
lock, so of two clients promoting at once the second sees the first's result, and a
production (or staging) version is never held twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lineageql.errors import BadInputError, ConflictError, NotFoundError
from lineageql.graph import model_queries as mq
from lineageql.graph import queries as q
from lineageql.graph.repository.base import NodeKind, RepositoryBase
from lineageql.graph.repository.touches import structure
from lineageql.graph.repository.writes import (
    check_existing_versions,
    metadata_rows,
    write_metadata_in,
)
from lineageql.graph.store import Row, Touched, Transaction
from lineageql.model_records import (
    ModelArtifactKind,
    ModelArtifactLink,
    ModelRecord,
    ModelStage,
    ModelVersionRecord,
    NewModel,
    NewModelVersion,
    StageChange,
    model_id_for,
    stages_at,
)
from lineageql.records import new_id, successive_times, utc_now

ALL_MODELS = "models"
"""The key the list of every model is kept under (and that creating a model touches)."""


def model_record(row: Row) -> ModelRecord:
    return ModelRecord.model_construct(**{k: row[k] for k in ModelRecord.model_fields})


def model_version_record(row: Row) -> ModelVersionRecord:
    return ModelVersionRecord.model_construct(
        id=row["id"],
        model_id=row["model_id"],
        number=int(row["number"]),
        name=row["name"],
        stage=ModelStage(row["stage"]),
        created=row["created"],
        description=row["description"],
    )


def stage_change(row: Row) -> StageChange:
    return StageChange.model_construct(
        id=row["id"],
        model_id=row["model_id"],
        version_id=row["version_id"],
        from_stage=ModelStage(row["from_stage"]),
        to_stage=ModelStage(row["to_stage"]),
        at=row["at"],
        by=row["by"],
    )


class ModelRegistry(RepositoryBase):
    """Reads and writes of models and model versions; each write is one transaction."""

    # -- reads ---------------------------------------------------------------------------

    async def get_models(self, ids: Sequence[str]) -> list[ModelRecord | None]:
        return await self._by_keys(mq.MODELS_BY_ID, ids, model_record)

    async def get_models_by_name(self, names: Sequence[str]) -> list[ModelRecord | None]:
        return await self.get_models([model_id_for(name) for name in names])

    async def get_model(self, name: str) -> ModelRecord:
        """The model called ``name``; NotFoundError when there is none."""
        [found] = await self.get_models_by_name([name])
        if found is None:
            raise NotFoundError(f"no model named {name!r}")
        return found

    async def model_ids(self) -> list[str]:
        """Every model's id, by name."""
        [rows] = await self._rows_by_key(mq.MODEL_IDS, [ALL_MODELS])
        return [row["id"] for row in rows]

    async def get_model_versions(self, ids: Sequence[str]) -> list[ModelVersionRecord | None]:
        return await self._by_keys(mq.MODEL_VERSIONS_BY_ID, ids, model_version_record)

    async def versions_of_models(self, model_ids: Sequence[str]) -> list[list[ModelVersionRecord]]:
        """Each model's versions, newest first."""
        groups = await self._rows_by_key(mq.VERSIONS_OF_MODELS, model_ids)
        return [[model_version_record(row) for row in group] for group in groups]

    async def artifacts_of_model_versions(
        self, version_ids: Sequence[str]
    ) -> list[list[ModelArtifactLink]]:
        groups = await self._rows_by_key(mq.ARTIFACTS_OF_MODEL_VERSIONS, version_ids)
        return [
            [
                ModelArtifactLink.model_construct(
                    artifact_version_id=row["artifact_version_id"],
                    kind=ModelArtifactKind(row["kind"]),
                )
                for row in group
            ]
            for group in groups
        ]

    async def model_artifact_ids(self, version_ids: Sequence[str]) -> list[str | None]:
        """Each model version's model: its newest artifact version of kind MODEL."""
        groups = await self.artifacts_of_model_versions(version_ids)
        return [
            next((h.artifact_version_id for h in held if h.kind is ModelArtifactKind.MODEL), None)
            for held in groups
        ]

    async def run_ids_of_model_versions(self, version_ids: Sequence[str]) -> list[list[str]]:
        """Each model version's runs, newest first."""
        groups = await self._rows_by_key(mq.RUNS_OF_MODEL_VERSIONS, version_ids)
        return [[row["run_id"] for row in group] for group in groups]

    async def stage_histories(self, version_ids: Sequence[str]) -> list[list[StageChange]]:
        """Each model version's stage changes, oldest first."""
        groups = await self._rows_by_key(mq.STAGE_CHANGES_OF_VERSIONS, version_ids)
        return [[stage_change(row) for row in group] for group in groups]

    async def model_versions_holding(self, artifact_version_ids: Sequence[str]) -> list[list[str]]:
        """The ids of the model versions holding each artifact version."""
        groups = await self._rows_by_key(mq.MODEL_VERSIONS_HOLDING, artifact_version_ids)
        return [[row["model_version_id"] for row in group] for group in groups]

    async def find_model_version(
        self,
        model_name: str,
        *,
        version: str | None = None,
        number: int | None = None,
        stage: ModelStage | None = None,
        as_of: str | None = None,
    ) -> ModelVersionRecord | None:
        """One version of a model: by name, number or stage (the stage held at ``as_of``,
        a stored time, when given); the latest when none is given. None when the model has
        no such version; NotFoundError when there is no such model."""
        given = [
            name
            for name, value in (("version", version), ("number", number), ("stage", stage))
            if value is not None
        ]
        if len(given) > 1:
            raise BadInputError(f"give one of version, number or stage, not {' and '.join(given)}")
        if as_of is not None and stage is None:
            raise BadInputError("goes with stage: which version held it then", "asOf")
        model = await self.get_model(model_name)
        [versions] = await self.versions_of_models([model.id])
        if version is not None:
            if version.isdigit():
                number = int(version)
            else:
                try:
                    stage = ModelStage(version.lower())
                except ValueError:
                    return next((v for v in versions if v.name == version), None)
        if number is not None:
            return next((v for v in versions if v.number == number), None)
        if stage is None:
            return versions[0] if versions else None
        if as_of is None:
            return next((v for v in versions if v.stage is stage), None)
        changes = await self.read_stage_changes(model.id)
        then = stages_at(changes, as_of)
        holders = [v for v in versions if then.get(v.id, ModelStage.NONE) is stage]
        return holders[0] if holders else None

    async def read_stage_changes(self, model_id: str) -> list[StageChange]:
        """Every stage change of a model's versions, oldest first."""
        [rows] = await self._rows_by_key(mq.STAGE_CHANGES_OF_MODELS, [model_id])
        return [stage_change(row) for row in rows]

    # -- writes --------------------------------------------------------------------------

    async def create_model(self, new: NewModel) -> ModelRecord:
        """Register a model; ConflictError when one has that name."""

        async def work(tx: Transaction) -> ModelRecord:
            if await tx.run(mq.MODELS_BY_ID, {"keys": [model_id_for(new.name)]}):
                raise ConflictError(f"a model named {new.name!r} already exists")
            return await _create_model_in(tx, new)

        return await self.store.write(work, lambda model: structure((model.id, ALL_MODELS)))

    async def create_model_version(
        self, new: NewModelVersion, *, reuse_named: bool = False
    ) -> ModelVersionRecord:
        """Number a new version of ``new.model_name`` (registering the model on its first
        version). A name another version has is a ConflictError, or with ``reuse_named``
        that version."""
        tag_names = list(new.tags)
        rows = metadata_rows(new.metadata)

        async def work(tx: Transaction) -> ModelVersionRecord:
            model_id = model_id_for(new.model_name)
            if not await tx.run(mq.MODELS_BY_ID, {"keys": [model_id]}):
                await _create_model_in(tx, NewModel(name=new.model_name))
            [locked] = await tx.run(mq.LOCK_MODEL, {"id": model_id})
            if new.name is not None:
                taken = await tx.run(
                    mq.MODEL_VERSION_NAMED, {"model_id": model_id, "name": new.name}
                )
                if taken:
                    if reuse_named:
                        found = await tx.run(mq.MODEL_VERSIONS_BY_ID, {"keys": [taken[0]["id"]]})
                        return model_version_record(found[0])
                    raise ConflictError(
                        f"model {new.model_name!r} already has a version named {new.name!r}"
                    )
            number = int(locked["counter"]) + 1
            version_id, now = new_id(), utc_now()
            row: dict[str, Any] = {
                "model_id": model_id,
                "id": version_id,
                "number": number,
                "name": new.name or str(number),
                "stage": ModelStage.NONE.value,
                "created": now,
                "description": new.description,
            }
            await tx.run(mq.CREATE_MODEL_VERSION, row)
            if tag_names:
                await tx.run(
                    q.add_tags(NodeKind.MODEL_VERSION.value), {"id": version_id, "tags": tag_names}
                )
            await write_metadata_in(
                tx, NodeKind.MODEL_VERSION, [(version_id, rows)], now, new_owners=True
            )
            return model_version_record(row)

        return await self.store.write(
            work, lambda version: structure((version.id, version.model_id, ALL_MODELS))
        )

    async def link_model_artifacts(
        self, version_id: str, links: Sequence[ModelArtifactLink]
    ) -> ModelVersionRecord:
        """Add artifact versions to a model version, each with its kind."""
        wanted = [
            {
                "version_id": version_id,
                "artifact_version_id": link.artifact_version_id,
                "kind": link.kind.value,
            }
            for link in links
        ]

        async def work(tx: Transaction) -> ModelVersionRecord:
            version = await _version_in(tx, version_id)
            await check_existing_versions(tx, [link.artifact_version_id for link in links])
            if wanted:
                await tx.run(mq.LINK_MODEL_ARTIFACTS, {"rows": wanted})
            return version

        touched = [version_id, *(link.artifact_version_id for link in links)]
        return await self.store.write(work, structure(touched))

    async def link_model_runs(self, version_id: str, run_ids: Sequence[str]) -> ModelVersionRecord:
        """Record that runs made (part of) a model version."""
        wanted = sorted(set(run_ids))

        async def work(tx: Transaction) -> ModelVersionRecord:
            version = await _version_in(tx, version_id)
            found = {row["key"] for row in await tx.run(q.RUNS_BY_ID, {"keys": wanted})}
            missing = [run_id for run_id in wanted if run_id not in found]
            if missing:
                raise NotFoundError(f"no pipeline run with id {missing[0]!r}")
            if wanted:
                rows = [{"version_id": version_id, "run_id": run_id} for run_id in wanted]
                await tx.run(mq.LINK_MODEL_RUNS, {"rows": rows})
            return version

        return await self.store.write(work, structure((version_id, *wanted)))

    async def set_stage(
        self, version_id: str, stage: ModelStage, *, force: bool = False, by: str | None = None
    ) -> ModelVersionRecord:
        """Move a version to ``stage``. A staging or production stage another version holds
        is a ConflictError unless ``force``d, which archives that version in the same
        transaction. Every change is kept in the versions' stage histories."""

        async def work(tx: Transaction) -> ModelVersionRecord:
            version = await _version_in(tx, version_id)
            await tx.run(mq.LOCK_MODEL, {"id": version.model_id})
            # Read again under the lock: a concurrent change may have moved it meanwhile.
            version = await _version_in(tx, version_id)
            if version.stage is stage:
                return version
            times = successive_times(utc_now())
            if stage.exclusive:
                holders = await tx.run(
                    mq.STAGE_HOLDERS, {"model_id": version.model_id, "stage": stage.value}
                )
                others = [row["id"] for row in holders if row["id"] != version_id]
                if others and not force:
                    held_by = await tx.run(mq.MODEL_VERSIONS_BY_ID, {"keys": others[:1]})
                    raise ConflictError(
                        f"version {held_by[0]['name']!r} is in {stage.value}; set force to "
                        f"archive it and move version {version.name!r} there"
                    )
                for other in others:
                    await _change_stage_in(
                        tx, version.model_id, other, stage, ModelStage.ARCHIVED, next(times), by
                    )
                    touched.add(other)
            await _change_stage_in(
                tx, version.model_id, version_id, version.stage, stage, next(times), by
            )
            return version.model_copy(update={"stage": stage})

        touched: set[str] = set()

        def touches(version: ModelVersionRecord) -> Touched:
            return structure((version.id, version.model_id, *touched))

        return await self.store.write(work, touches)


async def _create_model_in(tx: Transaction, new: NewModel) -> ModelRecord:
    row: dict[str, Any] = {
        **new.model_dump(exclude={"tags"}),
        "id": model_id_for(new.name),
        "created": utc_now(),
    }
    await tx.run(mq.CREATE_MODEL, row)
    if new.tags:
        await tx.run(q.add_tags(NodeKind.MODEL.value), {"id": row["id"], "tags": list(new.tags)})
    return model_record(row)


async def _version_in(tx: Transaction, version_id: str) -> ModelVersionRecord:
    rows = await tx.run(mq.MODEL_VERSIONS_BY_ID, {"keys": [version_id]})
    if not rows:
        raise NotFoundError(f"no model version with id {version_id!r}")
    return model_version_record(rows[0])


async def _change_stage_in(
    tx: Transaction,
    model_id: str,
    version_id: str,
    from_stage: ModelStage,
    to_stage: ModelStage,
    at: str,
    by: str | None,
) -> None:
    # The holder's stage as the caller read it under the lock.
    await tx.run(
        mq.SET_STAGE,
        {
            "id": new_id(),
            "model_id": model_id,
            "version_id": version_id,
            "from_stage": from_stage.value,
            "to_stage": to_stage.value,
            "at": at,
            "by": by,
        },
    )
