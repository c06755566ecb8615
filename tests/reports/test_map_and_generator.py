"""The shipped Fujian county map matches our 83 counties; the demo order generator writes plausible data."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F, Q

MAP = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fujian" / "fujian-counties.json"


@pytest.mark.django_db
def test_every_county_is_on_the_map(reference):
    assert MAP.exists(), (
        "static/vendor/fujian/fujian-counties.json is built by `make install` (static/vendor/.stamp)"
    )
    geo = json.loads(MAP.read_text(encoding="utf-8"))
    on_map = {f["properties"]["name"]: f["properties"]["prefecture"] for f in geo["features"]}
    ours = dict(reference.County.objects.values_list("name", "prefecture__name"))
    assert len(ours) == 83
    assert set(on_map) == set(ours), {
        "missing on map": set(ours) - set(on_map),
        "extra": set(on_map) - set(ours),
    }
    assert on_map == ours  # and each sits in the right prefecture


@pytest.mark.django_db
def test_generate_demo_orders(reference):
    from matchmaking.models import Match, Order, OrderEvent, Outcome, Proposal

    call_command("generate_demo_orders", 400, "--seed", "3", "--timeline")
    orders = Order.objects.all()
    assert orders.count() == 400 and not orders.filter(is_sample=False).exists()
    assert orders.values("state").distinct().count() >= 8
    assert orders.values("kind").distinct().count() == 4
    assert orders.values("county").distinct().count() > 20
    assert not orders.exclude(chain__county=F("county")).exists()  # every chain belongs to its county
    # timestamps run forward
    assert not orders.filter(published_at__lt=F("submitted_at")).exists()
    assert not orders.filter(claimed_at__lt=F("published_at")).exists()
    assert not orders.filter(finished_at__lt=F("created_at")).exists()
    assert not orders.filter(Q(state="resolved") & Q(outcome__isnull=True)).exists()
    assert Outcome.objects.count() == orders.filter(state="resolved").count()
    assert not orders.filter(state="docking").exclude(responses__state="accepted").exists()
    assert Proposal.objects.exists() and Match.objects.filter(resource_type="enterprise").exists()
    assert OrderEvent.objects.filter(order__in=orders).count() >= 400
    call_command("generate_demo_orders", 10, "--clear")
    assert Order.objects.count() == 10
