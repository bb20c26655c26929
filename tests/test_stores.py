"""Store behaviour users meet: reopening, a file in use, unreachable servers, paging."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lineageql.errors import BadInputError, StoreUnavailableError
from lineageql.graph import GraphStore, LineageRepository, embedded_store, open_store
from lineageql.graph.embedded_store import EmbeddedStore
from lineageql.graph.listing import PageRequest, RunFilter, SortDirection
from lineageql.graph.neo4j_store import Neo4jStore
from lineageql.graph.store import Transaction
from lineageql.records import ExecutionStatus
from lineageql.settings import Settings
from tests.lineage_builders import Recorder

READ_IN_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from lineageql.graph import LineageRepository, open_store
    from lineageql.settings import Settings

    async def main():
        store = await open_store(Settings(store=sys.argv[1]))
        repo = LineageRepository(store)
        run = await repo.find_run("reopen-run")
        [steps] = await repo.steps_of_runs([run.id])
        [[output]] = await repo.outputs_of_steps([steps[0].id])
        print(run.name, steps[0].name, output.name)
        await store.close()

    asyncio.run(main())
    """
)

OPEN_IN_CHILD = textwrap.dedent(
    """
    import sys
    from lineageql.errors import StoreUnavailableError
    from lineageql.graph.embedded_store import EmbeddedStore
    try:
        EmbeddedStore(sys.argv[1])
    except StoreUnavailableError as error:
        print(error)
        sys.exit(3)
    """
)


def run_child(script: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )


async def test_embedded_store_reopened_by_a_new_process_finds_everything(tmp_path: Path) -> None:
    path = tmp_path / "lineage.lbdb"
    store = await open_store(Settings(store=str(path)))
    rec = await Recorder.start(LineageRepository(store), "p", "reopen-run")
    await rec.step("load", outputs=["dataset"])
    await store.close()

    child = run_child(READ_IN_CHILD, path)
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["reopen-run", "load", "dataset"]


async def test_a_second_process_gets_a_clear_error_while_the_store_is_in_use(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lineage.lbdb"
    store = EmbeddedStore(path)
    await store.migrate()
    try:
        child = run_child(OPEN_IN_CHILD, path)
    finally:
        await store.close()
    assert child.returncode == 3, child.stderr
    assert "is in use by another process" in child.stdout
    assert f"PID {os.getpid()}" in child.stdout


async def test_unreachable_neo4j_names_the_url() -> None:
    url = "bolt://127.0.0.1:9"
    with pytest.raises(StoreUnavailableError, match=r"cannot reach Neo4j at bolt://127\.0\.0\.1:9"):
        await open_store(Settings(store=url))
    with pytest.raises(StoreUnavailableError, match="cannot reach Neo4j at bolt://host:port"):
        await open_store(Settings(store="bolt://host:port"))


async def test_embedded_store_path_that_cannot_be_a_database(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailableError, match="cannot open the embedded store"):
        EmbeddedStore(blocker / "lineage.lbdb")


async def test_run_listing_pages_with_cursors_and_filters(repo: LineageRepository) -> None:
    names = [f"run-{i:02d}" for i in range(7)]
    for i, name in enumerate(names):
        rec = await Recorder.start(repo, "even" if i % 2 == 0 else "odd", name)
        if i >= 5:
            await repo.update_run(rec.run.id, status=ExecutionStatus.FAILED)

    seen: list[str] = []
    after = None
    while True:
        page = await repo.list_runs(page=PageRequest(first=3, after=after))
        assert page.total_count == 7
        seen.extend(r.name for r in page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == list(reversed(names))

    by_name = await repo.list_runs(
        page=PageRequest(first=2, sort_by="name", direction=SortDirection.ASC)
    )
    assert [r.name for r in by_name.items] == ["run-00", "run-01"]
    failed = await repo.list_runs(RunFilter(statuses=[ExecutionStatus.FAILED]))
    assert {r.name for r in failed.items} == {"run-05", "run-06"}
    odd = await repo.list_runs(RunFilter(pipeline_names=["odd"]))
    assert odd.total_count == 3
    cutoff = (await repo.find_run("run-03")).created
    older = await repo.list_runs(RunFilter(created_before=cutoff))
    assert {r.name for r in older.items} == {"run-00", "run-01", "run-02"}

    with pytest.raises(BadInputError, match="first: must be from 0 to 100"):
        await repo.list_runs(page=PageRequest(first=101))
    with pytest.raises(BadInputError, match="cannot sort by 'gpu'"):
        await repo.list_runs(page=PageRequest(sort_by="gpu"))
    with pytest.raises(BadInputError, match="not a cursor"):
        await repo.list_runs(page=PageRequest(after="garbage!!"))


async def test_wrong_neo4j_credentials_are_one_clear_error_naming_the_url(
    neo4j_url: str,
) -> None:
    store = Neo4jStore(neo4j_url, os.environ.get("NEO4J_USER", "neo4j"), "not-the-password")
    try:
        with pytest.raises(StoreUnavailableError) as refused:
            await store.connect()
    finally:
        await store.close()
    message = refused.value.message
    assert neo4j_url in message and "refused the credentials of user 'neo4j'" in message
    assert "LINEAGEQL_NEO4J_PASSWORD" in message


async def test_a_bug_inside_a_transaction_is_not_an_outage(store: GraphStore) -> None:
    """Only connection failures read as STORE_UNAVAILABLE; anything else reaches the caller
    as itself (and the API answers it as INTERNAL, logged with its traceback)."""

    async def buggy(tx: Transaction) -> None:
        await tx.run("RETURN 1 AS ok")
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug, not an outage"):
        await store.write(buggy)
    with pytest.raises(OSError, match="disk"):
        await store.write(_raises_os_error)
    await store.ping()


async def _raises_os_error(tx: Transaction) -> None:
    raise OSError("disk trouble inside a transaction")


async def test_embedded_connections_are_replaced_at_checkpoints_while_reads_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plans made on an empty store are made again as it grows: every checkpoint replaces the
    write connection and, as each is next taken, the readers; reads in flight meanwhile
    answer in full."""
    monkeypatch.setattr(embedded_store, "CHECKPOINT_EVERY_WRITES", 4)
    store = EmbeddedStore(tmp_path / "lineage.lbdb")
    await store.migrate()
    repo = LineageRepository(store)
    first_writer = store._connection
    written: list[str] = []

    async def write() -> None:
        for i in range(12):
            rec = await Recorder.start(repo, "p", f"run-{i:02d}")
            await rec.step("load", outputs=["dataset"])
            written.append(rec.run.name)

    async def read() -> int:
        reads = 0
        while len(written) < 12:
            names = list(written)
            runs = await asyncio.gather(*(repo.find_run(name) for name in names))
            assert [run.name for run in runs] == names
            if runs:
                [steps] = await repo.steps_of_runs([runs[-1].id])
                assert [step.name for step in steps] == ["load"]
            reads += 1
            await asyncio.sleep(0)
        return reads

    try:
        _, *reads = await asyncio.gather(write(), read(), read())
        assert min(reads) > 1
        assert store._connection is not first_writer
        page = await repo.list_runs(page=PageRequest(first=20))
        assert sorted(run.name for run in page.items) == written
    finally:
        await store.close()
