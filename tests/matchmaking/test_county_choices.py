"""The new-order form's county selects kept in the shared cache (chains.countychoices, OrderForm.county_rows):
the same options as read from the querysets, in both languages, and outdated by every write to their rows."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from chains.choices import ChainStatus, EnterpriseRole
from chains.models import ChainLink, ChainType, CountyChain, Enterprise
from matchmaking.forms import COUNTY_SELECTS, OrderForm

pytestmark = pytest.mark.django_db


def make_firm(name, county_id, chain_type, save=True) -> Enterprise:
    firm = Enterprise(
        name=name,
        county_id=county_id,
        chain_type=chain_type,
        link=chain_type.links.first(),
        role=EnterpriseRole.LEADING,
    )
    if save:
        firm.save()
    return firm


def selects(county_id, cached: bool, **kwargs) -> str:
    with override_settings(ORG_CACHE=cached):
        form = OrderForm(county_id=county_id, **kwargs)
        return "\n".join(str(form[name]) for name in COUNTY_SELECTS)


def assert_same(county_id, **kwargs):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert selects(county_id, True, **kwargs) == selects(county_id, False, **kwargs)


def test_cached_selects_are_the_queried_ones_and_read_once(county_jinjiang, django_assert_num_queries):
    county_id = county_jinjiang.organization.county_id
    chain = CountyChain.objects.filter(county_id=county_id).order_by("pk").first()
    CountyChain.objects.filter(pk=chain.pk).update(
        status=ChainStatus.DECLARED
    )  # labelled 待认定 / its English
    firm = make_firm("<晋江>&'纺织\"", county_id, chain.chain_type)
    assert_same(county_id)
    assert_same(county_id, initial={"chain": chain.pk, "beneficiary_firms": [firm.pk]})
    with override_settings(ORG_CACHE=True):
        OrderForm(county_id=county_id)["chain"].as_widget()  # fills the cache
        with django_assert_num_queries(0):
            form = OrderForm(county_id=county_id)
            html = "".join(str(form[name]) for name in COUNTY_SELECTS)
    assert "待认定" in html and 'data-chain-type="' in html


def test_new_order_page_is_the_same_with_the_cache(client, county_jinjiang):
    client.force_login(county_jinjiang)

    def page(cached, language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with override_settings(ORG_CACHE=cached):
            html = client.get("/orders/new/").content.decode()
        return re.sub(r'value="[^"]{20,}"', 'value=""', html)  # the csrf and form tokens

    for language in ("zh-hans", "en"):
        assert page(True, language) == page(False, language)
        assert page(True, language) == page(False, language)  # read from the cache this time


def test_every_write_to_the_rows_outdates_the_cache(county_jinjiang):
    county_id = county_jinjiang.organization.county_id
    chain = CountyChain.objects.filter(county_id=county_id).order_by("pk").first()
    chain_type = chain.chain_type

    def check():
        assert_same(county_id)

    check()
    chain.name = "新名称<链>"
    chain.save()
    check()
    CountyChain.objects.filter(pk=chain.pk).update(status=ChainStatus.REVOKED)
    check()
    CountyChain.objects.filter(pk=chain.pk).update(status=ChainStatus.CONFIRMED)
    check()
    link = ChainLink.objects.create(chain_type=chain_type, name="新环节", stage="upstream", position=99)
    check()
    ChainLink.objects.bulk_create(
        [ChainLink(chain_type=chain_type, name="批量环节", stage="upstream", position=100)]
    )
    check()
    link.name = "改名环节"
    ChainLink.objects.bulk_update([link], ["name"])
    check()
    link.delete()
    check()
    ChainType.objects.filter(pk=chain_type.pk).update(name="新类型名")
    check()
    chain_type.refresh_from_db()
    chain_type.name = "再改类型名"
    chain_type.save()
    check()
    firm = make_firm("新企业", county_id, chain_type)
    check()
    Enterprise.objects.filter(pk=firm.pk).update(name="改名企业")
    check()
    Enterprise.objects.bulk_create([make_firm("批量企业", county_id, chain_type, save=False)])
    check()
    firm.delete()
    check()


def test_county_querysets_are_built_once_and_never_evaluated(county_jinjiang):
    """The per-process querysets of a county's selects: each form's fields take copies, which read the rows as
    freshly built querysets do; the kept ones are never evaluated (no rows kept between requests)."""
    from matchmaking.forms import county_querysets

    county_id = county_jinjiang.organization.county_id
    kept = county_querysets(county_id)
    assert county_querysets(county_id) is kept
    chain = CountyChain.objects.filter(county_id=county_id).order_by("pk").first()
    for _ in range(2):
        form = OrderForm(county_id=county_id)
        assert [
            field.queryset is not kept_qs
            for field, kept_qs in zip((form.fields[name] for name in COUNTY_SELECTS), kept, strict=True)
        ] == [True, True, True]
        selects(county_id, False)
        assert list(form.fields["chain"].queryset) == list(
            CountyChain.objects.orderable().filter(county_id=county_id)
        )
        CountyChain.objects.filter(pk=chain.pk).update(status=ChainStatus.REVOKED)
    assert all(queryset._result_cache is None for queryset in kept)
    assert chain not in OrderForm(county_id=county_id).fields["chain"].queryset
