"""Plain records the repository reads and writes: one pydantic model per node kind.

Records are what crosses the boundary of the graph layer. Stored values are portable between
both stores: timestamps are fixed-width ISO-8601 UTC strings (so they sort as text), JSON
documents (config, parameters, settings, metadata values) are JSON strings in the store and
Python values here.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from json.encoder import encode_basestring_ascii
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lineageql.errors import BadInputError

MAX_NAME_LENGTH = 255
MAX_TAGS_PER_WRITE = 100
"""Tags one write may add to (or remove from) one node."""
MAX_METADATA_KEYS_PER_WRITE = 1_000
"""Metadata keys one write may set on one node."""
MAX_JSON_NESTING = 64
"""Levels of lists and dicts a stored JSON value may nest (answers must encode again)."""
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_ID_NAMESPACE = uuid.UUID("6f1c7a52-3a0e-4d3b-9a51-0c7f6b1e2d40")


def utc_now() -> str:
    """The current time in the stored timestamp form."""
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    """A datetime as the stored form: UTC, microseconds, ``Z`` suffix, fixed width."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """The stored timestamp form back as an aware datetime."""
    return datetime.fromisoformat(text)


def successive_times(start: str) -> Iterator[str]:
    """``start``, then a microsecond later, and so on: creation times that keep the order
    of things written in one transaction."""
    first = parse_time(start)
    return (format_time(first + timedelta(microseconds=i)) for i in itertools.count())


def new_id() -> str:
    """A fresh random UUID string."""
    return str(uuid.uuid4())


def derived_id(kind: str, *parts: str) -> str:
    """A UUID determined by its parts, so that the same name always maps to the same node:
    ``uuid.uuid5(_ID_NAMESPACE, json.dumps([kind, *parts]))``, computed without building
    ``UUID`` objects or a JSON encoder (a fifth of the time; ingest derives one per column):
    the JSON text of a list of strings is each one's ASCII-escaped form, joined as
    ``json.dumps`` joins them."""
    name = ("[" + ", ".join(map(encode_basestring_ascii, (kind, *parts))) + "]").encode()
    digest = bytearray(hashlib.sha1(_ID_NAMESPACE.bytes + name, usedforsecurity=False).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest[:16].hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def pipeline_id_for(name: str) -> str:
    """The id of the pipeline called ``name``."""
    return derived_id("pipeline", name)


def artifact_id_for(name: str) -> str:
    """The id of the artifact called ``name``."""
    return derived_id("artifact", name)


def pipeline_version_id_for(pipeline_id: str, structure_hash: str) -> str:
    """The id of the version of pipeline ``pipeline_id`` whose structure hashes to this."""
    return derived_id("pipeline_version", pipeline_id, structure_hash)


def default_run_name(pipeline_name: str, moment: datetime | None = None) -> str:
    """A run name like ``training-2024_01_31-12_00_00_000000`` (unique to the microsecond)."""
    moment = moment or datetime.now(UTC)
    return f"{pipeline_name}-{moment.strftime('%Y_%m_%d-%H_%M_%S_%f')}"


@functools.lru_cache(maxsize=16_384)
def column_id_for(version_id: str, name: str) -> str:
    """The id of the column ``name`` of the artifact version ``version_id`` (remembered:
    ingest derives each new column's id three times, and its sources' ids again in later
    batches)."""
    return derived_id("column", version_id, name)


def metadata_id_for(owner_id: str, key: str) -> str:
    """The id of the metadata entry ``key`` on the node ``owner_id``."""
    return derived_id("metadata", owner_id, key)


def check_name(value: str, field: str) -> str:
    """``value`` if it is a usable name, else a BadInputError naming ``field``."""
    if not isinstance(value, str):
        raise BadInputError(f"must be a string, got {type(value).__name__}", field)
    if not value.strip():
        raise BadInputError("must not be empty", field)
    if len(value) > MAX_NAME_LENGTH:
        raise BadInputError(
            f"is {len(value)} characters long; at most {MAX_NAME_LENGTH} are allowed", field
        )
    control = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise BadInputError(f"must not contain control characters such as {control!r}", field)
    return value


def check_tags(tags: Sequence[str], field: str = "tags") -> list[str]:
    """``tags`` if there are few enough and each is a usable name, else a BadInputError."""
    if len(tags) > MAX_TAGS_PER_WRITE:
        raise BadInputError(
            f"{len(tags)} tags in one write; at most {MAX_TAGS_PER_WRITE} are allowed", field
        )
    return [check_name(tag, field) for tag in tags]


def check_metadata_size(values: dict[str, Any], field: str = "metadata") -> None:
    """A BadInputError when one write sets more metadata keys than allowed."""
    if len(values) > MAX_METADATA_KEYS_PER_WRITE:
        raise BadInputError(
            f"{len(values)} metadata keys in one write; at most "
            f"{MAX_METADATA_KEYS_PER_WRITE} are allowed",
            field,
        )


def to_json(value: Any, field: str) -> str:
    """``value`` as canonical JSON text, or a BadInputError naming ``field`` (for a value
    that is not JSON, or nests deeper than MAX_JSON_NESTING)."""
    if _nests_deeper(value, MAX_JSON_NESTING):
        raise BadInputError(f"nests deeper than {MAX_JSON_NESTING} levels", field)
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise BadInputError(f"must be JSON-serialisable ({error})", field) from error


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether lists and dicts in ``value`` nest more than ``limit`` levels."""
    level = [value]
    for _ in range(limit + 1):
        level = [
            item
            for container in level
            if isinstance(container, dict | list)
            for item in (container.values() if isinstance(container, dict) else container)
        ]
        if not level:
            return False
    return True


