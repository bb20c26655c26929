"""`lineageql serve` tried as an attacker would: each attack a test (each failed on the
main of issue 18), each answered with a coded 4xx or refused at start, never a 500, and
nothing stored changed."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from lineageql.graph import LineageRepository, open_store
from tests.attack_history import ServerWatch, nested_walk, record_fan_out
from tests.servers import STORE_KINDS, Served, served, settings_for, store_for

TOKEN = "attack-test-token"
SNAPSHOT = """{ pipelineRuns(first: 100) { totalCount edges { node { name status tags
  runMetadata { key value } steps { name outputs { artifactVersion { name version } } } } } }
  artifactVersions(first: 100) { totalCount edges { node { name version tags } } } }"""


async def record(location: str) -> None:
    store = await open_store(settings_for(location))
    await record_fan_out(LineageRepository(store), runs=5)
    await store.close()


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """A server without a token (as on a laptop), over the fan-out history."""
    folder = tmp_path_factory.mktemp("attacks")
    location = store_for(str(request.param), request, folder, "attacks")
    asyncio.run(record(location))
    with served(
        location,
        LINEAGEQL_ARTIFACT_STORE=str(folder / "artifacts"),
        LINEAGEQL_REQUEST_TIMEOUT_SECONDS="2",
    ) as running:
        yield running


def graphql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_nested_lineage_cannot_eat_the_server(server: Served) -> None:
    url = server.url
    before = graphql(url, SNAPSHOT)
    # The 348-byte variant of the issue: aliases on the three innermost levels.
    innermost = " ".join(
        f"{a}: upstream {{ {b}: downstream {{ id }} {c}: downstream {{ id }} }}"
        for a, b, c in (("a", "b", "c"), ("x", "y", "z"), ("u", "v", "w"))
    )
    attacks = [nested_walk(11), nested_walk(9, leaf=innermost)]
    with ServerWatch(url, server.process.pid) as watch:
        for attack in attacks:
            began = time.perf_counter()
            answer = graphql(url, attack)
            took = time.perf_counter() - began
            assert answer["errors"][0]["extensions"]["code"] == "RESPONSE_TOO_LARGE"
            assert took < 10, took
    assert watch.latencies and watch.all_ok
    assert max(watch.latencies) < 1000, watch.latencies
    assert watch.peak_mb < 500, watch.peak_mb
    assert graphql(url, SNAPSHOT) == before


def test_openlineage_takes_json_only(server: Served) -> None:
    url = f"{server.url}/api/v1/lineage"
    event = {
        "eventType": "START",
        "eventTime": "2026-11-30T10:00:00Z",
        "producer": "https://example.com/forged",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0190d5a3-0000-7000-8000-000000000001"},
        "job": {"namespace": "forged", "name": "forged_job"},
    }
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"content-type": content_type} if content_type else {}
        answer = httpx.post(url, content=json.dumps(event), headers=headers)
        assert answer.status_code == 415, (content_type, answer.text)
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert graphql(server.url, '{ pipeline(name: "forged_job") { id } }')["data"] == {
        "pipeline": None
    }
    accepted = httpx.post(
        url, content=json.dumps(event), headers={"content-type": "application/json; charset=utf-8"}
    )
    assert accepted.status_code == 201, accepted.text


def test_a_rebound_host_is_refused_without_a_token(server: Served) -> None:
    port = server.url.rsplit(":", 1)[1]
    for host in ("attacker.example", f"attacker.example:{port}", "localhost.attacker.example"):
        answer = httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ pipelines { totalCount } }"},
            headers={"host": host},
        )
        assert answer.status_code == 403, host
        assert answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "LINEAGEQL_ALLOWED_HOSTS" in answer.json()["errors"][0]["message"]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "app.localhost"):
        health = httpx.get(f"{server.url}/health", headers={"host": host})
        assert health.status_code == 200, host


def test_health_does_not_show_the_store(server: Served) -> None:
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}


def test_deeply_nested_json_is_a_400_everywhere(server: Served) -> None:
    deep = b"[" * 40_000
    for path, headers in (
        ("/graphql", {"content-type": "application/json"}),
        ("/api/v1/lineage", {"content-type": "application/json"}),
    ):
        answer = httpx.post(f"{server.url}{path}", content=deep, headers=headers)
        assert answer.status_code == 400, (path, answer.status_code, answer.text[:200])
    for content_type, content in (
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n"),
        ("application/graphql", b"{ pipelines { totalCount } }"),
        ("application/json", "[" * 1000 + "]" * 1000),
    ):
        other = httpx.post(
            f"{server.url}/graphql", content=content, headers={"content-type": content_type}
        )
        assert 400 <= other.status_code < 500, (content_type, other.status_code, other.text)
    by_get = httpx.get(
        f"{server.url}/graphql",
        params={"query": "{ pipelines { totalCount } }", "variables": "[" * 15_000},
    )
    assert by_get.status_code == 400
    # Within the JSON parser's limit, but too deep to store and answer again.
    run = graphql(
        server.url,
        'mutation { createPipelineRun(input: {pipelineName: "deep"}) { id } }',
    )["data"]["createPipelineRun"]["id"]
    deep_value = '{"k":' * 900 + "1" + "}" * 900
    body = (
        '{"query": "mutation($id: ID!, $v: JSON!) { logMetadata(target: PIPELINE_RUN, '
        f'id: $id, values: $v) {{ key }} }}", "variables": {{"id": "{run}", "v": {deep_value}}}}}'
    )
    answer = httpx.post(
        f"{server.url}/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code < 500
    payload = answer.json()
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", payload
    assert "nests deeper than 64 levels" in payload["errors"][0]["message"]


async def test_deeply_nested_socket_messages_close_the_socket_only(server: Served) -> None:
    address = server.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(address, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send("[" * 40_000)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    assert httpx.get(f"{server.url}/health").status_code == 200


async def test_sockets_from_other_origins_are_refused(server: Served) -> None:
    address = server.url.replace("http://", "ws://") + "/graphql"
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            address,
            subprotocols=["graphql-transport-ws"],
            additional_headers={"Origin": "https://attacker.example"},
        ):
            pass
    assert refused.value.response.status_code == 403
    same_origin = {"Origin": server.url}
    async with websockets.connect(
        address, subprotocols=["graphql-transport-ws"], additional_headers=same_origin
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"


def test_idle_and_slow_connections_are_closed(server: Served) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    # Connects and sends nothing.
    idle = socket.create_connection((host, int(port)))
    # Sends half a request head, then stalls.
    slow_head = socket.create_connection((host, int(port)))
    slow_head.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    # Sends a whole head and a tenth of the body it announced, then stalls.
    slow_body = socket.create_connection((host, int(port)))
    slow_body.sendall(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"query":'
    )
    began = time.monotonic()
    for connection in (idle, slow_head, slow_body):
        connection.settimeout(15)
        received = b""
        while chunk := connection.recv(4096):
            received += chunk
        assert received.startswith(b"HTTP/1.1 408"), received[:200]
        assert b"REQUEST_TIMEOUT" in received
        connection.close()
    assert time.monotonic() - began < 10


def test_a_client_that_goes_away_is_one_log_line(server: Served) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as gone:
        gone.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"query":'
        )
    deadline = time.monotonic() + 10
    while "went away" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    output = server.output()
    assert "went away before sending all of POST /graphql" in output
    assert "Traceback" not in output


def test_one_write_cannot_carry_thousands_of_keys_or_tags(server: Served) -> None:
    run = graphql(
        server.url, 'mutation { createPipelineRun(input: {pipelineName: "bulky"}) { id } }'
    )["data"]["createPipelineRun"]["id"]
    values = {f"k{i}": i for i in range(20_000)}
    logged = graphql(
        server.url,
        "mutation($id: ID!, $v: JSON!) { logMetadata(target: PIPELINE_RUN, id: $id, values: $v)"
        " { key } }",
        id=run,
        v=values,
    )
    error = logged["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "20000 metadata keys in one write; at most 1000" in error["message"]
    tagged = graphql(
        server.url,
        "mutation($id: ID!, $t: [String!]!) { addTags(target: PIPELINE_RUN, id: $id, tags: $t) }",
        id=run,
        t=[f"t{i}" for i in range(20_000)],
    )
    assert tagged["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "20000 tags in one write; at most 100" in tagged["errors"][0]["message"]
    stored = graphql(
        server.url,
        "query($id: ID!) { pipelineRun(id: $id) { tags runMetadata { key } } }",
        id=run,
    )
    assert stored["data"]["pipelineRun"] == {"tags": [], "runMetadata": []}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LINEAGEQL_API_TOKEN": ""}, "LINEAGEQL_API_TOKEN is set but empty"),
        ({"LINEAGEQL_API_TOKEN": "  "}, "LINEAGEQL_API_TOKEN is set but empty"),
        ({"LINEAGEQL_READ_TOKEN_REQUIRED": "true"}, "LINEAGEQL_READ_TOKEN_REQUIRED=true needs"),
    ],
)
def test_unsafe_token_settings_refuse_to_start(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    started = subprocess.run(
        [sys.executable, "-m", "lineageql", "serve", "--store", str(tmp_path / "s.lbdb")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
    )
    assert started.returncode == 1
    assert message in started.stdout and "Traceback" not in started.stderr


def test_serving_beyond_this_machine_without_a_token_warns(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "lineageql", "serve", "--store", str(tmp_path / "s.lbdb")]
    command += ["--host", "0.0.0.0", "--port", str(port)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        try:
            lines = [process.stdout.readline(), process.stdout.readline()]
        finally:
            process.terminate()
    warning = " ".join(lines)
    assert "serving on 0.0.0.0 without LINEAGEQL_API_TOKEN" in warning, lines
