"""A subject's network (SPEC §14): `GET /api/v1/subjects/{id}/network/` and its selector.

The weights come from `SubjectLink`, kept by intake: every referral here is filed through
`referral_submit`, and the expected graphs are computed by hand from the referrals filed.
"""

import pytest
from django.db import connection

from referrals.models import Subject
from referrals.surfacing import graph
from referrals.surfacing.selectors import NETWORK_MAX_NODES, subject_network
from tests.referrals.review_factories import received

pytestmark = pytest.mark.django_db


# On PostgreSQL each of the two bounded reads also sets the planner for itself (a savepoint,
# bitmap scans off, back on, its release): four more statements each, as many for any network.
PLANNER = 8 if connection.vendor == "postgresql" else 0


def url(subject) -> str:
    return f"/api/v1/subjects/{subject.pk}/network/"


def subject(account: str) -> Subject:
    return Subject.objects.get(platform="x", account=account)


def file(user, *accounts, times: int = 1) -> None:
    for _ in range(times):
        received(user, accounts=accounts)


def _names(data) -> dict:
    return {node["id"]: node["account"] for node in data["nodes"]}


def edges_by_account(data) -> list[tuple[frozenset, int]]:
    names = _names(data)
    return [(frozenset({names[e["source"]], names[e["target"]]}), e["weight"]) for e in data["edges"]]


@pytest.fixture
def small_network(ngo_member):
    """hub –3– a –2– e, a –1– f; hub –2– b –1– g; hub, c and d named together once; e –1– far.

    Depth 1 from hub: a (3), b (2), c (1), d (1); depth 2: e (2, via a), f (1, via a),
    g (1, via b); `far` is three steps away and not shown."""
    file(ngo_member, "hub", "a", times=3)
    file(ngo_member, "hub", "b", times=2)
    file(ngo_member, "hub", "c", "d")
    file(ngo_member, "a", "e", times=2)
    file(ngo_member, "a", "f")
    file(ngo_member, "b", "g")
    file(ngo_member, "e", "far")
    return subject("hub")


# --- Who may read it ----------------------------------------------------------------------------


def test_anonymous_callers_are_refused(anon_api, small_network):
    assert anon_api.get(url(small_network)).status_code == 401


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"])
def test_to_partners_networks_do_not_exist_even_of_accounts_they_named(request, api_for, small_network, persona):
    response = api_for(request.getfixturevalue(persona)).get(url(small_network))

    assert response.status_code == 404
    assert "amp" not in response.content.decode() and '"a"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_read_it(request, api_for, small_network, persona):
    assert api_for(request.getfixturevalue(persona)).get(url(small_network)).status_code == 200


def test_an_unknown_subject_is_a_404(api_for, reviewer):
    assert api_for(reviewer).get("/api/v1/subjects/00000000-0000-4000-8000-000000000000/network/").status_code == 404


# --- The graph -----------------------------------------------------------------------------------


def test_the_network_is_the_subject_and_two_steps_of_links_with_their_hand_counted_weights(
    api_for, reviewer, small_network
):
    response = api_for(reviewer).get(url(small_network))

    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"nodes", "edges"}
    assert [n["account"] for n in data["nodes"]] == ["hub", "a", "b", "c", "d", "e", "f", "g"]
    assert data["nodes"][0] == {
        "id": str(small_network.pk),
        "platform": "x",
        "account": "hub",
        "status": "active",
        "referral_count": 6,
    }
    assert {n["account"]: n["referral_count"] for n in data["nodes"]}["a"] == 6
    edges = edges_by_account(data)
    assert edges[:3] in (
        [(frozenset({"hub", "a"}), 3), (frozenset({"hub", "b"}), 2), (frozenset({"a", "e"}), 2)],
        [(frozenset({"hub", "a"}), 3), (frozenset({"a", "e"}), 2), (frozenset({"hub", "b"}), 2)],
    )
    assert set(edges[3:]) == {
        (frozenset({"hub", "c"}), 1),
        (frozenset({"hub", "d"}), 1),
        (frozenset({"c", "d"}), 1),
        (frozenset({"a", "f"}), 1),
        (frozenset({"b", "g"}), 1),
    }
    assert len(data["edges"]) == 8  # each link once, though stored in both directions


