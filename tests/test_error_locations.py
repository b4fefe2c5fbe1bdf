"""Errors inside a component whose model name is also one of its settings (``elasticity``) are
located at the setting, not at the union tag pydantic inserts."""

from __future__ import annotations

from click.testing import CliRunner

from forecast.cli.app import main
from conftest import BASE, ROOT

SCALE = '    volatility: {dist: halfnormal, scale: 0.03, why: "Assumption: yearly income growth'
ELASTICITY = "    elasticity: {dist: normal, loc: 1.0, scale: 0.25,"


def _validate(tmp_path, old, new):
    text = BASE.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1).replace("history: ../data/", f"history: {ROOT}/data/")
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, start=1) if new.strip() in l.strip())
    return CliRunner().invoke(main, ["validate", str(path)]), path, line


def test_a_typo_under_an_elasticity_models_volatility(tmp_path):
    result, path, line = _validate(tmp_path, SCALE, SCALE.replace("scale:", "scael:"))
    assert result.exit_code == 2
    assert f"{path}:{line}: indicators.income_per_capita.volatility.scael" in result.output


def test_a_bad_value_in_the_setting_named_like_its_model(tmp_path):
    result, path, line = _validate(tmp_path, ELASTICITY,
                                   ELASTICITY.replace("scale: 0.25", "scale: -0.25"))
    assert result.exit_code == 2
    assert f"{path}:{line}: indicators.income_per_capita.elasticity.scale" in result.output
