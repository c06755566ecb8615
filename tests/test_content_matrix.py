"""Role × surface × content: every persona reads each part of an order exactly where the read policy says.

The permission matrix (`test_permission_matrix.py`) checks status codes; this checks what the pages, the API,
the attachment downloads, the XLSX export, the notifications and the e-mails *say*. The world and the table
are in `tests/access/content.py` (the README's read-policy table as data): one order per test, walked to a
phase with a distinct marker in every part, read by one persona through every surface.
"""

import io
import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.access import content
from tests.access.content import (
    CONTENT_PERSONAS,
    MARKERS,
    NOTIFICATION_CARRIES,
    NOTIFIED,
    OUTSIDER,
    PHASES,
    PRESENT,
    SURFACES,
    expected,
    role,
    sees,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(personas, city_fuzhou, body_gxt, bank_other):
    """Every persona of the content matrix, fresh from the database (username → User)."""
    from accounts.models import User

    return {
        u.username: u
        for u in User.objects.filter(username__in=CONTENT_PERSONAS).select_related("organization")
    }


def _world(phase, users):
    from matchmaking.models import Notification
    from matchmaking.tasks.orders import send_notification_emails

    world = content.build_world(phase, users)
    # The e-mails the notifications would send after commit (tests roll back, so no commit ever happens).
    send_notification_emails(list(Notification.objects.values_list("pk", flat=True)))
    return world


def _web(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _xlsx_text(response) -> str:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    return "\n".join(cells)


def read_surfaces(world, user) -> dict[str, tuple[int | None, str]]:
    """Every surface as `user` reads it: name → (status, text); status None when several requests."""
    order = world.order
    web, api = _web(user), _api(user)
    out = {}
    page = web.get(reverse("orders:detail", args=[order.pk]))
    out["page"] = (page.status_code, _text(page))
    for name, url_name in [
        ("api_detail", "api:order-detail"),
        ("api_events", "api:order-events"),
        ("api_matches", "api:order-matches"),
        ("api_responses", "api:order-responses"),
    ]:
        response = api.get(reverse(url_name, args=[order.pk]))
        out[name] = (response.status_code, _text(response))
    listed = api.get(reverse("api:order-list"))
    rows = [row for row in listed.json()["results"] if row["id"] == order.pk]
    out["api_list"] = (200 if rows else 404, json.dumps(rows, ensure_ascii=False))
    statuses, texts = [], []
    for response_row in world.responses.values():
        got = api.get(reverse("api:response-detail", args=[response_row.pk]))
        statuses.append(got.status_code)
        texts.append(_text(got))
    out["api_response_detail"] = (None, "\n".join(texts))
    out["api_response_detail_statuses"] = (None, json.dumps(statuses))
    texts = []
    for attachment in world.attachments:
        got = web.get(reverse("orders:attachment", args=[attachment.pk]))
        texts.append(_text(got) if got.status_code == 200 else f"[{got.status_code}]")
    out["downloads"] = (None, "\n".join(texts))
    export = web.get(reverse("dashboards:export_orders"))
    out["export"] = (export.status_code, _xlsx_text(export))
    for name, url_name in [
        ("page_matched", "orders:matched"),
        ("page_my_responses", "orders:responses"),
        ("page_list", "orders:list"),
    ]:
        response = web.get(reverse(url_name))
        out[name] = (response.status_code, _text(response))
    return out


def read_notifications(user) -> str:
    """Everything the user was told: notification rows, e-mails, the inbox page and the notifications API."""
    from matchmaking.models import Notification

    rows = [f"{n.title}\n{n.body}" for n in Notification.objects.filter(recipient=user)]
    mails = [f"{m.subject}\n{m.body}" for m in mail.outbox if user.email in m.to]
    inbox = _text(_web(user).get(reverse("orders:inbox")))
    api = _text(_api(user).get(reverse("api:notification-list"), {"page_size": 100}))
    return "\n".join([*rows, *mails, inbox, api])


def _check(errors, where, text, must, present):
    for key in sorted(present):
        shown = MARKERS[key] in text
        if key in must and not shown:
            errors.append(f"{where}: missing {key}")
        elif key not in must and shown:
            errors.append(f"{where}: LEAKS {key}")


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("persona", CONTENT_PERSONAS)
def test_each_surface_shows_exactly_what_the_table_allows(persona, phase, users):
    world = _world(phase, users)
    user = users[persona]
    r = role(persona, phase)
    present = PRESENT[phase]
    surfaces = read_surfaces(world, user)
    errors = []

    # Status: outsiders find nothing; providers may not read matches; a response or an attachment is found
    # exactly when its content may be read.
    visible = r != OUTSIDER
    for name in ("page", "api_detail", "api_events", "api_responses", "api_list"):
        want = 200 if visible else 404
        if surfaces[name][0] != want:
            errors.append(f"{name}: status {surfaces[name][0]}, expected {want}")
    want_matches = 200 if "matches" in sees(persona, phase) else (403 if visible else 404)
    if surfaces["api_matches"][0] != want_matches:
        errors.append(f"api_matches: status {surfaces['api_matches'][0]}, expected {want_matches}")
    allowed = sees(persona, phase)
    want_details = [200 if content.response_of(p) in allowed else 404 for p in world.responses]
    if json.loads(surfaces["api_response_detail_statuses"][1]) != want_details:
        errors.append(f"api_response_detail: statuses {surfaces['api_response_detail_statuses'][1]}")
    if surfaces["export"][0] != 200:
        errors.append(f"export: status {surfaces['export'][0]}")

    for name, carries in SURFACES.items():
        must = expected(persona, phase, carries)
        if name in content.PROVIDER_PAGES and persona not in content.PROVIDERS:
            must = set()
        _check(errors, name, surfaces[name][1], must, present)

    # Notifications and e-mails: never more than the table allows, and what this persona must have been told.
    told = read_notifications(user)
    may = expected(persona, phase, NOTIFICATION_CARRIES)
    must = set().union(*(NOTIFIED.get((persona, step), set()) for step in content.PATH[phase])) & present
    assert must <= may, f"table error: {persona} must be told {must - may} it may not read"
    for key in sorted(present):
        shown = MARKERS[key] in told
        if key in must and not shown:
            errors.append(f"notifications: missing {key}")
        elif key not in may and shown:
            errors.append(f"notifications: LEAKS {key}")

    assert not errors, f"{persona} ({r}) in phase {phase}:\n  " + "\n  ".join(errors)


def test_the_table_is_the_readme_rule():
    """The data above says what the README says: government viewers read everything, a provider its own part."""
    for phase in PHASES:
        for persona in ("county_jinjiang", "city_quanzhou", "body_kjt", "body_gxt", "admin"):
            assert sees(persona, phase) == content.GOVERNMENT
        assert "contact" in sees("inst_dhu", "docking") and "contact" not in sees("inst_dhu", "published")
        for provider in ("inst_dhu", "firm_demo", "bank_cib", "bank_other"):
            allowed = sees(provider, phase)
            assert not allowed & {"matches", "timeline_note", "actor", "handler", "state_note"}
            assert not {c for c in allowed if c.startswith("response:")} - {content.response_of(provider)}
            assert not {c for c in allowed if c.startswith("match:")} - {content.match_of(provider)}


# Every URL that could show a part of an order: read by the matrix above, or why it needs no entry there.
READ_BY_MATRIX = {
    "orders:detail", "orders:attachment", "orders:inbox", "orders:matched", "orders:responses", "orders:list",
    "api:order-detail", "api:order-list", "api:order-events", "api:order-matches", "api:order-responses",
    "api:response-detail", "api:notification-list", "dashboards:export_orders",
}  # fmt: skip
NOT_IN_MATRIX = {
    **dict.fromkeys(
        [
            f"api:order-{a}"
            for a in (
                "submit",
                "approve",
                "return",
                "reject",
                "claim",
                "withdraw",
                "resolve",
                "close",
                "firm-outcomes",
            )
        ],
        "answers with the order detail serializer (read as api:order-detail)",
    ),
    **dict.fromkeys(
        ["api:response-accept", "api:response-decline"],
        "answers with the response serializer (api:response-detail)",
    ),
    **dict.fromkeys(
        ["orders:county", "orders:queue", "orders:taken", "orders:city", "orders:open", "orders:moderation"],
        "the order list template (read as orders:list): public fields only",
    ),
    "dashboards:export_download": "the same workbook writer as dashboards:export_orders, for its requester",
    "dashboards:export_status": "a background export's progress, no order content",
    "dashboards:events_section": "aggregates over docking events (counts per county, chain, organizer), no order's parts",
    "dashboards:index_tiers_section": "aggregates per development-index tier (counts and sums), no order's parts",
    "dashboards:match_quality_section": "shares per kind and chain type (counts of accepted responses and published "
    "orders), no order's parts",
    "orders:workbench": "titles and states of the viewer's own queue, drawn from querysets scoped by visible_to; no notes, contacts or matches",
    **dict.fromkeys(
        [f"dashboards:{n}" for n in ("index", "province", "city", "county", "monthly", "chain_map")]
        + [f"dashboards:export_{n}" for n in ("province", "city", "county", "chain_map")],
        "aggregates over orders, no order's parts",
    ),
    **dict.fromkeys(
        ["orders:resolve", "orders:close", "orders:respond"], "an action form showing the order's title only"
    ),
    "orders:edit": "the placing county's (and administrators') edit form",
    **dict.fromkeys(
        [
            "orders:create",
            "orders:submit",
            "orders:withdraw",
            "orders:moderate",
            "orders:claim",
            "orders:invite",
            "orders:comment",
            "orders:accept",
            "orders:decline",
            "orders:notification_open",
            "orders:inbox_read_all",
            "orders:preferences",
            "orders:subscription",
            "api:notification-read",
            "api:notification-read-all",
        ],
        "an action or a settings page: redirects or shows no order content",
    ),
}


def test_every_url_that_shows_order_data_is_in_the_content_matrix():
    from tests.test_permission_matrix import url_names

    prefixes = ("orders:", "dashboards:", "api:order-", "api:response-", "api:notification-")
    names = {name for name, _route in url_names() if name and name.startswith(prefixes)}
    missing = sorted(names - READ_BY_MATRIX - set(NOT_IN_MATRIX))
    assert not missing, f"add these URLs to the content matrix (or say why not): {missing}"
    assert not READ_BY_MATRIX & set(NOT_IN_MATRIX)
    stale = sorted((READ_BY_MATRIX | set(NOT_IN_MATRIX)) - names)
    assert not stale, f"entries for URLs that no longer exist: {stale}"
