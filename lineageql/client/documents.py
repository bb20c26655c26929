"""The GraphQL documents the client and the SDK send. Fragments keep each view's fields in
one place, so every walk asks for the same shape."""

VERSION_FIELDS = """
fragment VersionFields on ArtifactVersion {
  id name version type dataType uri materializer saveType created tags
  runMetadata { key value type }
  visualizations { type uri }
}
"""

STEP_FIELDS = """
fragment StepFields on Step {
  id name stepName status startTime endTime cacheKey parameters settings docstring errorMessage
  sourceHash
  runMetadata { key value type }
  inputs { name artifactVersion { ...VersionFields } }
  outputs { name artifactVersion { ...VersionFields } }
}
"""

RUN_FIELDS = """
fragment RunFields on PipelineRun {
  id name status created startTime endTime config settings gitSha docstring tags
  runMetadata { key value type }
  pipeline { id name }
  pipelineVersion { version }
}
"""

PIPELINE_FIELDS = """
fragment PipelineFields on Pipeline { id name docstring created runCount }
"""

GET_PIPELINE = (
    PIPELINE_FIELDS
    + """
query GetPipeline($id: ID, $name: String) {
  pipeline(id: $id, name: $name) { ...PipelineFields }
}"""
)

LIST_PIPELINES = (
    PIPELINE_FIELDS
    + """
query ListPipelines(
  $first: Int!, $after: String, $filter: PipelineFilterInput, $orderBy: NameOrder
) {
  pipelines(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { node { ...PipelineFields } } pageInfo { hasNextPage endCursor }
  }
}"""
)

LAST_RUNS = (
    RUN_FIELDS
    + """
query LastRuns($id: ID!, $asOf: DateTime) {
  pipeline(id: $id) {
    lastRun(asOf: $asOf) { ...RunFields } lastSuccessfulRun(asOf: $asOf) { ...RunFields }
  }
}"""
)

PIPELINE_VERSIONS = (
    RUN_FIELDS
    + """
query PipelineVersions($id: ID!) {
  pipeline(id: $id) { versions { version structureHash created
    runs(first: 100) { edges { node { ...RunFields } } } } }
}"""
)

PIPELINE_RUNS = (
    RUN_FIELDS
    + VERSION_FIELDS
    + STEP_FIELDS
    + """
query PipelineRuns($id: ID!, $first: Int!, $status: ExecutionStatus) {
  pipeline(id: $id) { runs(first: $first, status: $status) {
    totalCount edges { node { ...RunFields steps { ...StepFields } } } } }
}"""
)
"""A pipeline's runs with their steps, inputs and outputs: walking ``pipeline.runs`` down to
the outputs' metadata costs this one request, whatever the number of runs."""

GET_RUN = (
    RUN_FIELDS
    + """
query GetRun($id: ID, $name: String, $namePrefix: String) {
  pipelineRun(id: $id, name: $name, namePrefix: $namePrefix) { ...RunFields }
}"""
)

LIST_RUNS = (
    RUN_FIELDS
    + """
query ListRuns($first: Int!, $after: String, $filter: PipelineRunFilter, $orderBy: RunOrder) {
  pipelineRuns(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount edges { node { ...RunFields } } pageInfo { hasNextPage endCursor }
  }
}"""
)

RUN_STEPS = (
    VERSION_FIELDS
    + STEP_FIELDS
    + """
query RunSteps($id: ID!) { pipelineRun(id: $id) { steps { ...StepFields } } }
"""
)

GET_STEP = (
    VERSION_FIELDS
    + STEP_FIELDS
    + """
query GetStep($id: ID!) { step(id: $id) { ...StepFields run { id } } }
"""
)

CACHED_STEP = (
    VERSION_FIELDS
    + STEP_FIELDS
    + """
query CachedStep($cacheKey: String!) { cachedStep(cacheKey: $cacheKey) { ...StepFields } }
"""
)

GET_VERSION = (
    VERSION_FIELDS
    + """
query GetVersion($id: ID, $name: String, $version: String, $asOf: DateTime) {
  artifactVersion(id: $id, name: $name, version: $version, asOf: $asOf) { ...VersionFields }
}"""
)

