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


# -- calibration and saving: mutated history rows and text, then the whole way to a file ---

HISTORY = (BASE.parent.parent / "data" / "cam_khe" / "history.csv").read_text(encoding="utf-8")
HISTORY_LINES = HISTORY.splitlines()
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
cells = st.one_of(
    st.sampled_from(["", "9_02", "1e999", "nan", "-0", "true", "150", "-9.89", "999999", "15",
                     "1,5", "０", "\x1b[2J", "[red]x[/]", "$x$", "x" * 20_000]),
    st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(repr),
    st.text(max_size=12))


def _history_with(row: int, column: int, value: str) -> str:
    import csv
    import io

    fields = next(csv.reader([HISTORY_LINES[row]]))
    fields[column % len(fields)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return "\n".join(HISTORY_LINES[:row] + [buffer.getvalue()] + HISTORY_LINES[row + 1:]) + "\n"


def _workspace(tmp_path, history: str):
    import shutil

    folder = tmp_path / "ws"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data" / "cam_khe").mkdir(parents=True)
    (folder / "scenarios").mkdir()
    (folder / "data" / "cam_khe" / "history.csv").write_text(history, encoding="utf-8",
                                                              errors="surrogatepass")
    path = folder / "scenarios" / "base.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    return path


@SLOW
@given(row=st.integers(1, len(HISTORY_LINES) - 1), column=st.integers(0, 9), value=cells)
def test_calibration_of_mutated_history_rows(tmp_path, row, column, value):
    """A changed cell is refused with the tool's error (at its row) or calibrated: never a
    traceback, never a row silently left out."""
    path = _workspace(tmp_path, _history_with(row, column, value))
    try:
        model = forecast.calibrate(path)
    except forecast.ForecastError:
        return
    from forecast.calibration import unused_rows

    assert not [r for c in model.components.values() for r in unused_rows(c)]


@SLOW
@given(path=st.sampled_from(ALL_PATHS), value=st.one_of(junk, cells))
def test_saving_runs_of_mutated_scenarios(tmp_path, path, value):
    """A scenario that loads also simulates, saves and loads back, or raises the tool's
    error; what is loaded back is what was saved."""
    import shutil

    mutated = _mutate(BASE_DATA, path, "replace", value)
    file = tmp_path / "fuzz.yaml"
    file.write_text(yaml.safe_dump(mutated, allow_unicode=True).replace(
        "../data/", f"{BASE.parent.parent / 'data'}/"), encoding="utf-8",
        errors="surrogatepass")
    out = tmp_path / "run"
    shutil.rmtree(out, ignore_errors=True)
    try:
        results = forecast.simulate(file, draws=64, seed=1)
        results.save(out)
    except forecast.ForecastError:
        assert not out.exists()
        return
    again = forecast.Results.load(out)
    assert again.summary.to_json() == results.summary.to_json()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
