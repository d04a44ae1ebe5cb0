"""The Rasa domain, training data and actions agree (YAML and source parsed; no rasa import)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
MIN_EXAMPLES = 40
# Responses Rasa itself uses: the core fallback's default reply.
USED_BY_RASA = {"utter_default"}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return load(BOT / "domain.yml")


def data_files(folder: Path) -> list[dict[str, Any]]:
    return [load(p) for p in sorted(folder.rglob("*.yml"))]


def examples(files: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for data in files:
        for item in data.get("nlu") or []:
            if "intent" in item:
                lines = [line[2:].strip() for line in item["examples"].splitlines()
                         if line.startswith("- ")]
                found.setdefault(item["intent"], []).extend(lines)
    return found


def plain(example: str) -> str:
    """An annotated example as typed: '[eGFR](term)' -> 'eGFR'."""
    return re.sub(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}", r"\1\2", example).lower()


def steps(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [step for data in files for block in (data.get("stories") or []) +
            (data.get("rules") or []) for step in block.get("steps") or []]


def action_names() -> dict[str, str]:
    """name() of every concrete action class in bot/actions -> its module."""
    names: dict[str, str] = {}
    for path in sorted((BOT / "actions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "name":
                    returns = [n for n in ast.walk(item) if isinstance(n, ast.Return)]
                    for ret in returns:
                        if isinstance(ret.value, ast.Constant) and isinstance(ret.value.value, str):
                            names[ret.value.value] = path.name
    return names


def response_names_in_actions() -> set[str]:
    found: set[str] = set()
    for path in (BOT / "actions").glob("*.py"):
        found |= set(re.findall(r"\"(utter_[a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    return found


def test_every_action_is_declared_in_the_domain_and_back(domain: dict[str, Any]) -> None:
    declared = set(domain["actions"])
    implemented = action_names()
    assert set(implemented) - declared == set(), "actions missing from domain.yml"
    assert declared - set(implemented) == set(), "domain actions with no implementation"


def test_every_action_used_in_rules_or_stories(domain: dict[str, Any]) -> None:
    used = {s["action"] for s in steps(data_files(BOT / "data")) if "action" in s}
    assert set(domain["actions"]) - used == set()


def test_every_response_is_used(domain: dict[str, Any]) -> None:
    used = {s["action"] for s in steps(data_files(BOT / "data")) if "action" in s}
    used |= response_names_in_actions() | USED_BY_RASA
    for form in (domain.get("forms") or {}).values():
        used |= {f"utter_ask_{slot}" for slot in form["required_slots"]}
    unused = set(domain["responses"]) - used
    assert unused == set(), f"responses nothing uses: {sorted(unused)}"


def test_every_response_named_in_actions_or_data_exists(domain: dict[str, Any]) -> None:
    used = {s["action"] for s in steps(data_files(BOT / "data")) if "action" in s}
    named = {n for n in used | response_names_in_actions() if n.startswith("utter_")}
    assert named - set(domain["responses"]) == set()


def test_every_intent_has_enough_varied_examples(domain: dict[str, Any]) -> None:
    found = examples(data_files(BOT / "data"))
    assert set(domain["intents"]) == set(found)
    for intent in domain["intents"]:
        lines = found[intent]
        assert len(lines) >= MIN_EXAMPLES, (intent, len(lines))
        assert len(set(map(plain, lines))) == len(lines), (intent, "duplicates")


def test_example_blocks_are_well_formed() -> None:
    # Rasa only warns (and skips the line) when an example block has a stray or blank line.
    for path in [*sorted((BOT / "data").rglob("*.yml")), BOT / "tests" / "nlu_test.yml"]:
        for item in load(path).get("nlu") or []:
            for key in ("intent", "synonym", "lookup"):
                if key in item:
                    lines = item["examples"].rstrip("\n").split("\n")
                    bad = [line for line in lines if not line.startswith("- ")]
                    assert bad == [], (path.name, item[key], bad)


def test_no_example_is_under_two_intents() -> None:
    counts = Counter(plain(e) for lines in examples(data_files(BOT / "data")).values()
                     for e in set(map(plain, lines)))
    assert [e for e, n in counts.items() if n > 1] == []


def test_every_intent_has_a_rule_or_story(domain: dict[str, Any]) -> None:
    used = {s["intent"] for s in steps(data_files(BOT / "data")) if "intent" in s}
    assert set(domain["intents"]) - used == set()


def test_held_out_test_set_covers_every_intent_and_is_never_trained_on(
        domain: dict[str, Any]) -> None:
    test = examples([load(BOT / "tests" / "nlu_test.yml")])
    assert set(domain["intents"]) - set(test) == set()
    trained = {plain(e) for lines in examples(data_files(BOT / "data")).values() for e in lines}
    overlap = {plain(e) for lines in test.values() for e in lines} & trained
    assert overlap == set(), f"test examples also in training data: {sorted(overlap)}"


def test_test_stories_cover_every_intent(domain: dict[str, Any]) -> None:
    used = {s["intent"] for s in steps(data_files(BOT / "tests" / "stories")) if "intent" in s}
    assert set(domain["intents"]) - used == set()


def test_entities_in_examples_are_declared(domain: dict[str, Any]) -> None:
    files = [*data_files(BOT / "data"), load(BOT / "tests" / "nlu_test.yml")]
    annotated = {m for lines in examples(files).values() for e in lines
                 for m in re.findall(r"\]\((\w+)\)|\"entity\": \"(\w+)\"", e)}
    names = {a or b for a, b in annotated}
    assert names <= set(domain["entities"])


def test_slots_and_responses_placeholders(domain: dict[str, Any]) -> None:
    # placeholders actions fill in (kwargs) or slots Rasa fills in
    allowed = {"whose", "reference"} | set(domain["slots"])
    for name, variants in domain["responses"].items():
        for variant in variants:
            for placeholder in re.findall(r"\{(\w+)\}", variant.get("text", "")):
                assert placeholder in allowed, (name, placeholder)


def test_config_is_the_agreed_lean_pipeline() -> None:
    config = load(ROOT / "config.yml")
    names = [c["name"] for c in config["pipeline"]]
    assert names == ["WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer",
                     "CountVectorsFeaturizer", "CountVectorsFeaturizer", "DIETClassifier",
                     "EntitySynonymMapper", "FallbackClassifier"]
    assert [p["name"] for p in config["policies"]] == ["MemoizationPolicy", "RulePolicy",
                                                        "TEDPolicy"]
    assert config["assistant_id"]
    diet = next(c for c in config["pipeline"] if c["name"] == "DIETClassifier")
    ted = next(p for p in config["policies"] if p["name"] == "TEDPolicy")
    assert diet["epochs"] <= 100 and ted["epochs"] <= 50  # CI time budget


def test_endpoints_bind_locally_and_redis_comes_from_the_environment() -> None:
    local = (BOT / "endpoints.yml").read_text(encoding="utf-8")
    redis = load(BOT / "endpoints.redis.yml")
    assert "${PLAINRECORD_ACTION_URL}" in local
    assert redis["tracker_store"]["type"] == "redis"
    assert redis["lock_store"]["type"] == "redis"
    assert redis["tracker_store"]["url"] == "${REDIS_HOST}"
    assert redis["lock_store"]["port"] == "${REDIS_PORT}"
    assert list(load(BOT / "credentials.yml")) == ["rest"]


def test_lookup_tables_match_the_glossary() -> None:
    from bot.tools.generate_lookups import render, tables

    for name, entries in tables().items():
        path = BOT / "data" / "lookups" / f"{name}.yml"
        assert path.read_text(encoding="utf-8") == render(name, entries), (
            f"{path} is stale: run .venv/bin/python -m bot.tools.generate_lookups, then retrain")
