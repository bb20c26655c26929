"""``python -m lineageql`` runs the command line."""

from lineageql.cli import app

app()
