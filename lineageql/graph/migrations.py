"""The graph schema, declared once and rendered as each store's DDL.

Runs, steps and artifact versions also keep their parent's id as a column (it never
changes), so a keyed read answers from the node alone instead of joining back to the parent.

LadybugDB needs typed node and relationship tables; Neo4j needs uniqueness constraints and
indexes. Both renderings are idempotent (``IF NOT EXISTS``), so migrating twice is harmless.
A column added to a node later, or a label pair added to a relationship, is rendered for
LadybugDB as ``ALTER TABLE ... ADD IF NOT EXISTS``, which keeps old database files usable.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeTable:
    """A node label, its typed columns (``id`` is the key) and what Neo4j indexes."""

    label: str
    columns: dict[str, str]
    unique: tuple[str, ...] = ("id",)
    indexed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelTable:
    """A relationship type, the label pairs it joins, and its typed properties."""

    type: str
    pairs: tuple[tuple[str, str], ...]
    columns: dict[str, str] = field(default_factory=dict)


NODES: tuple[NodeTable, ...] = (
    NodeTable(
        "Pipeline",
        {
            "id": "STRING",
            "name": "STRING",
            "docstring": "STRING",
            "created": "STRING",
            "version_counter": "INT64",
            "namespace": "STRING",
        },
        unique=("id", "name"),
    ),
    NodeTable(
        "PipelineVersion",
        {
            "id": "STRING",
            "pipeline_id": "STRING",
            "version": "INT64",
            "structure_hash": "STRING",
            "created": "STRING",
        },
        indexed=("pipeline_id",),
    ),
    NodeTable(
        "PipelineRun",
        {
            "id": "STRING",
            "pipeline_id": "STRING",
            "name": "STRING",
            "status": "STRING",
            "created": "STRING",
            "start_time": "STRING",
            "end_time": "STRING",
            "config": "STRING",
            "settings": "STRING",
            "git_sha": "STRING",
            "docstring": "STRING",
            "pipeline_version_id": "STRING",
            "reported_status": "STRING",
        },
        unique=("id", "name"),
        indexed=("created", "status", "pipeline_version_id"),
    ),
    NodeTable(
        "Step",
        {
            "id": "STRING",
            "run_id": "STRING",
            "name": "STRING",
            "step_name": "STRING",
            "status": "STRING",
            "created": "STRING",
            "start_time": "STRING",
            "end_time": "STRING",
            "cache_key": "STRING",
            "parameters": "STRING",
            "settings": "STRING",
            "docstring": "STRING",
            "error_message": "STRING",
            "source_hash": "STRING",
        },
        indexed=("cache_key",),
    ),
    NodeTable(
        "Artifact",
        {
            "id": "STRING",
            "name": "STRING",
            "created": "STRING",
            "version_counter": "INT64",
            "namespace": "STRING",
            "source_name": "STRING",
            "latest_version_id": "STRING",
            "latest_version_created": "STRING",
        },
        unique=("id", "name"),
    ),
    NodeTable(
        "ArtifactVersion",
        {
            "id": "STRING",
            "artifact_id": "STRING",
            "name": "STRING",
            "version": "STRING",
            "type": "STRING",
            "data_type": "STRING",
            "uri": "STRING",
            "materializer": "STRING",
            "save_type": "STRING",
            "created": "STRING",
            "visualizations": "STRING",
        },
        indexed=("name", "created"),
    ),
    NodeTable(
        "DatasetColumn",
        {
            "id": "STRING",
            "version_id": "STRING",
            "name": "STRING",
            "type": "STRING",
            "description": "STRING",
            "position": "INT64",
        },
    ),
    NodeTable(
        "Model",
        {
            "id": "STRING",
            "name": "STRING",
            "created": "STRING",
            "description": "STRING",
            "license": "STRING",
            "audience": "STRING",
            "use_cases": "STRING",
            "limitations": "STRING",
            "trade_offs": "STRING",
            "ethics": "STRING",
            "version_counter": "INT64",
        },
        unique=("id", "name"),
    ),
    NodeTable(
        "ModelVersion",
        {
            "id": "STRING",
            "model_id": "STRING",
            "number": "INT64",
            "name": "STRING",
            "stage": "STRING",
            "created": "STRING",
            "description": "STRING",
        },
        indexed=("model_id",),
    ),
    NodeTable(
        "StageChange",
        {
            "id": "STRING",
            "model_id": "STRING",
            "version_id": "STRING",
            "from_stage": "STRING",
            "to_stage": "STRING",
            "at": "STRING",
            "by": "STRING",
        },
        indexed=("model_id", "version_id"),
    ),
    NodeTable("Tag", {"id": "STRING"}),
    NodeTable("RunName", {"id": "STRING"}),
    NodeTable(
        "MetadataEntry",
        {
            "id": "STRING",
            "key": "STRING",
            "type": "STRING",
            "value": "STRING",
            "number": "DOUBLE",
            "created": "STRING",
        },
        indexed=("key",),
    ),
)

TAGGABLE = ("Pipeline", "PipelineRun", "Artifact", "ArtifactVersion", "Model", "ModelVersion")
METADATA_OWNERS = ("PipelineRun", "Step", "ArtifactVersion", "ModelVersion")

RELS: tuple[RelTable, ...] = (
    RelTable("HAS_RUN", (("Pipeline", "PipelineRun"),)),
    RelTable("HAS_PIPELINE_VERSION", (("Pipeline", "PipelineVersion"),)),
    RelTable("HAS_STEP", (("PipelineRun", "Step"),)),
    RelTable("NAMES", (("RunName", "PipelineRun"),)),
    RelTable("PRODUCED", (("Step", "ArtifactVersion"),), {"name": "STRING"}),
    RelTable("CONSUMED", (("Step", "ArtifactVersion"),), {"name": "STRING"}),
    RelTable("HAS_VERSION", (("Artifact", "ArtifactVersion"),)),
    RelTable("DERIVED_FROM", (("ArtifactVersion", "ArtifactVersion"),), {"step_id": "STRING"}),
    RelTable("HAS_COLUMN", (("ArtifactVersion", "DatasetColumn"),)),
    RelTable("DECLARES", (("Pipeline", "Artifact"),), {"direction": "STRING"}),
    RelTable(
        "COLUMN_FROM",
        (("DatasetColumn", "DatasetColumn"),),
        {
            "transformation": "STRING",
            "subtype": "STRING",
            "description": "STRING",
            "masking": "BOOLEAN",
        },
    ),
    RelTable("HAS_MODEL_VERSION", (("Model", "ModelVersion"),)),
    RelTable("HOLDS", (("ModelVersion", "ArtifactVersion"),), {"kind": "STRING"}),
    RelTable("MADE_BY", (("ModelVersion", "PipelineRun"),)),
    RelTable("CHANGED_STAGE", (("ModelVersion", "StageChange"),)),
    RelTable("TAGGED", tuple((label, "Tag") for label in TAGGABLE)),
    RelTable("HAS_METADATA", tuple((label, "MetadataEntry") for label in METADATA_OWNERS)),
)


def set_latest_version(carried: str = "art") -> str:
    """Given each artifact ``art`` beside its versions ``v`` (with ``carried`` kept alongside):
    note its latest version on it, the newest by creation time, then by id."""
    return f"""
