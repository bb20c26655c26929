"""Every Cypher text lineageql runs, in the dialect Neo4j and LadybugDB share.

No user value is ever formatted into a query: values travel as parameters. The only text
that varies is structure chosen from fixed vocabularies here (labels from the schema, sort
fields from a whitelist, filter fragments, the lineage walk's direction).
"""

from __future__ import annotations

from lineageql.graph.migrations import (
    METADATA_OWNERS,
    NODES,
    RELS,
    TAGGABLE,
    set_latest_version,
)

_COLUMNS = {node.label: tuple(node.columns) for node in NODES}


def columns(var: str, label: str, skip: tuple[str, ...] = (), prefix: str = "") -> str:
    """``var.col AS col, ...`` for every stored column of ``label`` (named ``prefix`` + col
    when a query returns them beside other columns)."""
    return ", ".join(f"{var}.{col} AS {prefix}{col}" for col in _COLUMNS[label] if col not in skip)


JOINED_VERSION = "version_"
"""The prefix of an artifact version's columns in rows that carry it beside others."""
JOINED_STEP = "step_"
"""The prefix of a step's columns in rows that carry it beside its run."""


def from_keys(node: str, pattern: str, found: str, where: str = "", param: str = "keys") -> str:
    """The head of a keyed read: for each id in ``$param``, the ``node`` with that id (bound
    as ``k`` beside it), then ``pattern`` from it (filtered by ``where``), one row per match
    bound to ``found``; keys with no match give no row.

    Every keyed read that follows a relationship starts so. LadybugDB plans the other forms
    as scans of the whole label: ``WHERE s.id IN $keys`` filters a scan (a step's links in
    18 ms among 100,000 steps), and a join from ``UNWIND`` then MATCH follows the
    relationship by scanning its table; an OPTIONAL MATCH from nodes found by key follows
    only their edges (0.5 ms there, the same as among 1,000). A later ``WITH`` that keeps
    the node and matches from it again keeps ``k`` too: LadybugDB checks ``{id: k}`` again
    there ("Cannot evaluate expression with type VARIABLE" without it)."""
    condition = f"\nWHERE {where}" if where else ""
    return f"""
UNWIND ${param} AS k
MATCH ({node} {{id: k}})
OPTIONAL MATCH {pattern}{condition}
WITH * WHERE {found} IS NOT NULL"""


def checked_label(label: str, allowed: tuple[str, ...]) -> str:
    """``label`` if it is one of ``allowed`` (labels come from code, never from users)."""
    if label not in allowed:
        raise ValueError(f"unexpected label {label!r}")
    return label


# -- pipelines ---------------------------------------------------------------------------

PIPELINE_RETURN = columns("p", "Pipeline")

MERGE_PIPELINES = """
UNWIND $rows AS row
MERGE (p:Pipeline {id: row.id})
ON CREATE SET p.name = row.name, p.created = row.created, p.docstring = row.docstring
"""
"""Pipelines, created on first use."""

PIPELINES_BY_ID = "UNWIND $keys AS k MATCH (p:Pipeline {id: k}) RETURN k AS key, " + PIPELINE_RETURN


# -- pipeline versions -------------------------------------------------------------------

PIPELINE_VERSION_RETURN = columns("v", "PipelineVersion")

LOCK_PIPELINE_VERSIONS = """
MATCH (p:Pipeline {id: $pipeline_id})
SET p.version_counter = coalesce(p.version_counter, 0)
RETURN p.version_counter AS counter
"""
"""Read a pipeline's version counter under the pipeline node's write lock (the SET takes it),
so concurrent first runs of a new structure number it once."""

PIPELINE_VERSION_BY_ID = "MATCH (v:PipelineVersion {id: $id}) RETURN v.id AS id"

CREATE_PIPELINE_VERSION = """
MATCH (p:Pipeline {id: $pipeline_id})
SET p.version_counter = $version
CREATE (p)-[:HAS_PIPELINE_VERSION]->(v:PipelineVersion {
    id: $id, pipeline_id: $pipeline_id, version: $version, structure_hash: $structure_hash,
    created: $created
})
RETURN v.id AS id
"""

PIPELINE_VERSIONS_BY_ID = f"""
UNWIND $keys AS k
MATCH (v:PipelineVersion {{id: k}})
RETURN k AS key, {PIPELINE_VERSION_RETURN}
"""

VERSIONS_OF_PIPELINES = f"""
UNWIND $keys AS k
MATCH (v:PipelineVersion)
WHERE v.pipeline_id = k
RETURN k AS key, {PIPELINE_VERSION_RETURN}
ORDER BY k, v.version DESC
"""

RUN_IDS_OF_PIPELINE_VERSIONS = """
UNWIND $keys AS k
MATCH (r:PipelineRun)
WHERE r.pipeline_version_id = k
RETURN k AS key, r.id AS id
ORDER BY k, r.created DESC, r.id DESC
"""

RUN_COUNTS = """
UNWIND $keys AS k
MATCH (p:Pipeline {id: k})
RETURN k AS key, COUNT { MATCH (p)-[:HAS_RUN]->(:PipelineRun) } AS count
"""

# -- runs ------------------------------------------------------------------------------

RUN_RETURN = columns("r", "PipelineRun")
RUN_MATCH = "MATCH (p:Pipeline)-[:HAS_RUN]->(r:PipelineRun)"

