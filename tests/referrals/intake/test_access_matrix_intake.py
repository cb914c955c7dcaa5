"""Every intake/tracking page and endpoint × each persona × own and other organisation.

Outsiders always get 404; platform roles read everything but change nothing (403);
anonymous callers are sent to sign in (pages) or refused (API).
"""

import pytest

from referrals.intake.services.evidence import evidence_inspect_all, evidence_store
from tests.referrals.evidence_files import png_bytes, upload
from tests.referrals.factories import make_referral

PERSONAS = [
    "anonymous",
    "ngo_member",
    "ngo_admin",
    "other_ngo_member",
    "liaison",
    "unverified_liaison",
    "reviewer",
    "lead",
    "policy",
]
OWNERS = {"notice": ("ngo_member", "ngo_admin"), "le_referral": ("liaison",)}
PLATFORM = {"reviewer", "lead", "policy"}

# (name, method, kind of surface, what an owner gets, what platform staff get)
ENDPOINTS = [
    ("page_detail", "get", "page", {200}, {200}),
    ("page_download", "get", "page", {200}, {200}),
    ("page_withdraw", "post", "page", {302}, {403}),
    ("page_reply", "post", "page", {302}, {403}),
    ("page_evidence", "post", "page", {302}, {403}),
    ("api_detail", "get", "api", {200}, {200}),
    ("api_events", "get", "api", {200}, {200}),
    ("api_download", "get", "api", {200}, {200}),
    ("api_evidence", "post", "api", {201}, {403}),
    ("api_withdraw", "post", "api", {200}, {403}),
    # Messages both ways (SPEC §17): the owner writes until the referral closes; of platform
    # staff, a queue lead writes, a reviewer outside its queue and policy staff only read.
    ("page_messages", "post", "page", {302}, {302, 403}),
    ("api_messages_read", "get", "api", {200}, {200}),
    ("api_messages", "post", "api", {200}, {200, 403}),
]


def _url(name, referral, evidence):
    ref, rid = referral.reference, referral.id
    return {
        "page_detail": f"/referrals/{ref}/",
        "page_download": f"/referrals/{ref}/evidence/{evidence.id}/",
        "page_withdraw": f"/referrals/{ref}/withdraw/",
        "page_reply": f"/referrals/{ref}/reply/",
        "page_evidence": f"/referrals/{ref}/evidence/",
        "api_detail": f"/api/v1/referrals/{rid}/",
        "api_events": f"/api/v1/referrals/{rid}/events/",
        "api_download": f"/api/v1/referrals/{rid}/evidence/{evidence.id}/",
        "api_evidence": f"/api/v1/referrals/{rid}/evidence/",
        "api_withdraw": f"/api/v1/referrals/{rid}/withdraw/",
        "api_messages": f"/api/v1/referrals/{rid}/messages/",
        "api_messages_read": f"/api/v1/referrals/{rid}/messages/",
        "page_messages": f"/referrals/{ref}/messages/",
    }[name]


def _body(name):
    if name in ("page_evidence",):
        return {"evidence": upload("a.png", png_bytes())}
    if name == "api_evidence":
        return {"file": upload("a.png", png_bytes())}
    if name == "page_reply":
        return {"body": "An answer."}
    if name in ("api_messages", "page_messages"):
        return {"body": "An answer."}
    return {}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["notice", "le_referral"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method", "surface", "owner_codes", "platform_codes"), ENDPOINTS)
def test_access(
    request, client_for, api_for, anon_api, client, kind, persona, name, method, surface, owner_codes, platform_codes
):
    submitter = request.getfixturevalue(OWNERS[kind][0])
    referral = make_referral(submitter, kind)
    (evidence,) = evidence_store(
        referral=referral, files=evidence_inspect_all([upload("e.png", png_bytes())]), user=submitter
    )
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if surface == "page":
        caller = client if user is None else client_for(user)
        response = getattr(caller, method)(_url(name, referral, evidence), _body(name))
    else:
        caller = anon_api if user is None else api_for(user)
        fmt = "multipart" if name == "api_evidence" else "json"
        response = getattr(caller, method)(_url(name, referral, evidence), _body(name), format=fmt)

    if user is None:
        expected = {302} if surface == "page" else {401, 403}
        if surface == "page":
            assert "/accounts/login/" in response["Location"]
    elif persona in OWNERS[kind]:
        expected = owner_codes
    elif persona in PLATFORM:
        expected = platform_codes
    else:
        expected = {404}
    assert response.status_code in expected, (name, persona, kind, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_show_only_what_the_persona_may_see(request, client_for, api_for, anon_api, client, persona):
    notice = make_referral(request.getfixturevalue("ngo_member"))
    le = make_referral(request.getfixturevalue("liaison"), "le_referral")
    if persona == "anonymous":
        assert client.get("/referrals/").status_code == 302
        assert anon_api.get("/api/v1/referrals/").status_code in (401, 403)
        return
    user = request.getfixturevalue(persona)
    visible = {
        "ngo_member": {notice.reference},
        "ngo_admin": {notice.reference},
        "liaison": {le.reference},
    }.get(persona, {notice.reference, le.reference} if persona in PLATFORM else set())
    listed = {r["reference"] for r in api_for(user).get("/api/v1/referrals/").json()["results"]}
    assert listed == visible
    page = client_for(user).get("/referrals/").content.decode()
    assert {r for r in (notice.reference, le.reference) if r in page} == visible


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_filing_pages_by_persona(request, client_for, client, persona):
    if persona == "anonymous":
        for url in ("/referrals/new/", "/referrals/bulk/"):
            assert client.get(url).status_code == 302
        return
    user = request.getfixturevalue(persona)
    # Reviewers and leads file signals (SPEC §14); policy staff file nothing.
    expected = 403 if persona == "policy" else 200
    for url in ("/referrals/new/", "/referrals/bulk/"):
        assert client_for(user).get(url).status_code == expected, url


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_bulk_jobs_are_the_owners_alone(request, client_for, api_for, anon_api, client, ngo_member, persona):
    from referrals.intake.services.bulk import bulk_job_create, items_from_json
    from tests.referrals.factories import referral_data

    job = bulk_job_create(user=ngo_member, items=items_from_json([referral_data()]))
    page, api = f"/referrals/bulk/{job.id}/", f"/api/v1/jobs/{job.id}/"
    if persona == "anonymous":
        assert client.get(page).status_code == 302
        assert anon_api.get(api).status_code in (401, 403)
        return
    user = request.getfixturevalue(persona)
    expected = 200 if user == ngo_member else 404
    assert client_for(user).get(page).status_code == expected
    assert api_for(user).get(api).status_code == expected