class ExecutionStatus(StrEnum):
    """Where a run or step is in its life."""

    INITIALIZED = "initialized"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CACHED = "cached"

    @property
    def is_finished(self) -> bool:
        return self in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CACHED)

    @property
    def is_successful(self) -> bool:
        return self in (ExecutionStatus.COMPLETED, ExecutionStatus.CACHED)


class SaveType(StrEnum):
    """How an artifact version came to be stored."""

    STEP_OUTPUT = "step_output"
    EXTERNAL = "external"
    MANUAL = "manual"
    PREEXISTING = "preexisting"


class MetadataType(StrEnum):
    """The kind of a metadata value; the special kinds wrap a plain value with a meaning."""

    INT = "int"
    FLOAT = "float"
    STRING = "str"
    BOOL = "bool"
    LIST = "list"
    DICT = "dict"
    URI = "Uri"
    PATH = "Path"
    DTYPE = "DType"
    STORAGE_SIZE = "StorageSize"


class Uri(str):
    """A metadata value that is a URI (a dashboard link, an orchestrator URL)."""


class PathValue(str):
    """A metadata value that is a filesystem path."""


class DType(str):
    """A metadata value that names a data type (``float64``, ``int32``)."""


class StorageSize(int):
    """A metadata value that is a size in bytes."""


_WRAPPERS: dict[MetadataType, type] = {
    MetadataType.URI: Uri,
    MetadataType.PATH: PathValue,
    MetadataType.DTYPE: DType,
    MetadataType.STORAGE_SIZE: StorageSize,
}
"""The types a JSON value cannot tell apart from a plain one; they travel by name."""

_SPECIAL_TYPES: list[tuple[type, MetadataType]] = [
    *((wrapper, kind) for kind, wrapper in _WRAPPERS.items()),
    (bool, MetadataType.BOOL),
    (int, MetadataType.INT),
    (float, MetadataType.FLOAT),
    (str, MetadataType.STRING),
    (list, MetadataType.LIST),
    (tuple, MetadataType.LIST),
    (dict, MetadataType.DICT),
]


def metadata_type_of(value: Any, field: str) -> MetadataType:
    """The metadata type ``value`` is stored as, or a BadInputError naming ``field``."""
    for python_type, metadata_type in _SPECIAL_TYPES:
        if isinstance(value, python_type):
            if isinstance(value, float) and not math.isfinite(value):
                raise BadInputError("must be a finite number", field)
            return metadata_type
    raise BadInputError(
        f"has unsupported type {type(value).__name__}; use int, float, str, bool, list or dict",
        field,
    )


def metadata_type_names(values: dict[str, Any]) -> dict[str, str]:
    """The type names a transport must send beside ``values``: those JSON would lose."""
    return {
        key: kind.value
        for key, value in values.items()
        if (kind := _special_kind(value)) is not None
    }