RUN_NAME_TAKEN = "MATCH (n:RunName {id: $name})-[:NAMES]->(r:PipelineRun) RETURN r.id AS id"
"""Run names are unique and looked up often, so each has a RunName node keyed by the name:
a primary-key lookup on both stores (LadybugDB has no secondary index on ``r.name``)."""

CREATE_RUNS = """
UNWIND $rows AS row
MATCH (p:Pipeline {id: row.pipeline_id})
CREATE (p)-[:HAS_RUN]->(r:PipelineRun {
    id: row.id, pipeline_id: row.pipeline_id, name: row.name, status: row.status,
    created: row.created, start_time: row.start_time, end_time: row.end_time,
    config: row.config, settings: row.settings, git_sha: row.git_sha, docstring: row.docstring,
    pipeline_version_id: row.pipeline_version_id, reported_status: row.reported_status
})
CREATE (n:RunName {id: row.name})
CREATE (n)-[:NAMES]->(r)
"""
"""Runs with every column given, and their names (check the names are free first)."""

RUN_STATE_FIELDS = ("status", "created", "start_time", "end_time", "reported_status")
"""What lineage events change on a run: its state, and the status its own events reported."""


def set_run_states(fields: tuple[str, ...]) -> str:
    """Set ``fields`` (of RUN_STATE_FIELDS) of each run to the row's values."""
    return _set_states("r:PipelineRun", fields, RUN_STATE_FIELDS)


def _set_states(node: str, fields: tuple[str, ...], allowed: tuple[str, ...]) -> str:
    """Set only the ``fields`` that changed: LadybugDB keeps a version of every column a
    statement sets, whatever the value, and a commit and later reads pay for each (setting
    the three of five fields that changed took a commit of 3.9 against 5.1 ms, and the next
    read of those runs 1.8 against 2.4 ms, a batch of eight events). A field set to null
    keeps its value: an error message, once given, stays."""
    if not fields or not set(fields) <= set(allowed):
        raise ValueError(f"fields to set must be some of {allowed}, got {fields}")
    var = node.partition(":")[0]
    assignments = ", ".join(
        f"{var}.{f} = coalesce(row.{f}, {var}.{f})"
        if f == "error_message"
        else f"{var}.{f} = row.{f}"
        for f in fields
    )
    return f"UNWIND $rows AS row\nMATCH ({node} {{id: row.id}})\nSET {assignments}\n"


UPDATE_RUN = f"""
MATCH (r:PipelineRun {{id: $id}})
SET r.status = coalesce($status, r.status),
    r.start_time = coalesce($start_time, r.start_time),
    r.end_time = coalesce($end_time, r.end_time)
RETURN {RUN_RETURN}
"""

RUNS_BY_ID = f"UNWIND $keys AS k MATCH (r:PipelineRun {{id: k}}) RETURN k AS key, {RUN_RETURN}"
"""Each node found by its key, as every ``*_BY_ID`` statement: LadybugDB plans ``WHERE r.id
IN $keys`` as a scan of the whole label (6.3 ms for eight runs among 50,000, against
0.06 ms by key)."""
RUNS_BY_NAME = from_keys("n:RunName", "(n)-[:NAMES]->(r:PipelineRun)", "r") + (
    "\nRETURN k AS key, " + RUN_RETURN
)
"""By the name key (a scan of ``r.name`` grows with the history)."""
RUNS_BY_NAME_PREFIX = (
    "MATCH (r:PipelineRun) WHERE r.name STARTS WITH $prefix RETURN "
    + RUN_RETURN
    + " ORDER BY r.created DESC LIMIT $limit"
)

RUN_PAGE = """
MATCH (p:Pipeline {id: $pipeline_id})-[:HAS_RUN]->(r:PipelineRun)
WHERE (size($statuses) = 0 OR r.status IN $statuses) AND ($as_of = '' OR r.created <= $as_of)
  AND ($after_id = '' OR r.created < $after_created
       OR (r.created = $after_created AND r.id < $after_id))
RETURN r.id AS id
ORDER BY r.created DESC, r.id DESC
LIMIT $limit
"""
"""One page of a pipeline's runs, newest first, after the run ``$after_id`` (or from the
start when it is ''). Its total is a query of its own (RUN_TOTAL): counting in the same
query made the nested walk grow with the history (17 to 28 ms from 200 to 5,000 runs)."""

RUN_PROGRESS = """
MATCH (r:PipelineRun {id: $id})
OPTIONAL MATCH (r)-[:HAS_STEP]->(s:Step)
OPTIONAL MATCH (s)-[e:PRODUCED]->(:ArtifactVersion)
RETURN r.status AS status, r.end_time AS end_time, s.id AS step_id, s.status AS step_status,
       count(e) AS outputs
"""
"""What a live view of a run watches: its status, and each step's status and outputs."""

RECENT_RUN_STATUSES = """
MATCH (p:Pipeline {id: $pipeline_id})-[:HAS_RUN]->(r:PipelineRun)
RETURN r.id AS id, r.status AS status
ORDER BY r.created DESC, r.id DESC
LIMIT $limit
"""

RUN_TOTAL = """
MATCH (p:Pipeline {id: $pipeline_id})-[:HAS_RUN]->(r:PipelineRun)
WHERE (size($statuses) = 0 OR r.status IN $statuses) AND ($as_of = '' OR r.created <= $as_of)
RETURN count(*) AS total
"""

