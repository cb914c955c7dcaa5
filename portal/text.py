"""Free text that the database can store: one vocabulary for the API's parser, the shared
validation of each app and the request guard."""

NUL_MESSAGE = "Null characters are not allowed."  # the words of Django's and DRF's own validator
SURROGATE_MESSAGE = "Not valid Unicode: lone surrogates (\\ud800-\\udfff) are not allowed."


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None: PostgreSQL stores no NUL in text or jsonb, and a
    lone surrogate is not Unicode (it cannot even be encoded to be shown back)."""
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None
