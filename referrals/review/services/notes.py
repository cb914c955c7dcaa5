"""Team notes on a referral (SPEC §15): internal to the platform, never shown to its submitter.

A note is written by any platform role on any referral it can see, open or closed; notes are
never edited nor deleted, and each one is audited. Reads go through
`referrals.review.selectors.referral_notes`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.errors import NotAllowed
from portal.text import free_text_clean
from referrals.models import Note, Referral
from referrals.review.permissions import can_keep_notes

NOTE_MAX = 5000


def note_body_clean(body: str) -> str:
    """The note as it is kept: free text without invisible format characters, trimmed,
    1–5,000 characters (DomainError on `body` otherwise)."""
    return free_text_clean(
        body,
        field="body",
        limit=NOTE_MAX,
        empty=_("Write the note."),
        too_long=_("Keep the note to %(max)s characters (this one has %(count)s)."),
    )


@transaction.atomic
def note_add(*, by, referral: Referral, body: str, request=None) -> Note:
    """Add a note by `by` (a platform role) to `referral`."""
    if not can_keep_notes(by):
        raise NotAllowed(_("Only platform staff write team notes."))
    note = Note.objects.create(referral=referral, author=by, body=note_body_clean(body))
    audit(
        "referral.note_add",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        note=str(note.pk),
        length=len(note.body),
    )
    return note
