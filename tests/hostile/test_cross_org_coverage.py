"""Cross-organization access to every object URL is covered by the permission matrix, and is a 404.

`tests/test_permission_matrix.py` requests every project URL as every persona. This test checks that the
matrix really exercises cross-organization access: for every URL pattern that names an object (a path
parameter such as `<int:pk>`, `<uuid:job_id>` or a router's `(?P<pk>…)`), some logged-in persona may open
it and some logged-in persona of another organization gets 404 — never 403. A new object URL without such a
case fails here (listing it), unless it is a public catalog page listed in PUBLIC_OBJECTS.
"""

import re

from tests.access import ANONYMOUS, PERSONAS
from tests.test_permission_matrix import REGISTRY, SKIPPED_NAMES, SKIPPED_NAMESPACES, url_names

OBJECT_PARAM = re.compile(r"<(?:int|uuid|slug|str|path):\w+>|\(\?P<(?!format>)\w+>")
# Object pages everyone (signed in) may read: the public directory of regions, chains and the resource
# catalog, the key-firm white list, and the aggregated chain maps of the dashboards. A published docking event
# is public to every signed-in user too (its programme and participants are the point): its pages, calendar
# and sub-lists (each scoped to the reader) answer 200, its organizer actions 403 to those who may see the
# event but not run it; an unpublished event is 404 outside its organizer (tests/events/test_api.py, test_pages.py).
PUBLIC_OBJECTS = re.compile(
    r"^(chains:|dashboards:(export_)?chain_map$|api:(prefecture|county|chain-type|chain|institution|enterprise|"
    r"fund|financial-product|talent-resource|provincial-body|white-list)-detail$|"
    r"events:(detail|agenda|agenda-ics|meeting-request)$|"
    r"api:event-(detail|calendar-file|meetings|registrations|cancel|finish|invitations|proposed-invitees|schedule)$)"
)
REACHABLE = {200, 302, 400, 405, 409}


def object_urls() -> dict[str, str]:
    """URL name → route for every project URL pattern with an object parameter."""
    found = {}
    for name, route in url_names():
        if not name or name.split(":")[0] in SKIPPED_NAMESPACES or name in SKIPPED_NAMES:
            continue
        if OBJECT_PARAM.search(route) and name != "api:not-found":
            found[name] = route
    return found


def test_there_are_object_urls_to_check():
    urls = object_urls()
    assert "orders:detail" in urls and "api:order-detail" in urls and len(urls) > 20


def test_every_object_url_has_a_cross_organization_404_case():
    missing, forbidden = [], []
    sees_order = {p for p, code in REGISTRY["api:order-detail"].expect.items() if code == 200}
    for name in sorted(object_urls()):
        if PUBLIC_OBJECTS.match(name):
            continue
        access = REGISTRY.get(name)
        if access is None:
            missing.append(f"{name} (no matrix entry)")
            continue
        users = {p: code for p, code in access.expect.items() if p != ANONYMOUS}
        if name.startswith("api:order-"):  # 403 only for someone who may see the order but not act on it
            forbidden += [f"{name}: {p}" for p, code in users.items() if code == 403 and p not in sees_order]
        if not any(code == 404 for code in users.values()) or not any(c in REACHABLE for c in users.values()):
            missing.append(f"{name} {dict(users)}")
    assert not forbidden, f"outside scope must be 404, not 403: {forbidden}"
    assert not missing, (
        "object URLs without a reachable-for-one, 404-for-another-organization case: " + "; ".join(missing)
    )


def test_order_objects_are_404_for_the_other_county():
    """The matrix's orders belong to 晋江市: 罗源县 (another county) gets 404 on every order-bound object URL."""
    order_bound = [n for n in object_urls() if n.startswith("orders:") or n.startswith("api:order")]
    wrong = {n: REGISTRY[n].expect["county_luoyuan"] for n in order_bound if n in REGISTRY}
    wrong = {n: code for n, code in wrong.items() if code != 404}
    assert order_bound and not wrong, f"罗源县 can reach 晋江市's objects: {wrong}"
    assert "county_luoyuan" in PERSONAS
