"""What the system writes on a referral's timeline, in every reader's language.

A timeline line is stored once but read by people in English, French and Arabic, long after
the action that wrote it (often a background job, in no one's language). So the system's
lines are kept as a message id with its values (`TimelineText`), beside their English text;
each reader sees them through the catalogue in their own language. Text people wrote (a
question, a reply, a withdrawal reason) is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language_bidi, gettext, ngettext

# First-strong isolate and pop: a date or a reference keeps its own order inside Arabic text.
_FSI, _PDI = "\u2068", "\u2069"


def _isolated(value):
    return f"{_FSI}{value}{_PDI}" if isinstance(value, str) and get_language_bidi() else value


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Marks a counted message for extraction (`make messages` knows this keyword), untranslated."""
    return singular, plural


@dataclass(frozen=True)
class TimelineText:
    """`msgid % values`, translated when read. `labels` names the values that are message ids
    themselves (an outcome's label), translated too; the others (references, file names,
    dates) are shown as they are. A counted message has a `plural` and counts `values["count"]`."""

    msgid: str
    values: dict = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    plural: str = ""

    @classmethod
    def counted(cls, forms: tuple[str, str], count: int, **values) -> TimelineText:
        singular, plural = forms
        return cls(singular, {"count": count, **values}, plural=plural)

    def __str__(self) -> str:
        values = {key: gettext(value) if key in self.labels else _isolated(value) for key, value in self.values.items()}
        if self.plural:
            return ngettext(self.msgid, self.plural, values["count"]) % values
        return gettext(self.msgid) % values if values else gettext(self.msgid)

    def english(self) -> str:
        """The line in English. Message ids are English, so this needs no catalogue (nor the
        switch of language around it: a tenth of a routing batch of 500 went to it)."""
        text = self.plural if self.plural and self.values.get("count") != 1 else self.msgid
        return text % self.values if self.values else text

    def as_data(self) -> dict:
        data = {"msgid": self.msgid, "values": self.values, "labels": list(self.labels)}
        return {**data, "plural": self.plural} if self.plural else data

    @classmethod
    def from_data(cls, data) -> TimelineText | None:
        if not isinstance(data, dict) or not isinstance(data.get("msgid"), str):
            return None
        values, labels = dict(data.get("values") or {}), tuple(data.get("labels") or ())
        return cls(data["msgid"], values, labels, data.get("plural") or "")


def shown(message: str, stored=None) -> str:
    """A stored line as the reader should see it: from its message id when it has one; else
    through the catalogue, which knows the fixed lines written before ids were kept, and
    leaves anything else (what people wrote) as it is."""
    text = TimelineText.from_data(stored)
    if text is not None:
        return str(text)
    return gettext(message) if message else message