WITH {carried}, max(v.created) AS newest
MATCH (art)-[:HAS_VERSION]->(w:ArtifactVersion)
WHERE w.created = newest
WITH art, newest, max(w.id) AS id
SET art.latest_version_created = newest, art.latest_version_id = id
"""


BACKFILLS: tuple[str, ...] = (
    """
MATCH (r:PipelineRun)
WHERE NOT EXISTS { MATCH (:RunName)-[:NAMES]->(r) }
CREATE (n:RunName {id: r.name})
CREATE (n)-[:NAMES]->(r)
""",
    """
MATCH (art:Artifact)-[:HAS_VERSION]->(v:ArtifactVersion)
WHERE art.latest_version_id IS NULL"""
    + set_latest_version(),
)
"""Data a schema change needs in stores written before it, run after the DDL at every start
(each finds nothing to do once done): RunName nodes for runs recorded before they existed,
and each artifact's latest version for artifacts written before it was kept."""


def ladybug_statements() -> list[str]:
    """DDL that creates (or completes) the schema in a LadybugDB database."""
    statements: list[str] = []
    for node in NODES:
        columns = ", ".join(f"{name} {kind}" for name, kind in node.columns.items())
        statements.append(
            f"CREATE NODE TABLE IF NOT EXISTS {node.label}({columns}, PRIMARY KEY (id))"
        )
        statements.extend(
            f"ALTER TABLE {node.label} ADD IF NOT EXISTS {name} {kind}"
            for name, kind in node.columns.items()
            if name != "id"
        )
    for rel in RELS:
        parts = [f"FROM {source} TO {target}" for source, target in rel.pairs]
        parts.extend(f"{name} {kind}" for name, kind in rel.columns.items())
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {rel.type}({', '.join(parts)})")
        # A label pair added to a relationship later (such as models gaining tags).
        statements.extend(
            f"ALTER TABLE {rel.type} ADD IF NOT EXISTS FROM {source} TO {target}"
            for source, target in rel.pairs[1:]
        )
    return [*statements, *BACKFILLS]


def neo4j_statements() -> list[str]:
    """Constraints and indexes that Neo4j needs for the same schema."""
    statements: list[str] = []
    for node in NODES:
        for column in node.unique:
            statements.append(
                f"CREATE CONSTRAINT {node.label.lower()}_{column}_unique IF NOT EXISTS "
                f"FOR (n:{node.label}) REQUIRE n.{column} IS UNIQUE"
            )
        for column in node.indexed:
            statements.append(
                f"CREATE INDEX {node.label.lower()}_{column} IF NOT EXISTS "
                f"FOR (n:{node.label}) ON (n.{column})"
            )
    statements += [
        "CREATE CONSTRAINT changecounter_id_unique IF NOT EXISTS "
        "FOR (c:ChangeCounter) REQUIRE c.id IS UNIQUE",
        "CREATE INDEX change_seq IF NOT EXISTS FOR (c:Change) ON (c.seq)",
    ]
    return [*statements, *BACKFILLS]
