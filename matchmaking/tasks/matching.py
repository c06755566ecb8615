"""Celery tasks of the matching pipeline (match_order, sweeper, catalog re-scoring)."""
