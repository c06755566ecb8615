"""Match reasons become structured ({"code", "params"}); stored text reasons are kept as code "text", and the
open orders are queued for re-matching (the sweeper picks up `pending` orders) so they get the new reasons."""

from django.db import migrations

BATCH = 2000
OPEN_STATES = ("submitted", "returned", "published", "claimed", "docking")


def forwards(apps, schema_editor):
    """Text reasons → {"code": "text", "params": {"text": ...}}; open orders' matching → pending."""
    Match = apps.get_model("matchmaking", "Match")
    Order = apps.get_model("matchmaking", "Order")
    changed = []
    for match in Match.objects.only("pk", "reasons").iterator(chunk_size=BATCH):
        reasons = match.reasons or []
        if any(isinstance(r, str) for r in reasons):
            match.reasons = [{"code": "text", "params": {"text": r}} if isinstance(r, str) else r for r in reasons]
            changed.append(match)
        if len(changed) >= BATCH:
            Match.objects.bulk_update(changed, ["reasons"])
            changed = []
    if changed:
        Match.objects.bulk_update(changed, ["reasons"])
    Order.objects.filter(state__in=OPEN_STATES, match_state="done").update(match_state="pending")


def backwards(apps, schema_editor):
    """Structured reasons → their text code's text, or the code (the old pages showed strings)."""
    Match = apps.get_model("matchmaking", "Match")
    changed = []
    for match in Match.objects.only("pk", "reasons").iterator(chunk_size=BATCH):
        reasons = match.reasons or []
        if any(isinstance(r, dict) for r in reasons):
            match.reasons = [
                (r.get("params", {}).get("text") or r.get("code", "")) if isinstance(r, dict) else r for r in reasons
            ]
            changed.append(match)
    Match.objects.bulk_update(changed, ["reasons"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0004_order_claim_due_at")]

    operations = [migrations.RunPython(forwards, backwards)]
