"""The engine's people-facing text, marked for translation without importing Django.

`gettext_noop` is the marker `make messages` looks for; it returns the English unchanged.
A `Text` is a message with values: it reads as the English sentence (a `str`), and keeps its
message id and values, so the portal shows it in the reader's language
(`referrals.services.labels.engine_text`).
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message


class Text(str):
    msgid: str
    values: dict

    def __new__(cls, msgid: str, **values) -> Text:
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid, text.values = msgid, values
        return text
