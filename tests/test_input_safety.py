"""Hostile names and bad input: stored verbatim, clear errors, nothing else changed."""

from __future__ import annotations

import pytest

from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import LineageRepository, NodeKind
from lineageql.records import NewArtifactVersion, NewRun, NewStep
from tests.lineage_builders import Recorder

HOSTILE = [
    'it\'s "quoted"',
    "back`tick`",
    "{braces: $param}",
    "non\u00a0breaking\u2028separators",
    "ünïcødé 名前 🚀",
    "x'}) MATCH (n) DETACH DELETE n //",
    "\\ backslash \\' ",
    "CALL db.labels() YIELD label RETURN label",
]


async def test_free_text_keeps_control_characters(repo: LineageRepository) -> None:
    text = "multi\nline\r\ttabs"
    rec = await Recorder.start(repo, "p", "r", docstring=text, config={"c": text})
    found = await repo.find_run("r")
    assert (found.docstring, found.config) == (text, {"c": text})
    await repo.log_metadata(NodeKind.RUN, rec.run.id, {"notes": text})
    [[entry]] = await repo.metadata_of(NodeKind.RUN, [rec.run.id])
    assert entry.value == text


async def test_hostile_strings_are_stored_verbatim(repo: LineageRepository) -> None:
    for index, text in enumerate(HOSTILE):
        rec = await Recorder.start(
            repo,
            text,
            f"{text}-{index}",
            config={text: [text]},
            docstring=text,
            tags=[text],
        )
        step = await repo.create_step(NewStep(run_id=rec.run.id, name=text, parameters={"p": text}))
        version = await repo.create_artifact_version(
            NewArtifactVersion(name=text, uri=text, version=f"v-{text}", metadata={text: text})
        )
        await repo.link_step_io(step.id, outputs={text: version.id})

        [pipeline] = await repo.get_pipelines_by_name([text])
        assert pipeline is not None and pipeline.name == text
        found = await repo.find_run(f"{text}-{index}")
        assert (found.name, found.docstring, found.config) == (
            f"{text}-{index}",
            text,
            {text: [text]},
        )
        assert await repo.tags_of(NodeKind.RUN, [found.id]) == [[text]]
        [[stored_step]] = await repo.steps_of_runs([found.id])
        assert (stored_step.name, stored_step.parameters) == (text, {"p": text})
        [[output]] = await repo.outputs_of_steps([stored_step.id])
        assert output.name == text
        stored = await repo.find_artifact_version(text, f"v-{text}")
        assert (stored.uri, stored.name) == (text, text)
        [[entry]] = await repo.metadata_of(NodeKind.ARTIFACT_VERSION, [stored.id])
        assert (entry.key, entry.value) == (text, text)
    assert (await repo.list_runs()).total_count == len(HOSTILE)
    assert (await repo.list_pipelines()).total_count == len(HOSTILE)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: NewRun(pipeline_name="", name="r"), "pipeline_name"),
        (lambda: NewRun(pipeline_name="p", name="   "), "name"),
        (lambda: NewRun(pipeline_name="p" * 300, name="r"), "pipeline_name"),
        (lambda: NewRun(pipeline_name="p", name="r", status="sleeping"), "status"),
        (lambda: NewArtifactVersion(name="", uri="u"), "name"),
        (lambda: NewRun(pipeline_name="p", name="two\nlines"), "name"),
        (lambda: NewStep(run_id="r", name="tab\there"), "name"),
    ],
)
def test_bad_records_name_the_field(make: object, field: str) -> None:
    with pytest.raises(BadInputError) as raised:
        make()  # type: ignore[operator]
    assert raised.value.field == field
    assert field in str(raised.value)


async def test_bad_writes_change_nothing(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "p", "r")
    with pytest.raises(BadInputError, match="config: must be JSON-serialisable"):
        await repo.create_run(NewRun(pipeline_name="p", name="r2", config={"f": object()}))
    with pytest.raises(BadInputError, match="parameters: must be JSON-serialisable"):
        await repo.create_step(NewStep(run_id=rec.run.id, name="s", parameters={"x": {1, 2}}))
    with pytest.raises(BadInputError, match="status: 'sleeping' is not one of"):
        await repo.update_run(rec.run.id, status="sleeping")
    with pytest.raises(BadInputError, match=r"metadata\.loss: must be a finite number"):
        await repo.log_metadata(NodeKind.RUN, rec.run.id, {"loss": float("nan")})
    with pytest.raises(BadInputError, match="unsupported type"):
        await repo.log_metadata(NodeKind.RUN, rec.run.id, {"obj": object()})
    assert (await repo.list_runs()).total_count == 1
    assert await repo.steps_of_runs([rec.run.id]) == [[]]
    [run] = await repo.get_runs([rec.run.id])
    assert run is not None and run.status.value == "initialized"
    assert await repo.metadata_of(NodeKind.RUN, [rec.run.id]) == [[]]


async def test_unknown_ids_read_as_not_found(repo: LineageRepository) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    assert await repo.get_runs([unknown]) == [None]
    assert await repo.get_steps([unknown]) == [None]
    assert await repo.get_artifact_versions([unknown]) == [None]
    assert await repo.get_pipelines([unknown]) == [None]
    assert await repo.outputs_of_steps([unknown]) == [[]]
    assert await repo.tags_of(NodeKind.ARTIFACT, [unknown]) == [[]]
    with pytest.raises(NotFoundError, match="no pipeline run with id"):
        await repo.update_run(unknown, status="running")
    with pytest.raises(NotFoundError, match="no step with id"):
        await repo.update_step(unknown, status="failed")
    with pytest.raises(NotFoundError, match="no pipeline run with id"):
        await repo.create_step(NewStep(run_id=unknown, name="s"))
    with pytest.raises(NotFoundError, match="no step with id"):
        await repo.link_step_io(unknown, outputs={})
    with pytest.raises(NotFoundError, match=r"no version of artifact .nothing."):
        await repo.find_artifact_version("nothing")