def test_each_link_is_given_once_heaviest_first(api_for, lead, small_network):
    data = api_for(lead).get(url(small_network)).json()

    pairs = [frozenset({e["source"], e["target"]}) for e in data["edges"]]
    assert len(pairs) == len(set(pairs))
    weights = [e["weight"] for e in data["edges"]]
    assert weights == sorted(weights, reverse=True)
    assert sorted(w for _, w in edges_by_account(data)) == [1, 1, 1, 1, 1, 2, 2, 3]


def test_depth_two_nodes_say_which_account_they_hang_from(reviewer, small_network):
    network = subject_network(reviewer, small_network)

    depths = {n.subject.account: (n.depth, n.weight, n.via) for n in network.nodes}
    assert depths["hub"] == (0, 0, None)
    assert depths["a"] == (1, 3, None)
    assert depths["d"] == (1, 1, None)
    assert depths["e"] == (2, 2, subject("a").pk)
    assert depths["g"] == (2, 1, subject("b").pk)
    assert "far" not in depths
    assert not network.truncated


def test_a_suspended_account_is_shown_as_suspended(api_for, reviewer, lead, ngo_member):
    from tests.referrals.review_factories import decided

    file(ngo_member, "hub", "amplifier")
    decided(lead, ngo_member, accounts=("amplifier",))

    data = api_for(reviewer).get(url(subject("hub"))).json()

    assert {n["account"]: n["status"] for n in data["nodes"]} == {"hub": "active", "amplifier": "suspended"}


def test_an_account_named_alone_is_a_network_of_one(api_for, reviewer, ngo_member):
    file(ngo_member, "loner")

    data = api_for(reviewer).get(url(subject("loner"))).json()

    assert [n["account"] for n in data["nodes"]] == ["loner"]
    assert data["edges"] == []


# --- Limits --------------------------------------------------------------------------------------


def test_at_most_200_accounts_the_heaviest_links_first(reviewer, ngo_member):
    # hub named with 297 accounts in four referrals of 100 targets: a0–a49 and b0–b48 twice
    # (weight 2), the other 198 once. 199 fit beside the hub: all 99 of weight 2, then 100 of weight 1.
    a = [f"a{n}" for n in range(99)]
    b = [f"b{n}" for n in range(99)]
    c = [f"c{n}" for n in range(99)]
    file(ngo_member, "hub", *a)
    file(ngo_member, "hub", *a[:50], *b[:49])
    file(ngo_member, "hub", *b)
    file(ngo_member, "hub", *c)

    network = subject_network(reviewer, subject("hub"))

    assert len(network.nodes) == NETWORK_MAX_NODES
    assert network.truncated
    shown = {n.subject.account: n for n in network.nodes}
    heavy = {*a[:50], *b[:49]}
    assert heavy <= set(shown)
    assert all(shown[account].weight == 2 for account in heavy)
    assert [n.weight for n in network.nodes[1:100]] == [2] * 99
    assert {n.depth for n in network.nodes[1:]} == {1}  # the first level filled the network
    assert sum(1 for n in network.nodes if n.weight == 1) == 100


def test_the_second_level_fills_what_the_first_leaves_heaviest_first(reviewer, ngo_member):
    # hub – a, hub – b; a named with 297 others, the first ten of them three times.
    others = [f"o{n}" for n in range(297)]
    file(ngo_member, "hub", "a")
    file(ngo_member, "hub", "b")
    for start in range(0, 297, 99):
        file(ngo_member, "a", *others[start : start + 99])
    file(ngo_member, "a", *others[:10], times=2)

    network = subject_network(reviewer, subject("hub"))

    assert len(network.nodes) == NETWORK_MAX_NODES
    assert network.truncated
    assert [n.subject.account for n in network.nodes[:3]] == ["hub", "a", "b"]
    second = network.nodes[3:]
    assert {n.depth for n in second} == {2}
    assert {n.subject.account for n in second[:10]} == set(others[:10])
    assert [n.weight for n in second[:10]] == [3] * 10
    assert {n.weight for n in second[10:]} == {1}


