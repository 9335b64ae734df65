"""Acceptance on the demo project: the home-buying goal with its sub-goals and the
actors around it, the company's own nodes marked apart, and the beyond-share figure."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from coding.demo.loader import _manifest, load_demo
from coding.evidence import EvidenceFilters, journey_for, network_for
from exports.network_files import write_gexf, write_graphml
from research.db import transaction
from tests.conftest import make_user


@pytest.fixture
def demo(session):
    owner = make_user(session, email="demo@example.org")
    with transaction(session):
        project = load_demo(session, owner=owner, manifest=_manifest())
    return project


def test_the_demo_network_shows_buying_a_home_its_sub_goals_and_the_actors_around_it(session, demo):
    report = network_for(session, demo.id)
    network = report.network
    nodes = {n.label: n for n in network.nodes.values()}
    goal = nodes["Köpa en bostad"]
    assert goal.kind == "goal"
    sub_goals = {network.nodes[e.source].label for e in network.edges
                 if e.relation == "part_of" and e.target == goal.id}
    assert {"Hitta en passande bostad", "Få lånelöfte", "Besiktiga bostaden", "Flytta in"} <= sub_goals
    for actor in ("Mäklare", "Andra banker", "Familj och släkt"):
        assert nodes[actor].kind == "actor" and not nodes[actor].is_company
    assert nodes["Familj och släkt"].ownership == "customer_sphere"
    company = {n.label for n in network.nodes.values() if n.is_company}
    assert {"Bolånerådgivare", "Fjällbankens kundtjänst", "Rådgivningsmöte", "Mässmonter"} <= company
    # the estate agent, a bank and family each sit with the home-buying goal or one of its sub-goals
    around = sub_goals | {"Köpa en bostad"}
    for actor in ("Mäklare", "Andra banker", "Familj och släkt"):
        linked = {network.nodes[e.target if e.source == nodes[actor].id else e.source].label
                  for e in network.edges if nodes[actor].id in (e.source, e.target)}
        assert linked & around, actor
    overall = report.beyond["overall"][0]
    assert overall.mentions > 50 and 0.6 < overall.mention_share < 0.95
    assert overall.beyond_actors < overall.actors
    assert len(report.beyond["by_phase"]) == 7 and len(report.beyond["by_persona"]) >= 4
    assert report.partners and report.channels and report.stuck


def test_the_demo_network_exports_parse_and_carry_weights(session, demo):
    network = network_for(session, demo.id).network
    graphml, gexf = io.BytesIO(), io.BytesIO()
    write_graphml(network, graphml)
    write_gexf(network, gexf)
    g = ET.fromstring(graphml.getvalue())
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    weights = [float(d.text) for d in g.findall(".//g:edge/g:data[@key='e_weight']", ns)]
    assert len(weights) == len(network.edges) and sum(weights) == sum(e.segments for e in network.edges)
    companies = [d.text for d in g.findall(".//g:node/g:data[@key='n_is_company']", ns)]
    assert companies.count("true") == sum(n.is_company for n in network.nodes.values())
    x = ET.fromstring(gexf.getvalue())
    edges = list(x.iter("{http://gexf.net/1.3}edge"))
    assert len(edges) == len(network.edges) and all(float(e.get("weight")) >= 1 for e in edges)
    assert len(list(x.iter("{http://gexf.net/1.3}node"))) == len(network.nodes)


def test_the_demo_journey_map_has_an_emotion_curve_and_a_phase_filter_narrows_the_network(session, demo):
    journey = journey_for(session, demo.id).journey
    assert [name for _, name in journey.columns][:2] == ["Medveten", "Intresserad"]
    assert sum(p.n for p in journey.emotion) > 0
    phase = demo.phases[3]  # Köper
    narrowed = network_for(session, demo.id, EvidenceFilters(phase_id=phase.id))
    assert 0 < len(narrowed.evidence.codings) < narrowed.evidence.total_codings
    assert any(n.label == "Köper" for n in narrowed.network.nodes.values())
