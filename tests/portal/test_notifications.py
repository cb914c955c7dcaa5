from types import SimpleNamespace

from portal.models import Notification
from portal.notifications import notify_users, render_email


def test_the_notifications_page_lists_only_ones_own_and_leaves_them_unread(client_for, ngo_member, other_ngo_member):
    mine = Notification.objects.create(user=ngo_member, subject="Your referral was actioned")
    Notification.objects.create(user=other_ngo_member, subject="Someone else's news")

    response = client_for(ngo_member).get("/notifications/")

    assert response.status_code == 200
    assert b"Your referral was actioned" in response.content
    assert b"Someone else" not in response.content
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_header_shows_how_many_notifications_are_unread(client_for, ngo_member):
    Notification.objects.create(user=ngo_member, subject="One")
    Notification.objects.create(user=ngo_member, subject="Two")

    page = client_for(ngo_member).get("/").content.decode()

    assert 'aria-label="2 unread"' in page


def test_marking_one_notification_read_leaves_the_others(client_for, ngo_member, other_ngo_member):
    first = Notification.objects.create(user=ngo_member, subject="First")
    second = Notification.objects.create(user=ngo_member, subject="Second")
    theirs = Notification.objects.create(user=other_ngo_member, subject="Theirs")
    client = client_for(ngo_member)

    response = client.post(f"/notifications/{first.pk}/read/")
    client.post(f"/notifications/{theirs.pk}/read/")

    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db(), theirs.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert theirs.read_at is None


def test_mark_all_as_read_marks_only_ones_own(client_for, ngo_member, other_ngo_member):
    Notification.objects.create(user=ngo_member, subject="First")
    theirs = Notification.objects.create(user=other_ngo_member, subject="Theirs")

    client_for(ngo_member).post("/notifications/read/")

    assert not Notification.objects.filter(user=ngo_member, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(client_for, ngo_member):
    assert client_for(ngo_member).get("/notifications/read/").status_code == 405


def test_plain_text_e_mails_and_notifications_are_not_html_escaped(ngo_member):
    context = {"organisation": SimpleNamespace(name="Amal's Network"), "inviter": None, "token": "t"}

    subject, text, html = render_email("invitation", context)
    [note] = notify_users([ngo_member], "invitation", context)

    assert subject == "You are invited to Amal's Network on Counterpoint"
    assert "join Amal's Network" in text
    assert "Amal&#x27;s Network" in html
    assert note.subject == subject
