"""The model registry's Cypher, in the dialect Neo4j and LadybugDB share (see ``queries``)."""

from __future__ import annotations

from lineageql.graph.queries import columns, from_keys

MODEL_RETURN = columns("m", "Model", skip=("version_counter",))
MODEL_VERSION_RETURN = columns("v", "ModelVersion")
STAGE_CHANGE_RETURN = columns("c", "StageChange")

# -- models ------------------------------------------------------------------------------

MODELS_BY_ID = f"UNWIND $keys AS k MATCH (m:Model {{id: k}}) RETURN k AS key, {MODEL_RETURN}"

MODELS_BY_NAME = f"UNWIND $keys AS k MATCH (m:Model {{name: k}}) RETURN k AS key, {MODEL_RETURN}"

MODEL_IDS = "UNWIND $keys AS key MATCH (m:Model) RETURN key, m.id AS id ORDER BY m.name"
"""Every model's id, by name (a registry holds few enough to page in memory)."""

CREATE_MODEL = """
CREATE (m:Model {
    id: $id, name: $name, created: $created, description: $description, license: $license,
    audience: $audience, use_cases: $use_cases, limitations: $limitations,
    trade_offs: $trade_offs, ethics: $ethics, version_counter: 0
})
"""

LOCK_MODEL = """
MATCH (m:Model {id: $id})
SET m.version_counter = coalesce(m.version_counter, 0)
RETURN m.version_counter AS counter
"""
"""Read a model's version counter under the model node's write lock (the SET takes it), so
concurrent writers of one model's versions or stages queue here and each sees what its
predecessor committed."""

# -- versions ----------------------------------------------------------------------------

CREATE_MODEL_VERSION = """
MATCH (m:Model {id: $model_id})
SET m.version_counter = $number
CREATE (m)-[:HAS_MODEL_VERSION]->(v:ModelVersion {
    id: $id, model_id: $model_id, number: $number, name: $name, stage: $stage,
    created: $created, description: $description
})
"""

MODEL_VERSION_NAMED = """
MATCH (v:ModelVersion {model_id: $model_id, name: $name})
RETURN v.id AS id
"""

MODEL_VERSIONS_BY_ID = (
    f"UNWIND $keys AS k MATCH (v:ModelVersion {{id: k}}) RETURN k AS key, {MODEL_VERSION_RETURN}"
)

VERSIONS_OF_MODELS = f"""
MATCH (v:ModelVersion)
WHERE v.model_id IN $keys
RETURN v.model_id AS key, {MODEL_VERSION_RETURN}
ORDER BY key, v.number DESC
"""
"""Each model's versions, newest (highest number) first."""

# -- what a version holds ----------------------------------------------------------------

LINK_MODEL_ARTIFACTS = """
UNWIND $rows AS row
MATCH (v:ModelVersion {id: row.version_id})
WITH v, row
MATCH (a:ArtifactVersion {id: row.artifact_version_id})
MERGE (v)-[:HOLDS {kind: row.kind}]->(a)
"""

LINK_MODEL_RUNS = """
UNWIND $rows AS row
MATCH (v:ModelVersion {id: row.version_id})
WITH v, row
MATCH (r:PipelineRun {id: row.run_id})
MERGE (v)-[:MADE_BY]->(r)
"""

ARTIFACTS_OF_MODEL_VERSIONS = (
    from_keys("v:ModelVersion", "(v)-[h:HOLDS]->(a:ArtifactVersion)", "a")
    + """
RETURN k AS key, h.kind AS kind, a.id AS artifact_version_id
ORDER BY key, kind, a.created DESC, a.id
"""
)
"""Each model version's artifact versions by kind, newest first within a kind."""

RUNS_OF_MODEL_VERSIONS = f"""{from_keys("v:ModelVersion", "(v)-[:MADE_BY]->(r:PipelineRun)", "r")}
RETURN k AS key, r.id AS run_id
ORDER BY key, r.created DESC
"""

MODEL_VERSIONS_HOLDING = f"""{from_keys("a:ArtifactVersion", "(v:ModelVersion)-[:HOLDS]->(a)", "v")}
RETURN DISTINCT k AS key, v.id AS model_version_id, v.model_id AS model_id
"""
"""The model versions holding each artifact version."""

# -- stages ------------------------------------------------------------------------------

STAGE_HOLDERS = """
MATCH (v:ModelVersion {model_id: $model_id, stage: $stage})
RETURN v.id AS id
"""

SET_STAGE = """
MATCH (v:ModelVersion {id: $version_id})
SET v.stage = $to_stage
CREATE (v)-[:CHANGED_STAGE]->(:StageChange {
    id: $id, model_id: $model_id, version_id: $version_id,
    from_stage: $from_stage, to_stage: $to_stage, at: $at, by: $by
})
"""
"""One stage change: the version's stage, and the change kept in its history."""

STAGE_CHANGES_OF_VERSIONS = f"""
MATCH (c:StageChange)
WHERE c.version_id IN $keys
RETURN c.version_id AS key, {STAGE_CHANGE_RETURN}
ORDER BY key, c.at, c.id
"""

STAGE_CHANGES_OF_MODELS = f"""
MATCH (c:StageChange)
WHERE c.model_id IN $keys
RETURN c.model_id AS key, {STAGE_CHANGE_RETURN}
ORDER BY key, c.at, c.id
"""
