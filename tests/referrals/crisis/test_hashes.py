"""The hash list of an incident (SPEC §18): the CSV of its actioned evidence's SHA-256 and PDQ
hashes for other platforms, and the import of another platform's list, whose hashes flag
matching evidence (stored already, or uploaded later) as known content."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from referrals.crisis.services import hashes
from referrals.intake.services.evidence import evidence_inspect
from referrals.models import Evidence, IncidentStatus, MediaHash, Referral, SharedHash, Status
from tests.referrals.crisis.factories import incident
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import make_referral
from tests.referrals.surfacing.images import encoded, near_copy, scene

pytestmark = pytest.mark.django_db

HEADER = "hash_type,hash,label"
SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4
PDQ_A = "f0" * 32


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def api_url(on) -> str:
    return f"/api/v1/incidents/{on.slug}/hashes/"


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def actioned_in(on, user, *files, category: str = "terrorist_recruitment") -> Referral:
    """A referral with `files` (raw bytes, named by their type), matched to `on` and actioned."""
    referral = make_referral(user, evidence=[evidence_inspect(f) for f in files], category=category)
    Referral.objects.filter(pk=referral.pk).update(incident=on, status=Status.ACTIONED)
    return referral


def png(image) -> SimpleUploadedFile:
    return SimpleUploadedFile("image.png", encoded(image))


def jpeg(image) -> SimpleUploadedFile:
    return SimpleUploadedFile("image.jpg", encoded(image, "JPEG", quality=85))


def pdf() -> SimpleUploadedFile:
    return upload("statement.pdf", pdf_bytes())


@pytest.fixture
def source():
    return incident(title="Riverside attack", slug="riverside")


@pytest.fixture
def target():
    return incident(title="Harbour attack", slug="harbour")


# --- Export ---------------------------------------------------------------------------------------


def test_the_list_has_a_sha256_row_per_file_and_a_pdq_row_per_image(api_for, reviewer, ngo_member, source):
    referral = actioned_in(source, ngo_member, png(scene(3)), pdf())
    image = referral.evidence.get(content_type="image/png")
    document = referral.evidence.get(content_type="application/pdf")

    response = api_for(reviewer).get(api_url(source))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="riverside-hashes.csv"'
    label = "counterpoint:riverside:terrorist_recruitment"
    assert rows_of(response) == [
        ["hash_type", "hash", "label"],
        ["sha256", image.sha256, label],
        ["sha256", document.sha256, label],
        ["pdq", MediaHash.objects.get(evidence=image).pdq, label],
    ]


def test_each_hash_is_listed_once(api_for, reviewer, ngo_member, other_ngo_member, source):
    actioned_in(source, ngo_member, png(scene(3)))
    actioned_in(source, other_ngo_member, png(scene(3)), category="propaganda")

    rows = rows_of(api_for(reviewer).get(api_url(source)))[1:]

    assert [row[0] for row in rows] == ["sha256", "pdq"]
    assert {row[2] for row in rows} == {"counterpoint:riverside:terrorist_recruitment"}  # the first seen


def test_only_the_evidence_actioned_in_the_incident_is_listed(api_for, reviewer, ngo_member, source, target):
    listed = actioned_in(source, ngo_member, pdf())
    elsewhere = actioned_in(target, ngo_member, upload("other.pdf", pdf_bytes("Other")))
    undecided = make_referral(ngo_member, evidence=[evidence_inspect(upload("third.pdf", pdf_bytes("Third")))])
    Referral.objects.filter(pk=undecided.pk).update(incident=source, status=Status.IN_REVIEW)
    rejected = make_referral(ngo_member, evidence=[evidence_inspect(upload("fourth.pdf", pdf_bytes("Fourth")))])
    Referral.objects.filter(pk=rejected.pk).update(incident=source, status=Status.NO_VIOLATION)

    rows = rows_of(api_for(reviewer).get(api_url(source)))[1:]

    assert [row[1] for row in rows] == [listed.evidence.get().sha256]
    assert elsewhere.evidence.get().sha256 not in str(rows)


def test_a_flat_image_shares_its_sha256_but_not_its_unusable_pdq(api_for, reviewer, ngo_member, source):
    actioned_in(source, ngo_member, upload("flat.png", png_bytes()))
    assert MediaHash.objects.get().quality < 50

    rows = rows_of(api_for(reviewer).get(api_url(source)))[1:]

    assert [row[0] for row in rows] == ["sha256"]


def test_the_list_names_no_referral_and_no_partner(api_for, reviewer, ngo_member, ngo, source):
    referral = actioned_in(source, ngo_member, png(scene(3)))

    body = b"".join(api_for(reviewer).get(api_url(source)).streaming_content).decode()

    assert referral.reference not in body and ngo.name not in body and ngo.slug not in body
    assert ngo_member.email not in body and "image.png" not in body


def test_an_incident_without_actioned_evidence_has_a_header_only(api_for, lead, source):
    assert rows_of(api_for(lead).get(api_url(source))) == [["hash_type", "hash", "label"]]


def test_a_client_asking_for_csv_gets_it(api_for, policy, source):
    response = api_for(policy).get(api_url(source), HTTP_ACCEPT="text/csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_a_closed_incident_still_has_its_list(api_for, reviewer, ngo_member):
    closed = incident(status=IncidentStatus.CLOSED)
    actioned_in(closed, ngo_member, pdf())

    assert len(rows_of(api_for(reviewer).get(api_url(closed)))) == 2


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "unverified_liaison"])
def test_partners_get_404_for_the_list(request, api_for, persona, ngo_member, source):
    actioned_in(source, ngo_member, pdf())

    assert api_for(request.getfixturevalue(persona)).get(api_url(source)).status_code == 404


def test_the_anonymous_get_401_for_the_list(anon_api, source):
    assert anon_api.get(api_url(source)).status_code == 401


def test_an_unknown_incident_has_no_list(api_for, reviewer):
    assert api_for(reviewer).get("/api/v1/incidents/nothing/hashes/").status_code == 404


def test_the_page_offers_the_list_to_platform_roles_only(client_for, reviewer, ngo_member, source):
    actioned_in(source, ngo_member, pdf())
    url = f"/incidents/{source.slug}/hashes.csv"

    response = client_for(reviewer).get(url)

    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))) == 2
    assert client_for(ngo_member).get(url).status_code == 404


# --- Import ---------------------------------------------------------------------------------------


def import_file(client, on, raw: bytes, name: str = "list.csv"):
    return client.post(
        api_url(on), {"file": SimpleUploadedFile(name, raw, content_type="text/csv")}, format="multipart"
    )


def test_a_list_is_imported_with_its_labels(api_for, lead, target):
    assert SharedHash.objects.count() == 0

    response = import_file(
        api_for(lead), target, csv_of(f"sha256,{SHA_A},gifct:123", f"pdq,{PDQ_A},", f"sha256,{SHA_B},x")
    )

    assert response.status_code == 201
    assert response.json() == {"imported": 3, "duplicates": 0}
    stored = {(h.hash_type, h.hash): h for h in SharedHash.objects.all()}
    assert set(stored) == {("sha256", SHA_A), ("pdq", PDQ_A), ("sha256", SHA_B)}
    assert stored[("sha256", SHA_A)].label == "gifct:123" and stored[("pdq", PDQ_A)].label == ""
    assert all(h.incident == target and h.imported_by == lead for h in stored.values())
    event = AuditEvent.objects.get(action="incident.hashes_import")
    assert event.data["imported"] == 3 and event.data["duplicates"] == 0


def test_importing_the_same_list_again_counts_duplicates_and_keeps_the_first_labels(api_for, lead, target):
    client = api_for(lead)
    import_file(client, target, csv_of(f"sha256,{SHA_A},first"))

    response = import_file(client, target, csv_of(f"sha256,{SHA_A},second", f"sha256,{SHA_A},third"))

    assert response.status_code == 200
    assert response.json() == {"imported": 0, "duplicates": 2}
    assert list(SharedHash.objects.values_list("label", flat=True)) == ["first"]


def test_the_same_hash_may_be_on_two_incidents_lists(api_for, lead, source, target):
    client = api_for(lead)
    import_file(client, source, csv_of(f"sha256,{SHA_A},"))

    assert import_file(client, target, csv_of(f"sha256,{SHA_A},")).json() == {"imported": 1, "duplicates": 0}
    assert SharedHash.objects.count() == 2


def test_a_text_csv_body_is_imported_too(api_for, policy, target):
    response = api_for(policy).generic("POST", api_url(target), csv_of(f"sha256,{SHA_A},x"), content_type="text/csv")

    assert response.status_code == 201, response.content
    assert response.json() == {"imported": 1, "duplicates": 0}


def test_hashes_and_types_are_read_in_lower_case_and_a_byte_order_mark_is_ignored(api_for, lead, target):
    raw = "\ufeffHash_Type,HASH,Label\r\nSHA256 , " + SHA_B.upper() + " ,  spaced  \r\n\r\n"

    response = import_file(api_for(lead), target, raw.encode())

    assert response.status_code == 201, response.json()
    assert list(SharedHash.objects.values_list("hash_type", "hash", "label")) == [("sha256", SHA_B, "spaced")]


def test_the_label_column_may_be_left_out(api_for, lead, target):
    response = import_file(api_for(lead), target, csv_of(f"pdq,{PDQ_A}", header="hash_type,hash"))

    assert response.status_code == 201 and SharedHash.objects.get().label == ""


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (csv_of(f"md5,{SHA_A},x"), "row 2: the hash type must be sha256 or pdq, not “md5”"),
        (csv_of(f",{SHA_A},x"), "row 2: the hash type is missing"),
        (csv_of("sha256,abc123,x"), "row 2: the hash must be 64 hexadecimal digits"),
        (csv_of(f"sha256,{'g' * 64},x"), "row 2: the hash must be 64 hexadecimal digits"),
        (csv_of(f"pdq,{PDQ_A}0,x"), "row 2: the hash must be 64 hexadecimal digits"),
        (csv_of(f"sha256,{SHA_A},{'l' * 201}"), "row 2: the label must be at most 200 characters (this one has 201)"),
        (csv_of(f"sha256,{SHA_A},x,extra"), "row 2: it has more columns than the header"),
        (csv_of(f"sha256,{SHA_A},x", header="type,value,label"), "The first row must name the columns"),
        (csv_of(f"sha256,{SHA_A},x", header="hash_type,hash,label,source"), "The first row must name the columns"),
        (b"", "The file has no hashes"),
        (csv_of(), "The file has no hashes"),
        (("hash_type,hash,label\nsha256," + SHA_A + ",caf\xe9\n").encode("latin-1"), "The file is not UTF-8 text"),
        (csv_of(f"md5,{'z' * 10},x"), "row 2: the hash type must be sha256 or pdq, not “md5”; the hash must be"),
    ],
)
def test_a_bad_list_is_refused_saying_where_and_nothing_is_stored(api_for, lead, target, raw, error):
    response = import_file(api_for(lead), target, raw)

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert response.json()["file"][0].startswith(error)
    assert SharedHash.objects.count() == 0


def test_one_bad_row_among_good_ones_stores_none_and_every_bad_row_is_named(api_for, lead, target):
    raw = csv_of(f"sha256,{SHA_A},good", "sha256,short,bad", f"pdq,{PDQ_A},good", f"sha1,{SHA_B},bad")

    response = import_file(api_for(lead), target, raw)

    assert response.status_code == 400
    errors = response.json()["file"]
    assert [e.split(":")[0] for e in errors] == ["row 3", "row 5"]
    assert SharedHash.objects.count() == 0


def test_a_long_list_of_errors_is_cut_short_and_says_how_many_more(api_for, lead, target):
    raw = csv_of(*[f"sha256,bad{n},x" for n in range(hashes.ERRORS_LISTED + 7)])

    errors = import_file(api_for(lead), target, raw).json()["file"]

    assert len(errors) == hashes.ERRORS_LISTED + 1
    assert errors[-1] == "…and 7 more rows with errors; nothing was imported."


def test_a_list_longer_than_the_limit_is_refused(api_for, lead, target, monkeypatch):
    monkeypatch.setattr(hashes, "MAX_ROWS", 2)

    response = import_file(api_for(lead), target, csv_of(*[f"sha256,{n:064x},x" for n in range(3)]))

    assert response.status_code == 400
    assert response.json()["file"] == ["A list may have at most 2 rows; split it."]
    assert SharedHash.objects.count() == 0


def test_a_file_larger_than_the_limit_is_refused(api_for, lead, target, monkeypatch):
    monkeypatch.setattr(hashes, "MAX_BYTES", 100)

    for response in (
        import_file(api_for(lead), target, csv_of(f"sha256,{SHA_A},x", f"sha256,{SHA_B},x")),
        api_for(lead).generic(
            "POST", api_url(target), csv_of(f"sha256,{SHA_A},x", f"sha256,{SHA_B},x"), content_type="text/csv"
        ),
    ):
        assert response.status_code == 400
        assert "larger than" in response.json()["file"][0]
    assert SharedHash.objects.count() == 0


def test_a_request_without_a_file_is_refused(api_for, lead, target):
    response = api_for(lead).post(api_url(target), {}, format="multipart")

    assert response.status_code == 400 and "file" in response.json()


def test_reviewers_may_not_import(api_for, reviewer, target):
    response = import_file(api_for(reviewer), target, csv_of(f"sha256,{SHA_A},x"))

    assert response.status_code == 403 and "detail" in response.json()
    assert SharedHash.objects.count() == 0


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "unverified_liaison"])
def test_partners_get_404_for_an_import(request, api_for, persona, target):
    response = import_file(api_for(request.getfixturevalue(persona)), target, csv_of(f"sha256,{SHA_A},x"))

    assert response.status_code == 404
    assert SharedHash.objects.count() == 0


def test_the_anonymous_get_401_for_an_import(anon_api, target):
    assert import_file(anon_api, target, csv_of(f"sha256,{SHA_A},x")).status_code == 401


def test_a_list_may_be_imported_into_a_closed_incident(api_for, lead):
    closed = incident(status=IncidentStatus.CLOSED)

    assert import_file(api_for(lead), closed, csv_of(f"sha256,{SHA_A},x")).status_code == 201


# --- Known content ------------------------------------------------------------------------------


def evidence_of(client, referral, file) -> object:
    response = client.post(f"/api/v1/referrals/{referral.id}/evidence/", {"file": file}, format="multipart")
    assert response.status_code == 201, response.json()
    return response


def known_content(api_for, reviewer, referral) -> list[bool]:
    body = api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/").json()
    return [e["known_content"] for e in body["evidence"]]


def test_the_round_trip_flags_a_later_upload_of_the_same_file_as_known_content(
    api_for, reviewer, lead, ngo_member, other_ngo_member, source, target
):
    actioned_in(source, ngo_member, png(scene(3)), pdf())
    exported = b"".join(api_for(reviewer).get(api_url(source)).streaming_content)
    # As another platform's list would arrive: nothing of it is actioned here (the file on an
    # actioned referral would be known content already).
    Referral.objects.filter(incident=source).update(status=Status.IN_REVIEW)
    assert import_file(api_for(lead), target, exported).json() == {"imported": 3, "duplicates": 0}

    later = make_referral(other_ngo_member)
    assert known_content(api_for, reviewer, later) == []
    evidence_of(api_for(other_ngo_member), later, upload("copy.pdf", pdf_bytes()))
    evidence_of(api_for(other_ngo_member), later, upload("unrelated.pdf", pdf_bytes("Unrelated")))

    assert known_content(api_for, reviewer, later) == [True, False]
    flagged = later.evidence.get(original_name="copy.pdf")
    assert flagged.shared_hash == SharedHash.objects.get(hash=flagged.sha256)
    assert flagged.shared_hash.incident == target
    partner_view = api_for(other_ngo_member).get(f"/api/v1/referrals/{later.id}/").json()
    assert all("known_content" not in e for e in partner_view["evidence"])


def test_a_near_copy_of_an_image_on_an_imported_list_is_flagged_at_upload(
    api_for, reviewer, lead, ngo_member, other_ngo_member, source, target
):
    actioned_in(source, ngo_member, png(scene(3)))
    exported = b"".join(api_for(reviewer).get(api_url(source)).streaming_content)
    Referral.objects.filter(incident=source).update(status=Status.IN_REVIEW)
    import_file(api_for(lead), target, exported)

    later = make_referral(other_ngo_member)
    evidence_of(api_for(other_ngo_member), later, jpeg(near_copy(scene(3))))
    evidence_of(api_for(other_ngo_member), later, png(scene(53)))

    assert known_content(api_for, reviewer, later) == [True, False]
    near = later.evidence.get(content_type="image/jpeg")
    assert near.shared_hash.hash_type == "pdq"


def test_a_file_filed_with_a_new_referral_is_flagged_too(ngo_member, target, lead, api_for):
    import_file(api_for(lead), target, csv_of(f"sha256,{hashlib.sha256(pdf_bytes()).hexdigest()},x"))

    referral = make_referral(ngo_member, evidence=[evidence_inspect(pdf())])

    assert referral.evidence.get().shared_hash.incident == target


def test_evidence_stored_before_the_import_is_flagged_by_it(
    api_for, reviewer, lead, ngo_member, other_ngo_member, source, target
):
    actioned_in(source, ngo_member, png(scene(3)), pdf())
    exported = b"".join(api_for(reviewer).get(api_url(source)).streaming_content)
    earlier = make_referral(other_ngo_member, evidence=[evidence_inspect(pdf())])
    near = make_referral(other_ngo_member, evidence=[evidence_inspect(jpeg(near_copy(scene(3))))])
    unrelated = make_referral(other_ngo_member, evidence=[evidence_inspect(png(scene(53)))])
    assert not Evidence.objects.filter(shared_hash__isnull=False).exists()

    import_file(api_for(lead), target, exported)

    assert earlier.evidence.get().shared_hash.hash_type == "sha256"
    assert near.evidence.get().shared_hash.hash_type == "pdq"
    assert unrelated.evidence.get().shared_hash is None
    assert known_content(api_for, reviewer, near) == [True]
    # The evidence the list came from is flagged as well: the same content is on the list.
    assert AuditEvent.objects.get(action="incident.hashes_import").data["flagged"] == 4


def test_an_image_far_from_every_imported_pdq_is_not_flagged(api_for, lead, other_ngo_member, target):
    import_file(api_for(lead), target, csv_of(f"pdq,{'0' * 64},x", f"pdq,{'f' * 64},y"))

    referral = make_referral(other_ngo_member, evidence=[evidence_inspect(png(scene(3)))])

    assert referral.evidence.get().shared_hash is None


def test_checking_an_upload_against_the_lists_costs_one_query(ngo_member, target):
    SharedHash.objects.create(incident=target, hash_type="sha256", hash=SHA_A)
    referral = make_referral(ngo_member, evidence=[evidence_inspect(png(scene(3))), evidence_inspect(pdf())])
    rows = list(referral.evidence.all())
    pdqs = {row.pk: hashes_pdq(row) for row in rows if row.content_type == "image/png"}

    with CaptureQueriesContext(connection) as captured:
        assert hashes.evidence_shared_hash_flag(rows=rows, pdqs=pdqs) == 0

    assert len(captured) == 1


def hashes_pdq(row):
    from referrals.surfacing.services.media import Pdq

    stored = MediaHash.objects.get(evidence=row)
    return Pdq(hex=stored.pdq, quality=stored.quality)


# --- The page -----------------------------------------------------------------------------------------


def page_import(client, on, raw: bytes):
    return client.post(f"/incidents/{on.slug}/hashes/", {"file": SimpleUploadedFile("list.csv", raw)})


def test_a_lead_imports_a_list_from_the_page(client_for, lead, target):
    response = page_import(client_for(lead), target, csv_of(f"sha256,{SHA_A},x", f"sha256,{SHA_A},x"))

    assert response.status_code == 302 and response["Location"] == f"/incidents/{target.slug}/#hashes"
    assert SharedHash.objects.count() == 1
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith("1 hash imported. 1 was in the list already.")


def test_a_refused_list_comes_back_with_its_bad_rows(client_for, lead, target):
    response = page_import(client_for(lead), target, csv_of("sha256,short,x"))

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "The list was not imported; nothing was stored.",
        "row 2: the hash must be 64 hexadecimal digits",
    ]
    assert SharedHash.objects.count() == 0


def test_a_page_import_without_a_file_is_refused(client_for, lead, target):
    response = client_for(lead).post(f"/incidents/{target.slug}/hashes/", {})

    assert response.status_code == 302 and SharedHash.objects.count() == 0


@pytest.mark.parametrize(("persona", "code"), [("reviewer", 403), ("ngo_member", 404), ("liaison", 404)])
def test_the_import_page_refuses_others(request, client_for, persona, code, target):
    response = page_import(client_for(request.getfixturevalue(persona)), target, csv_of(f"sha256,{SHA_A},x"))

    assert response.status_code == code
    assert SharedHash.objects.count() == 0


def _section(user, on) -> str:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get(f"/incidents/{on.slug}/")
    request.user = user
    return render_to_string("crisis/_hashes.html", {"incident": on}, request=request)


def test_the_section_offers_the_download_to_platform_roles_and_the_import_to_declarers(
    reviewer, lead, ngo_member, target
):
    SharedHash.objects.create(incident=target, hash_type="sha256", hash=SHA_A)

    for_lead, for_reviewer = _section(lead, target), _section(reviewer, target)

    assert f'href="/incidents/{target.slug}/hashes.csv"' in for_lead
    assert f'action="/incidents/{target.slug}/hashes/"' in for_lead
    assert "1 hash imported from other platforms" in for_lead
    assert f'href="/incidents/{target.slug}/hashes.csv"' in for_reviewer and "<form" not in for_reviewer
    assert _section(ngo_member, target).strip() == ""


def test_the_live_page_has_the_hash_list_for_platform_roles_only(client_for, lead, ngo_member, target):
    for_lead = client_for(lead).get(f"/incidents/{target.slug}/").content.decode()
    for_partner = client_for(ngo_member).get(f"/incidents/{target.slug}/").content.decode()

    assert 'id="hashes"' in for_lead and f'href="/incidents/{target.slug}/hashes.csv"' in for_lead
    assert 'id="hashes"' not in for_partner and "hashes.csv" not in for_partner
