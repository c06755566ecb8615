"""Celery tasks of 揭榜挂帅: thin, idempotent, taking ids; the rules live in `challenges.services`."""

from celery import shared_task

from challenges import notifications, services
from challenges.models import Challenge


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_new_challenges(self, challenge_ids: list[int]) -> int:
    """Tell the subscribers of each newly opened challenge's chain type (once per challenge)."""
    from django.db import transaction
    from django.utils import timezone

    told = 0
    for challenge in Challenge.objects.filter(pk__in=challenge_ids, state="open").select_related("list"):
        with transaction.atomic():
            claimed = Challenge.objects.filter(pk=challenge.pk, subscribers_told_at__isnull=True).update(
                subscribers_told_at=timezone.now()
            )
            if claimed:  # a retried or repeated task tells nobody twice
                told += notifications.challenges_published([challenge])
    return told


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def close_due_bidding(self) -> int:
    """Beat: move open challenges past their bid deadline into review."""
    return services.close_due_bidding()


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def remind_overdue_milestones(self) -> dict:
    """Beat: remind winners of overdue milestones and escalate long-overdue ones (each once)."""
    return services.remind_overdue_milestones()
