"""The actor network built from the hand-made home-buying codings (see home_buying.py)."""

import json

import pytest

from coding.facts import CodeFact, CodingFact
from coding.network import (
    active_channels,
    beyond_share,
    build_network,
    candidate_partners,
    stuck_phases,
)
from tests.unit.coding.home_buying import (
    AGENT,
    APP,
    BANK,
    CODES,
    CODINGS,
    FAMILY,
    GOAL,
    PAIN,
    PURCHASE,
    SEARCH,
    SUB_GOAL,
    coding,
)  # fmt: skip


def c(code_id: int) -> str:
    return f"c:{code_id}"


def edge_table(network_edges: object) -> dict[tuple[str, str, str], tuple[int, int, tuple[int, ...]]]:
    return {
        (e.source, e.target, e.relation): (e.segments, e.participants, e.evidence)
        for e in network_edges  # type: ignore[attr-defined]
    }


def test_every_network_code_and_mentioning_participant_becomes_a_node() -> None:
    network = build_network(CODES, CODINGS)
    assert set(network.nodes) == {
        c(GOAL), c(SUB_GOAL), c(BANK), c(AGENT), c(FAMILY), c(SEARCH), c(PURCHASE), c(APP),
        "p:1", "p:2",
    }  # fmt: skip
    assert network.nodes["p:1"].persona == "first-time buyer"
    assert network.nodes[c(BANK)].is_company
    assert network.nodes[c(AGENT)].ownership == "third_party"  # unclassified actor
    assert not network.nodes[c(FAMILY)].is_company


def test_node_weights_count_segments_participants_and_list_the_codings() -> None:
    nodes = build_network(CODES, CODINGS).nodes
    agent = nodes[c(AGENT)]
    assert (agent.segments, agent.participants, agent.evidence) == (3, 2, (105, 202, 206))
    goal = nodes[c(GOAL)]
    assert (goal.segments, goal.participants, goal.evidence) == (2, 1, (101, 110))


def test_codes_in_the_same_segment_are_linked_with_their_evidence() -> None:
    edges = edge_table(build_network(CODES, CODINGS).edges)
    co = "co_occurs"
    assert edges == {
        (c(FAMILY), c(GOAL), co): (1, 1, (101, 102)),
        (c(GOAL), c(SEARCH), co): (1, 1, (101, 103)),
        (c(FAMILY), c(SEARCH), co): (1, 1, (102, 103)),
        (c(AGENT), c(SUB_GOAL), co): (2, 2, (104, 105, 201, 202)),
        (c(SUB_GOAL), c(SEARCH), co): (2, 2, (104, 106, 201, 203)),
        (c(AGENT), c(SEARCH), co): (2, 2, (105, 106, 202, 203)),
        (c(BANK), c(APP), co): (1, 1, (107, 108)),
        (c(BANK), c(PURCHASE), co): (2, 2, (107, 109, 205, 207)),
        (c(BANK), c(GOAL), co): (1, 1, (107, 110)),
        (c(APP), c(PURCHASE), co): (1, 1, (108, 109)),
        (c(GOAL), c(APP), co): (1, 1, (108, 110)),
        (c(GOAL), c(PURCHASE), co): (1, 1, (109, 110)),
        (c(AGENT), c(PURCHASE), co): (1, 1, (206, 207)),
        (c(SUB_GOAL), c(GOAL), "part_of"): (2, 2, (104, 201)),
        ("p:1", c(FAMILY), "mentions"): (1, 1, (102,)),
        ("p:1", c(AGENT), "mentions"): (1, 1, (105,)),
        ("p:1", c(BANK), "mentions"): (1, 1, (107,)),
        ("p:2", c(AGENT), "mentions"): (2, 1, (202, 206)),
        ("p:2", c(BANK), "mentions"): (1, 1, (205,)),
    }


def test_the_overlap_window_links_only_codings_that_share_text() -> None:
    edges = edge_table(build_network(CODES, CODINGS, window="overlap").edges)
    # Bank 80-90 and goal 100-110 share a segment but no text.
    assert (c(BANK), c(GOAL), "co_occurs") not in edges
    # Agent and sub-goal overlap only in segment 101 (source 20: 20-30 against 0-10).
    assert edges[(c(AGENT), c(SUB_GOAL), "co_occurs")] == (1, 1, (104, 105))


