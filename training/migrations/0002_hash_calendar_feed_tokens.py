"""Calendar-feed secrets are stored as their SHA-256, like API tokens.

The secrets stored in clear until now are replaced by their hashes, so every feed address
already subscribed to in someone's calendar keeps working. Going back cannot recover a
secret from its hash, so it clears them: those feeds must be made again.
"""

import hashlib

from django.db import migrations


def hash_feed_tokens(apps, schema_editor):
    User = apps.get_model("portal", "User")
    for user in User.objects.exclude(calendar_token="").only("pk", "calendar_token").iterator():
        token = user.calendar_token
        User.objects.filter(pk=user.pk).update(calendar_token=hashlib.sha256(token.encode()).hexdigest())


def clear_feed_tokens(apps, schema_editor):
    apps.get_model("portal", "User").objects.exclude(calendar_token="").update(calendar_token="")


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_events_and_registrations"),
        ("portal", "0001_initial"),
    ]

    operations = [migrations.RunPython(hash_feed_tokens, clear_feed_tokens, elidable=False)]