def test_the_query_count_does_not_depend_on_the_size_of_the_network(django_assert_num_queries, reviewer, ngo_member):
    file(ngo_member, "small", "s1")
    file(ngo_member, "s1", "s2")
    file(ngo_member, "big", *[f"b{n}" for n in range(60)])
    file(ngo_member, "b0", *[f"c{n}" for n in range(60)])
    small, big = subject("small"), subject("big")

    for hub in (small, big):
        # 1 the subject's heaviest links; 2 the first level's heaviest links (bounded per account);
        # 3 the links among the chosen accounts; 4 the accounts.
        with django_assert_num_queries(4 + PLANNER):
            network = subject_network(reviewer, hub)
    assert len(network.nodes) == 121


def test_the_endpoint_costs_the_same_queries_for_any_network(django_assert_num_queries, api_for, reviewer, ngo_member):
    file(ngo_member, "small", "s1")
    file(ngo_member, "s1", "s2")
    file(ngo_member, "big", *[f"b{n}" for n in range(60)])
    file(ngo_member, "b0", *[f"c{n}" for n in range(60)])
    client = api_for(reviewer)
    client.get(url(subject("small")))  # the token's first use records it once

    for account in ("small", "big"):
        hub = subject(account)
        # 1 the token with its user, membership, organisation and second factor; 2 the subject;
        # 3–6 the network (above).
        with django_assert_num_queries(6 + PLANNER):
            assert client.get(url(hub)).status_code == 200


def test_the_endpoint_answers_what_its_documented_serializer_gives(api_for, reviewer, lead, ngo_member, small_network):
    from referrals.surfacing.api.network import NetworkSerializer, network_data
    from tests.referrals.review_factories import decided

    decided(lead, ngo_member, accounts=("e",))  # a suspended account among them
    network = subject_network(reviewer, small_network)

    assert network_data(network) == NetworkSerializer(network).data
    assert api_for(reviewer).get(url(small_network)).json() == NetworkSerializer(network).data


# --- The picture ---------------------------------------------------------------------------------


def test_the_layout_is_stable_and_inside_the_drawing(reviewer, small_network):
    first = graph.draw(subject_network(reviewer, small_network))
    again = graph.draw(subject_network(reviewer, small_network))

    assert [(n.x, n.y) for n in first.nodes] == [(n.x, n.y) for n in again.nodes]
    root = first.nodes[0]
    assert root.root and (root.x, root.y) == (graph.WIDTH / 2, graph.HEIGHT / 2)
    for n in first.nodes:
        assert n.r <= n.x <= graph.WIDTH - n.r and n.r <= n.y <= graph.HEIGHT - n.r
    assert len(first.edges) == 8
    heaviest = max(first.edges, key=lambda e: e.weight)
    assert heaviest.width == graph.MAX_STROKE and min(e.width for e in first.edges) == graph.MIN_STROKE


def test_labels_never_overlap_and_the_subject_is_labelled(reviewer, ngo_member):
    file(ngo_member, "hub", *[f"a_rather_long_handle_{n}" for n in range(60)])

    drawing = graph.draw(subject_network(reviewer, subject("hub")))

    assert drawing.labels[0].text == "hub" and drawing.labels[0].root
    boxes = [graph._box(label) for label in drawing.labels]
    for i, box in enumerate(boxes):
        assert graph._inside(box)
        assert not any(graph._overlaps(box, other) for other in boxes[i + 1 :])
    assert len(drawing.labels) <= graph.LABELS_MAX
