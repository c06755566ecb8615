"""Access to the dashboards, chain maps and exports: a city sees its own prefecture, a county itself,
bodies and administrators everything; providers have no dashboard (404) but may open chain maps."""

from tests.access import Access, logged_in, only

PROVINCE = ("body_kjt", "body_jrb", "body_gxt", "admin")
QUANZHOU = (*PROVINCE, "city_quanzhou")
JINJIANG = (*QUANZHOU, "county_jinjiang")
WITH_DASHBOARD = (*QUANZHOU, "county_jinjiang", "county_luoyuan")


def _prefecture(name):
    def kwargs(personas):
        from chains.models import Prefecture

        return {"pk": Prefecture.objects.get(name=name).pk}

    return kwargs


def _county(name):
    def kwargs(personas):
        from chains.models import County

        return {"pk": County.objects.get(name=name).pk}

    return kwargs


def _admin_export_job(personas):
    from reports import exports

    return {"job_id": exports.start_order_export(personas["admin"], "kind=innovation")}


TEXTILE = {"code": "textile-apparel"}

ACCESS = {
    "dashboards:index": Access(logged_in()),
    "dashboards:province": Access(only(*PROVINCE)),
    "dashboards:export_province": Access(only(*PROVINCE)),
    "dashboards:city": Access(only(*QUANZHOU), kwargs=_prefecture("泉州市")),
    "dashboards:export_city": Access(only(*QUANZHOU), kwargs=_prefecture("泉州市")),
    "dashboards:county": Access(only(*JINJIANG), kwargs=_county("晋江市")),
    "dashboards:export_county": Access(only(*JINJIANG), kwargs=_county("晋江市")),
    "dashboards:chain_map": Access(logged_in(), kwargs=lambda personas: TEXTILE),
    "dashboards:export_chain_map": Access(logged_in(), kwargs=lambda personas: TEXTILE),
    "dashboards:monthly": Access(only(*WITH_DASHBOARD)),
    "dashboards:match_quality_section": Access(only(*PROVINCE)),  # loaded by the province dashboard
    "dashboards:export_orders": Access(logged_in()),
    "dashboards:export_status": Access(only("admin"), kwargs=_admin_export_job),
    "dashboards:export_download": Access(only("admin"), kwargs=_admin_export_job),
}