def typed_metadata(values: dict[str, Any], types: dict[str, Any] | None) -> dict[str, Any]:
    """``values`` with each key that ``types`` names rewrapped as that metadata type.

    The vocabulary is MetadataType's: int, float, str, bool, list, dict, Uri, Path, DType,
    StorageSize. A type name that does not fit its value is a BadInputError.
    """
    typed = dict(values)
    for key, name in (types or {}).items():
        field = f"metadataTypes.{key}"
        if key not in values:
            raise BadInputError("names no metadata key that was sent", field)
        try:
            kind = MetadataType(name)
        except ValueError as error:
            allowed = ", ".join(t.value for t in MetadataType)
            raise BadInputError(
                f"{name!r} is not a metadata type; use one of {allowed}", field
            ) from error
        value = values[key]
        if _plain_kind(metadata_type_of(value, field)) != _plain_kind(kind):
            raise BadInputError(f"{kind.value} does not fit the value {value!r}", field)
        wrapper = _WRAPPERS.get(kind)
        plain = int(value) if kind is MetadataType.STORAGE_SIZE else value
        typed[key] = wrapper(plain) if wrapper is not None else value
    return typed


def _special_kind(value: Any) -> MetadataType | None:
    for kind, wrapper in _WRAPPERS.items():
        if isinstance(value, wrapper):
            return kind
    return None


def _plain_kind(kind: MetadataType) -> MetadataType:
    """The type JSON gives a value of ``kind``."""
    if kind is MetadataType.STORAGE_SIZE:
        return MetadataType.INT
    if kind in (MetadataType.URI, MetadataType.PATH, MetadataType.DTYPE):
        return MetadataType.STRING
    return kind


class Record(BaseModel):
    """Base of all records: immutable, strict about unknown fields, and failing validation
    with a BadInputError that names the field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise BadInputError(first["msg"], field) from error


DEFAULT_NAMESPACE = "default"
"""The namespace of pipelines and artifacts no OpenLineage event named one for (the SDK's)."""


class PipelineRecord(Record):
    id: str
    name: str
    docstring: str | None = None
    created: str
    namespace: str | None = None
    """The OpenLineage namespace of its job (None: a pipeline the SDK recorded)."""


class PipelineVersionRecord(Record):
    """One structure of a pipeline (its steps, their code and wiring), numbered 1, 2, ..."""

    id: str
    pipeline_id: str
    version: int
    structure_hash: str
    created: str


class RunRecord(Record):
    id: str
    name: str
    pipeline_id: str
    status: ExecutionStatus
    created: str
    start_time: str | None = None
    end_time: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    git_sha: str | None = None
    docstring: str | None = None
    pipeline_version_id: str | None = None


class StepRecord(Record):
    id: str
    run_id: str
    name: str
    step_name: str
    status: ExecutionStatus
    created: str
    start_time: str | None = None
    end_time: str | None = None
    cache_key: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    docstring: str | None = None
    error_message: str | None = None
    source_hash: str | None = None
    """A hash of the step's code, so that two executions can tell whether it changed."""


class RunProgress(Record):
    """What a live view of a run shows changing (see ``LineageRepository.run_progress``)."""

    status: ExecutionStatus
    end_time: str | None
    steps: list[tuple[str, str, int]]
    """Each step's id, status and number of outputs, in id order."""


class ChangeKind(StrEnum):
    """How an upstream step or artifact of one version compares with another's."""

    SAME = "SAME"
    CHANGED = "CHANGED"
    ADDED = "ADDED"
    """Only upstream of the newer (``to``) version."""
    REMOVED = "REMOVED"
    """Only upstream of the older (``from``) version."""


def split_producers(steps: Sequence[StepRecord]) -> tuple[StepRecord | None, list[StepRecord]]:
    """The step that executed and wrote a version, and the cached steps that reused it.

    The executing step is the earliest producer that is not a cached reuse.
    """
    executed = next((s for s in steps if s.status is not ExecutionStatus.CACHED), None)
    return executed, [s for s in steps if s is not executed]


class ArtifactRecord(Record):
    id: str
    name: str
    created: str
    namespace: str | None = None
    """The OpenLineage namespace of its dataset (None: an artifact the SDK recorded)."""
    source_name: str | None = None
    """The dataset's name within its namespace (``name`` is ``namespace/source_name``)."""


class Visualization(Record):
    """A rendering of an artifact version stored beside its data."""

    type: str
    uri: str


class ArtifactVersionRecord(Record):
    id: str
    artifact_id: str
    name: str
    version: str
    type: str
    data_type: str | None = None
    uri: str
    materializer: str | None = None
    save_type: SaveType
    created: str
    visualizations: list[Visualization] = Field(default_factory=list)


class MetadataRecord(Record):
    owner_id: str
    key: str
    type: MetadataType
    value: Any
    created: str


class IOLink(Record):
    """One named input or output of a step."""

    step_id: str
    name: str
    artifact_version_id: str


class LineageEdge(Record):
    """A PRODUCED or CONSUMED edge between a step and an artifact version."""

    kind: str
    step_id: str
    artifact_version_id: str
    name: str


class LineageGraph(Record):
    """The artifact versions and steps around a start version, with the edges between them.

    ``artifact_depths`` maps each artifact version id to its distance (in steps) from the
    start; the start itself has depth 0.
    """

    artifact_depths: dict[str, int]
    step_ids: list[str]
    edges: list[LineageEdge]
    step_depths: dict[str, int] = Field(default_factory=dict)
    """Each step's distance in steps: the producer of the start version has depth 1."""
    truncated: bool = False
    """True when more lineage lies beyond the depth limit or the size bound."""


class NewRun(Record):
    """What creating a pipeline run takes."""

    pipeline_name: str
    name: str
    status: ExecutionStatus = ExecutionStatus.INITIALIZED
    config: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    git_sha: str | None = None
    docstring: str | None = None
    pipeline_docstring: str | None = None
    tags: list[str] = Field(default_factory=list)
    start_time: str | None = None
    structure_hash: str | None = None
    """A hash of the pipeline's structure; runs with a new hash start a new pipeline version."""

    @field_validator("pipeline_name", "name")
    @classmethod
    def _names(cls, value: str, info: Any) -> str:
        return check_name(value, info.field_name)


class NewStep(Record):
    """What creating a step of a run takes."""

    run_id: str
    name: str
    step_name: str | None = None
    status: ExecutionStatus = ExecutionStatus.RUNNING
    cache_key: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    docstring: str | None = None
    start_time: str | None = None
    source_hash: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "name")

    def with_defaults(self) -> Self:
        """This step with ``step_name`` defaulting to the invocation id."""
        return self if self.step_name else self.model_copy(update={"step_name": self.name})


