"""四链对接平台: the Django project package and the orders/matching domain."""

from matchmaking.celery import app as celery_app

__all__ = ["celery_app"]
