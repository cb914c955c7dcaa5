"""Filing through the form at /referrals/new/ (SPEC §3, §10)."""

import pytest

from referrals.models import Evidence, Referral, Subject
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import referral_data

NEW = "/referrals/new/"


def form_data(kind="notice", **overrides):
    data = referral_data(kind, **overrides)
    data["targets"] = "\n".join(t.get("url") or f"{t['platform']}:{t['account']}" for t in data["targets"])
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "kind"),
    [
        ("ngo_member", "notice"),
        ("ngo_admin", "notice"),
        ("liaison", "le_referral"),
        ("liaison", "removal_order"),
        ("liaison", "preservation_request"),
        ("liaison", "emergency_request"),
        ("unverified_liaison", "le_referral"),
    ],
)
def test_allowed_roles_file_their_kinds_through_the_form(request, client_for, persona, kind):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(NEW, form_data(kind))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert referral.kind == kind


@pytest.mark.django_db
def test_the_form_offers_only_the_kinds_the_user_may_file(client_for, ngo_member, liaison, unverified_liaison):
    def offered(user):
        form = client_for(user).get(NEW).context["form"]
        return [value for value, _ in form.fields["kind"].choices]

    assert offered(ngo_member) == ["notice"]
    assert offered(liaison) == ["le_referral", "removal_order", "preservation_request", "emergency_request"]
    assert offered(unverified_liaison) == ["le_referral"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "kind"),
    [("ngo_member", "removal_order"), ("liaison", "notice"), ("unverified_liaison", "removal_order")],
)
def test_a_kind_the_user_may_not_file_is_refused_and_nothing_stored(request, client_for, persona, kind):
    response = client_for(request.getfixturevalue(persona)).post(NEW, form_data(kind))
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_get_403_from_the_form(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert Referral.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("notice", {"category": ""}, "category"),
        ("notice", {"explanation": "short"}, "explanation"),
        ("notice", {"targets": ""}, "targets"),
        ("notice", {"targets": "https://x.com/ok\nftp://x.com/bad"}, "targets"),
        ("notice", {"good_faith_confirmed": ""}, "good_faith_confirmed"),
        ("notice", {"country": "Narnia"}, "country"),
        ("removal_order", {"issuing_authority": ""}, "issuing_authority"),
        ("le_referral", {"authority_reference": ""}, "authority_reference"),
        ("preservation_request", {"preserve_until": "2001-01-01"}, "preserve_until"),
    ],
)
def test_errors_are_shown_per_field_and_nothing_is_stored(client_for, ngo_member, liaison, kind, change, field):
    client = client_for(ngo_member if kind == "notice" else liaison)
    data = {**form_data(kind), **change}
    data = {k: v for k, v in data.items() if v != "" or k not in ("good_faith_confirmed",)}
    response = client.post(NEW, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Referral.objects.count() == 0
    assert Subject.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_target_line_is_named_by_its_number(client_for, ngo_member):
    response = client_for(ngo_member).post(NEW, form_data(targets=[{"url": "https://x.com/ok"}, {"url": "mailto:a@b"}]))
    assert response.context["form"].errors["targets"][0].startswith("Line 2:")


@pytest.mark.django_db
def test_targets_and_evidence_in_one_submission(client_for, ngo_member):
    data = form_data(targets=[{"url": "https://x.com/one"}, {"platform": "telegram", "account": "two"}])
    data["evidence"] = [upload("shot.png", png_bytes()), upload("report.pdf", pdf_bytes())]
    response = client_for(ngo_member).post(NEW, data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert [t.account for t in referral.targets.all()] == ["one", "two"]
    assert referral.evidence.count() == 2


@pytest.mark.django_db
def test_a_bad_evidence_file_refuses_the_whole_filing(client_for, ngo_member, settings):
    data = form_data()
    data["evidence"] = [upload("shot.png", png_bytes()), upload("page.png", b"<html><body>hi</body></html>")]
    response = client_for(ngo_member).post(NEW, data)
    assert response.status_code == 200
    assert "page.png" in response.context["form"].errors["evidence"][0]
    assert Referral.objects.count() == 0
    assert Evidence.objects.count() == 0
    root = settings.PORTAL_EVIDENCE_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.mark.django_db
def test_without_script_every_field_says_which_kinds_need_it(client_for, liaison):
    page = client_for(liaison).get(NEW).content.decode()
    assert "Needed for: removal order." in page
    assert 'data-module="referral-form"' in page
    assert 'type="file"' in page and "multiple" in page