RUN_IDS_OF_PIPELINES = (
    from_keys(
        "p:Pipeline",
        "(p)-[:HAS_RUN]->(r:PipelineRun)",
        "r",
        "size($statuses) = 0 OR r.status IN $statuses",
    )
    + """
RETURN k AS key, r.id AS id
ORDER BY k, r.created DESC, r.id DESC
"""
)

DELETE_RUN_DERIVED_EDGES = """
MATCH (r:PipelineRun {id: $id})-[:HAS_STEP]->(s:Step)-[:PRODUCED]->(o:ArtifactVersion)
MATCH (s)-[:CONSUMED]->(i:ArtifactVersion)
MATCH (o)-[d:DERIVED_FROM]->(i)
WHERE NOT EXISTS {
    MATCH (o)<-[:PRODUCED]-(t:Step)-[:CONSUMED]->(i)
    WHERE NOT EXISTS { MATCH (r)-[:HAS_STEP]->(t) }
}
DELETE d
"""

DELETE_RUN_METADATA = (
    "MATCH (:PipelineRun {id: $id})-[:HAS_STEP]->(:Step)-[:HAS_METADATA]->(m:MetadataEntry) "
    "DETACH DELETE m",
    "MATCH (:PipelineRun {id: $id})-[:HAS_METADATA]->(m:MetadataEntry) DETACH DELETE m",
)
DELETE_RUN_STEPS = "MATCH (:PipelineRun {id: $id})-[:HAS_STEP]->(s:Step) DETACH DELETE s"
DELETE_RUN = "MATCH (r:PipelineRun {id: $id}) DETACH DELETE r RETURN count(*) AS deleted"
DELETE_RUN_NAME = "MATCH (n:RunName)-[:NAMES]->(:PipelineRun {id: $id}) DETACH DELETE n"

# -- steps -----------------------------------------------------------------------------

STEP_RETURN = columns("s", "Step")
STEP_ORDER = "coalesce(s.start_time, s.created), s.created, s.name"

STEP_NAME_TAKEN = """
MATCH (r:PipelineRun {id: $run_id})
OPTIONAL MATCH (r)-[:HAS_STEP]->(s:Step)
WHERE s.name = $name
RETURN r.id AS run_id, s.id AS step_id
"""

CREATE_STEPS = """
UNWIND $rows AS row
MATCH (r:PipelineRun {id: row.run_id})
CREATE (r)-[:HAS_STEP]->(s:Step {
    id: row.id, run_id: row.run_id, name: row.name, step_name: row.step_name,
    status: row.status, created: row.created, start_time: row.start_time,
    end_time: row.end_time, cache_key: row.cache_key, parameters: row.parameters,
    settings: row.settings, docstring: row.docstring, error_message: row.error_message,
    source_hash: row.source_hash
})
"""
"""Steps with every column given (one step, or whole steps of whole runs at once)."""

RUN_NAMES_TAKEN = """
UNWIND $names AS name
MATCH (n:RunName {id: name})
RETURN n.id AS name
"""

UPDATE_STEP = f"""
MATCH (s:Step {{id: $id}})
SET s.status = coalesce($status, s.status),
    s.start_time = coalesce($start_time, s.start_time),
    s.end_time = coalesce($end_time, s.end_time),
    s.error_message = coalesce($error_message, s.error_message)
RETURN {STEP_RETURN}
"""

STEP_STATE_FIELDS = ("status", "created", "start_time", "end_time", "error_message")
"""What lineage events change on a step."""


def set_step_states(fields: tuple[str, ...]) -> str:
    """Set ``fields`` (of STEP_STATE_FIELDS) of each step to the row's values."""
    return _set_states("s:Step", fields, STEP_STATE_FIELDS)


CACHED_STEP = f"""
MATCH (s:Step)
WHERE s.cache_key = $cache_key AND s.status = 'completed'
RETURN {STEP_RETURN}
ORDER BY s.created DESC
LIMIT 1
"""
"""The newest completed step with this cache key: the one a cached step reuses."""

STEPS_BY_ID = f"""
UNWIND $keys AS k
MATCH (s:Step {{id: k}})
RETURN k AS key, {STEP_RETURN}
"""

STEPS_OF_RUNS = f"""{from_keys("r:PipelineRun", "(r)-[:HAS_STEP]->(s:Step)", "s")}
RETURN k AS key, {STEP_RETURN}
ORDER BY key, {STEP_ORDER}
"""
"""Each run's steps in their order (0.7 ms for eight runs among 20,000 on LadybugDB, as among
1,000; filtering ``r.id IN $keys`` took 1.9 ms there and grows with the history)."""

RUNS_WITH_STEPS = f"""
UNWIND $keys AS k
MATCH (r:PipelineRun {{id: k}})
OPTIONAL MATCH (r)-[:HAS_STEP]->(s:Step)
RETURN {RUN_RETURN}, {columns("s", "Step", prefix=JOINED_STEP)}
"""
"""Each run found by key, once per step it has (its step's columns null when it has none),
in no order: what ingest reads, in one statement rather than two (1.9 and 0.7 ms a batch
of eight events on LadybugDB)."""

# -- inputs, outputs and the derived lineage index --------------------------------------

EXISTING_VERSIONS = (
    "UNWIND $keys AS k MATCH (a:ArtifactVersion {id: k}) RETURN k AS key, a.id AS id"
)