LINEAGE_DIFF_FIELDS = """
fragment LineageDiffFields on LineageDiff {
  from { id name version } to { id name version } truncated
  steps {
    stepName change sourceChanged gitShaFrom gitShaTo
    from { id name status } to { id name status }
    parameters { key from to } settings { key from to }
  }
  artifacts {
    name change from { id version } to { id version } metadata { key from to }
  }
}
"""

LINEAGE_DIFF = (
    LINEAGE_DIFF_FIELDS
    + """
query LineageDiff($fromId: ID!, $toId: ID!, $depth: Int) {
  lineageDiff(fromId: $fromId, toId: $toId, depth: $depth) { ...LineageDiffFields }
}"""
)

VERSION_PRODUCERS = """
query Producers($id: ID!) { artifactVersion(id: $id) { producedBy { id } } }
"""

VERSION_LINEAGE = (
    VERSION_FIELDS
    + """
query Lineage($id: ID!, $depth: Int!) {
  artifactVersion(id: $id) {
    upstream(depth: $depth) { ...VersionFields }
    downstream(depth: $depth) { ...VersionFields }
  }
}"""
)

LIST_ARTIFACTS = """
query ListArtifacts(
  $first: Int!, $after: String, $filter: ArtifactFilterInput, $orderBy: NameOrder
) {
  artifacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name created tags latestVersion { version }
      versions(first: 1) { totalCount } } }
  }
}"""

LIST_VERSIONS = (
    VERSION_FIELDS
    + """
query ListVersions($first: Int!, $after: String, $filter: ArtifactVersionFilter) {
  artifactVersions(first: $first, after: $after, filter: $filter) {
    totalCount edges { node { ...VersionFields } } pageInfo { hasNextPage endCursor }
  }
}"""
)

LINEAGE = """
query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int!) {
  lineage(artifactVersionId: $id, direction: $direction, depth: $depth) {
    artifactVersions { depth artifactVersion { id name version } }
    steps { id name status }
    edges { kind stepId artifactVersionId name source target }
    nodes { id kind name depth ... on LineageVersionNode { reuseCount } }
    truncated
  }
}"""

COLUMN_LINEAGE = """
query ColumnLineage($id: ID!, $column: String!, $direction: LineageDirection!, $depth: Int!) {
  columnLineage(artifactVersionId: $id, column: $column, direction: $direction, depth: $depth) {
    nodes { id depth column { name type artifactVersion { id name version } } }
    edges { source target transformation subtype description masking }
    truncated
  }
}"""

GET_ARTIFACT = (
    VERSION_FIELDS
    + """
query GetArtifact($id: ID, $name: String) {
  artifact(id: $id, name: $name) {
    id name created tags versions(first: 100) { edges { node { ...VersionFields } } }
  }
}"""
)

CREATE_RUN = (
    RUN_FIELDS
    + """
mutation CreateRun($input: CreatePipelineRunInput!) {
  createPipelineRun(input: $input) { ...RunFields }
}"""
)

UPDATE_RUN = """
mutation UpdateRun($id: ID!, $status: ExecutionStatus) {
  updatePipelineRun(id: $id, status: $status, startTime: null) { id status }
}"""

FINISH_RUN = """
mutation FinishRun($id: ID!, $status: ExecutionStatus!) {
  finishPipelineRun(id: $id, status: $status) { id status }
}"""

START_STEP = """
mutation StartStep($input: StartStepInput!) { startStep(input: $input) { id name } }
"""

FINISH_STEP = """
mutation FinishStep($input: FinishStepInput!) {
  finishStep(input: $input) {
    id status outputs { name artifactVersion { id uri materializer dataType } }
  }
}"""

RECORD_STEP = """
mutation RecordStep($input: RecordStepInput!) {
  recordStep(input: $input) {
    id status outputs { name artifactVersion { id uri materializer dataType } }
  }
}"""

