"""Every text a person reads is marked, and both catalogues translate all of it."""

import pytest

from tests.portal.i18n.catalogues import (
    LANGUAGES,
    PLURAL_FORMS,
    ROOT,
    catalogue,
    marked_in_javascript,
    marked_in_python,
    marked_in_template,
    marked_in_templates,
    template_files,
    translation_faults,
    unmarked_text,
)


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_text_is_marked_for_translation(path):
    assert unmarked_text(path) == [], f"text in {path.relative_to(ROOT)} is not marked for translation"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_marked_in_templates_is_translated(language):
    assert translation_faults(language, marked_in_templates()) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_marked_in_python_is_translated(language):
    assert translation_faults(language, marked_in_python()) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_marked_in_scripts_is_translated(language):
    assert translation_faults(language, marked_in_javascript(), domain="djangojs") == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalogues_have_no_fuzzy_entry_and_the_languages_plural_forms(language, domain):
    catalog = catalogue(language, domain)
    assert catalog.num_plurals == PLURAL_FORMS[language]
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    assert [m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])] == []


def test_a_new_template_string_left_untranslated_fails(tmp_path):
    """The check itself: a marked string missing from the catalogue, and one never marked."""
    page = tmp_path / "page.html"
    page.write_text('{% load i18n %}<h1>{% translate "A heading nobody translated" %}</h1><p>Plain words</p>')

    marked = marked_in_template(page)
    assert translation_faults("fr", marked) == ["page.html:1: not in locale/fr: 'A heading nobody translated'"]
    assert unmarked_text(page) == ["Plain words"]