def _link(direction: str, verb: str) -> str:
    return f"""
UNWIND $rows AS row
MATCH (s:Step {{id: row.step_id}})
WITH s, row
MATCH (a:ArtifactVersion {{id: row.artifact_version_id}})
{verb} (s)-[c:{direction} {{name: row.name}}]->(a)
"""


LINK_INPUTS = _link("CONSUMED", "MERGE")
LINK_OUTPUTS = _link("PRODUCED", "MERGE")
NEW_INPUT_LINKS = _link("CONSUMED", "CREATE")
NEW_OUTPUT_LINKS = _link("PRODUCED", "CREATE")
"""Links the writer knows are not there yet (ingest read the step's links): CREATE does not
look through the step's other links as MERGE does (both kinds in 0.5 against 1.4 ms a batch
of eight events on LadybugDB)."""

DERIVE_FROM_STEP = """
MATCH (s:Step {id: $step_id})-[:PRODUCED]->(o:ArtifactVersion)
MATCH (s)-[:CONSUMED]->(i:ArtifactVersion)
WHERE o.id <> i.id
MERGE (o)-[:DERIVED_FROM]->(i)
RETURN DISTINCT i.id AS id
"""
"""Each output of a step derived from each of its inputs; the inputs' ids."""


def _derive_pairs(verb: str) -> str:
    return f"""
UNWIND $rows AS row
MATCH (o:ArtifactVersion {{id: row.output}})
WITH o, row
MATCH (i:ArtifactVersion {{id: row.input}})
{verb} (o)-[:DERIVED_FROM]->(i)
"""


DERIVE_PAIRS = _derive_pairs("MERGE")
"""DERIVED_FROM edges given as (output, input) pairs. ``record_runs`` and ``record_step``
know every step's pairs already; deriving them from the links just made, for many steps in
one statement, once left one edge in four out on LadybugDB."""
NEW_DERIVED_PAIRS = _derive_pairs("CREATE")
"""DERIVED_FROM edges from versions created in the same transaction (none can exist yet)."""

IO_OF_STEPS = {
    direction: f"""{from_keys("s:Step", f"(s)-[e:{direction}]->(a:ArtifactVersion)", "a")}
RETURN k AS key, e.name AS name, a.id AS artifact_version_id,
       {columns("a", "ArtifactVersion", prefix=JOINED_VERSION)}
ORDER BY key, name
"""
    for direction in ("PRODUCED", "CONSUMED")
}
"""Each step's inputs or outputs, with the versions' own columns (the next thing a reader of
a step's outputs asks for)."""

LINKS_OF_STEPS = "\nUNION ALL".join(
    f"""{from_keys("s:Step", f"(s)-[e:{direction}]->(a:ArtifactVersion)", "a")}
RETURN k AS key, '{direction}' AS direction, e.name AS name, a.id AS artifact_version_id"""
    for direction in ("CONSUMED", "PRODUCED")
)
"""Each step's inputs and outputs as version ids, in one statement."""

STEPS_TOUCHING = {
    direction: from_keys("a:ArtifactVersion", f"(s:Step)-[e:{direction}]->(a)", "s")
    + """
RETURN k AS key, s.id AS step_id, e.name AS name
ORDER BY k, s.created, s.id
"""
    for direction in ("PRODUCED", "CONSUMED")
}

# -- artifacts and versions -------------------------------------------------------------

ARTIFACT_RETURN = columns(
    "a", "Artifact", skip=("version_counter", "latest_version_id", "latest_version_created")
)
VERSION_RETURN = columns("v", "ArtifactVersion")
VERSION_MATCH = "MATCH (art:Artifact)-[:HAS_VERSION]->(v:ArtifactVersion)"

LOCK_ARTIFACTS = """
UNWIND $rows AS row
MERGE (a:Artifact {id: row.id})
ON CREATE SET a.name = row.name, a.created = row.created, a.version_counter = 0
SET a.version_counter = a.version_counter + row.increment
WITH a, row, row.newest_id IS NOT NULL AND (
    a.latest_version_id IS NULL OR row.newest_created > a.latest_version_created
    OR (row.newest_created = a.latest_version_created AND row.newest_id > a.latest_version_id)
) AS newer
SET a.latest_version_id = CASE WHEN newer THEN row.newest_id ELSE a.latest_version_id END,
    a.latest_version_created =
        CASE WHEN newer THEN row.newest_created ELSE a.latest_version_created END
RETURN row.id AS id, a.version_counter AS counter
"""
"""Create missing artifacts, reserve ``row.increment`` automatic version numbers on each, and
note the newest of the versions about to be created (``row.newest_created``, ``newest_id``;
null for none) as the artifact's latest if it is newer than the one noted.

The SET takes the artifact node's write lock, so concurrent writers of one artifact queue
here and each sees the counter and latest version its predecessor left.
"""

RAISE_VERSION_COUNTERS = """
UNWIND $rows AS row
MATCH (a:Artifact {id: row.id})
WHERE a.version_counter < row.floor
SET a.version_counter = row.floor
"""
"""After imported numbered versions: automatic numbers count on from the highest."""

TAKEN_VERSIONS = """
UNWIND $rows AS row
MATCH (a:Artifact {id: row.id})-[:HAS_VERSION]->(v:ArtifactVersion)
WHERE v.version = row.version
RETURN a.name AS name, v.version AS version
"""

