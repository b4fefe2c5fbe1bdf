"""Fuzz: mutated scenario files load or raise the tool's own error, nothing else."""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import forecast
from conftest import BASE

BASE_TEXT = BASE.read_text(encoding="utf-8")
BASE_DATA = yaml.safe_load(BASE_TEXT)
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                         max_size=2))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


ALL_PATHS = [p for p in _paths(BASE_DATA) if p]


def _mutate(data, path, action, value):
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = value
    else:  # add a sibling key
        if isinstance(parent, dict):
            parent[f"{key}_extra"] = value
        else:
            parent.append(value)
    return data


def _load(tmp_path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        forecast.load_scenario(path)
    except forecast.ForecastError:
        pass


@FUZZ
@given(path=st.sampled_from(ALL_PATHS), action=st.sampled_from(["delete", "replace", "add"]),
       value=junk)
def test_structural_mutations(tmp_path, path, action, value):
    mutated = _mutate(BASE_DATA, path, action, value)
    _load(tmp_path, yaml.safe_dump(mutated, allow_unicode=True))


@FUZZ
@given(position=st.integers(0, len(BASE_TEXT)), cut=st.integers(0, 40),
       insert=st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,? \n\t0123456789ab.")),
                      max_size=8))
def test_text_mutations(tmp_path, position, cut, insert):
    _load(tmp_path, BASE_TEXT[:position] + insert + BASE_TEXT[position + cut:])
