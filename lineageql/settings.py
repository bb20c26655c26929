"""Settings read from the environment (``LINEAGEQL_*``) through pydantic-settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path.home() / ".lineageql"


class Settings(BaseSettings):
    """Where lineageql keeps its graph and how it reaches it.

    ``store`` is either a file path (the embedded LadybugDB store) or a Neo4j URL
    (``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://``).
    """

    model_config = SettingsConfigDict(env_prefix="LINEAGEQL_", extra="ignore")

    store: str = Field(default=str(DEFAULT_HOME / "lineage.lbdb"))
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("neo4j")
    neo4j_database: str | None = None
    neo4j_retry_seconds: float = 15.0
    """How long a Neo4j transaction is retried while the server is away."""
    artifact_store: str = Field(default=str(DEFAULT_HOME / "artifacts"))
    """Root of the artifacts' files: a local folder or ``gs://bucket/prefix``."""

    api_token: SecretStr | None = None
    """When set, the server's mutations (and reads, with ``read_token_required``) need
    ``Authorization: Bearer <token>``."""
    read_token_required: bool = False
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser (``*`` for any)."""
    max_request_bytes: int = 1_000_000

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]