MAX_COLUMNS = 5_000
"""Columns one artifact version may have."""


class NewColumn(Record):
    """A column of a new artifact version (a table's field, a DataFrame's column)."""

    name: str
    type: str | None = None
    description: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "column name")


def check_columns(columns: Sequence[NewColumn], field: str = "columns") -> None:
    """A BadInputError for more columns than a version may have, or a name given twice."""
    if len(columns) > MAX_COLUMNS:
        raise BadInputError(f"{len(columns)} columns; at most {MAX_COLUMNS} are allowed", field)
    names = [column.name for column in columns]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise BadInputError(f"column {twice!r} is given twice", field)


class ColumnRecord(Record):
    """A column of an artifact version, in the version's column order."""

    id: str
    version_id: str
    name: str
    type: str | None = None
    description: str | None = None
    position: int


class ColumnLink(Record):
    """A column derived from another (``source_id``), as a producer's column-level lineage
    said, with the transformation it named."""

    column_id: str
    source_id: str
    transformation: str | None = None
    """DIRECT or INDIRECT."""
    subtype: str | None = None
    """IDENTITY, TRANSFORMATION, AGGREGATION, FILTER, JOIN, GROUP_BY, SORT, WINDOW, ..."""
    description: str | None = None
    masking: bool = False
    """Whether the transformation masks the data (a hash, a redaction)."""


class ColumnLineageGraph(Record):
    """The columns around a start column, with the links between them."""

    column_depths: dict[str, int]
    """Each column's distance in links from the start (which has depth 0)."""
    links: list[ColumnLink]
    truncated: bool = False


class ColumnSource(Record):
    """Where one column of a dataset came from: a column of another dataset."""

    dataset: str
    """The source dataset's artifact name."""
    field: str
    transformation: str | None = None
    subtype: str | None = None
    description: str | None = None
    masking: bool = False


