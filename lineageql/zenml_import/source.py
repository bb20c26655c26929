"""Reading a ZenML store: ``zenml_export.py`` run by ZenML's own Python, its lines parsed.

ZenML is never imported here: it lives in its own environment (a virtualenv, or wherever
the ``zenml`` command is installed), and lineageql runs the exporter there and reads what it
prints. So neither package constrains the other's dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineageql.errors import BadInputError, LineageError

EXPORTER = Path(__file__).with_name("zenml_export.py")
SUPPORTED_VERSIONS = ("0.98",)
"""ZenML releases (major.minor) whose stores the importer is tested against."""


@dataclass
class ZenMLExport:
    """What one export held: the store's versions, and its records by kind, oldest first."""

    zenml_version: str
    store_version: str
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    models: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ZenMLSource:
    """Where ZenML runs and which store it reads: a local store's config folder
    (``ZENML_CONFIG_PATH``), or a server's URL and API key; neither means ZenML's default."""

    python: str | None = None
    config_path: str | None = None
    url: str | None = None
    api_key: str | None = None

    def interpreter(self) -> str:
        """ZenML's Python: the one given, else the one beside the ``zenml`` command."""
        if self.python:
            return self.python
        command = shutil.which("zenml")
        if command is not None:
            beside = Path(command).resolve().parent / "python"
            if beside.exists():
                return str(beside)
        raise BadInputError(
            "cannot find ZenML: give the Python of its environment with --zenml-python "
            "(e.g. ~/.venvs/zenml/bin/python), or put its `zenml` command on PATH",
            "zenml_python",
        )

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "ZENML_ANALYTICS_OPT_IN": "false", "ZENML_LOGGING_VERBOSITY": "ERROR"}
        if self.config_path:
            env["ZENML_CONFIG_PATH"] = str(Path(self.config_path).expanduser())
        if self.url:
            env["ZENML_STORE_URL"] = self.url
        if self.api_key:
            env["ZENML_STORE_API_KEY"] = self.api_key
        return env

    def read(self, since: str | None = None) -> ZenMLExport:
        """Everything the store holds (created at or after ``since``, if given); refuses a
        store of a ZenML release the importer does not know before reading further."""
        python = self.interpreter()
        command = [python, str(EXPORTER)]
        if since:
            command += ["--since", since]
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.environment(),
                text=True,
            )
        except OSError as error:
            raise BadInputError(
                f"cannot run ZenML's Python {python!r}: {error.strerror or error}",
                "zenml_python",
            ) from error
        with process:
            assert process.stdout is not None and process.stderr is not None
            lines = _lines(process.stdout)
            try:
                export = _header(next(lines, None), process, python)
                for line in lines:
                    kind = line.pop("kind")
                    {"artifact": export.artifacts, "run": export.runs, "model": export.models}[
                        kind
                    ].append(line)
            finally:
                process.stdout.close()
                errors = process.stderr.read()
                code = process.wait()
            if code != 0:
                raise LineageError(f"ZenML's export failed (exit {code}): {_last(errors)}")
        return export


def _lines(stream: Any) -> Iterator[dict[str, Any]]:
    for text in stream:
        if text.strip():
            yield json.loads(text)


def _header(
    line: dict[str, Any] | None, process: subprocess.Popen[str], python: str
) -> ZenMLExport:
    if line is None or line.get("kind") != "store":
        assert process.stderr is not None
        process.wait()
        errors = process.stderr.read()
        if "No module named 'zenml'" in errors:
            raise BadInputError(
                f"the Python {python!r} has no ZenML installed; give the Python of "
                "ZenML's environment with --zenml-python",
                "zenml_python",
            )
        raise LineageError(f"ZenML's export printed nothing: {_last(errors)}")
    version = str(line["store_version"])
    if ".".join(version.split(".")[:2]) not in SUPPORTED_VERSIONS:
        process.kill()
        known = ", ".join(f"{v}.x" for v in SUPPORTED_VERSIONS)
        raise BadInputError(
            f"this ZenML store is of ZenML {version}, which the importer does not know (it "
            f"reads stores of ZenML {known}); nothing was imported",
            "zenml",
        )
    return ZenMLExport(zenml_version=str(line["zenml_version"]), store_version=version)


def _last(errors: str) -> str:
    """The last lines of ZenML's error output (its traceback's message)."""
    lines = [line for line in errors.strip().splitlines() if line.strip()]
    return " / ".join(lines[-3:]) if lines else "no output"
