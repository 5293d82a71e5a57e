"""The topics of corpus/profile.toml are valid, and what users type is matched to its topics."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from config.errors import SetupError
from retrieval.topics import load_topics, match_topic, mentioned_topic
from tests.conftest import PROFILE, TOPIC_NAMES

TOPICS = PROFILE

REQUIRED_TOPICS = tuple(TOPIC_NAMES)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def topic_problems(raw: dict) -> list[str]:  # type: ignore[type-arg]
    """Every problem of a parsed topics file, one readable line per topic and problem."""
    problems: list[str] = []
    items = raw.get("topic")
    if not isinstance(items, list) or not items:
        return ["the file defines no [[topic]] tables"]
    owner: dict[str, str] = {}  # normalised name/alias -> topic name
    for i, item in enumerate(items, start=1):
        label = f"topic #{i} ({item.get('name', '?')!r})"
        for field in ("name", "description", "query"):
            value = item.get(field)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{label}: {field} is missing or empty")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            problems.append(f"{label}: aliases must be a list of non-empty strings")
            aliases = []
        name = str(item.get("name", ""))
        description = str(item.get("description", ""))
        if "\n" in description or len(description) > 200:
            problems.append(f"{label}: description should be one short line")
        for word in [name, *aliases]:
            key = _key(word)
            if not key:
                continue
            # one word for two topics: match_topic would silently pick the first
            if key in owner and owner[key] != name:
                problems.append(f"{label}: {word!r} is already the name or an alias of {owner[key]!r}")
            owner.setdefault(key, name)
    names = [_key(str(item.get("name", ""))) for item in items]
    for wanted in REQUIRED_TOPICS:
        if _key(wanted) not in names:
            problems.append(f"missing topic {wanted!r}")
    return problems


def test_topics_file_is_valid() -> None:
    raw = tomllib.loads(TOPICS.read_text(encoding="utf-8"))
    problems = topic_problems(raw)
    assert not problems, f"{TOPICS} has problems:\n  " + "\n  ".join(problems)
    specs = load_topics(TOPICS)
    assert [s.name for s in specs] == [item["name"] for item in raw["topic"]]
    assert all(s.name and s.description and s.query for s in specs)


def test_the_validator_reports_each_topic_readably() -> None:
    raw = {
        "topic": [
            {"name": "Syria", "description": "d", "query": "q", "aliases": ["assad"]},
            {"name": "Assad", "description": "", "query": "q"},
            {"name": "Ukraine", "query": "  "},
        ]
    }
    problems = topic_problems(raw)
    assert "topic #2 ('Assad'): description is missing or empty" in problems
    assert "topic #2 ('Assad'): 'Assad' is already the name or an alias of 'Syria'" in problems
    assert "topic #3 ('Ukraine'): description is missing or empty" in problems
    assert "topic #3 ('Ukraine'): query is missing or empty" in problems
    assert "missing topic 'North Korea'" in problems
    assert topic_problems({}) == ["the file defines no [[topic]] tables"]


# ------------------------------------------------------------------------------------- load_topics
def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_topic_without_a_query_is_a_setup_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[topic]]\nname = "A"\ndescription = "d"\nquery = "q"\n\n[[topic]]\nname = "B"\ndescription = "d"\n',
    )
    with pytest.raises(SetupError, match=r"topic #2 lacks query"):
        load_topics(path)


def test_duplicate_names_are_a_setup_error(tmp_path: Path) -> None:
    body = 'description = "d"\nquery = "q"\n'
    path = _write(
        tmp_path, f'[[topic]]\nname = "Cyber security"\n{body}\n[[topic]]\nname = "cyber-security"\n{body}'
    )
    with pytest.raises(SetupError, match="same name"):
        load_topics(path)


@pytest.mark.parametrize("text", ["", "title = 'no topics'\n", "[[topic\n"])
def test_a_file_without_topics_or_unreadable_is_a_setup_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(SetupError):
        load_topics(_write(tmp_path, text))


def test_a_missing_topics_file_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="Cannot read the topics file"):
        load_topics(tmp_path / "none.toml")


# ------------------------------------------------------------------------------------- match_topic
@pytest.fixture(scope="module")
def specs():  # type: ignore[no-untyped-def]
    return load_topics(TOPICS)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Syria", "Syria"),
        ("syria", "Syria"),
        ("  SYRIA  ", "Syria"),
        ("cyber-security", "Cyber-security"),
        ("Cyber Security", "Cyber-security"),
        ("cybersecurity", "Cyber-security"),
        ("CYBER_SECURITY", "Cyber-security"),
        ("north korea", "North Korea"),
        ("North-Korea", "North Korea"),
        ("northkorea", "North Korea"),
        ("election hacking", "Election hacking"),
        ("Election-Hacking", "Election hacking"),
        ("relationship", "Relationship"),
        ("OUTCOME", "Outcome"),
        # aliases
        ("Assad", "Syria"),
        ("de-escalation", "Syria"),
        ("Kiev", "Ukraine"),
        ("volker", "Ukraine"),
        ("DPRK", "North Korea"),
        ("double freeze", "North Korea"),
        ("meddling", "Election hacking"),
        ("election interference", "Election hacking"),
        ("chemistry", "Relationship"),
        ("Trump and Putin", "Relationship"),
        ("goals", "Outcome"),
    ],
)
def test_match_topic(specs, typed: str, name: str) -> None:  # type: ignore[no-untyped-def]
    spec = match_topic(typed, specs)
    assert spec is not None and spec.name == name


@pytest.mark.parametrize(
    "typed", ["", "   ", "---", "capital of Australia", "Syria and Ukraine", "Korea North"]
)
def test_unknown_topics_match_nothing(specs, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert match_topic(typed, specs) is None


# --------------------------------------------------------------------------------- mentioned_topic
_KNOWN = "how trump putin hacking ukraine meeting went long the and on"
_RELEASE_WORDS = frozenset(_KNOWN.split())


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("the hacking stuff", "Election hacking"),
        ("that election meddling thing", "Election hacking"),
        ("how trump and putin got on", "Relationship"),
        ("how the meeting went long", "Relationship"),
        ("what about the ukraine bit", "Ukraine"),
    ],
)
def test_free_text_naming_one_topic(specs, typed: str, name: str) -> None:  # type: ignore[no-untyped-def]
    spec = mentioned_topic(typed, specs, lambda w: w in _RELEASE_WORDS)
    assert spec is not None and spec.name == name


@pytest.mark.parametrize(
    "typed",
    [
        "sanctions on iran",  # a word the documents never use: not just North Korea
        "that ukraine envoy thing",  # "envoy" is not the release's word either
        "syria and ukraine",  # two topics
        "the weather in moscow",  # no topic named
        "",
    ],
)
def test_free_text_naming_no_single_topic(specs, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert mentioned_topic(typed, specs, lambda w: w in _RELEASE_WORDS) is None