def test_overlapping_codings_without_segments_count_each_shared_stretch_once() -> None:
    codes = [CodeFact(1, "Bank", "actor"), CodeFact(2, "Loan", "goal")]
    codings = [
        coding(1, 1, 10, None, 0, 10), coding(2, 2, 10, None, 5, 20),
        coding(3, 1, 10, None, 30, 40), coding(4, 2, 10, None, 35, 45),
    ]  # fmt: skip
    edges = edge_table(build_network(codes, codings, window="overlap").edges)
    assert edges[(c(1), c(2), "co_occurs")] == (2, 1, (1, 2, 3, 4))


def test_layers_can_be_switched_off() -> None:
    network = build_network(CODES, CODINGS, layers=frozenset({"actor", "goal"}), include_participants=False)
    assert set(network.nodes) == {c(GOAL), c(BANK), c(AGENT), c(FAMILY)}
    assert set(edge_table(network.edges)) == {
        (c(FAMILY), c(GOAL), "co_occurs"),
        (c(BANK), c(GOAL), "co_occurs"),
    }


def test_min_weight_drops_thin_edges_nodes_and_orphaned_participants() -> None:
    network = build_network(CODES, CODINGS, min_weight=2)
    assert set(network.nodes) == {
        c(GOAL), c(SUB_GOAL), c(BANK), c(AGENT), c(SEARCH), c(PURCHASE), "p:2",
    }  # fmt: skip
    assert set(edge_table(network.edges)) == {
        (c(AGENT), c(SUB_GOAL), "co_occurs"),
        (c(SUB_GOAL), c(SEARCH), "co_occurs"),
        (c(AGENT), c(SEARCH), "co_occurs"),
        (c(BANK), c(PURCHASE), "co_occurs"),
        (c(SUB_GOAL), c(GOAL), "part_of"),
        ("p:2", c(AGENT), "mentions"),
    }


def test_a_goal_appears_with_its_coded_sub_goal_even_if_never_coded_itself() -> None:
    network = build_network(CODES, [cd for cd in CODINGS if cd.code_id != GOAL])
    assert network.nodes[c(GOAL)].segments == 0
    assert (c(SUB_GOAL), c(GOAL), "part_of") in edge_table(network.edges)


def test_degree_and_weighted_degree_follow_the_edges() -> None:
    nodes = build_network(CODES, CODINGS).nodes
    # Agent: sub-goal 2, search 2, purchase 1, p:1 1, p:2 2.
    assert (nodes[c(AGENT)].metrics.degree, nodes[c(AGENT)].metrics.weighted_degree) == (5, 8)
    # Goal: family, search, bank, app, purchase (1 each) and its sub-goal (2).
    assert (nodes[c(GOAL)].metrics.degree, nodes[c(GOAL)].metrics.weighted_degree) == (6, 7)


def path_network() -> dict[str, object]:
    """Actor 1 - goal 2 - phase 3: a path, each edge from one segment."""
    codes = [CodeFact(1, "Agent", "actor"), CodeFact(2, "Home", "goal"), CodeFact(3, "Search", "phase")]
    codings = [
        coding(1, 1, 10, 1, 0, 5), coding(2, 2, 10, 1, 5, 9),
        coding(3, 2, 10, 2, 10, 15), coding(4, 3, 10, 2, 10, 20),
    ]  # fmt: skip
    return build_network(codes, codings, include_participants=False).nodes  # type: ignore[return-value]


def test_betweenness_on_a_path_puts_the_middle_node_on_every_shortest_path() -> None:
    """Of the three nodes only the goal lies between two others (1 pair of 1), so its
    normalised betweenness is 1 / ((n-1)(n-2)/2) = 1 and the ends have 0."""
    nodes = path_network()
    assert [nodes[c(i)].metrics.betweenness for i in (1, 2, 3)] == [0, 1, 0]  # type: ignore[attr-defined]


def test_pagerank_on_a_path_matches_the_hand_solution() -> None:
    """With damping d = 0.85, ends x and middle y = 1 - 2x:
    x = (1 - d)/3 + d * y/2  ->  x = 0.05 + 0.425 (1 - 2x)  ->  1.85 x = 0.475,
    so x = 19/74 and y = 36/74."""
    nodes = path_network()
    ranks = [nodes[c(i)].metrics.pagerank for i in (1, 2, 3)]  # type: ignore[attr-defined]
    assert ranks == pytest.approx([19 / 74, 36 / 74, 19 / 74], abs=1e-5)


