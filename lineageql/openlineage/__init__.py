"""OpenLineage in: RunEvents from Airflow, Spark, dbt or Flink, stored as lineageql runs."""

from lineageql.openlineage.events import parse_run_event
from lineageql.openlineage.mapping import change_of, run_step_id

__all__ = ["change_of", "parse_run_event", "run_step_id"]
