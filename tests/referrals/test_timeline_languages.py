"""The system's timeline lines are stored once and read in each reader's language."""

import pytest
from django.utils import translation

from referrals.models import TimelineEvent
from referrals.timeline_text import TimelineText, shown
from tests.referrals.review_factories import claimed, decided


def test_a_system_line_is_stored_in_english_with_its_message_id(reviewer, ngo_member):
    with translation.override("ar"):  # the reviewer works in Arabic
        referral = claimed(reviewer, ngo_member)
    event = TimelineEvent.objects.get(referral=referral, type="claimed")
    assert event.message == "A reviewer is looking at this referral."
    assert event.data["said"] == {"msgid": "A reviewer is looking at this referral.", "values": {}, "labels": []}


def test_each_reader_sees_the_line_in_their_own_language(client_for, reviewer, ngo_member):
    referral = claimed(reviewer, ngo_member)
    ngo_member.language = "fr"
    ngo_member.save()
    page = client_for(ngo_member).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Un examinateur étudie ce signalement." in page
    assert "A reviewer is looking at this referral." not in page
    events = client_for(ngo_member).get(f"/api/v1/referrals/{referral.id}/events/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert "Un examinateur étudie ce signalement." in [e["message"] for e in events]


def test_labels_inside_a_line_are_translated_and_values_kept(lead, ngo_member):
    referral = decided(lead, ngo_member)
    event = TimelineEvent.objects.get(referral=referral, type="decided")
    assert event.message == "Decision: Account suspended."
    with translation.override("fr"):
        assert shown(event.message, event.data["said"]) == "Décision : Compte suspendu."
    text = TimelineText(
        "Decision: %(action)s, applied from the decision on %(reference)s about the same account.",
        {"action": "Account suspended", "reference": "R-2026-000001"},
        ("action",),
    )
    with translation.override("fr"):
        assert "R-2026-000001" in str(text) and "Compte suspendu" in str(text)


def test_a_counted_line_takes_each_languages_plural():
    text = TimelineText.counted(
        (
            "The preservation of %(count)d account ends on %(date)s. File a renewal before then to keep the data.",
            "The preservation of %(count)d accounts ends on %(date)s. File a renewal before then to keep the data.",
        ),
        2,
        date="2027-03-01",
    )
    restored = TimelineText.from_data(text.as_data())
    assert restored == text
    assert text.english().startswith("The preservation of 2 accounts ends on 2027-03-01.")


def test_lines_written_before_message_ids_and_what_people_wrote(client_for):
    with translation.override("fr"):
        assert shown("Returned to the queue.") == "Renvoyé dans la file."
        assert shown("Please send the channel's URL.") == "Please send the channel's URL."


def test_dates_and_references_keep_their_order_inside_arabic_text():
    text = TimelineText(
        "Renewal requested as %(reference)s, to preserve until %(date)s.",
        {"reference": "R-2026-000009", "date": "2027-03-01"},
    )
    with translation.override("ar"):
        arabic = str(text)
    assert "\u2068R-2026-000009\u2069" in arabic and "\u20682027-03-01\u2069" in arabic
    assert text.english() == "Renewal requested as R-2026-000009, to preserve until 2027-03-01."


@pytest.mark.parametrize(
    "text",
    [
        TimelineText("Routed for review."),
        TimelineText("Closed as a duplicate of %(reference)s.", {"reference": "R-2026-000001"}),
        TimelineText("Decided: %(outcome)s.", {"outcome": "Actioned"}, labels=("outcome",)),
        TimelineText.counted(("%(count)d account.", "%(count)d accounts."), 1),
        TimelineText.counted(("%(count)d account.", "%(count)d accounts."), 3),
    ],
)
def test_the_english_line_is_the_line_read_in_english(text):
    with translation.override("ar"):
        english = text.english()
    with translation.override("en"):
        assert english == str(text)
