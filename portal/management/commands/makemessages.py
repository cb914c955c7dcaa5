"""Django's makemessages, knowing one more marker: `ngettext_noop(singular, plural)`, for counted
messages stored untranslated and translated when read (referrals/timeline_text.py)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]
