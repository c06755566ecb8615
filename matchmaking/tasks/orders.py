"""Celery tasks of the order workflow: notifications, service-level checks."""
