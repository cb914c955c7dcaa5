"""`unique_slug`: the address rule organisations, campaigns and events share."""

from partners.models import Organisation
from portal.slugs import unique_slug


def test_a_name_becomes_its_slug(db):
    assert unique_slug("Peace Voices, Manchester!", model=Organisation, fallback="organisation") == (
        "peace-voices-manchester"
    )


def test_a_taken_slug_is_numbered_from_two(ngo):
    assert unique_slug(ngo.slug, model=Organisation, fallback="organisation") == f"{ngo.slug}-2"
    Organisation.objects.create(name="Second", slug=f"{ngo.slug}-2", kind=ngo.kind)
    assert unique_slug(ngo.slug, model=Organisation, fallback="organisation") == f"{ngo.slug}-3"


def test_a_reserved_word_gets_the_fallback_added(db):
    assert unique_slug("New", model=Organisation, fallback="thing", reserved=frozenset({"new"})) == "new-thing"


def test_a_name_with_nothing_sluggable_falls_back(db):
    assert unique_slug("!!!", model=Organisation, fallback="organisation") == "organisation"


def test_a_long_name_is_cut_without_a_trailing_hyphen(db):
    slug = unique_slug("a" * 69 + " b", model=Organisation, fallback="organisation")
    assert slug == "a" * 69
