"""Celery tasks (thin, taking ids): order workflow and notifications in `orders`, matching in `matching`."""

from matchmaking.tasks.matching import *  # noqa: F403
from matchmaking.tasks.orders import *  # noqa: F403