CREATE_VERSION = (
    VERSION_FIELDS
    + """
mutation CreateVersion($input: ArtifactVersionInput!) {
  createArtifactVersion(input: $input) { ...VersionFields }
}"""
)

LOG_METADATA = """
mutation LogMetadata($target: MetadataTarget!, $id: ID!, $values: JSON!, $types: JSON) {
  logMetadata(target: $target, id: $id, values: $values, types: $types) { key }
}"""

DELETE_RUN = "mutation DeleteRun($id: ID!) { deletePipelineRun(id: $id) }"

PRUNE = """
mutation Prune(
  $onlyMetadata: Boolean!, $onlyArtifact: Boolean!, $ignoreErrors: Boolean!, $threads: Int!,
  $ids: [ID!]
) {
  pruneArtifacts(onlyMetadata: $onlyMetadata, onlyArtifact: $onlyArtifact,
                 ignoreErrors: $ignoreErrors, threads: $threads, ids: $ids) {
    deletedVersionIds deletedUris keptUris inUse { artifactVersionId uri reason }
    failures { artifactVersionId uri message }
    leftUris stopped
  }
}"""

# -- the model registry ------------------------------------------------------------------

MODEL_FIELDS = """
fragment ModelFields on Model {
  id name created description license audience useCases limitations tradeOffs ethics tags
  latestVersion { number name stage }
}
"""

MODEL_VERSION_FIELDS = (
    VERSION_FIELDS
    + """
fragment ModelVersionFields on ModelVersion {
  id number name stage created description tags
  model { name }
  runMetadata { key value type }
  artifacts { kind artifactVersion { ...VersionFields } }
  runs { id name }
  stageHistory { fromStage toStage at by }
}
"""
)

GET_MODEL = (
    MODEL_FIELDS
    + """
query GetModel($name: String!) { model(name: $name) { ...ModelFields } }"""
)

LIST_MODELS = (
    MODEL_FIELDS
    + """
query ListModels($first: Int!, $after: String) {
  models(first: $first, after: $after) {
    edges { node { ...ModelFields } } pageInfo { hasNextPage endCursor }
  }
}"""
)

CREATE_MODEL = (
    MODEL_FIELDS
    + """
mutation CreateModel($input: ModelInput!) { createModel(input: $input) { ...ModelFields } }"""
)

GET_MODEL_VERSION = (
    MODEL_VERSION_FIELDS
    + """
query GetModelVersion($model: String!, $version: String, $asOf: DateTime, $stage: ModelStage) {
  modelVersion(model: $model, version: $version, stage: $stage, asOf: $asOf) {
    ...ModelVersionFields
  }
}"""
)

LIST_MODEL_VERSIONS = (
    MODEL_VERSION_FIELDS
    + """
query ListModelVersions($model: String!, $first: Int!, $stage: ModelStage) {
  model(name: $model) { versions(first: $first, stage: $stage) { ...ModelVersionFields } }
}"""
)

CREATE_MODEL_VERSION = (
    MODEL_VERSION_FIELDS
    + """
mutation CreateModelVersion($input: ModelVersionInput!) {
  createModelVersion(input: $input) { ...ModelVersionFields }
}"""
)

LINK_MODEL = """
mutation LinkModel($id: ID!, $artifacts: [ModelArtifactInput!]!, $runIds: [ID!]!) {
  linkModelArtifacts(modelVersionId: $id, artifacts: $artifacts) { id }
  linkModelRuns(modelVersionId: $id, runIds: $runIds) { id }
}"""

SET_MODEL_STAGE = """
mutation SetModelStage($id: ID!, $stage: ModelStage!, $force: Boolean!) {
  setModelVersionStage(id: $id, stage: $stage, force: $force) { stage }
}"""

MODEL_VERSION_DIFF = (
    LINEAGE_DIFF_FIELDS
    + """
query ModelVersionDiff($model: String!, $from: String!, $to: String!, $depth: Int) {
  modelVersionDiff(model: $model, from: $from, to: $to, depth: $depth) {
    from { number name stage } to { number name stage }
    metadata { key from to changed }
    lineage { ...LineageDiffFields }
  }
}"""
)
