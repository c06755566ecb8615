"""The demo orders command: believable orders in many states, marked 示例, idempotent."""

import pytest
from django.core.management import call_command

from matchmaking.models import Order

pytestmark = pytest.mark.django_db


def test_seed_demo_orders(personas):
    """Orders across both demo counties and the main states; a second run adds nothing."""
    call_command("seed_demo_orders")
    states = set(Order.objects.values_list("state", flat=True))
    assert {
        "draft",
        "submitted",
        "published",
        "claimed",
        "docking",
        "resolved",
        "returned",
        "rejected",
        "closed",
    } <= states
    assert set(Order.objects.values_list("county__name", flat=True)) == {"晋江市", "罗源县"}
    assert not Order.objects.filter(is_sample=False).exists()
    count = Order.objects.count()
    call_command("seed_demo_orders")
    assert Order.objects.count() == count
    resolved = Order.objects.get(state="resolved")
    assert resolved.outcome.partner == "东华大学"
    assert resolved.events.count() >= 8
