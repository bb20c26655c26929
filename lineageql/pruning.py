"""Pruning: delete artifact versions no run produced or consumed, their records, files, or both.

Records go first, in one transaction that re-checks that each version is still unreferenced,
so a version a run starts using meanwhile is never touched; then the files of the versions
whose records were deleted. Files outside the artifact store (registered external data) are
never deleted, and neither is a file that a version still stored needs: one at the same
path, inside it, or containing it (``FilesInUse``), so a planted version pointing at other
versions' files cannot take them with it.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from lineageql.artifacts import ArtifactStore
from lineageql.errors import BadInputError
from lineageql.graph import LineageRepository
from lineageql.records import ArtifactVersionRecord

MAX_THREADS = 64


@dataclass(frozen=True)
class PruneFailure:
    artifact_version_id: str
    uri: str
    message: str


@dataclass(frozen=True)
class KeptInUse:
    """A pruned version's files left in place because a stored version needs them."""

    artifact_version_id: str
    uri: str
    reason: str


@dataclass
class PruneResult:
    """What a prune deleted, left in place, and could not delete."""

    deleted_version_ids: list[str] = field(default_factory=list)
    deleted_uris: list[str] = field(default_factory=list)
    kept_uris: list[str] = field(default_factory=list)
    """Files of pruned versions that lie outside the artifact store, left untouched."""
    in_use: list[KeptInUse] = field(default_factory=list)
    """Files of pruned versions left in place because a version still stored needs them."""
    failures: list[PruneFailure] = field(default_factory=list)
    left_uris: list[str] = field(default_factory=list)
    """Files of pruned versions not deleted because pruning stopped at a failure."""
    stopped: str | None = None
    """Why pruning stopped early (without ignore_errors, at the first file it could not
    delete); None when it went through."""


async def prune_artifacts(
    repo: LineageRepository,
    store: ArtifactStore,
    *,
    only_metadata: bool = False,
    only_artifact: bool = False,
    ignore_errors: bool = False,
    threads: int = 1,
    version_ids: Sequence[str] | None = None,
) -> PruneResult:
    """Delete unreferenced artifact versions: records and files, or only one of them, deleting
    files ``threads`` at a time; with ``version_ids``, only those of them (what a person
    was shown and confirmed), and none that a run uses by then.

    Without ``ignore_errors`` the first file that cannot be deleted stops the prune: the
    result says so in ``stopped`` and lists the files left in place. With it, failures are
    collected and pruning goes on. Either way the result says what was deleted.
    """
    if only_metadata and only_artifact:
        raise BadInputError("onlyMetadata and onlyArtifact exclude each other; give one or none")
    if not 1 <= threads <= MAX_THREADS:
        raise BadInputError(f"must be between 1 and {MAX_THREADS}", "threads")
    candidates = await repo.unreferenced_versions()
    if version_ids is not None:
        wanted = set(version_ids)
        candidates = [version for version in candidates if version.id in wanted]
    result = PruneResult()
    if only_artifact:
        pruned = candidates
    else:
        deleted = set(await repo.delete_unreferenced_versions([v.id for v in candidates]))
        pruned = [version for version in candidates if version.id in deleted]
        result.deleted_version_ids = [version.id for version in pruned]
    if not only_metadata:
        pruned_ids = {version.id for version in pruned}
        stored = [v for v in await repo.every_version() if v.id not in pruned_ids]
        needed = FilesInUse(store, stored)
        deletable = []
        for version in pruned:
            reason = next(filter(None, map(needed.reason, files_of(version))), None)
            if reason is None:
                deletable.append(version)
            else:
                result.in_use.append(KeptInUse(version.id, version.uri, reason))
        await asyncio.to_thread(_delete_files, store, deletable, result, ignore_errors, threads)
    return result


def files_of(version: ArtifactVersionRecord) -> tuple[str, ...]:
    """The URIs a version's files are at: its data, then its visualizations."""
    return (version.uri, *(shown.uri for shown in version.visualizations))


class FilesInUse:
    """The artifact-store paths that stored versions need (their data and visualizations),
    answering whether deleting a path would take any of them."""

    def __init__(self, store: ArtifactStore, versions: Iterable[ArtifactVersionRecord]) -> None:
        self.store = store
        owners: dict[str, ArtifactVersionRecord] = {}
        for version in versions:
            for uri in files_of(version):
                path = store.inside_path(uri)
                if path is not None:
                    owners.setdefault(path, version)
        self.owners = owners
        self.paths = sorted(owners)

    def reason(self, uri: str) -> str | None:
        """Why deleting ``uri`` would take files a stored version needs, or None if it would
        not (or ``uri`` lies outside the store, where nothing is deleted anyway)."""
        path = self.store.inside_path(uri)
        if path is None:
            return None
        if path in self.owners:
            return f"{self._named(path)} is stored at the same path"
        below = bisect.bisect_left(self.paths, path + "/")
        if below < len(self.paths) and self.paths[below].startswith(path + "/"):
            return f"it holds the files of {self._named(self.paths[below])}"
        parent = path.rpartition("/")[0]
        while parent:
            if parent in self.owners:
                return f"it lies inside the files of {self._named(parent)}"
            parent = parent.rpartition("/")[0]
        return None

    def _named(self, path: str) -> str:
        version = self.owners[path]
        return f"{version.name} version {version.version} ({version.id})"


def _delete_files(
    store: ArtifactStore,
    versions: list[ArtifactVersionRecord],
    result: PruneResult,
    ignore_errors: bool,
    threads: int,
) -> None:
    """Delete each version's files (data and visualizations), ``threads`` at a time."""
    inside = [v for v in versions if store.contains(v.uri)]
    result.kept_uris.extend(v.uri for v in versions if not store.contains(v.uri))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = pool.map(lambda version: _delete_version_files(store, version), inside)
        for position, (version, failure) in enumerate(zip(inside, outcomes, strict=False)):
            if failure is None:
                result.deleted_uris.append(version.uri)
                continue
            result.failures.append(failure)
            if not ignore_errors:
                pool.shutdown(wait=True, cancel_futures=True)
                result.left_uris = [v.uri for v in inside[position:] if store.exists(v.uri)]
                result.stopped = (
                    f"could not delete {version.uri!r}: {failure.message}. Pruning stopped "
                    f"after deleting {len(result.deleted_version_ids)} version records and "
                    f"{len(result.deleted_uris)} file sets; the files in leftUris were left in "
                    "place and can be removed by hand. Pass ignoreErrors to go on past such "
                    "files."
                )
                return


def _delete_version_files(
    store: ArtifactStore, version: ArtifactVersionRecord
) -> PruneFailure | None:
    targets = [uri for uri in files_of(version) if store.contains(uri)]
    try:
        for target in targets:
            if store.exists(target):
                store.remove(target)
    except OSError as error:
        return PruneFailure(version.id, version.uri, str(error) or type(error).__name__)
    return None
