"""Subscribers of a chain type hear of new challenges, once; e-mails carry no sealed content."""

import pytest

from challenges.tasks import notify_new_challenges
from matchmaking.models import Notification, Subscription
from tests.challenges.conftest import make_bid, make_challenge

pytestmark = pytest.mark.django_db


def test_subscribers_of_the_chain_type_hear_of_a_new_challenge_once(
    personas, django_capture_on_commit_callbacks
):
    from chains.models import ChainType, CountyChain

    textile = CountyChain.objects.filter(county__name="晋江市").order_by("pk").first().chain_type
    follows = Subscription.objects.create(user=personas["inst_dhu"])
    follows.chain_types.set([textile])
    other = Subscription.objects.create(user=personas["bank_cib"])
    other.chain_types.set([ChainType.objects.exclude(pk=textile.pk).first()])
    with django_capture_on_commit_callbacks(execute=True):
        challenge = make_challenge(personas)
    told = Notification.objects.filter(title__contains="您关注的产业链发布了新榜")
    assert list(told.values_list("recipient__username", flat=True)) == ["inst_dhu"]
    assert "3,000,000" in told.get().body
    assert notify_new_challenges.apply(args=([challenge.pk],)).get() == 0  # repeated task: nobody twice
    assert told.count() == 1


def test_bid_emails_reach_only_the_bidder(personas, mailoutbox, django_capture_on_commit_callbacks):
    challenge = make_challenge(personas)
    with django_capture_on_commit_callbacks(execute=True):
        make_bid(challenge, personas["inst_dhu"], approach="邮件不应泄露的路线")
    assert [m.to for m in mailoutbox] == [["inst_dhu@example.com"]]
    assert all("邮件不应泄露的路线" not in m.body for m in mailoutbox)
