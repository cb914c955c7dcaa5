"""The malformed-input tests of tests/portal/test_malformed_input.py on PostgreSQL, where a NUL
that reached a query or a row would be an error instead of being stored."""

import pytest

from tests.portal.test_malformed_input import (  # noqa: F401 - fixtures and tests collected again here
    ngo_api,
    test_a_good_cursor_still_pages,
    test_a_lone_surrogate_in_a_key_or_deep_inside_is_a_400,
    test_a_lone_surrogate_is_a_400_naming_the_field,
    test_a_malformed_cursor_is_a_404_with_a_message,
    test_a_malformed_page_position_shows_the_first_page,
    test_a_nul_in_a_bulk_item_or_a_message_is_a_400,
    test_a_nul_in_a_form_post_is_an_error_on_the_form,
    test_a_nul_in_a_text_field_is_a_400_naming_the_field,
    test_a_nul_in_every_field_of_a_form_is_refused_not_a_500,
    test_a_nul_in_the_address_is_a_400_with_a_message,
    test_json_nested_ten_thousand_deep_is_a_400,
    test_the_shared_validation_refuses_a_nul_for_the_form_and_csv_too,
)

pytestmark = pytest.mark.integration
