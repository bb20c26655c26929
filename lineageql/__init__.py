"""lineageql: a GraphQL lineage API over a graph database for ML pipelines."""

__version__ = "0.1.0"
