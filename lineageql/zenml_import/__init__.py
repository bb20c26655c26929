"""``lineageql import zenml``: a ZenML store's history brought into lineageql.

``source`` runs the exporter (``zenml_export.py``) in ZenML's own environment and reads what
it prints; ``importer`` plans what lineageql lacks and writes it through the bulk writes.
"""

from lineageql.zenml_import.importer import ImportPlan, ImportResult, plan_import, write_import
from lineageql.zenml_import.source import SUPPORTED_VERSIONS, ZenMLExport, ZenMLSource

__all__ = [
    "SUPPORTED_VERSIONS",
    "ImportPlan",
    "ImportResult",
    "ZenMLExport",
    "ZenMLSource",
    "plan_import",
    "write_import",
]