def test_metrics_are_the_same_on_every_run() -> None:
    first = build_network(CODES, CODINGS).to_dict()
    assert build_network(CODES, CODINGS).to_dict() == first
    assert {n["metrics"]["community"] for n in first["nodes"]} <= set(range(len(first["nodes"])))


def test_the_network_serialises_to_json_with_nodes_edges_and_evidence() -> None:
    data = json.loads(json.dumps(build_network(CODES, CODINGS).to_dict()))
    agent = next(n for n in data["nodes"] if n["id"] == c(AGENT))
    assert agent["evidence"] == [105, 202, 206]
    assert set(agent["metrics"]) == {"degree", "weighted_degree", "betweenness", "pagerank", "community"}
    assert {"id": "p:2|c:4|mentions", "source": "p:2", "target": c(AGENT), "relation": "mentions",
            "segments": 2, "participants": 1, "evidence": [202, 206]} in data["edges"]  # fmt: skip


def test_beyond_share_counts_mentions_and_distinct_actors_outside_the_company() -> None:
    """Mentions: family 102, agent 105/202/206, bank 107/205 and the bank app 108 -> 7,
    of which 3 are the company's; actors: bank, agent, family, of which 2 are not."""
    (share,) = beyond_share(CODES, CODINGS)
    assert (share.mentions, share.beyond_mentions) == (7, 4)
    assert share.mention_share == pytest.approx(4 / 7)
    assert (share.actors, share.beyond_actors) == (3, 2)
    assert share.actor_share == pytest.approx(2 / 3)
    assert share.evidence == (102, 105, 202, 206)


def test_beyond_share_per_phase_follows_the_phase_codings() -> None:
    search, purchase = beyond_share(CODES, CODINGS, by="phase")
    assert (search.group, search.mentions, search.mention_share, search.actor_share) == (
        SEARCH, 3, 1.0, 1.0,
    )  # fmt: skip
    assert (purchase.group, purchase.mentions, purchase.beyond_mentions) == (PURCHASE, 4, 1)
    assert purchase.actor_share == 0.5


def test_beyond_share_per_persona() -> None:
    family, first_time = beyond_share(CODES, CODINGS, by="persona")
    assert (family.group, family.mentions, family.beyond_mentions, family.actor_share) == (
        "family", 3, 2, 0.5,
    )  # fmt: skip
    assert (first_time.group, first_time.mentions, first_time.beyond_mentions) == (
        "first-time buyer", 4, 2,
    )  # fmt: skip


def test_beyond_share_without_mentions_is_undefined() -> None:
    (share,) = beyond_share(CODES, [])
    assert (share.mentions, share.mention_share, share.actor_share) == (0, None, None)


def test_candidate_partners_are_non_company_actors_ranked_by_goal_weight_times_pagerank() -> None:
    network = build_network(CODES, CODINGS)
    agent, family = candidate_partners(network)
    assert (agent.node_id, agent.goal_weight, agent.goals) == (c(AGENT), 2, (c(SUB_GOAL),))
    assert agent.evidence == (104, 105, 201, 202)
    assert agent.score == pytest.approx(2 * network.nodes[c(AGENT)].metrics.pagerank)
    assert (family.node_id, family.goal_weight, family.evidence) == (c(FAMILY), 1, (101, 102))


def test_active_channels_list_touchpoints_with_their_quotes() -> None:
    (app,) = active_channels(build_network(CODES, CODINGS))
    assert (app.node_id, app.participants, app.segments, app.evidence) == (c(APP), 1, 1, (108,))


def test_stuck_phases_rank_phases_by_pain_point_codings() -> None:
    (search,) = stuck_phases(CODES, CODINGS)
    assert (search.code_id, search.pain_points, search.pain_codes, search.evidence) == (
        SEARCH, 1, ((PAIN, 1),), (204,),
    )  # fmt: skip


def test_an_empty_project_gives_an_empty_network() -> None:
    network = build_network(CODES, [])
    assert (network.nodes, network.edges) == ({}, ())
    assert candidate_partners(network) == []


def test_codings_of_unknown_codes_are_ignored() -> None:
    stray = CodingFact(999, 999, 10, 0, 5, 100, 1, None, 1, "interview")
    assert build_network(CODES, [*CODINGS, stray]).to_dict() == build_network(CODES, CODINGS).to_dict()