CREATE_VERSIONS = f"""
UNWIND $rows AS row
MATCH (art:Artifact {{id: row.artifact_id}})
CREATE (art)-[:HAS_VERSION]->(v:ArtifactVersion {{
    id: row.id, artifact_id: row.artifact_id, name: row.name, version: row.version, type: row.type,
    data_type: row.data_type, uri: row.uri, materializer: row.materializer,
    save_type: row.save_type, created: row.created, visualizations: row.visualizations
}})
RETURN {VERSION_RETURN}
"""

ARTIFACTS_BY_ID = "UNWIND $keys AS k MATCH (a:Artifact {id: k}) RETURN k AS key, " + ARTIFACT_RETURN


VERSIONS_BY_ID = f"""
UNWIND $keys AS k
MATCH (v:ArtifactVersion {{id: k}})
RETURN k AS key, {VERSION_RETURN}
"""

VERSIONS_OF_ARTIFACTS = (
    from_keys("art:Artifact", "(art)-[:HAS_VERSION]->(v:ArtifactVersion)", "v")
    + """
RETURN k AS key, v.id AS id
ORDER BY k, v.created DESC, v.id DESC
"""
)

VERSION_BY_NAME = (
    f"{VERSION_MATCH} WHERE art.name = $name AND v.version = $version RETURN " + VERSION_RETURN
)
LATEST_VERSION_BY_NAME = (
    f"{VERSION_MATCH} WHERE art.name = $name AND ($as_of = '' OR v.created <= $as_of) RETURN "
    + VERSION_RETURN
    + " ORDER BY v.created DESC, v.id DESC LIMIT 1"
)
"""The newest version of an artifact created at or before ``$as_of`` (any, for '')."""

NOTED_LATEST_VERSION = f"""
MATCH (art:Artifact {{id: $id}})
WITH art
MATCH (v:ArtifactVersion {{id: art.latest_version_id}})
RETURN {VERSION_RETURN}
"""
"""An artifact's latest version through the note on it (0.06 ms among 24,800 versions on
LadybugDB, where LATEST_VERSION_BY_NAME sorts them all in 3.6 ms)."""

LATEST_VERSIONS_OF_ARTIFACTS = """
UNWIND $keys AS k
MATCH (art:Artifact {id: k})
WHERE art.latest_version_id IS NOT NULL
RETURN k AS key, art.name AS name, art.latest_version_id AS id, art.namespace AS namespace
"""
"""Each artifact's latest version id (the one LATEST_VERSION_BY_NAME finds), as noted on it,
and its OpenLineage namespace:
reading it does not grow with the artifact's versions (finding it among 25 versions each of
12 artifacts took 1.9 ms on LadybugDB)."""

SET_LATEST_VERSIONS = from_keys(
    "art:Artifact", "(art)-[:HAS_VERSION]->(v:ArtifactVersion)", "v"
) + set_latest_version("k, art")
"""Note each artifact's latest version again (after versions were deleted)."""

UNREFERENCED_VERSIONS = f"""
{VERSION_MATCH}
WHERE NOT EXISTS {{ MATCH (v)<-[:PRODUCED|CONSUMED]-(:Step) }}
  AND NOT EXISTS {{ MATCH (v)<-[:HOLDS]-(:ModelVersion) }}
RETURN {VERSION_RETURN}
ORDER BY v.created, v.id
"""

EVERY_VERSION = f"""
{VERSION_MATCH}
RETURN {VERSION_RETURN}
"""
"""Every stored version (what a prune must not delete the files of)."""

DELETE_UNREFERENCED_VERSIONS = """
UNWIND $keys AS k
MATCH (v:ArtifactVersion {id: k})
WHERE NOT EXISTS { MATCH (v)<-[:PRODUCED|CONSUMED]-(:Step) }
  AND NOT EXISTS { MATCH (v)<-[:HOLDS]-(:ModelVersion) }
WITH k, v, v.artifact_id AS artifact_id
OPTIONAL MATCH (v)-[:HAS_METADATA]->(m:MetadataEntry)
DETACH DELETE m, v
RETURN DISTINCT k AS id, artifact_id
"""

DELETE_EMPTY_ARTIFACTS = """
MATCH (a:Artifact)
WHERE NOT EXISTS { MATCH (a)-[:HAS_VERSION]->(:ArtifactVersion) }
DETACH DELETE a
"""

# -- tags and metadata ------------------------------------------------------------------


def add_tags(label: str) -> str:
    label = checked_label(label, TAGGABLE)
    return f"""
UNWIND $tags AS tag
MATCH (n:{label} {{id: $id}})
MERGE (t:Tag {{id: tag}})
MERGE (n)-[:TAGGED]->(t)
"""


def remove_tags(label: str) -> str:
    label = checked_label(label, TAGGABLE)
    return f"""
MATCH (n:{label} {{id: $id}})-[e:TAGGED]->(t:Tag)
WHERE t.id IN $tags
DELETE e
"""


def node_exists(label: str) -> str:
    label = checked_label(label, TAGGABLE + METADATA_OWNERS)
    return f"MATCH (n:{label} {{id: $id}}) RETURN n.id AS id"


def tags_of(label: str) -> str:
    label = checked_label(label, TAGGABLE)
    return f"""{from_keys(f"n:{label}", "(n)-[:TAGGED]->(t:Tag)", "t")}
RETURN k AS key, t.id AS tag
ORDER BY key, tag
"""


EXISTING_METADATA = """
UNWIND $keys AS k
MATCH (m:MetadataEntry {id: k})
RETURN m.id AS id, m.type AS type, m.value AS value
"""


