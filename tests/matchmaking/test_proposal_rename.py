"""The domain model Response became Proposal (响应方案): the migration keeps the rows and the foreign keys follow."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("matchmaking", "0008_reader_language_texts")]
AFTER = [("matchmaking", "0009_rename_response_proposal")]


@pytest.mark.django_db(transaction=True)
def test_rename_keeps_proposals_and_their_attachments(personas):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        _rename_keeps_rows(executor, personas)
    finally:  # the later migrations' tables (the summary tables) back for the tests that follow
        executor = MigrationExecutor(connection)
        executor.migrate(latest)


def _rename_keeps_rows(executor, personas):
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    org = old.get_model("accounts", "Organization").objects.get(pk=personas["bank_cib"].organization_id)
    chain = old.get_model("chains", "CountyChain").objects.first()
    order = old.get_model("matchmaking", "Order").objects.create(
        kind="finance",
        title="更名前的需求",
        description="x" * 20,
        county_id=chain.county_id,
        chain=chain,
        due_date=datetime.date(2027, 1, 1),
    )
    response = old.get_model("matchmaking", "Response").objects.create(
        order=order, provider_org=org, proposal="更名前提交的响应方案。"
    )
    old.get_model("matchmaking", "Attachment").objects.create(
        order=order, response=response, file="private/orders/x.pdf", original_name="x.pdf", size=1
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    proposal = new.get_model("matchmaking", "Proposal").objects.get(pk=response.pk)
    assert proposal.proposal == "更名前提交的响应方案。" and proposal.provider_org_id == org.pk
    assert new.get_model("matchmaking", "Attachment").objects.get(response=proposal).original_name == "x.pdf"
    assert "matchmaking_proposal" in connection.introspection.table_names()
    assert "matchmaking_response" not in connection.introspection.table_names()


def test_old_admin_address_redirects_to_the_proposal_admin(admin_client):
    response = admin_client.get("/admin/matchmaking/response/?state=pending")
    assert response.status_code == 301
    assert response["Location"] == "/admin/matchmaking/proposal/?state=pending"
