"""Access to the development index: pages and API. Government users (counties, cities, bodies) and
administrators read the index; providers read the published figures only (ranking and API, no county pages);
counties fill in their own values, cities review their counties' reports, administrators manage everything.

Each entry loads the index's reference data (indicator system, published 2025 results) inside the persona's
rolled-back transaction; report fixtures are made through the services as the personas."""

from tests.access import Access, logged_in, only, rule

GOVERNMENT = (
    "county_jinjiang",
    "county_luoyuan",
    "city_quanzhou",
    "body_kjt",
    "body_jrb",
    "body_gxt",
    "admin",
)
PROVINCE = ("body_kjt", "body_jrb", "body_gxt", "admin")
LOGGED_IN_API = rule(200, anonymous=401)


def api_rule(default: int, **overrides: int) -> dict[str, int]:
    """`default` for every persona, 401 for anonymous, overrides by name."""
    return rule(default, anonymous=401, **overrides)


def _reference(personas=None, **kwargs):
    from devindex.reference import load_reference

    load_reference()
    return kwargs


def _county(personas):
    from chains.models import County

    return _reference(pk=County.objects.get(name="晋江市").pk)


def _report(personas, state="submitted"):
    """晋江市's 2026 report, filled in by the county and moved to `state`."""
    from chains.models import County
    from devindex import services

    _reference()
    county = personas["county_jinjiang"]
    report = services.save_values(County.objects.get(name="晋江市"), 2026, {"new_patents": "9"}, by=county)
    if state in ("submitted", "approved"):
        report = services.submit_report(report, by=county)
    if state == "approved":
        report = services.approve_report(report, by=personas["city_quanzhou"])
    return report


def _report_kwargs(state):
    return lambda personas: {"pk": _report(personas, state).pk}


def _value(personas):
    report = _report(personas, "draft")
    return {"pk": report.values.get().pk}


ACCESS = {
    # pages
    "devindex:ranking": Access(logged_in(), kwargs=_reference),
    "devindex:export": Access(logged_in(), kwargs=_reference),
    "devindex:county": Access(only(*GOVERNMENT), kwargs=_county, query="year=2025"),
    "devindex:method": Access(only(*GOVERNMENT), kwargs=_reference),
    "devindex:export_values": Access(only(*GOVERNMENT), kwargs=_reference, query="year=2025"),
    "devindex:method_edit": Access(only("admin"), kwargs=_reference),
    "devindex:import": Access(only("admin"), kwargs=_reference),
    "devindex:reports": Access(
        only("county_jinjiang", "county_luoyuan", "city_quanzhou", "admin"), kwargs=_reference
    ),
    "devindex:report_edit": Access(
        only("county_jinjiang", "county_luoyuan"), kwargs=lambda p: _reference(year=2026)
    ),
    "devindex:report": Access(
        only("county_jinjiang", "city_quanzhou", "admin"), kwargs=_report_kwargs("submitted")
    ),
    "devindex:report_action": Access(
        only("city_quanzhou", "admin", ok=302),
        kwargs=lambda personas: {"pk": _report(personas).pk, "action": "approve"},
        method="post",
    ),
    "devindex:panel": Access(only(*PROVINCE), kwargs=lambda p: _reference(kind="province")),
    # API
    "devindex-api:result-list": Access(LOGGED_IN_API, kwargs=_reference),
    "devindex-api:indicator-list": Access(LOGGED_IN_API, kwargs=_reference),
    "devindex-api:value-list": Access(LOGGED_IN_API, kwargs=_reference),
    "devindex-api:value-detail": Access(api_rule(404, county_jinjiang=200, admin=200), kwargs=_value),
    "devindex-api:report-list": Access(LOGGED_IN_API, kwargs=_reference),
    "devindex-api:report-detail": Access(
        api_rule(404, county_jinjiang=200, city_quanzhou=200, admin=200), kwargs=_report_kwargs("submitted")
    ),
    "devindex-api:report-submit": Access(
        api_rule(404, county_jinjiang=200, admin=403), kwargs=_report_kwargs("draft"), method="post"
    ),
    "devindex-api:report-approve": Access(
        api_rule(404, county_jinjiang=403, city_quanzhou=200, admin=200),
        kwargs=_report_kwargs("submitted"),
        method="post",
    ),
    "devindex-api:report-return": Access(
        api_rule(404, county_jinjiang=403, city_quanzhou=200, admin=200),
        kwargs=_report_kwargs("submitted"),
        method="post",
        data={"reason": "请核对"},
    ),
    "devindex-api:report-reopen": Access(
        api_rule(403, admin=200, bank_cib=404, inst_dhu=404, firm_demo=404),
        kwargs=_report_kwargs("approved"),
        method="post",
        data={"reason": "更正"},
    ),
}