class NewArtifactVersion(Record):
    """What creating an artifact version takes; ``version=None`` numbers it automatically.

    Importers keep another system's records: ``id`` and ``created`` as given, and then a
    plain-number ``version`` too (later automatic versions count on from the highest).
    """

    name: str
    uri: str
    type: str = "data"
    data_type: str | None = None
    materializer: str | None = None
    save_type: SaveType = SaveType.STEP_OUTPUT
    version: str | None = None
    tags: list[str] = Field(default_factory=list)
    visualizations: list[Visualization] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    columns: list[NewColumn] = Field(default_factory=list)
    id: str | None = None
    created: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "name")

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: list[NewColumn]) -> list[NewColumn]:
        check_columns(value)
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value, "version")

    @model_validator(mode="after")
    def _numbered(self) -> Self:
        if self.version is not None and self.version.isdigit() and self.id is None:
            raise BadInputError(
                f"{self.version!r} is a plain number, which is reserved for automatic "
                "versions; use a name such as 'raw_2023' or leave the version out",
                "version",
            )
        return self

    @property
    def imported_number(self) -> int | None:
        """The number of an imported, numbered version (None for any other)."""
        if self.id is not None and self.version is not None and self.version.isdigit():
            return int(self.version)
        return None


class DatasetChange(Record):
    """A dataset another system read or wrote, as an artifact (``lineageql.openlineage``)."""

    name: str
    uri: str
    namespace: str | None = None
    source_name: str | None = None
    """The dataset's namespace and its name within it (``name`` joins them)."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    columns: list[NewColumn] = Field(default_factory=list)
    """Its columns, from a ``schema`` facet (and those column lineage names)."""
    column_sources: dict[str, list[ColumnSource]] = Field(default_factory=dict)
    """For an output, each column's sources, from a ``columnLineage`` facet."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "name")


class JobDeclaration(Record):
    """A job's declared inputs and outputs, from an OpenLineage JobEvent: they replace what
    the job declared before."""

    pipeline_name: str
    pipeline_namespace: str | None = None
    inputs: list[DatasetChange] = Field(default_factory=list)
    outputs: list[DatasetChange] = Field(default_factory=list)


class DatasetDeclaration(Record):
    """A dataset's facets (and columns) from an OpenLineage DatasetEvent: they are set on its
    latest version, or on a new external version when it has none."""

    dataset: DatasetChange


class RunEventChange(Record):
    """One lineage event of another system's run, as changes to one step of one pipeline
    run. Applying it twice, or applying a run's events in any order, gives the same graph."""

    pipeline_name: str
    pipeline_namespace: str | None = None
    """The namespace of the job the pipeline stands for."""
    run_id: str
    run_name: str
    step_id: str
    step_name: str
    run_step_id: str
    """The id of the step that would stand for the run itself: an event with this step id
    is the run's own, and reports the run's status."""
    event_time: str
    status: ExecutionStatus | None
    """None for an event that only adds facets."""
    error_message: str | None = None
    run_metadata: dict[str, Any] = Field(default_factory=dict)
    step_metadata: dict[str, Any] = Field(default_factory=dict)
    inputs: list[DatasetChange] = Field(default_factory=list)
    outputs: list[DatasetChange] = Field(default_factory=list)
    """Stored as new versions produced by the step once the step has completed."""

    @field_validator("pipeline_name", "run_name", "step_name")
    @classmethod
    def _names(cls, value: str, info: ValidationInfo) -> str:
        return check_name(value, str(info.field_name))


class OutputRef(Record):
    """An output of an earlier step of the same run, as another step's input."""

    step: str
    output: str


class RecordedStep(Record):
    """One step of a run written whole (``LineageRepository.record_runs``)."""

    name: str
    id: str | None = None
    created: str | None = None
    step_name: str | None = None
    status: ExecutionStatus = ExecutionStatus.COMPLETED
    cache_key: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    docstring: str | None = None
    source_hash: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    error_message: str | None = None
    inputs: dict[str, str | OutputRef] = Field(default_factory=dict)
    """Input name to an existing artifact version id, or to an earlier step's output."""
    outputs: dict[str, NewArtifactVersion | str] = Field(default_factory=dict)
    """Output name to a new version, or to an existing version id (a cached step's reuse)."""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "name")


class RecordedRun(Record):
    """A whole run: the run, its steps in execution order, their inputs and outputs.

    Its creation time is ``created`` if given (importers keep another system's), else its
    ``run.start_time``, else the time of the write, a microsecond after the run before it
    in the same call: runs written together keep the order they were sent in. ``id`` (and
    each step's ``id``) are kept too when given.
    """

    run: NewRun
    id: str | None = None
    created: str | None = None
    end_time: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    steps: list[RecordedStep] = Field(default_factory=list)
