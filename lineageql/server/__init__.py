"""The HTTP server: Starlette with GraphQL (and GraphiQL) at /graphql and /health."""

from lineageql.server.app import create_app

__all__ = ["create_app"]
