"""The message catalog and the formatters: every string in both languages, numbers by Babel,
distributions without ambiguous commas, readings in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forecast.formatting import (assumption_text, format_date, format_distribution,
                                 format_number, format_probability, format_quantity, format_rate,
                                 format_value, plain_reading)
from forecast.messages import (CATALOG, LANGUAGES, SAME_IN_EVERY_LANGUAGE, message, placeholders,
                               unit_text)

ROOT = Path(__file__).resolve().parents[1]
# Words that betray English left in a Vietnamese string (checked as whole words).
ENGLISH = re.compile(r"\b(the|of|and|is|are|with|from|to|per|year|yr|draws|target|probability|"
                     r"billion|million|communes|points|share|rate|median|interval)\b", re.I)
ALLOWED_ENGLISH = {"seed", "forecast", "Monte", "Carlo", "SHA", "summary.json", "keep-draws",
                   "sensitivity", "calibrate", "assumptions", "run", "km", "km2"}


def check_catalog(catalog) -> list[str]:
    """Every problem of a catalog: a language missing or empty, placeholders that differ or do
    not format, a Vietnamese text equal to the English one (untranslated) or with English
    words in it."""
    problems = []
    for key, texts in catalog.items():
        if set(texts) != set(LANGUAGES):
            problems.append(f"{key}: languages {sorted(texts)}")
            continue
        try:
            fields = {lang: placeholders(texts[lang]) for lang in LANGUAGES}
        except ValueError as exc:
            problems.append(f"{key}: malformed ({exc})")
            continue
        if len({frozenset(f) for f in fields.values()}) != 1:
            problems.append(f"{key}: placeholders differ {fields}")
        for lang, text in texts.items():
            if not text.strip():
                problems.append(f"{key}: empty in {lang}")
            try:
                text.format(**{name: "X" for name in fields[lang]})
            except (KeyError, ValueError, IndexError) as exc:
                problems.append(f"{key}: malformed in {lang} ({exc})")
        if texts["vi"] == texts["en"] and key not in SAME_IN_EVERY_LANGUAGE:
            problems.append(f"{key}: untranslated")
        vi = re.sub(r"'[^']*'|--[\w-]+|\{[^}]*\}", "", texts["vi"])
        for word in ENGLISH.findall(vi):
            if word not in ALLOWED_ENGLISH:
                problems.append(f"{key}: English word {word!r} in vi")
    return problems


def test_every_catalog_string_renders_in_both_languages():
    assert check_catalog(CATALOG) == []
    for key, texts in CATALOG.items():
        for lang in LANGUAGES:
            rendered = message(key, lang, **{n: "1" for n in placeholders(texts[lang])})
            assert "{" not in rendered and "}" not in rendered, key


@pytest.mark.parametrize("broken,needle", [
    ({"k": {"en": "a {n}", "vi": "b"}}, "placeholders differ"),
    ({"k": {"en": "a", "vi": "a"}}, "untranslated"),
    ({"k": {"en": "a {n", "vi": "b {n"}}, "malformed"),
    ({"k": {"en": "a"}}, "languages"),
    ({"k": {"en": "Total revenue", "vi": "Tổng thu per year"}}, "English word"),
    ({"k": {"en": "x", "vi": " "}}, "empty"),
])
def test_the_catalog_check_fails_on_a_broken_entry(broken, needle):
    assert any(needle in p for p in check_catalog(broken))


def test_every_key_the_code_uses_is_in_the_catalog():
    used = set()
    for path in (ROOT / "forecast").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bmessage\(\s*\"(\w+)\"", text))
        if path.parent.name == "report" and path.stem in ("html", "plots", "style", "data"):
            used |= set(re.findall(r"\bwords\[\"(\w+)\"\]", text))
    template = (ROOT / "forecast" / "report" / "report.html.j2").read_text(encoding="utf-8")
    used |= set(re.findall(r"\bw\.(\w+)", template))
    assert used and used - {"how_text", "_lang"} <= set(CATALOG)


def test_units_of_every_shipped_scenario_translate():
    import yaml

    units = set()
    for path in (ROOT / "scenarios").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        units |= set(re.findall(r"^\s*unit: (.+?)\s*$", text, re.M))
    units.discard("share")
    assert units
    for unit in units:
        vi = unit_text(unit, "vi")
        left = re.sub(r"\d+|[()=/ .,²]|km", "", ENGLISH.sub("", vi))
        assert vi != unit and not ENGLISH.search(vi), (unit, vi)
        assert left == re.sub(r"\d+|[()=/ .,²]|km", "", vi)
    assert yaml  # the scenarios are YAML; read as text to keep every line


def test_numbers_are_written_for_each_language():
    assert format_value(1234.5, "billion VND") == "1,234"
    assert format_value(1234.5, "billion VND", "vi") == "1.234"
    assert format_value(0.849, "share", "vi") == "84,9 %"
    assert format_rate(1.4, "change", "communes", "vi") == "+1,40 xã/năm"
    assert format_rate(1.4, "change", "communes") == "+1.40 communes/yr"
    assert format_rate(-0.0126, "change", "share", "vi") == "-1,26 điểm/năm"
    assert format_quantity(21000, "value", "billion VND", "vi") == "21.000"
    assert format_probability(0.171, 0.008, "vi") == "17,1 % ± 0,8"
    assert format_number(1234.5, "vi") == "1.234" and format_number(0.0123, "vi") == "0,0123"
    assert format_date("2020-06-24T10:00:00+00:00") == "June 24, 2020"
    assert format_date("2020-06-24", "vi") == "24 tháng 6, 2020"
    assert format_value(-0.001, "x") == "0"                            # never "-0"


@pytest.mark.parametrize("text,en,vi", [
    ("uniform(4000, 4700)", "uniform(4000, 4700)", "uniform(4000; 4700)"),
    ("integers(6, 12)", "integers(6, 12)", "integers(6; 12)"),
    ("normal(0, 0.5)", "normal(0, 0.5)", "normal(0; 0,5)"),
    ("normal(0.07, 0.03)", "normal(0.07, 0.03)", "normal(0,07; 0,03)"),
    ("pooled v = lognormal(-1.7077, 0.257358)", "pooled v = lognormal(-1.7077, 0.257358)",
     "pooled v = lognormal(-1,7077; 0,257358)"),
])
def test_distribution_parameters_are_never_garbled(text, en, vi):
    assert format_distribution(text, "en") == en
    assert format_distribution(text, "vi") == vi


def test_assumptions_read_in_plain_words():
    assert plain_reading("beta(2, 7)") == "most likely about 0.2, rarely above 0.47"
    assert plain_reading("uniform(0.06, 0.14)", unit="share") == \
        "any value from 6 % to 14 %, all equally likely"
    assert plain_reading("normal(0.07, 0.03)") == \
        "most likely about 0.07; 9 times in 10 between 0.021 and 0.12"
    assert plain_reading("halfnormal(0.03)", "vi") == \
        "nhiều khả năng khoảng 0,02, hiếm khi trên 0,059"
    assert plain_reading("integers(6, 12)", "vi") == \
        "một số nguyên từ 6 đến 12, khả năng như nhau"
    assert plain_reading("lever ntm_budget = 0 billion VND per year", "vi") == \
        "do đòn bẩy ntm_budget đặt bằng 0 tỷ đồng mỗi năm"
    declared, reading = assumption_text("lever x = 2 billion VND per year", "vi")
    assert declared == "" and "tỷ đồng" in reading
    assert plain_reading("something else") == ""
