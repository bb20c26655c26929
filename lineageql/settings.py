"""Settings read from the environment (``LINEAGEQL_*``) through pydantic-settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from lineageql.budget import DEFAULT_MAX_RESPONSE_OBJECTS
from lineageql.errors import BadInputError

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
    allowed_hosts: str = ""
    """Comma-separated host names a server without a token answers to, beside IP addresses
    and ``localhost`` (``*`` for any): other names are refused, so a web page cannot reach it
    by rebinding its own domain to this machine."""
    max_request_bytes: int = 1_000_000
    request_timeout_seconds: float = 30.0
    """How long a client may take to send a request's head, and between pieces of its
    body, before the server answers 408 and closes the connection."""
    max_response_objects: int = DEFAULT_MAX_RESPONSE_OBJECTS
    """The most objects one query may answer, counted over the whole response."""

    @property
    def cors_origin_list(self) -> list[str]:
        return _items(self.cors_origins)

    @property
    def allowed_host_list(self) -> list[str]:
        return _items(self.allowed_hosts)

    def check_serving(self) -> None:
        """A BadInputError for settings a server must not start with."""
        if self.api_token is not None and not self.api_token.get_secret_value().strip():
            raise BadInputError(
                "LINEAGEQL_API_TOKEN is set but empty, which would accept an empty bearer "
                "token: set a token, or unset the variable to serve without one"
            )
        if self.read_token_required and self.api_token is None:
            raise BadInputError(
                "LINEAGEQL_READ_TOKEN_REQUIRED=true needs LINEAGEQL_API_TOKEN: without a token "
                "every read would be open to anyone"
            )
        if self.request_timeout_seconds <= 0:
            raise BadInputError("LINEAGEQL_REQUEST_TIMEOUT_SECONDS must be more than 0")
        if self.max_response_objects < 1:
            raise BadInputError("LINEAGEQL_MAX_RESPONSE_OBJECTS must be at least 1")


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]