def create_metadata(label: str, numeric: bool) -> str:
    """Create metadata entries (each row names its owner, which has none under that id);
    numeric rows also fill ``number``.

    Numeric and other rows go in separate statements because LadybugDB types a parameter
    struct's field from its values, and a field that is null in every row is not a number.
    Creating and setting separately (rather than MERGE on the pattern) costs 0.2 + 0.1 ms
    on LadybugDB against 0.8 ms.
    """
    label = checked_label(label, METADATA_OWNERS)
    number = "row.number" if numeric else "NULL"
    return f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.owner_id}})
CREATE (n)-[:HAS_METADATA]->(:MetadataEntry {{
    id: row.id, key: row.key, type: row.type, value: row.value, number: {number},
    created: row.created
}})
"""


def set_metadata(numeric: bool) -> str:
    """Give existing metadata entries new values (see ``create_metadata``)."""
    number = "row.number" if numeric else "NULL"
    return f"""
UNWIND $rows AS row
MATCH (m:MetadataEntry {{id: row.id}})
SET m.key = row.key, m.type = row.type, m.value = row.value, m.number = {number},
    m.created = row.created
"""


def metadata_of(label: str) -> str:
    """Each node's metadata entries."""
    label = checked_label(label, METADATA_OWNERS)
    return f"""{from_keys(f"n:{label}", "(n)-[:HAS_METADATA]->(m:MetadataEntry)", "m")}
RETURN k AS key, m.key AS meta_key, m.type AS type, m.value AS value, m.created AS created
ORDER BY key, meta_key
"""


# -- lineage ----------------------------------------------------------------------------


_HOP_ARROWS = (("UPSTREAM", "-[:DERIVED_FROM]->"), ("DOWNSTREAM", "<-[:DERIVED_FROM]-"))

# -- the job and dataset view (OpenLineage's model, as Marquez serves it) ------------------

SET_PIPELINE_NAMESPACES = """
UNWIND $rows AS row
MATCH (p:Pipeline {id: row.id})
WHERE p.namespace IS NULL
SET p.namespace = row.namespace
"""
"""The namespace of a job's pipeline, set the first time an event names it."""

SET_DATASET_NAMES = """
UNWIND $rows AS row
MATCH (a:Artifact {id: row.id})
WHERE a.namespace IS NULL
SET a.namespace = row.namespace, a.source_name = row.source_name
"""
"""An OpenLineage dataset's namespace and name within it, beside the artifact's full name."""

NAMESPACES = """
MATCH (p:Pipeline)
RETURN coalesce(p.namespace, $fallback) AS name, min(p.created) AS created
UNION ALL
MATCH (a:Artifact)
RETURN coalesce(a.namespace, $fallback) AS name, min(a.created) AS created
"""

PIPELINES_IN_NAMESPACE = f"""
MATCH (p:Pipeline)
WHERE coalesce(p.namespace, $fallback) = $namespace
RETURN {PIPELINE_RETURN}
ORDER BY p.name
"""

ARTIFACTS_IN_NAMESPACE = f"""
MATCH (a:Artifact)
WHERE coalesce(a.namespace, $fallback) = $namespace
RETURN {ARTIFACT_RETURN}
ORDER BY a.name
"""

STEP_NAMES_OF_PIPELINES = """
MATCH (p:Pipeline)-[:HAS_RUN]->(:PipelineRun)-[:HAS_STEP]->(s:Step)
WHERE p.id IN $keys AND s.status <> 'cached'
RETURN DISTINCT p.id AS key, s.step_name AS step_name
"""
"""The jobs of pipelines: each distinct step name that ran (cached reuses ran nothing)."""

JOB_DATASETS = {
    via: f"""
MATCH (p:Pipeline)-[:HAS_RUN]->(:PipelineRun)-[:HAS_STEP]->(s:Step)-[:{via}]->(v:ArtifactVersion),
      (a:Artifact)-[:HAS_VERSION]->(v)
WHERE p.id IN $keys AND s.status <> 'cached'
RETURN DISTINCT p.id AS key, s.step_name AS step_name, a.id AS artifact_id
"""
    for via in ("PRODUCED", "CONSUMED")
}
"""The datasets each job of the pipelines wrote (PRODUCED) or read (CONSUMED)."""

DATASET_JOBS = {
    via: f"""
MATCH (a:Artifact)-[:HAS_VERSION]->(:ArtifactVersion)<-[:{via}]-(s:Step),
      (p:Pipeline)-[:HAS_RUN]->(:PipelineRun)-[:HAS_STEP]->(s)
WHERE a.id IN $keys AND s.status <> 'cached'
RETURN DISTINCT a.id AS key, p.id AS pipeline_id, s.step_name AS step_name
"""
    for via in ("PRODUCED", "CONSUMED")
}
"""The jobs that wrote (PRODUCED) or read (CONSUMED) any version of each dataset."""

STEPS_OF_JOB = f"""
MATCH (:Pipeline {{id: $pipeline_id}})-[:HAS_RUN]->(:PipelineRun)-[:HAS_STEP]->(s:Step)
WHERE s.step_name = $step_name AND s.status <> 'cached'
RETURN {STEP_RETURN}
ORDER BY s.created DESC
LIMIT $limit
"""
"""A job's newest runs: the steps with its name (cached reuses ran nothing)."""

