"""The network page's SVG and account table as markup (SPEC §14, §21), written with string
formatting rather than template loops.

A 200-account network is some 1,000 links, nodes and labels, each with a few attributes, and
200 table rows: the template language took about 300 ms to render them on the benchmark's
machine (a variable lookup and a filter per attribute), beyond the 50 ms a network read may
take; formatting strings takes a few. What a person reads is escaped and translated as the
template did (the same messages), and numbers in the drawing are never localised.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from referrals.surfacing.graph import Drawing

_PLACEHOLDER = uuid.UUID(int=0)


def _number(value: int) -> str:
    """An integer as the template shows one (grouped only with USE_THOUSAND_SEPARATOR)."""
    return localize(value) if settings.USE_THOUSAND_SEPARATOR else str(value)


def _subject_urls():
    """subject id → its page, by one `reverse` (the path differs only by the id)."""
    template = reverse("subject-detail", kwargs={"id": _PLACEHOLDER})
    before, _, after = template.partition(str(_PLACEHOLDER))
    return lambda pk: f"{before}{pk}{after}"


def drawing_svg(drawing: Drawing) -> SafeString:
    """The links, nodes and labels of the picture (inside `<svg class="network-graph">`)."""
    parts = ['<g class="network-edges">']
    for e in drawing.edges:
        colour = 'stroke="#475569"' if e.to_root else 'stroke="#94a3b8" stroke-opacity=".6"'
        parts.append(
            f'<line x1="{e.x1}" y1="{e.y1}" x2="{e.x2}" y2="{e.y2}" {colour} stroke-width="{e.width}" '
            'stroke-linecap="round"/>'
        )
    parts.append('</g><g class="network-nodes">')
    for n in drawing.nodes:
        if n.root:
            parts.append(f'<circle cx="{n.x}" cy="{n.y}" r="{n.ring}" fill="#fff" stroke="#0f766e" stroke-width="4"/>')
        if n.suspended:
            parts.append(
                f'<rect x="{n.corner_x}" y="{n.corner_y}" width="{n.side}" height="{n.side}" fill="#b91c1c" '
                'stroke="#fff" stroke-width="1.5"/>'
            )
        else:
            parts.append(f'<circle cx="{n.x}" cy="{n.y}" r="{n.r}" fill="#1f4e79" stroke="#fff" stroke-width="1.5"/>')
    parts.append(
        '</g><g class="network-labels" font-size="13" fill="#1c2430" stroke="#fff" stroke-width="4" '
        'paint-order="stroke" stroke-linejoin="round">'
    )
    for label in drawing.labels:
        root = ' class="is-root" font-weight="700"' if label.root else ""
        parts.append(
            f'<text x="{label.x}" y="{label.y}" text-anchor="{label.anchor}" unicode-bidi="plaintext"{root}>'
            f"{escape(label.text)}</text>"
        )
    parts.append("</g>")
    return mark_safe("".join(parts))  # noqa: S308 (numbers and fixed markup; the labels escaped)


def node_links_svg(drawing: Drawing) -> SafeString:
    """Each node as a link to its account with a tooltip (inside `<svg class="network-links">`)."""
    url = _subject_urls()
    states = {True: escape(gettext("suspended")), False: escape(gettext("active"))}
    counted: dict[int, str] = {}  # most accounts share a few counts: each sentence made once
    parts = []
    for n in drawing.nodes:
        s = n.node.subject
        count = s.referral_count
        if count not in counted:
            sentence = ngettext("%(counter)s referral", "%(counter)s referrals", count)
            counted[count] = escape(sentence % {"counter": _number(count)})
        referrals = counted[count]
        parts.append(
            f'<a href="{url(s.pk)}" tabindex="-1"><title>{escape(s.platform)} · {escape(s.account)} — '
            f"{states[n.suspended]} — {referrals}</title>"
            f'<circle cx="{n.x}" cy="{n.y}" r="{n.hit}" fill="transparent"/></a>'
        )
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped)


@dataclass(frozen=True)
class _Words:
    """The table's fixed words, translated once per page rather than once per row."""

    select: str
    this_account: str
    platform: str
    status: str
    suspended: str
    active: str
    referrals: str
    link: str

    @classmethod
    def now(cls) -> _Words:
        return cls(
            *(
                escape(gettext(text))
                for text in (
                    "Select",
                    "this account",
                    "Platform",
                    "Status",
                    "suspended",
                    "active",
                    "Referrals",
                    "Link to this account",
                )
            )
        )


def account_rows(rows: list[dict], *, can_select: bool) -> SafeString:
    """The `<tr>` of each account of the table beside the drawing: `rows` are {"node", "via"}."""
    url = _subject_urls()
    words = _Words.now()
    select_each = gettext("Select %(platform)s · %(account)s")
    two_steps = gettext("— (two steps: via <bdi>%(account)s</bdi>, %(weight)s)")
    parts = []
    for row in rows:
        node, s = row["node"], row["node"].subject
        pk, platform, account = s.pk, escape(s.platform), escape(s.account)
        parts.append('<tr class="is-subject">' if node.depth == 0 else "<tr>")
        if can_select:
            select = escape(select_each % {"platform": s.platform, "account": s.account})
            parts.append(
                f'<td class="cell-select"><input type="checkbox" name="subjects" value="{pk}" id="pick-{pk}" '
                f'aria-label="{select}"> <label class="cell-label" for="pick-{pk}">{words.select}</label></td>'
            )
        mark = f' <span class="badge badge-info">{words.this_account}</span>' if node.depth == 0 else ""
        parts.append(f'<th scope="row"><a href="{url(pk)}"><bdi>{account}</bdi></a>{mark}</th>')
        parts.append(f'<td><span class="cell-label">{words.platform}</span> <bdi>{platform}</bdi></td>')
        if s.suspended_at:
            status = f'<span class="badge badge-danger"><span aria-hidden="true">■</span> {words.suspended}</span>'
        else:
            status = f'<span class="badge"><span aria-hidden="true">●</span> {words.active}</span>'
        parts.append(f'<td><span class="cell-label">{words.status}</span> {status}</td>')
        parts.append(
            f'<td class="num"><span class="cell-label">{words.referrals}</span> {_number(s.referral_count)}</td>'
        )
        if node.depth == 1:
            link = _number(node.weight)
        elif node.depth == 2:
            via = row["via"].account if row["via"] is not None else ""
            weight = _number(node.weight)
            link = f'<span class="muted">{two_steps % {"account": escape(via), "weight": weight}}</span>'
        else:
            link = "—"
        parts.append(f'<td class="num"><span class="cell-label">{words.link}</span> {link}</td></tr>')
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped; the messages are the catalogues')
