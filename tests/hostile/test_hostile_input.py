"""Hostile input through the real entry points: disguised and oversized uploads are refused (nothing stored),
and HTML in titles and descriptions is inert everywhere it is shown — pages, the API, XLSX exports, e-mails.
"""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from matchmaking import services
from matchmaking.models import Attachment, Order
from tests.matchmaking.conftest import order_data

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


def form_data(chain_pk):
    return {
        "kind": "capital",
        "chain": chain_pk,
        "title": "技改设备融资需求",
        "description": "辖区规上纺织企业计划更新智能织造设备，需要中长期技改贷款支持，希望银行给出方案。",
        "keywords": "技改",
        "amount_yuan": 8_000_000,
        "financing_type": "loan",
        "due_date": str(datetime.date.today() + datetime.timedelta(days=365)),
        "contact_name": "陈主任",
        "contact_phone": "13905950000",
        "visibility": "open",
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("方案.pdf", b"<html><script>alert(1)</script></html>"),  # HTML disguised as PDF
        ("photo.png", PDF),  # a PDF calling itself an image
        ("report.docx", b"PK\x03\x04" + b"\x00" * 64),  # a zip that is not a Word document
        ("invoice.pdf.exe", b"MZ\x90\x00" + b"\x00" * 64),  # an executable with a double extension
        ("shell.php", b"<?php system($_GET['c']); ?>"),
        ("empty.pdf", b""),
    ],
)
def test_disguised_uploads_are_refused_by_the_order_form(
    name, content, login, county_jinjiang, reference, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    chain = reference.CountyChain.objects.filter(county_id=county_jinjiang.organization.county_id).first()
    response = login(county_jinjiang).post(
        reverse("orders:create"), {**form_data(chain.pk), "attachments": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200  # the form again, with the message
    assert not Order.objects.exists() and not Attachment.objects.exists()
    assert not any(tmp_path.rglob("*.*")), "nothing written to the media folder"


def test_oversized_upload_is_refused(login, county_jinjiang, reference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    chain = reference.CountyChain.objects.filter(county_id=county_jinjiang.organization.county_id).first()
    big = SimpleUploadedFile("方案.pdf", PDF + b"0" * (1024 * 1024 + 1))
    response = login(county_jinjiang).post(
        reverse("orders:create"), {**form_data(chain.pk), "attachments": big}
    )
    assert response.status_code == 200 and "超过大小上限" in response.content.decode()
    assert not Order.objects.exists() and not any(tmp_path.rglob("*.*"))


def test_disguised_upload_is_refused_on_a_response(login, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = hostile_order(personas)
    response = login(personas["inst_dhu"]).post(
        reverse("orders:respond", args=[order.pk]),
        {"proposal": "我校可组建团队联合攻关。", "attachments": SimpleUploadedFile("a.pdf", b"GIF89a....")},
    )
    assert response.status_code == 200 and "与扩展名不符" in response.content.decode()
    assert not order.responses.exists()


def hostile_order(personas):
    """A published 晋江 innovation order whose title, description and keywords carry HTML."""
    county = personas["county_jinjiang"]
    data = order_data(
        county, title=f"攻关需求{PAYLOAD}", description=f"描述{PAYLOAD}需要联合攻关。", keywords=PAYLOAD
    )
    order = services.create_order(by=county, data=data)
    services.submit_order(order, by=county)
    services.approve_order(order, by=personas["admin"])
    return order


def test_html_in_titles_and_descriptions_is_escaped_on_every_page(login, personas):
    order = hostile_order(personas)
    services.respond(order, by=personas["inst_dhu"], proposal=f"方案{PAYLOAD}")
    pages = {
        "county_jinjiang": [
            reverse("orders:detail", args=[order.pk]),
            reverse("orders:county"),
            reverse("orders:inbox"),
            reverse("dashboards:county", args=[order.county_id]),
        ],
        "body_kjt": [reverse("orders:detail", args=[order.pk]), reverse("orders:queue")],
        "inst_dhu": [reverse("orders:open"), reverse("orders:matched"), reverse("orders:responses")],
        "admin": [
            reverse("orders:moderation"),
            reverse("orders:list"),
            reverse("admin:matchmaking_order_changelist"),
            reverse("admin:matchmaking_order_change", args=[order.pk]),
        ],
    }
    shown = 0
    for persona, urls in pages.items():
        client = login(personas[persona])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "<script>alert" not in html and "<img src=x" not in html, f"raw HTML on {url}"
            shown += ESCAPED in html or "&lt;script&gt;" in html
    assert shown >= 6, "the hostile title is shown (escaped) on the pages that list it"


def test_html_is_inert_in_the_api(login, personas):
    order = hostile_order(personas)
    data = login(personas["county_jinjiang"]).get(reverse("api:order-detail", args=[order.pk]))
    assert data["Content-Type"].startswith("application/json")
    assert data.json()["title"] == f"攻关需求{PAYLOAD}"  # stored as text, JSON is not rendered as HTML


def test_html_and_formulas_are_plain_text_in_exports(login, personas):
    order = hostile_order(personas)
    Order.objects.filter(pk=order.pk).update(title='=HYPERLINK("http://evil.example","点我")' + PAYLOAD)
    response = login(personas["admin"]).get(reverse("dashboards:export_orders"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [v for v in cells if "HYPERLINK" in v]
    assert hostile and all(not v.startswith("=") for v in hostile), hostile  # no formula
    assert any(PAYLOAD in v for v in hostile)  # the text is kept literally; a spreadsheet does not run HTML


def test_html_in_titles_is_inert_in_emails(personas, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = hostile_order(personas)
        services.respond(order, by=personas["inst_dhu"], proposal=f"方案{PAYLOAD}")
    sent = [m for m in mail.outbox if "攻关需求" in m.subject or "攻关需求" in m.body]
    assert sent, "publishing and responding e-mail someone"
    for message in sent:
        assert not getattr(message, "alternatives", None), "plain-text e-mail only (no HTML part to run)"
        assert message.content_subtype == "plain"
        assert "\n" not in message.subject
