from portal.models import Notification


def test_the_notifications_page_lists_only_ones_own_and_marks_them_read(client_for, ngo_member, other_ngo_member):
    mine = Notification.objects.create(user=ngo_member, subject="Your referral was actioned")
    Notification.objects.create(user=other_ngo_member, subject="Someone else's news")

    response = client_for(ngo_member).get("/notifications/")

    assert response.status_code == 200
    assert b"Your referral was actioned" in response.content
    assert b"Someone else" not in response.content
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(user=other_ngo_member).read_at is None


def test_the_notifications_page_needs_a_login(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
