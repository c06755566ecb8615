"""matchmaking.policy._accepted_order_ids (the query written out) answers as the ORM query it replaces."""

import pytest

from matchmaking import policy
from matchmaking.choices import OrderState, ProposalState
from matchmaking.models import Proposal


def orm_accepted(org_id, order_ids=None):
    qs = Proposal.objects.filter(provider_org_id=org_id, state=ProposalState.ACCEPTED)
    if order_ids is not None:
        qs = qs.filter(order_id__in=list(order_ids))
    return set(qs.order_by().values_list("order_id", flat=True))


@pytest.mark.django_db
def test_same_orders_as_the_orm(make_order, drive, inst_dhu, bank_cib, django_assert_num_queries):
    docking = drive(make_order(), OrderState.DOCKING)  # inst_dhu's response accepted
    published = drive(make_order(), OrderState.PUBLISHED)
    other = drive(make_order(), OrderState.DOCKING)
    ids_lists = [
        None,
        [docking.pk],
        [published.pk],
        [docking.pk, published.pk, other.pk],
        [other.pk, other.pk],
        [0],
    ]
    for org in (inst_dhu.organization_id, bank_cib.organization_id, 0):
        for ids in ids_lists:
            assert policy._accepted_order_ids(org, ids) == orm_accepted(org, ids)
    assert policy._accepted_order_ids(inst_dhu.organization_id, [docking.pk, published.pk]) == {docking.pk}
    assert policy._accepted_order_ids(inst_dhu.organization_id, (pk for pk in [str(docking.pk)])) == {
        docking.pk
    }
    with django_assert_num_queries(0):
        assert policy._accepted_order_ids(inst_dhu.organization_id, []) == set()
    with django_assert_num_queries(1):
        policies = policy.for_orders(inst_dhu, [docking.pk, published.pk])
    assert policies[docking.pk].accepted and not policies[published.pk].accepted