NEWEST_STEPS_OF_JOBS = (
    from_keys(
        "p:Pipeline",
        "(p)-[:HAS_RUN]->(:PipelineRun)-[:HAS_STEP]->(s:Step)",
        "s",
        "s.status <> 'cached'",
    )
    + """
RETURN k AS key, s.step_name AS step_name, max(s.created + ' ' + s.id) AS newest
"""
)
"""Every job of the pipelines with its newest run as ``created id`` (stored times have one
width, so the greatest string is the newest step; ties go to the greater id): the first
of each job's STEPS_OF_JOB, for all the jobs at once."""


# -- what jobs declare (OpenLineage JobEvents) -------------------------------------------

FORGET_DECLARATIONS = "MATCH (:Pipeline {id: $id})-[d:DECLARES]->(:Artifact) DELETE d"

DECLARE = """
UNWIND $rows AS row
MATCH (p:Pipeline {id: row.pipeline_id})
WITH p, row
MATCH (a:Artifact {id: row.artifact_id})
CREATE (p)-[:DECLARES {direction: row.direction}]->(a)
"""
"""A pipeline (a job) to each artifact (a dataset) it declares as INPUT or OUTPUT."""

DECLARED_OF_PIPELINES = {
    direction: from_keys(
        "p:Pipeline", "(p)-[d:DECLARES]->(a:Artifact)", "a", f"d.direction = '{direction}'"
    )
    + """
RETURN k AS key, a.id AS id
ORDER BY key, a.name
"""
    for direction in ("INPUT", "OUTPUT")
}
"""Each pipeline's declared input (or output) artifacts, by name."""

# -- columns and column-level lineage ---------------------------------------------------

COLUMN_RETURN = columns("c", "DatasetColumn")

CREATE_COLUMNS = """
UNWIND $rows AS row
MATCH (v:ArtifactVersion {id: row.version_id})
CREATE (v)-[:HAS_COLUMN]->(:DatasetColumn {
    id: row.id, version_id: row.version_id, name: row.name, type: row.type,
    description: row.description, position: row.position
})
"""
"""Columns of versions (each version's columns written once, with the version; a source
column a producer named but no schema listed is added to its version when first linked)."""

EXISTING_COLUMNS = "UNWIND $keys AS k MATCH (c:DatasetColumn {id: k}) RETURN k AS key, c.id AS id"

LINK_COLUMNS = """
UNWIND $rows AS row
MATCH (c:DatasetColumn {id: row.column_id})
WITH c, row
MATCH (s:DatasetColumn {id: row.source_id})
CREATE (c)-[:COLUMN_FROM {
    transformation: row.transformation, subtype: row.subtype,
    description: row.description, masking: row.masking
}]->(s)
"""
"""A derived column to each column it came from. Two MATCH clauses apart, not one with a
comma: LadybugDB plans the comma as a product of both scans (65 ms for 240 links against
1 ms), and looks up by key only the first MATCH after rows sent field by field
(``ladybug_rows``)."""

COLUMNS_BY_ID = f"""
UNWIND $keys AS k
MATCH (c:DatasetColumn {{id: k}})
RETURN k AS key, {COLUMN_RETURN}
"""

COLUMNS_OF_VERSIONS = (
    from_keys("v:ArtifactVersion", "(v)-[:HAS_COLUMN]->(c:DatasetColumn)", "c")
    + f"""
RETURN k AS key, {COLUMN_RETURN}
ORDER BY key, c.position, c.name
"""
)

_COLUMN_LINK = (
    "e.transformation AS transformation, e.subtype AS subtype, "
    "e.description AS description, e.masking AS masking"
)
COLUMN_LINKS_OF_COLUMNS = {
    "UPSTREAM": f"""{from_keys("c:DatasetColumn", "(c)-[e:COLUMN_FROM]->(s:DatasetColumn)", "s")}
RETURN k AS key, c.id AS column_id, s.id AS source_id, {_COLUMN_LINK}
""",
    "DOWNSTREAM": f"""{from_keys("c:DatasetColumn", "(c)<-[e:COLUMN_FROM]-(d:DatasetColumn)", "d")}
RETURN k AS key, d.id AS column_id, c.id AS source_id, {_COLUMN_LINK}
""",
}
"""Each column's links one hop upstream (what it came from) or downstream (what came
from it), keyed by the column."""

DERIVED_HOP = {
    direction: from_keys("a:ArtifactVersion", f"(a){arrow}(b:ArtifactVersion)", "b", param="ids")
    + "\nRETURN DISTINCT k AS source, b.id AS id"
    for direction, arrow in _HOP_ARROWS
}
"""One hop along the derived-from index from a whole frontier at once (on LadybugDB among
40,000 versions: 0.6 ms for one id, 2.5 ms for 400, against 1.8 and 73 ms by ``IN``).

Lineage walks hop by hop with this query rather than with one variable-length pattern:
where steps fan in, the number of paths grows exponentially with depth while the number of
nodes does not, and both engines enumerate paths.
"""


