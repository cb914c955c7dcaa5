"""The network page's drawing and table written as markup in Python (referrals.surfacing.markup):
what a person reads is escaped and translated as the template did, and its numbers are plain."""

import re

from django.utils import timezone, translation

from referrals.models import Subject
from referrals.surfacing import graph, markup
from referrals.surfacing.selectors import Edge, Network, Node

HOSTILE = "a<b>\"&'c"


def network() -> Network:
    hub = Subject(platform="x", account="hub", referral_count=3)
    odd = Subject(platform="x", account=HOSTILE, referral_count=1, suspended_at=timezone.now())
    far = Subject(platform="t<me>", account="far", referral_count=12)
    return Network(
        subject=hub,
        nodes=[Node(hub, 0, 0), Node(odd, 1, 2), Node(far, 2, 1, via=odd.pk)],
        edges=[Edge(hub.pk, odd.pk, 2), Edge(odd.pk, far.pk, 1)],
    )


def rows_of(net: Network) -> list[dict]:
    by_id = {node.subject.pk: node.subject for node in net.nodes}
    return [{"node": node, "via": by_id.get(node.via)} for node in net.nodes]


def test_every_handle_and_platform_is_escaped():
    net = network()
    drawing = graph.draw(net)

    written = markup.drawing_svg(drawing) + markup.node_links_svg(drawing)
    written += markup.account_rows(rows_of(net), can_select=True)

    assert HOSTILE not in written and "<b>" not in written and "t<me>" not in written
    assert "a&lt;b&gt;&quot;&amp;&#x27;c" in written
    assert "t&lt;me&gt;" in written


def test_the_table_says_what_the_template_said():
    net = network()
    odd, far = net.nodes[1].subject, net.nodes[2].subject

    rows = markup.account_rows(rows_of(net), can_select=True)

    assert rows.count("<tr") == 3 and rows.startswith('<tr class="is-subject">')
    assert f'<a href="/subjects/{far.pk}/"><bdi>far</bdi></a>' in rows
    assert f'name="subjects" value="{odd.pk}" id="pick-{odd.pk}"' in rows
    assert 'aria-label="Select x · a&lt;b&gt;&quot;&amp;&#x27;c"' in rows
    assert '<span aria-hidden="true">■</span> suspended' in rows  # the odd account
    assert "— (two steps: via <bdi>a&lt;b&gt;&quot;&amp;&#x27;c</bdi>, 1)" in rows
    assert "cell-select" not in markup.account_rows(rows_of(net), can_select=False)


def test_the_words_follow_the_language_and_the_numbers_do_not():
    net = network()
    drawing = graph.draw(net)

    with translation.override("fr"):
        links = markup.node_links_svg(drawing)
        rows = markup.account_rows(rows_of(net), can_select=True)

    assert "— suspendu — " in links and "12 signalements" in links
    assert "Sélectionner x · hub" in rows
    for value in re.findall(r' (?:cx|cy|x1|y1|x2|y2|r|width|stroke-width)="([^"]+)"', markup.drawing_svg(drawing)):
        assert re.fullmatch(r"\d+(\.\d+)?", value), value
