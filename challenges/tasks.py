"""Celery tasks of 揭榜挂帅: thin, idempotent, taking ids; the rules live in `challenges.services`."""

from celery import shared_task


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_new_challenges(self, challenge_ids: list[int]) -> int:
    """Tell the subscribers of each newly opened challenge's chain type (once per challenge)."""
    from django.db import transaction

    from challenges import notifications
    from challenges.models import Challenge, ChallengeEvent

    told = 0
    for challenge in Challenge.objects.filter(pk__in=challenge_ids, state="open").select_related("list"):
        with transaction.atomic():
            marker = ChallengeEvent.objects.filter(challenge=challenge, kind="published", note="subscribers")
            if marker.exists():
                continue  # already told (a retried or repeated task)
            told += notifications.challenges_published([challenge])
            ChallengeEvent.objects.create(
                list=challenge.list, challenge=challenge, kind="published", note="subscribers"
            )
    return told


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def close_due_bidding(self) -> int:
    """Beat: move open challenges past their bid deadline into review."""
    from challenges import services

    return services.close_due_bidding()


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def remind_overdue_milestones(self) -> dict:
    """Beat: remind winners of overdue milestones and escalate long-overdue ones (each once)."""
    from challenges import services

    return services.remind_overdue_milestones()
