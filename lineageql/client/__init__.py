"""The Python client: views over the lineage, through the GraphQL API."""

from lineageql.client.client import Client, close_connections
from lineageql.client.model_views import ModelVersionView, ModelView
from lineageql.client.views import ArtifactVersionView, PipelineView, RunView, StepView

__all__ = [
    "ArtifactVersionView",
    "Client",
    "ModelVersionView",
    "ModelView",
    "PipelineView",
    "RunView",
    "StepView",
    "close_connections",
]
