"""Rewrite what submitters were already told about referrals closed by another organisation's
decision (SPEC §4.5-4.6): copied decisions get the neutral statement, and the timeline
entries that named the other referral keep that text for the platform only."""

from django.db import migrations

POLICY = "The platform's rules"
OUTCOMES = {
    "account_suspended": "This account was suspended after review under the platform's rules.",
    "content_removed": "The content was removed after review under the platform's rules.",
    "content_restricted": "Access to the content was restricted after review under the platform's rules.",
    "label_applied": "A label was applied to the content after review under the platform's rules.",
    "no_action": "The platform reviewed this account and found no violation of its rules.",
}
LABELS = {
    "account_suspended": "Account suspended",
    "content_removed": "Content removed",
    "content_restricted": "Content restricted",
    "label_applied": "Label applied",
    "no_action": "No action",
}
FALLBACK = "The platform had already acted on this account."
DUPLICATE = "Closed as a duplicate: the platform had already acted on this account."


def neutralise(apps, schema_editor):
    Decision = apps.get_model("referrals", "Decision")
    TimelineEvent = apps.get_model("referrals", "TimelineEvent")
    copies = Decision.objects.filter(applied_from__isnull=False).select_related("referral", "applied_from__referral")
    for decision in copies.iterator():
        if decision.referral.organisation_id == decision.applied_from.referral.organisation_id:
            continue
        sentence = OUTCOMES.get(decision.action, FALLBACK)
        Decision.objects.filter(pk=decision.pk).update(
            ground="terms",
            policy=POLICY,
            statement_of_reasons=f"{sentence} Your referral was closed with the same outcome.",
        )
    events = TimelineEvent.objects.filter(type__in=("decided", "duplicate")).select_related("referral__related")
    for event in events.iterator():
        data = event.data if isinstance(event.data, dict) else {}
        related = event.referral.related
        if "platform_message" in data or related is None or related.organisation_id == event.referral.organisation_id:
            continue
        if event.type == "duplicate" and "earlier" in data:
            message = DUPLICATE
        elif event.type == "decided" and "applied_from" in data:
            action = data.get("action", "")
            message = f"Decision: {LABELS.get(action, action)}. {OUTCOMES.get(action, FALLBACK)}"
        else:
            continue
        TimelineEvent.objects.filter(pk=event.pk).update(
            message=message, data={**data, "platform_message": event.message}
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_country_code_validator")]

    operations = [migrations.RunPython(neutralise, migrations.RunPython.noop)]
