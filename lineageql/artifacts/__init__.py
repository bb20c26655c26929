"""Where artifacts' data live: the artifact store (a local folder or ``gs://``)."""

from lineageql.artifacts.store import ArtifactStore

__all__ = ["ArtifactStore"]