def derived_closure(direction: str, depth: int) -> str:
    """The DERIVED_FROM edges leaving every version within ``depth - 1`` hops of ``$ids``,
    with the columns of the versions they reach: all a breadth-first walk to ``depth``
    reads, and the records its reader asks for next, in one query. Only for an engine that
    expands the distinct-node pattern breadth-first (``GraphStore.prunes_walks``): one that
    enumerates paths pays for every path where steps fan in.

    The visited versions are grouped with an aggregation: Neo4j 5.26 plans ``WITH DISTINCT x``
    (and ``collect(DISTINCT x)``) after a pruning expand from several start nodes as if each
    start's distinct ends were distinct overall, and returns duplicates (2,000 rows for 404
    versions from 400 starts)."""
    arrow = dict(_HOP_ARROWS)[direction]
    return f"""
MATCH (a:ArtifactVersion)
WHERE a.id IN $ids
MATCH (a){arrow.replace("]", f"*0..{int(depth) - 1}]")}(x:ArtifactVersion)
WITH x, count(*) AS paths
MATCH (x){arrow}(y:ArtifactVersion)
RETURN x.id AS source, y.id AS id, {columns("y", "ArtifactVersion", prefix=JOINED_VERSION)}
"""


def lineage_edges(direction: str) -> str:
    """PRODUCED and CONSUMED edges of the steps next to the frontier, inside the id set.

    Upstream, the steps are the producers of the frontier versions; downstream, their
    consumers. Only edges whose artifact version is in ``$ids`` are returned. Cached steps
    are left out: they ran nothing, and a version they reused is drawn once, from the step
    that made it (the answer counts them instead).
    """
    via = "PRODUCED" if direction == "UPSTREAM" else "CONSUMED"
    parts = [
        f"""
MATCH (s:Step)-[:{via}]->(f:ArtifactVersion)
WHERE f.id IN $frontier AND s.status <> 'cached'
WITH DISTINCT s
MATCH (s)-[e:{kind}]->(a:ArtifactVersion)
WHERE a.id IN $ids
RETURN s.id AS step_id, a.id AS artifact_version_id, e.name AS name, '{kind}' AS kind
"""
        for kind in ("PRODUCED", "CONSUMED")
    ]
    return "UNION ALL".join(parts)


# -- what writes touched, for processes sharing a Neo4j database ---------------------------

APPEND_CHANGE = """
MERGE (c:ChangeCounter {id: 'changes'})
ON CREATE SET c.seq = 0
SET c.seq = c.seq + 1
CREATE (:Change {seq: c.seq, touched: $touched})
RETURN c.seq AS seq
"""
"""Number a write transaction and keep what it touched (Neo4j only). The counter's write
lock is held until commit, so numbers are given in commit order."""

FORGET_CHANGES = "MATCH (c:Change) WHERE c.seq <= $below DETACH DELETE c"

CHANGES_AFTER = """
OPTIONAL MATCH (c:ChangeCounter {id: 'changes'})
WITH coalesce(c.seq, 0) AS current
OPTIONAL MATCH (ch:Change)
WHERE ch.seq > $after AND current >= $after
RETURN current, ch.seq AS seq, ch.touched AS touched
ORDER BY seq
"""
"""The newest number, and what the writes numbered after ``$after`` touched."""

# -- copying a whole store -----------------------------------------------------------------


def node_count(label: str) -> str:
    return f"MATCH (n:{checked_label(label, _LABELS)}) RETURN count(n) AS total"


def node_page(label: str) -> str:
    """One page of a label's nodes, every column, in id order after ``$after``."""
    label = checked_label(label, _LABELS)
    return f"""
MATCH (n:{label})
WHERE n.id > $after
RETURN {columns("n", label)}
ORDER BY id
LIMIT $limit
"""


def create_nodes(label: str) -> str:
    label = checked_label(label, _LABELS)
    assigned = ", ".join(f"{col}: row.{col}" for col in _COLUMNS[label])
    return f"UNWIND $rows AS row CREATE (n:{label} {{{assigned}}})"


def relationship_count(rel: str, source: str, target: str) -> str:
    return f"MATCH (:{_pair(source, target)})-[r:{_rel(rel)}]->(:{target}) RETURN count(r) AS total"


def relationship_page(rel: str, source: str, target: str) -> str:
    """The relationships of type ``rel`` leaving the ``source`` nodes ``$ids``."""
    props = "".join(f", r.{col} AS {col}" for col in _REL_COLUMNS[_rel(rel)])
    return f"""
MATCH (a:{_pair(source, target)})-[r:{rel}]->(b:{target})
WHERE a.id IN $ids
RETURN a.id AS source, b.id AS target{props}
"""


def node_ids_page(label: str) -> str:
    label = checked_label(label, _LABELS)
    return f"MATCH (n:{label}) WHERE n.id > $after RETURN n.id AS id ORDER BY id LIMIT $limit"


def create_relationships(rel: str, source: str, target: str) -> str:
    props = ", ".join(f"{col}: row.{col}" for col in _REL_COLUMNS[_rel(rel)])
    shown = f" {{{props}}}" if props else ""
    return f"""
UNWIND $rows AS row
MATCH (a:{_pair(source, target)} {{id: row.source}})
MATCH (b:{target} {{id: row.target}})
CREATE (a)-[:{rel}{shown}]->(b)
"""


_LABELS = tuple(_COLUMNS)
_REL_COLUMNS = {rel.type: tuple(rel.columns) for rel in RELS}
_REL_PAIRS = {(rel.type, pair) for rel in RELS for pair in rel.pairs}


def _rel(rel: str) -> str:
    if rel not in _REL_COLUMNS:
        raise ValueError(f"unexpected relationship type {rel!r}")
    return rel


def _pair(source: str, target: str) -> str:
    """``source`` if some relationship joins it to ``target`` (labels come from code)."""
    if not any(pair == (source, target) for _, pair in _REL_PAIRS):
        raise ValueError(f"unexpected label pair {source!r}, {target!r}")
    return source
