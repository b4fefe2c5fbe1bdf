"""Every word the report and the charts write, in English and Vietnamese.

Indicator and target labels are not here: they come from the scenario (``label: {en, vi}``).
Numbers are written the way each language reads them: ``1,234.5`` in English, ``1.234,5`` in
Vietnamese.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forecast.errors import InputError, did_you_mean

LANGUAGES = ("en", "vi")

_EN: dict[str, Any] = {
    "title": "Will the plan's targets be reached?",
    "scenario": "Scenario",
    "scenarios": "Scenarios",
    "region": "Region",
    "simulated_on": "Simulated on",
    "seed": "Seed",
    "draws": "Draws",
    "version": "forecast version",
    "scenario_hash": "Scenario fingerprint (SHA-256)",
    "joint_sentence": "Probability that all {n} targets are reached together: {p}.",
    "targets_heading": "Targets",
    "col_target": "Target",
    "col_probability": "Probability",
    "col_median": "Median",
    "col_interval": "90 % interval",
    "col_required": "Required rate",
    "col_historical": "Historical rate",
    "col_assumed": "Assumed start",
    "assumed_mark": "yes",
    "table_note": ("Probability: share of simulated futures in which the target is reached, "
                   "± its Monte Carlo standard error. \u201cAssumed start\u201d: the indicator "
                   "starts from a base-year level that no source gives."),
    "by_scenario_heading": "Probability by scenario",
    "all_targets": "All targets together",
    "charts_heading": "Probabilities and rates",
    "fans_heading": "Where each indicator is heading",
    "fan_caption": ("Line: median of the simulated paths. Dark band: half of the paths (25\u201375 %). "
                    "Light band: 90 % of them (5\u201395 %). Points: published figures."),
    "evidence_caption": "Figures behind this chart:",
    "no_evidence": "No published figure for this indicator; the chart is the model alone.",
    "plotted": "plotted",
    "not_plotted": "used in the fit, not plotted",
    "assumptions_heading": "Assumptions",
    "assumptions_intro": ("No published figure for the region gives these values: the simulation "
                          "draws each from the distribution shown, for the reason the scenario "
                          "gives."),
    "levels_heading": "Starting levels no source gives",
    "priors_heading": "Uncertain model parameters",
    "same_as_first": "Other assumptions as in scenario {name}.",
    "sources_heading": "Data sources",
    "sources_intro": "Every published figure the models were fitted to, with where it was read.",
    "target_sources": "Where the targets are set",
    "how_heading": "How to read this",
    "how_text": [
        ("The model was fitted to the published figures listed under data sources, then run "
         "{draws} times with different draws of everything that is uncertain: growth, prices, "
         "shocks, and the starting levels no source gives. Each run is one possible future."),
        ("A target's probability is the share of those futures in which it is reached. A "
         "probability near 50 % means the target is about as likely to be missed as reached; "
         "the \u00b1 figure is the error from using a finite number of runs, not the uncertainty "
         "about the future."),
        ("The required rate is the constant yearly pace from the base year that just reaches the "
         "target; the historical rate is the pace the published record shows. A required rate "
         "well above the historical one means the plan asks for faster progress than before."),
        ("The fan charts show the spread of the simulated futures year by year. The bands widen "
         "because uncertainty adds up over time. Where the published record is thin the bands "
         "are wide: they show what is not known, not a flaw of the chart."),
    ],
    # charts
    "median": "Median",
    "band50": "50 % of paths",
    "band90": "90 % of paths",
    "observed": "Published",
    "definition": "definition",
    "year": "Year",
    "probability_axis": "Probability of reaching the target (%)",
    "mc_error": "error bars: \u00b1 2 Monte Carlo standard errors",
    "required": "Required",
    "historical": "Historical",
    "no_historical": "no historical rate",
    "no_required": "no required rate",
    "rates_title": "Yearly rate the target needs, against the published record",
    "targets_title": "Probability of reaching each target",
    "compare_title": "Probability of reaching each target, by scenario",
    "target_level": "Target {year}: {op} {value}",
    "target_pace": "Target pace {first}\u2013{last}: {op} {value}, from the median",
    "target_sum": "Target: sum {first}\u2013{last} {op} {value} ({avg} a year on average)",
    "at_least": "\u2265",
    "at_most": "\u2264",
    "kind_level": "level",
    "kind_change": "change in the year",
    "kind_average_growth": "average growth",
    "kind_average_change": "average change",
    "per_year": "/yr",
    "points": "pt",
    "percent_unit": "%",
}

_VI: dict[str, Any] = {
    "title": "Các chỉ tiêu của kế hoạch có đạt được không?",
    "scenario": "Kịch bản",
    "scenarios": "Các kịch bản",
    "region": "Địa bàn",
    "simulated_on": "Ngày mô phỏng",
    "seed": "Giá trị khởi tạo ngẫu nhiên (seed)",
    "draws": "Số lần mô phỏng",
    "version": "Phiên bản forecast",
    "scenario_hash": "Mã nhận dạng kịch bản (SHA-256)",
    "joint_sentence": "Xác suất đạt đồng thời cả {n} chỉ tiêu: {p}.",
    "targets_heading": "Các chỉ tiêu",
    "col_target": "Chỉ tiêu",
    "col_probability": "Xác suất",
    "col_median": "Trung vị",
    "col_interval": "Khoảng 90 %",
    "col_required": "Tốc độ cần có",
    "col_historical": "Tốc độ đã đạt",
    "col_assumed": "Mức xuất phát giả định",
    "assumed_mark": "có",
    "table_note": ("Xác suất: tỷ lệ các tương lai mô phỏng trong đó chỉ tiêu đạt được, kèm sai số "
                   "chuẩn Monte Carlo (±). \u201cMức xuất phát giả định\u201d: chỉ số bắt đầu từ "
                   "một mức năm gốc mà không nguồn nào công bố."),
    "by_scenario_heading": "Xác suất theo kịch bản",
    "all_targets": "Đạt tất cả các chỉ tiêu",
    "charts_heading": "Xác suất và tốc độ",
    "fans_heading": "Xu hướng của từng chỉ số",
    "fan_caption": ("Đường: trung vị của các đường mô phỏng. Dải đậm: một nửa số đường (25\u201375 %). "
                    "Dải nhạt: 90 % số đường (5\u201395 %). Điểm: số liệu đã công bố."),
    "evidence_caption": "Số liệu làm căn cứ cho biểu đồ:",
    "no_evidence": "Không có số liệu công bố cho chỉ số này; biểu đồ chỉ thể hiện mô hình.",
    "plotted": "có trên biểu đồ",
    "not_plotted": "dùng để ước lượng mô hình, không vẽ",
    "assumptions_heading": "Các giả định",
    "assumptions_intro": ("Không có số liệu công bố nào của địa bàn cho các giá trị dưới đây: mô "
                          "phỏng rút mỗi giá trị từ phân phối đã nêu, với lý do kịch bản đưa ra."),
    "levels_heading": "Mức xuất phát không có nguồn công bố",
    "priors_heading": "Các tham số mô hình chưa chắc chắn",
    "same_as_first": "Các giả định khác như trong kịch bản {name}.",
    "sources_heading": "Nguồn số liệu",
    "sources_intro": "Mọi số liệu công bố mà mô hình dựa vào, kèm nơi đã lấy số liệu.",
    "target_sources": "Nơi đặt ra các chỉ tiêu",
    "how_heading": "Cách đọc báo cáo này",
    "how_text": [
        ("Mô hình được ước lượng từ các số liệu công bố liệt kê ở phần nguồn số liệu, rồi chạy "
         "{draws} lần với các giá trị ngẫu nhiên khác nhau cho mọi yếu tố chưa chắc chắn: tăng "
         "trưởng, giá cả, các cú sốc, và các mức xuất phát không có nguồn công bố. Mỗi lần chạy "
         "là một tương lai có thể xảy ra."),
        ("Xác suất của một chỉ tiêu là tỷ lệ các tương lai trong đó chỉ tiêu đạt được. Xác suất "
         "gần 50 % nghĩa là khả năng đạt và không đạt gần như ngang nhau; con số ± là sai số do "
         "số lần chạy có hạn, không phải độ bất định về tương lai."),
        ("Tốc độ cần có là nhịp độ đều hằng năm từ năm gốc vừa đủ để đạt chỉ tiêu; tốc độ đã đạt "
         "là nhịp độ mà số liệu công bố cho thấy. Tốc độ cần có cao hơn nhiều so với tốc độ đã "
         "đạt nghĩa là kế hoạch đòi hỏi tiến bộ nhanh hơn trước."),
        ("Biểu đồ hình quạt cho thấy độ phân tán của các tương lai mô phỏng theo từng năm. Các "
         "dải rộng dần vì độ bất định cộng dồn theo thời gian. Nơi số liệu công bố ít, các dải "
         "rộng: chúng cho thấy điều chưa biết, không phải lỗi của biểu đồ."),
    ],
    "median": "Trung vị",
    "band50": "50 % số đường",
    "band90": "90 % số đường",
    "observed": "Số liệu công bố",
    "definition": "định nghĩa",
    "year": "Năm",
    "probability_axis": "Xác suất đạt chỉ tiêu (%)",
    "mc_error": "thanh sai số: \u00b1 2 sai số chuẩn Monte Carlo",
    "required": "Cần có",
    "historical": "Đã đạt",
    "no_historical": "không có tốc độ đã đạt",
    "no_required": "không có tốc độ cần có",
    "rates_title": "Tốc độ hằng năm chỉ tiêu cần, so với số liệu đã công bố",
    "targets_title": "Xác suất đạt từng chỉ tiêu",
    "compare_title": "Xác suất đạt từng chỉ tiêu, theo kịch bản",
    "target_level": "Chỉ tiêu {year}: {op} {value}",
    "target_pace": "Nhịp độ chỉ tiêu {first}\u2013{last}: {op} {value}, tính từ trung vị",
    "target_sum": "Chỉ tiêu: tổng {first}\u2013{last} {op} {value} (bình quân {avg} mỗi năm)",
    "at_least": "\u2265",
    "at_most": "\u2264",
    "kind_level": "mức",
    "kind_change": "thay đổi trong năm",
    "kind_average_growth": "tăng bình quân",
    "kind_average_change": "thay đổi bình quân",
    "per_year": "/năm",
    "points": "điểm",
    "percent_unit": "%",
}

_TABLES: dict[str, dict[str, Any]] = {"en": _EN, "vi": _VI}

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SWAP = str.maketrans({",": ".", ".": ","})


def strings(lang: str) -> Mapping[str, Any]:
    """The words of one language.

    Raises
    ------
    InputError
        If ``lang`` is not one of :data:`LANGUAGES`.
    """
    try:
        return _TABLES[lang]
    except KeyError:
        raise InputError.single(f"unknown language '{lang}'; expected one of "
                                f"{', '.join(LANGUAGES)}.{did_you_mean(lang, LANGUAGES)}",
                                key="lang") from None


def localize(text: str, lang: str) -> str:
    """Rewrite an English-formatted number or rate for ``lang``.

    English output of :mod:`forecast.formatting` (``1,234.5``, ``+3.51 pt/yr``) becomes
    ``1.234,5`` and ``+3,51 điểm/năm`` in Vietnamese; English text is returned unchanged.
    """
    if lang == "en":
        return text
    words = strings(lang)
    text = _NUMBER.sub(lambda m: m.group(0).translate(_SWAP), text)
    text = text.replace(" pt/yr", f" {words['points']}/yr")
    return text.replace("/yr", words["per_year"])


def number(value: float, decimals: int, lang: str) -> str:
    """``value`` with thousands separators and ``decimals`` decimals, written for ``lang``."""
    return localize(f"{value:,.{decimals}f}", lang)
