"""OpenLineage in: RunEvents from Airflow, Spark, dbt or Flink, stored as lineageql runs, and
the static JobEvents and DatasetEvents, stored as what jobs and datasets declare."""

from lineageql.openlineage.events import parse_event, parse_run_event
from lineageql.openlineage.mapping import change_of, declaration_of, run_step_id

__all__ = ["change_of", "declaration_of", "parse_event", "parse_run_event", "run_step_id"]
