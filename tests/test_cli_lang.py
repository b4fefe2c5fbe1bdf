"""``--lang vi`` on every command that prints: Vietnamese words from the catalog and numbers as
Vietnamese writes them (``49,3 %``, ``2.000``); ``--lang en`` (the default) stays English."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from forecast.cli.app import main
from conftest import BASE, ROOT

VI_PERCENT = re.compile(r"\d+,\d+ ?%")          # 49,3 % or 80,0%
EN_PERCENT = re.compile(r"\d+\.\d+ ?%")
DRAWS = "2000"

# (arguments after the command, Vietnamese words it must print, English words it must not)
CASES = {
    "compare": ([str(BASE), str(ROOT / "scenarios" / "low_growth.yaml"), "--draws", DRAWS,
                 "--out", "{out}"],
                ["chỉ tiêu", "xác suất", "chênh lệch", "So với base", "Đã ghi"],
                ["probability", "difference", "Compared with", "Wrote"]),
    "solve": ([str(BASE), "--target", "roads_2025", "--lever", "extra_road_share", "--draws",
               DRAWS], ["cho roads_2025 xác suất", "lần mô phỏng", "khoảng tìm [0; 0,15]"],
              ["gives", "simulations", "range searched"]),
    "plan": ([str(BASE), "--targets", "roads_2025,ntm_communes_2025", "--draws", DRAWS,
              "--out", "{out}"],
             ["cách bố trí rẻ nhất", "chi phí mỗi năm", "đòn bẩy", "cùng đạt", "Đã ghi"],
             ["cheapest", "cost a year", "all chosen targets", "Wrote"]),
    "calibrate": ([str(BASE), "--draws", "200"],
                  ["tham số", "trung bình", "khoảng 5–95 %", "giả định", "số liệu", "tỷ đồng"],
                  ["parameter", "mean", "evidence history", "Distributions from"]),
    "update": ([str(ROOT / "scenarios" / "phu_tho.yaml"), "--draws", DRAWS, "--out", "{out}"],
               ["Diễn biến xác suất", "Số liệu quan sát đã dùng", "tình trạng", "xã/năm",
                "Đã ghi"],
               ["Probability path", "Observed figures", "communes/yr", "Wrote"]),
    "sensitivity": ([str(BASE), "--draws", "32", "--out", "{out}"],
                    ["Nên đo gì trước", "theo nguồn gốc", "bậc một", "Đã ghi"],
                    ["What to measure first", "by origin", "first order", "Wrote"]),
}


def _invoke(command: str, lang: str, tmp_path) -> str:
    args, _, _ = CASES[command]
    args = [a.replace("{out}", str(tmp_path / f"{command}-{lang}")) for a in args]
    result = CliRunner().invoke(main, [command, *args, "--lang", lang],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", sorted(CASES))
def test_each_command_prints_vietnamese_with_lang_vi(command, tmp_path):
    _, words, english = CASES[command]
    vi = _invoke(command, "vi", tmp_path)
    for word in words:
        assert word in vi, (word, vi)
    for word in english:
        assert word not in vi, (word, vi)
    if command not in ("calibrate", "sensitivity"):
        assert VI_PERCENT.search(vi) and not EN_PERCENT.search(vi), vi


@pytest.mark.parametrize("command", ["compare", "solve", "plan"])
def test_english_stays_the_default(command, tmp_path):
    _, words, english = CASES[command]
    en = _invoke(command, "en", tmp_path)
    assert any(word in en for word in english), en
    assert not any(word in en for word in words), en
    assert EN_PERCENT.search(en) and not VI_PERCENT.search(en), en


def test_every_printing_command_takes_lang():
    for name in ("run", "compare", "solve", "update", "calibrate", "sensitivity", "plan",
                 "report", "plot", "backtest"):
        options = {o for p in main.commands[name].params for o in getattr(p, "opts", [])}
        assert "--lang" in options, name


BACKTEST_VI = ("Kiểm định trên số liệu quá khứ", "tỉnh", "phương pháp", "mô hình", "đơn giản",
               "chân trời dự báo", "độ phủ khoảng 50 %", "điểm CRPS", "PIT trung bình",
               "tần suất PIT", "tất cả", "loại ra", "bỏ qua", "Độ phủ ± sai số chuẩn", "Đã ghi")
BACKTEST_EN = ("Backtest", "62 provinces", "method", "horizon", "coverage", "mean PIT",
               "histogram", "left out", "skipped", "Wrote", "log scale", "fitting years",
               "empty province")
CRPS_VI, CRPS_EN = re.compile(r"\b0,\d{3} ± 0,\d{3}\b"), re.compile(r"\b0\.\d{3} ± 0\.\d{3}\b")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_backtest_prints_in_the_language(lang, tmp_path):
    import json

    args = ["backtest", "--draws", "200", "--out", str(tmp_path / "bt")]
    result = CliRunner().invoke(main, args + (["--lang", lang] if lang == "vi" else []),
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    words, english, crps = (BACKTEST_VI, BACKTEST_EN, CRPS_VI) if lang == "vi" else (
        BACKTEST_EN, BACKTEST_VI, CRPS_EN)
    for word in words:
        assert word in result.output, (word, result.output)
    for word in english:
        assert word not in result.output, (word, result.output)
    assert crps.search(result.output), result.output
    assert re.search(r"\b\d+ % ± \d+\b", result.output)  # the coverages
    # the backtest's own reasons in the language; the prior library's as it writes them
    if lang == "vi":
        assert "có 1 mức trong các năm ước lượng (ít hơn 3)" in result.output
        assert "4 dòng không ghi tỉnh (các dòng 761, 762, 763, 764)" in result.output
        assert "loại ra số liệu năm 2009: " in result.output
    # backtest.json stays in English whatever the language
    saved = json.loads((tmp_path / "bt" / "backtest.json").read_text(encoding="utf-8"))
    assert saved["skipped"][-1]["why"].startswith("1 level(s) in the fitting years")
    assert {r["method"] for r in saved["summary"]} == {"model", "naive"}


def test_backtest_horizons_prints_in_vietnamese(tmp_path):
    args = ["backtest", "--horizons", "--draws", "200", "--out", str(tmp_path / "bt")]
    vi = CliRunner().invoke(main, args + ["--lang", "vi"], env={"COLUMNS": "80"})
    assert vi.exit_code == 0, vi.output
    for word in ("mọi năm lập dự báo và mọi chân trời dự báo", "mô hình gộp", "thang logarit",
                 "liên tỉnh", "đơn giản", "năm lập", "độ phủ", "tỷ số", "điểm khoảng 90",
                 "số năm: chân trời dự báo", "phân phối liên tỉnh", "Đã ghi"):
        assert word in vi.output, (word, vi.output)
    printed = vi.output.split("Đã ghi")[0]  # without the folder written
    for word in ("origin", "horizon", "naive", "climatology", "ratio", "cover", "IS 90",
                 "Coverage", "Wrote", "benchmark"):
        assert word not in printed, (word, vi.output)
    assert re.search(r"\b0,\d{3}\b", vi.output) and not re.search(r"\b0\.\d{3}\b", vi.output)


def test_an_unknown_language_is_a_usage_error():
    result = CliRunner().invoke(main, ["solve", str(BASE), "--target", "roads_2025", "--lever",
                                       "extra_road_share", "--lang", "fr"])
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'vi'" in result.output


def test_calibrate_in_vietnamese_writes_fits_and_reasons_from_the_catalog():
    from forecast.analysis.calibration_report import reason_key

    result = CliRunner().invoke(main, ["calibrate", str(BASE), "--lang", "vi", "--draws", "200"])
    assert result.exit_code == 0, result.output
    for english in ("AR(1) of yearly growth", "OLS on matched yearly figures",
                    "the longest run", "matched yearly observation"):
        assert english not in result.output, english
    assert "chuỗi số liệu liên tiếp dài nhất" in result.output
    assert reason_key("the longest run of consecutive yearly values has 3; an AR(1) fit needs "
                      "at least 8") == ("cal_no_fit_short_run", {"n": "3", "least": "8"})
    assert reason_key("something new") == (None, {})


# English sentences of the models' provenance texts (forecast.models, forecast.info)
SOURCE_ENGLISH = ("the evidence removed", "no usable evidence", "base-year level not given",
                  "not identified", "block(s) covering", "evidence rows on lines",
                  "no evidence pair", "read on line", "prior normal(",
                  "pooled towards the group",
                  "prior halfnormal(", "prior pooled", "no AR(1) fit is made")


def test_calibrate_writes_how_each_parameter_was_obtained_in_the_language():
    args = ["calibrate", str(BASE), "--draws", "200"]
    env = {"COLUMNS": "1000"}  # one line per row: sentences are not broken across lines
    vi = CliRunner().invoke(main, [*args, "--lang", "vi"], env=env)
    en = CliRunner().invoke(main, args, env=env)
    assert vi.exit_code == 0 and en.exit_code == 0, vi.output + en.output
    for english in SOURCE_ENGLISH:
        assert english not in vi.output, english
        assert english in en.output, english
    for words in ("số liệu làm giảm 81 % phương sai tiên nghiệm",
                  "mức năm gốc không nguồn nào công bố: ", "tiên nghiệm normal(0,07234; 0,0174734)",
                  "tiên nghiệm gộp vietnam_provincial_revenue_volatility = lognormal(-1,7077; "
                  "0,257358)", "mức năm 2020 đọc ở dòng 20: ",
                  "mô hình này không ước lượng AR(1) trên phần dư"):
        assert words in vi.output, words
    assert "the evidence removed 81 % of the prior variance; prior normal(0.07234, 0.0174734)" in (
        en.output)
    # a design the evidence pins only partly (Phú Thọ's fiscal model) leans on the priors
    args = ["calibrate", str(BASE.parent / "phu_tho.yaml"), "--draws", "200"]
    vi = CliRunner().invoke(main, [*args, "--lang", "vi"], env=env)
    en = CliRunner().invoke(main, args, env=env)
    assert "leaning on the priors" in en.output and "leaning on the priors" not in vi.output
    assert "dựa thêm vào tiên nghiệm của các hệ số còn lại" in vi.output


def test_parameter_sources_are_phrases_with_their_english_kept():
    import json

    import forecast
    from forecast.analysis.calibration_report import detail_text
    from forecast.messages import Phrase, compose
    from forecast.models import ParameterSource

    report = forecast.calibration_report(BASE, draws=200)
    for record in json.loads(json.dumps(report.to_dict()))["parameters"]:
        assert record["phrases"] and detail_text(record, "en") == record["detail"]
        vi = detail_text(record, "vi")
        assert not any(english in vi for english in SOURCE_ENGLISH), vi
    drift = next(r for r in report.parameters
                 if (r["indicator"], r["parameter"]) == ("output", "drift"))
    assert [p["key"] for p in drift["phrases"]] == ["src_group", "src_rows", "src_removed",
                                                  "src_prior"]
    # a plug-in's own words stay as written in every language; phrases nest
    own = ParameterSource("slope", "evidence", "3 year(s) of evidence")
    assert own.detail == own.text("vi") == "3 year(s) of evidence"
    nested = ParameterSource("x", "prior", Phrase.of("src_no_density", reason=Phrase.of(
        "src_no_stationary_weight")))
    assert nested.detail == ("a prior without density is drawn as declared (the prior gives "
                             "no weight inside (-1, 1))")
    assert "(-1, 1)" in nested.text("vi") and "prior" not in nested.text("vi")
    phrase = Phrase.of("src_pairs", pairs=[Phrase.of("src_pair", added=6, at_risk=14,
                                                     years=1)])
    assert Phrase.from_json(json.loads(json.dumps(phrase.to_json()))) == phrase
    assert compose([phrase], "vi") == "số liệu: thêm 6 trên 14 đơn vị chưa đạt trong 1 năm"
