"""The one message catalog: every word the tool writes in the report, the charts and the
terminal, in English and Vietnamese, units included.

:data:`CATALOG` maps a key to its text in each language of :data:`LANGUAGES`. Placeholders are
``str.format`` fields (``{n}``) and must be the same in every language. Unit words (``unit:``
keys) translate the units the scenarios write (``billion VND`` -> ``tỷ đồng``); a unit the
catalog does not know is shown as the scenario writes it. Numbers are not here: they are
written by :mod:`forecast.formatting` (Babel) for each language.

Text that a scenario or a history file writes in one language only (reasons for assumptions,
source names, the region) is shown as written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forecast.errors import InputError, did_you_mean

LANGUAGES = ("en", "vi")
LOCALES = {"en": "en", "vi": "vi_VN"}
"""The Babel locale of each language."""

CATALOG: dict[str, dict[str, str]] = {
    # -- report: header ---------------------------------------------------------------------
    "title": {"en": "Will the plan's targets be reached?",
              "vi": "Các chỉ tiêu của kế hoạch có đạt được không?"},
    "scenario": {"en": "Scenario", "vi": "Kịch bản"},
    "scenarios": {"en": "Scenarios", "vi": "Các kịch bản"},
    "region": {"en": "Region", "vi": "Địa bàn"},
    "simulated_on": {"en": "Simulated on", "vi": "Ngày mô phỏng"},
    "seed": {"en": "Seed", "vi": "Giá trị khởi tạo ngẫu nhiên (seed)"},
    "draws": {"en": "Draws", "vi": "Số lần mô phỏng"},
    "version": {"en": "forecast version", "vi": "Phiên bản forecast"},
    "scenario_hash": {"en": "Scenario fingerprint (SHA-256)",
                      "vi": "Mã nhận dạng kịch bản (SHA-256)"},
    "contents": {"en": "Contents", "vi": "Nội dung"},
    # -- report: target table ---------------------------------------------------------------
    "joint_sentence": {"en": "Probability that all {n} targets are reached together: {p}.",
                       "vi": "Xác suất đạt đồng thời cả {n} chỉ tiêu: {p}."},
    "targets_heading": {"en": "Targets", "vi": "Các chỉ tiêu"},
    "col_target": {"en": "Target", "vi": "Chỉ tiêu"},
    "col_probability": {"en": "Probability", "vi": "Xác suất"},
    "col_median": {"en": "Median", "vi": "Trung vị"},
    "col_interval": {"en": "90 % interval", "vi": "Khoảng dự báo 90 %"},
    "col_required": {"en": "Required rate", "vi": "Tốc độ cần có"},
    "col_historical": {"en": "Historical rate", "vi": "Tốc độ đã đạt"},
    "col_assumed": {"en": "Assumed start", "vi": "Mức gốc giả định"},
    "assumed_mark": {"en": "yes", "vi": "có"},
    "table_note": {
        "en": ("Probability: share of simulated futures in which the target is reached, ± its "
               "Monte Carlo standard error. \u201cAssumed start\u201d: the indicator starts from "
               "a base-year level that no source gives. \u2020: more than half of what decides "
               "the target comes from priors and assumptions, not from data."),
        "vi": ("Xác suất: tỷ lệ các tương lai mô phỏng trong đó chỉ tiêu đạt được, kèm sai số "
               "chuẩn Monte Carlo (±). \u201cMức gốc giả định\u201d: chỉ số bắt đầu từ một "
               "mức năm gốc mà không nguồn nào công bố. \u2020: hơn một nửa những gì quyết định "
               "chỉ tiêu đến từ các giả định, không phải từ số liệu.")},
    "by_scenario_heading": {"en": "Probability by scenario", "vi": "Xác suất theo kịch bản"},
    "all_targets": {"en": "All targets together", "vi": "Đạt tất cả các chỉ tiêu"},
    "at_least_heading": {"en": "How many targets are reached",
                         "vi": "Đạt được bao nhiêu chỉ tiêu"},
    "col_at_least": {"en": "At least", "vi": "Ít nhất"},
    "at_least_row": {"en": "{k} of {n} targets", "vi": "{k} trên {n} chỉ tiêu"},
    "at_least_note": {"en": ("The probability that at least this many of the {n} targets are "
                             "reached in the same simulated future."),
                      "vi": ("Xác suất có ít nhất bấy nhiêu trong {n} chỉ tiêu cùng đạt trong "
                             "một tương lai mô phỏng.")},
    # -- report: drivers --------------------------------------------------------------------
    "drivers_heading": {"en": "What each probability rests on",
                        "vi": "Mỗi xác suất dựa vào đâu"},
    "drivers_intro": {
        "en": ("For each target, the uncertain inputs that most decide whether it is reached in "
               "this run, and how much of that rests on priors and assumptions rather than on "
               "published figures."),
        "vi": ("Với mỗi chỉ tiêu: các yếu tố chưa chắc chắn quyết định nhiều nhất việc chỉ tiêu "
               "có đạt hay không trong lần chạy này, và phần nào dựa vào giả định thay vì số "
               "liệu đã công bố.")},
    "assumption_share": {"en": "{share} of it rests on priors and assumptions.",
                         "vi": "{share} dựa vào các giả định và phân phối tiên nghiệm."},
    "rests_on_assumptions": {"en": "This probability rests mostly on assumptions.",
                             "vi": "Xác suất này chủ yếu dựa vào giả định."},
    "driver_words": {"en": "depends on {input} ({origin}): {low} if it is {low_value}, {high} "
                           "if it is {high_value}",
                     "vi": "phụ thuộc vào {input} ({origin}): {low} nếu bằng {low_value}, {high} "
                           "nếu bằng {high_value}"},
    "no_drivers": {"en": "Drivers need every draw; this run kept only summaries.",
                   "vi": "Cần mọi lần mô phỏng để xác định các yếu tố; lần chạy này chỉ giữ "
                         "số liệu tóm tắt."},
    "origin_data": {"en": "data", "vi": "số liệu"},
    "origin_evidence": {"en": "data", "vi": "số liệu"},
    "origin_observed": {"en": "published level", "vi": "mức đã công bố"},
    "origin_prior": {"en": "prior", "vi": "tiên nghiệm"},
    "origin_pooled": {"en": "pooled prior", "vi": "tiên nghiệm gộp"},
    "origin_assumption": {"en": "assumption", "vi": "giả định"},
    # -- report: what it would take (forecast plan) -----------------------------------------
    "plan_heading": {"en": "What it would take", "vi": "Cần làm gì để đạt"},
    "plan_feasible": {
        "en": ("The cheapest setting of the levers that gives {targets} at least {p} each "
               "costs {cost} a year:"),
        "vi": ("Cách bố trí các đòn bẩy rẻ nhất để {targets} mỗi chỉ tiêu đạt ít nhất {p} "
               "tốn {cost} mỗi năm:")},
    "plan_feasible_joint": {
        "en": ("The cheapest setting of the levers that gives {targets} together at least {p} "
               "costs {cost} a year:"),
        "vi": ("Cách bố trí các đòn bẩy rẻ nhất để {targets} cùng đạt với xác suất ít nhất "
               "{p} tốn {cost} mỗi năm:")},
    "plan_infeasible": {
        "en": ("No setting of the levers within their ranges and budgets gives {targets} "
               "{p}; the best reachable setting, which still misses, is:"),
        "vi": ("Không cách bố trí đòn bẩy nào trong phạm vi và ngân sách cho phép giúp "
               "{targets} đạt {p}; cách tốt nhất có thể, vẫn chưa đạt, là:")},
    "plan_lever": {"en": "Lever", "vi": "Đòn bẩy"},
    "plan_value": {"en": "Setting", "vi": "Mức"},
    "plan_probability": {"en": "Probability at that setting",
                         "vi": "Xác suất với mức đó"},
    "plan_note": {
        "en": ("From forecast plan, saved with this run ({draws} draws, seed {seed}): "
               "probabilities are the exact Monte Carlo estimates at the setting, ± their "
               "standard error."),
        "vi": ("Từ lệnh forecast plan lưu cùng lần chạy này ({draws} lần mô phỏng, hạt giống "
               "{seed}): xác suất là ước lượng Monte Carlo tại mức đó, ± sai số chuẩn.")},
    # -- report: sensitivity ----------------------------------------------------------------
    "sensitivity_heading": {"en": "If an unknown were known",
                            "vi": "Nếu một ẩn số được biết"},
    "sensitivity_intro": {
        "en": ("From the sensitivity analysis saved with this run: how each target's probability "
               "would move with the input that matters most for it, and where it is missed."),
        "vi": ("Từ phân tích độ nhạy lưu cùng lần chạy này: xác suất của mỗi chỉ tiêu thay đổi "
               "thế nào theo yếu tố quan trọng nhất với nó, và chỉ tiêu bị hụt ở đâu.")},
    "curve_title": {"en": "Probability of {target} against {input}",
                    "vi": "Xác suất đạt {target} theo {input}"},
    "curve_axis": {"en": "Probability (%)", "vi": "Xác suất (%)"},
    "curve_band": {"en": "95 % band", "vi": "Dải 95 %"},
    "box_none": {"en": "{target} is missed in {rate} of the draws; no region of the inputs "
                       "concentrates the misses.",
                 "vi": "{target} bị hụt trong {rate} số lần mô phỏng; không vùng nào của các "
                       "yếu tố tập trung các lần hụt."},
    "box_sentence": {"en": "{target} is missed in {density} of the draws where {conditions} "
                           "(those draws are {mass} of all and hold {coverage} of the misses; "
                           "{rate} are missed overall).",
                     "vi": "{target} bị hụt trong {density} số lần mô phỏng có {conditions} "
                           "(chiếm {mass} tổng số và {coverage} số lần hụt; tính chung {rate} "
                           "bị hụt)."},
    "and": {"en": " and ", "vi": " và "},
    # -- report: charts and fans ------------------------------------------------------------
    "charts_heading": {"en": "Probabilities and rates", "vi": "Xác suất và tốc độ"},
    "fans_heading": {"en": "Where each indicator is heading", "vi": "Xu hướng của từng chỉ số"},
    "fan_caption": {
        "en": ("Line: median of the simulated paths. Dark band: half of the paths (25\u201375 %). "
               "Light band: 90 % of them (5\u201395 %). Points: published figures."),
        "vi": ("Đường: trung vị của các lần mô phỏng. Dải đậm: một nửa số lần mô phỏng "
               "(25\u201375 %). Dải nhạt: 90 % số lần mô phỏng (5\u201395 %). Điểm: số liệu đã "
               "công bố.")},
    "evidence_caption": {"en": "Figures behind this chart:",
                         "vi": "Số liệu làm căn cứ cho biểu đồ:"},
    "no_evidence": {"en": "No published figure for this indicator; the chart is the model alone.",
                    "vi": "Không có số liệu công bố cho chỉ số này; biểu đồ chỉ thể hiện mô hình."},
    "plotted": {"en": "plotted", "vi": "có trên biểu đồ"},
    "not_plotted": {"en": "used in the fit, not plotted",
                    "vi": "dùng để ước lượng mô hình, không vẽ"},
    # -- report: assumptions ----------------------------------------------------------------
    "assumptions_heading": {"en": "Assumptions", "vi": "Các giả định"},
    "assumptions_intro": {
        "en": ("No published figure for the region gives these values: the simulation draws each "
               "from the distribution shown, for the reason the scenario gives."),
        "vi": ("Không có số liệu công bố nào của địa bàn cho các giá trị dưới đây: mô phỏng rút "
               "mỗi giá trị từ phân phối đã nêu, với lý do kịch bản đưa ra.")},
    "levels_heading": {"en": "Starting levels no source gives",
                       "vi": "Mức xuất phát không có nguồn công bố"},
    "priors_heading": {"en": "Uncertain model parameters",
                       "vi": "Các tham số mô hình chưa chắc chắn"},
    "same_as_first": {"en": "Other assumptions as in scenario {name}.",
                      "vi": "Các giả định khác như trong kịch bản {name}."},
    "reason": {"en": "Reason given", "vi": "Lý do kịch bản nêu"},
    "read_fixed": {"en": "always {value}", "vi": "luôn bằng {value}"},
    "read_uniform": {"en": "any value from {low} to {high}, all equally likely",
                     "vi": "bất kỳ giá trị nào từ {low} đến {high}, khả năng như nhau"},
    "read_integers": {"en": "a whole number from {low} to {high}, each equally likely",
                      "vi": "một số nguyên từ {low} đến {high}, khả năng như nhau"},
    "read_one_sided": {"en": "most likely about {median}, rarely above {high}",
                       "vi": "nhiều khả năng khoảng {median}, hiếm khi trên {high}"},
    "read_two_sided": {"en": "most likely about {median}; 9 times in 10 between {low} and {high}",
                       "vi": "nhiều khả năng khoảng {median}; 9 trên 10 lần nằm trong khoảng "
                             "{low} đến {high}"},
    "read_pooled": {"en": "derived from the panel of provinces: {name}",
                    "vi": "suy ra từ số liệu các tỉnh: {name}"},
    "read_lever": {"en": "set by the lever {name} to {value}",
                   "vi": "do đòn bẩy {name} đặt bằng {value}"},
    "read_shock_year": {"en": "a shock of {size} in {year}", "vi": "cú sốc {size} vào năm {year}"},
    "read_shock_rare": {"en": "in any year with probability {p}: a shock of {size}",
                        "vi": "mỗi năm với xác suất {p}: cú sốc {size}"},
    "years_exponent": {"en": "years", "vi": "số năm"},
    "read_relation": {"en": "follows from a published figure through a ratio",
                      "vi": "suy ra từ một số liệu công bố qua một tỷ số"},
    # -- report: sources and reading guide --------------------------------------------------
    "sources_heading": {"en": "Data sources", "vi": "Nguồn số liệu"},
    "sources_intro": {"en": "Every published figure the models were fitted to, with where it "
                            "was read.",
                      "vi": "Mọi số liệu công bố mà mô hình dựa vào, kèm nơi đã lấy số liệu."},
    "target_sources": {"en": "Where the targets are set", "vi": "Nơi đặt ra các chỉ tiêu"},
    "how_heading": {"en": "How to read this", "vi": "Cách đọc báo cáo này"},
    "how_1": {
        "en": ("The model was fitted to the published figures listed under data sources, then run "
               "{draws} times with different draws of everything that is uncertain: growth, "
               "prices, shocks, and the starting levels no source gives. Each run is one possible "
               "future."),
        "vi": ("Mô hình được ước lượng từ các số liệu công bố liệt kê ở phần nguồn số liệu, rồi "
               "chạy {draws} lần với các giá trị ngẫu nhiên khác nhau cho mọi yếu tố chưa chắc "
               "chắn: tăng trưởng, giá cả, các cú sốc, và các mức xuất phát không có nguồn công "
               "bố. Mỗi lần chạy là một tương lai có thể xảy ra.")},
    "how_2": {
        "en": ("A target's probability is the share of those futures in which it is reached. A "
               "probability near 50 % means the target is about as likely to be missed as "
               "reached; the \u00b1 figure is the error from using a finite number of runs, not "
               "the uncertainty about the future."),
        "vi": ("Xác suất của một chỉ tiêu là tỷ lệ các tương lai trong đó chỉ tiêu đạt được. Xác "
               "suất gần 50 % nghĩa là khả năng đạt và không đạt gần như ngang nhau; con số ± là "
               "sai số do số lần chạy có hạn, không phải độ bất định về tương lai.")},
    "how_3": {
        "en": ("The required rate is the constant yearly pace from the base year that just "
               "reaches the target; the historical rate is the pace the published record shows. "
               "A required rate well above the historical one means the plan asks for faster "
               "progress than before."),
        "vi": ("Tốc độ cần có là nhịp độ đều hằng năm từ năm gốc vừa đủ để đạt chỉ tiêu; tốc độ "
               "đã đạt là nhịp độ mà số liệu công bố cho thấy. Tốc độ cần có cao hơn nhiều so với "
               "tốc độ đã đạt nghĩa là kế hoạch đòi hỏi tiến bộ nhanh hơn trước.")},
    "how_4": {
        "en": ("The fan charts show the spread of the simulated futures year by year. The bands "
               "widen because uncertainty adds up over time. Where the published record is thin "
               "the bands are wide: they show what is not known, not a flaw of the chart."),
        "vi": ("Biểu đồ hình quạt cho thấy độ phân tán của các tương lai mô phỏng theo từng năm. "
               "Các dải rộng dần vì độ bất định cộng dồn theo thời gian. Nơi số liệu công bố ít, "
               "các dải rộng: chúng cho thấy điều chưa biết, không phải lỗi của biểu đồ.")},
    # -- charts -----------------------------------------------------------------------------
    "median": {"en": "Median", "vi": "Trung vị"},
    "band50": {"en": "50 % of paths", "vi": "50 % số lần mô phỏng"},
    "band90": {"en": "90 % of paths", "vi": "90 % số lần mô phỏng"},
    "observed": {"en": "Published", "vi": "Số liệu công bố"},
    "definition": {"en": "definition", "vi": "định nghĩa"},
    "year": {"en": "Year", "vi": "Năm"},
    "probability_axis": {"en": "Probability of reaching the target (%)",
                         "vi": "Xác suất đạt chỉ tiêu (%)"},
    "mc_error": {"en": "error bars: \u00b1 2 Monte Carlo standard errors",
                 "vi": "thanh sai số: \u00b1 2 sai số chuẩn Monte Carlo"},
    "required": {"en": "Required", "vi": "Cần có"},
    "historical": {"en": "Historical", "vi": "Đã đạt"},
    "no_historical": {"en": "no historical rate", "vi": "không có tốc độ đã đạt"},
    "no_required": {"en": "no required rate", "vi": "không có tốc độ cần có"},
    "rates_title": {"en": "Yearly rate the target needs, against the published record",
                    "vi": "Tốc độ hằng năm chỉ tiêu cần, so với số liệu đã công bố"},
    "targets_title": {"en": "Probability of reaching each target",
                      "vi": "Xác suất đạt từng chỉ tiêu"},
    "compare_title": {"en": "Probability of reaching each target, by scenario",
                      "vi": "Xác suất đạt từng chỉ tiêu, theo kịch bản"},
    "target_level": {"en": "Target {year}: {op} {value}", "vi": "Chỉ tiêu {year}: {op} {value}"},
    "target_pace": {"en": "Target pace {first}\u2013{last}: {op} {value}, from the median",
                    "vi": "Nhịp độ chỉ tiêu {first}\u2013{last}: {op} {value}, tính từ trung vị"},
    "target_sum": {"en": "Target: sum {first}\u2013{last} {op} {value} ({avg} a year on average)",
                   "vi": "Chỉ tiêu: tổng {first}\u2013{last} {op} {value} (bình quân {avg} mỗi "
                         "năm)"},
    "at_least": {"en": "\u2265", "vi": "\u2265"},
    "at_most": {"en": "\u2264", "vi": "\u2264"},
    "kind_level": {"en": "level", "vi": "mức"},
    "kind_change": {"en": "change in the year", "vi": "thay đổi trong năm"},
    "kind_average_growth": {"en": "average growth", "vi": "tăng bình quân"},
    "kind_average_change": {"en": "average change", "vi": "thay đổi bình quân"},
    # -- rates and units --------------------------------------------------------------------
    "per_year": {"en": "/yr", "vi": "/năm"},
    "points": {"en": "pt", "vi": "điểm"},
    "percent_unit": {"en": "%", "vi": "%"},
    "unit:billion VND": {"en": "billion VND", "vi": "tỷ đồng"},
    "unit:million VND": {"en": "million VND", "vi": "triệu đồng"},
    "unit:communes": {"en": "communes", "vi": "xã"},
    "unit:commune": {"en": "commune", "vi": "xã"},
    "unit:person": {"en": "person", "vi": "người"},
    "unit:per year": {"en": "per year", "vi": "mỗi năm"},
    "unit:per": {"en": "per", "vi": "mỗi"},
    "unit:prices": {"en": "({year} prices)", "vi": "(giá năm {year})"},
    "unit:index": {"en": "index", "vi": "chỉ số"},
    "unit:share": {"en": "share", "vi": "tỷ lệ"},
    "unit:share of": {"en": "share of", "vi": "tỷ lệ trên"},
    "unit:social investment": {"en": "social investment", "vi": "vốn đầu tư xã hội"},
    "unit:km": {"en": "km", "vi": "km"},
    "unit:households": {"en": "households", "vi": "hộ"},
    "unit:people": {"en": "people", "vi": "người"},
    "unit:persons": {"en": "persons", "vi": "người"},
    "unit:points": {"en": "points", "vi": "điểm"},
    "unit:provinces": {"en": "provinces", "vi": "tỉnh"},
    "unit:yr": {"en": "yr", "vi": "năm"},
    "unit:targets": {"en": "targets", "vi": "chỉ tiêu"},
    "unit:ratio": {"en": "ratio", "vi": "tỷ số"},
    "unit:criteria": {"en": "criteria", "vi": "tiêu chí"},
    "unit:units": {"en": "units", "vi": "đơn vị"},
    "unit:areas": {"en": "areas", "vi": "khu vực"},
    "unit:km2": {"en": "km2", "vi": "km²"},
    # -- terminal ---------------------------------------------------------------------------
    "t_title": {"en": "{name}: {draws} draws, seed {seed}",
                "vi": "{name}: {draws} lần mô phỏng, seed {seed}"},
    "t_target": {"en": "target", "vi": "chỉ tiêu"},
    "t_probability": {"en": "probability", "vi": "xác suất"},
    "t_median": {"en": "median", "vi": "trung vị"},
    "t_interval": {"en": "90 % interval", "vi": "khoảng 90 %"},
    "t_required": {"en": "required rate", "vi": "tốc độ cần"},
    "t_historical": {"en": "historical rate", "vi": "tốc độ đã đạt"},
    "t_assumed": {"en": "assumed", "vi": "giả định"},
    "t_joint": {"en": "All targets together: {p}", "vi": "Đạt tất cả các chỉ tiêu: {p}"},
    "t_at_least": {"en": "At least k of {n} targets: {items}",
                   "vi": "Đạt ít nhất k trên {n} chỉ tiêu: {items}"},
    "t_drivers": {"en": "What drives each probability (share from priors and assumptions; "
                        "\u2020 more than half):",
                  "vi": "Yếu tố quyết định mỗi xác suất (phần dựa vào giả định; \u2020 hơn một "
                        "nửa):"},
    "t_driver_line": {"en": "{share} from priors and assumptions; {words}",
                      "vi": "{share} từ giả định; {words}"},
    "t_no_drivers": {"en": "Drivers need every draw (this run kept only summaries): run with "
                           "--keep-draws or use 'forecast sensitivity'.",
                     "vi": "Cần mọi lần mô phỏng để xác định các yếu tố (lần chạy này chỉ giữ "
                           "tóm tắt): chạy với --keep-draws hoặc dùng 'forecast sensitivity'."},
    "t_streamed": {"en": "Quantiles come from streamed summaries (draws not kept); their error "
                         "bounds are in summary.json{loose}",
                   "vi": "Các phân vị lấy từ tóm tắt (không giữ các lần mô phỏng); cận sai số "
                         "của chúng nằm trong summary.json{loose}"},
    "t_loose": {"en": "; above 1 % for: {ids}", "vi": "; trên 1 % với: {ids}"},
    "t_tight": {"en": ", all under 1 %.", "vi": ", tất cả dưới 1 %."},
    "t_key_assumptions": {"en": "Assumed base-year levels and priors that drive the answer:",
                          "vi": "Các mức năm gốc và tiên nghiệm giả định quyết định kết quả:"},
    "t_assumption_count": {"en": "{n} assumptions in all: 'forecast run ... --assumptions' or "
                                 "'forecast calibrate' lists every one.",
                           "vi": "Tổng cộng {n} giả định: 'forecast run ... --assumptions' hoặc "
                                 "'forecast calibrate' liệt kê đầy đủ."},
    "t_levels": {"en": "* Assumed base-year levels (sampled: no source gives them):",
                 "vi": "* Mức năm gốc giả định (rút ngẫu nhiên: không nguồn nào công bố):"},
    "t_others": {"en": "Other assumptions (priors, shocks, levers), declared in the scenario:",
                 "vi": "Các giả định khác (tiên nghiệm, cú sốc, đòn bẩy) khai báo trong kịch bản:"},
    "t_wrote": {"en": "Wrote {files}", "vi": "Đã ghi {files}"},
    # -- terminal: forecast holdout ------------------------------------------------------------
    "ho_title": {"en": "Figures after {origin} against the forecast made at {origin}",
                 "vi": "Các số liệu sau năm {origin} so với dự báo lập năm {origin}"},
    "ho_indicator": {"en": "indicator", "vi": "chỉ tiêu"},
    "ho_figure": {"en": "figure", "vi": "số liệu"},
    "ho_observed": {"en": "published", "vi": "số công bố"},
    "ho_median": {"en": "median", "vi": "trung vị"},
    "ho_range": {"en": "5–95 %", "vi": "khoảng 5–95 %"},
    "ho_pit": {"en": "PIT", "vi": "vị trí (PIT)"},
    "ho_in90": {"en": "in the 90 % interval", "vi": "trong khoảng 90 %"},
    "ho_summary": {"en": "{n} figures: the 50 % intervals held {c50}, the 90 % intervals {c90}; "
                         "mean PIT {pit} (0.5 when unbiased; the share of draws at or below the "
                         "figure).",
                   "vi": "{n} số liệu: khoảng dự báo 50 % chứa {c50}, khoảng 90 % chứa {c90}; "
                         "PIT trung bình {pit} (bằng 0,5 khi không lệch; tỷ lệ số lần mô phỏng "
                         "không vượt quá số liệu)."},
    "ho_assumed_base": {"en": "its base-year level is an assumption stated for {base_year}, not "
                               "for {origin}",
                        "vi": "mức năm gốc của chỉ tiêu là giả định cho năm {base_year}, không "
                              "phải cho năm {origin}"},
    "ho_not_read": {"en": "a {kind} in {unit} is not read by this check (levels and changes in "
                          "{own}, growth in {growth})",
                    "vi": "số liệu loại {kind} theo đơn vị {unit} không được kiểm tra ở đây (chỉ "
                          "mức và thay đổi theo {own}, tăng trưởng theo {growth})"},
    "ho_yes": {"en": "yes", "vi": "có"},
    "ho_no": {"en": "no", "vi": "không"},
    "ho_skipped": {"en": "not scored: {what}: {why}", "vi": "không chấm điểm: {what}: {why}"},
    "hr_title": {"en": "Each region's own series held out: {indicator}, yearly growth (%/yr), "
                       "{regions}; every origin, horizons 1-5",
                 "vi": "Kiểm định trên chuỗi số liệu riêng của từng địa bàn: {indicator}, tốc "
                       "độ tăng hằng năm (%/năm), {regions}; mọi năm lập dự báo, chân trời dự "
                       "báo 1-5 năm"},
    "hr_note": {"en": ("Coverage ± its binomial standard error at the nominal rate; CRPS in "
                       "points of growth and its ratio to each benchmark's (naive: the region's "
                       "own mean and sd; climatology: every region's yearly figures up to the "
                       "origin); mean PIT ± its standard error for a calibrated forecast "
                       "(0.5 when unbiased). The regions share their years (2020, 2023), so "
                       "forecasts of one year are not independent and the standard errors are "
                       "too small."),
                "vi": ("Độ phủ ± sai số chuẩn nhị thức tính tại tỷ lệ danh nghĩa; điểm CRPS "
                       "tính bằng điểm phần trăm tăng trưởng và tỷ số của nó với điểm CRPS của "
                       "từng phương pháp đối chứng (đơn giản: trung bình và độ lệch chuẩn của "
                       "chính địa bàn; liên tỉnh: mọi số liệu hằng năm của các địa bàn đến năm "
                       "lập dự báo); PIT trung bình ± sai số chuẩn của nó khi dự báo được hiệu "
                       "chỉnh tốt (bằng 0,5 khi không lệch). Các địa bàn cùng chịu tác động của "
                       "từng năm (2020, 2023), "
                       "nên các dự báo cho cùng một năm không độc lập với nhau và sai số chuẩn "
                       "nhỏ hơn thực tế.")},
    "hr_inputs": {"en": "it reads the inputs {inputs}, which a region's own rows do not "
                        "calibrate",
                  "vi": "chỉ tiêu dùng các đầu vào {inputs}, không ước lượng được từ số liệu "
                        "riêng của một địa bàn"},
    "hr_no_rows": {"en": "no region has rows of its evidence ({evidence})",
                   "vi": "không địa bàn nào có số liệu của {evidence}"},
    "hr_not_yearly": {"en": "this check scores yearly growth figures in {growth} (its forecasts "
                            "start from an index at the origin, not from a level)",
                      "vi": "phép kiểm định này chỉ chấm điểm tốc độ tăng hằng năm theo "
                            "{growth} (dự báo bắt đầu từ một chỉ số tại năm lập dự báo, không "
                            "từ một mức)"},
    # -- terminal: forecast backtest ----------------------------------------------------------
    "bt_title": {"en": "Backtest: fit {first}-{cutoff}, forecast {start}-{last}, {n} provinces "
                       "({column}, log scale)",
                 "vi": "Kiểm định trên số liệu quá khứ: ước lượng trên {first}-{cutoff}, dự báo "
                       "{start}-{last}, {n} tỉnh ({column}, thang logarit)"},
    "bt_horizons_title": {"en": "Backtest at every origin and horizon: {column}, model {model} "
                                "(log scale)",
                          "vi": "Kiểm định trên số liệu quá khứ ở mọi năm lập dự báo và mọi chân "
                                "trời dự báo: {column}, mô hình {model} (thang logarit)"},
    "bt_model_pooled": {"en": "pooled", "vi": "gộp"},
    "bt_model_independent": {"en": "independent", "vi": "độc lập"},
    "bt_method": {"en": "method", "vi": "phương pháp"},
    "bt_method_model": {"en": "model", "vi": "mô hình"},
    "bt_method_naive": {"en": "naive", "vi": "đơn giản"},
    "bt_method_climatology": {"en": "climatology", "vi": "liên tỉnh"},
    "bt_horizon": {"en": "horizon", "vi": "chân trời dự báo"},
    "bt_all": {"en": "all", "vi": "tất cả"},
    "bt_n": {"en": "n", "vi": "số dự báo"},
    "bt_origins": {"en": "origins", "vi": "năm lập dự báo"},
    "bt_coverage50": {"en": "50 % coverage", "vi": "độ phủ khoảng 50 %"},
    "bt_coverage90": {"en": "90 % coverage", "vi": "độ phủ khoảng 90 %"},
    "bt_crps": {"en": "CRPS", "vi": "điểm CRPS"},
    "bt_crps_vs_naive": {"en": "CRPS vs naive", "vi": "tỷ số CRPS so với đơn giản"},
    "bt_vs_climatology": {"en": "vs climatology", "vi": "so với liên tỉnh"},
    "bt_mean_pit": {"en": "mean PIT", "vi": "PIT trung bình"},
    "bt_interval90": {"en": "interval score 90", "vi": "điểm khoảng 90"},
    "bt_histogram": {"en": "PIT histogram (10 bins)", "vi": "tần suất PIT (10 nhóm)"},
    "bt_ahead": {"en": "ahead", "vi": "số năm"},
    "bt_cover": {"en": "cover 50 / 90 %", "vi": "độ phủ 50 / 90 %"},
    "bt_ratio": {"en": "ratio naive / clim", "vi": "tỷ số"},
    "bt_is90": {"en": "IS 90", "vi": "điểm khoảng 90"},
    "bt_compact_note": {
        "en": ("ahead: horizon in years; cover: coverage of the 50 % and 90 % intervals; ratio: "
               "CRPS over that of the naive and of the climatology forecast; IS 90: interval "
               "score of the 90 % interval."),
        "vi": ("số năm: chân trời dự báo, tính bằng năm; độ phủ: độ phủ của khoảng dự báo 50 % "
               "(dòng trên) và 90 % (dòng dưới); tỷ số: điểm CRPS chia cho điểm CRPS của dự báo "
               "đơn giản (dòng trên) và của phân phối liên tỉnh (dòng dưới); điểm khoảng 90: "
               "điểm đánh giá khoảng dự báo 90 %.")},
    "bt_note": {
        "en": ("Coverage ± its binomial standard error at the nominal rate; CRPS of log revenue "
               "± its standard error across forecasts. Provinces share their years, so "
               "forecasts of one year are not independent."),
        "vi": ("Độ phủ ± sai số chuẩn nhị thức tính tại tỷ lệ danh nghĩa; điểm CRPS của logarit "
               "số thu ngân sách ± sai số chuẩn giữa các dự báo. Các tỉnh cùng chịu tác động "
               "của từng năm, nên các dự báo cho cùng một năm không độc lập với nhau.")},
    "bt_horizons_note": {
        "en": ("Coverage ± its binomial standard error at the nominal rate; CRPS of log revenue "
               "and its ratio to each benchmark's; forecasts of one origin share the national "
               "path, so they are not independent."),
        "vi": ("Độ phủ ± sai số chuẩn nhị thức tính tại tỷ lệ danh nghĩa; điểm CRPS của logarit "
               "số thu ngân sách và tỷ số của nó với điểm CRPS của từng phương pháp đối chứng; "
               "các dự báo lập cùng một năm có chung diễn biến cả nước, nên không độc lập với "
               "nhau.")},
    "bt_left_out": {"en": "left out {what}: {why}", "vi": "loại ra {what}: {why}"},
    "bt_skipped": {"en": "skipped {province}: {why}", "vi": "bỏ qua {province}: {why}"},
    "bt_what_unnamed": {"en": "{n} rows with an empty province (lines {lines})",
                        "vi": "{n} dòng không ghi tỉnh (các dòng {lines})"},
    "bt_why_unnamed": {"en": "no province to attach them to",
                       "vi": "không biết các dòng này thuộc tỉnh nào"},
    "bt_what_year": {"en": "levels of {year}", "vi": "số liệu năm {year}"},
    "bt_why_few_levels": {"en": "{n} level(s) in the fitting years (fewer than {least}) or none "
                                "in the cut-off year",
                          "vi": "có {n} mức trong các năm ước lượng (ít hơn {least}) hoặc không "
                                "có mức ở năm cuối ước lượng"},
    "bt_why_missing_year": {"en": "a forecast year is missing",
                            "vi": "thiếu số liệu của một năm dự báo"},
    # -- terminal: compare, solve, plan, calibrate, sensitivity, update ---------------------
    "t_difference_unpaired": {"en": "difference: points against the first scenario ± the "
                                    "standard error of the unpaired difference (different "
                                    "seeds: independent estimates)",
                              "vi": "chênh lệch: điểm phần trăm so với kịch bản đầu ± sai số "
                                    "chuẩn của chênh lệch không ghép cặp (seed khác nhau: các "
                                    "ước lượng độc lập)"},
    "t_not_compared": {"en": "Not compared: {what}", "vi": "Không so sánh: {what}"},
    "origin_noise": {"en": "noise", "vi": "nhiễu"},
    "t_solve_value": {"en": "{lever} = {value} ({spread}, Monte Carlo) gives {target} a "
                            "probability of {p} (wanted {wanted})",
                      "vi": "{lever} = {value} ({spread}, Monte Carlo) cho {target} xác suất "
                            "{p} (cần {wanted})"},
    "t_solve_flat_nearby": {"en": "flat nearby: uncertainty unknown",
                            "vi": "gần như không đổi quanh đó: chưa rõ độ bất định"},
    "t_solve_none": {"en": "no value of {lever} in [{low}, {high}] gives {target} a "
                           "probability of {wanted}: the best, at {best}, gives {p}",
                     "vi": "không giá trị nào của {lever} trong [{low}; {high}] cho {target} "
                           "xác suất {wanted}: tốt nhất, tại {best}, cho {p}"},
    "t_solve_flat": {"en": " (the lever does not move this target)",
                     "vi": " (đòn bẩy không làm thay đổi chỉ tiêu này)"},
    "t_solve_every": {"en": "every value of {lever} in [{low}, {high}] gives {target} at least "
                            "{wanted}; the least, {value}, gives {p}",
                      "vi": "mọi giá trị của {lever} trong [{low}; {high}] đều cho {target} ít "
                            "nhất {wanted}; giá trị nhỏ nhất, {value}, cho {p}"},
    "t_plan_every": {"en": "every chosen target", "vi": "mỗi chỉ tiêu đã chọn"},
    "t_plan_together": {"en": "all chosen targets together",
                        "vi": "tất cả các chỉ tiêu đã chọn cùng lúc"},
    "t_plan_feasible": {"en": "cheapest setting giving {which} at least {p}: {values}; cost "
                              "{cost} a year",
                        "vi": "cách bố trí rẻ nhất cho {which} đạt ít nhất {p}: {values}; chi "
                              "phí {cost} mỗi năm"},
    "t_plan_infeasible": {"en": "INFEASIBLE: no setting of the costed levers within their "
                                "ranges and the budgets gives {which} {p}; the best reachable "
                                "({values}) gives {reached}",
                          "vi": "KHÔNG KHẢ THI: không cách bố trí đòn bẩy có chi phí nào trong "
                                "phạm vi và ngân sách cho {which} đạt {p}; cách tốt nhất có "
                                "thể ({values}) cho {reached}"},
    "t_plan_reached_together": {"en": "{p} together", "vi": "{p} cùng lúc"},
    "t_plan_unmoved": {"en": "; no lever moves {ids}",
                       "vi": "; không đòn bẩy nào làm thay đổi {ids}"},
    "t_plan_setting": {"en": "setting", "vi": "cách bố trí"},
    "t_plan_best": {"en": "best reachable setting (misses)",
                    "vi": "cách bố trí tốt nhất có thể (vẫn chưa đạt)"},
    "t_lever": {"en": "lever", "vi": "đòn bẩy"},
    "t_value": {"en": "value", "vi": "giá trị"},
    "t_cost_year": {"en": "cost a year", "vi": "chi phí mỗi năm"},
    "t_total": {"en": "total", "vi": "tổng"},
    "t_budget_row": {"en": "budget {name}", "vi": "ngân sách {name}"},
    "t_of": {"en": "{part} of {whole}", "vi": "{part} trên {whole}"},
    "t_implied_rate": {"en": "implied rate", "vi": "tốc độ tại mức đó"},
    "t_fastest_panel": {"en": "fastest in panel", "vi": "nhanh nhất trong bảng số liệu"},
    "t_precedent": {"en": "precedent", "vi": "tiền lệ"},
    "t_not_moved": {"en": "(no lever moves it)", "vi": "(không đòn bẩy nào tác động)"},
    "t_no_panel": {"en": "no panel", "vi": "không có bảng số liệu"},
    "t_faster": {"en": "FASTER than any observed", "vi": "NHANH HƠN mọi mức đã thấy"},
    "t_within": {"en": "within observed", "vi": "trong phạm vi đã thấy"},
    "t_pace_none": {"en": "no {years}-year window in {panel}",
                    "vi": "không có giai đoạn {years} năm nào trong {panel}"},
    "t_pace": {"en": "needs {required} a year over {years} years; the fastest of the {units} in "
                     "{where}: {fastest} ({holder} {first}-{last})",
               "vi": "cần {required} mỗi năm trong {years} năm; nhanh nhất trong số các {units} "
                     "giai đoạn {where}: {fastest} ({holder} {first}-{last})"},
    "t_pace_faster": {"en": ": faster than any of the {units} managed in {where}",
                      "vi": ": nhanh hơn mọi {units} đã đạt trong giai đoạn {where}"},
    "t_the_panel": {"en": "the panel", "vi": "bảng số liệu"},
    "t_plan_joint": {"en": "all chosen targets together: {p}",
                     "vi": "tất cả các chỉ tiêu đã chọn cùng đạt: {p}"},
    "t_binding": {"en": "binding: {items}", "vi": "ràng buộc chặt: {items}"},
    "t_none": {"en": "none", "vi": "không có"},
    "t_binding_joint": {"en": "joint probability {p} (wanted {wanted})",
                        "vi": "xác suất đồng thời {p} (cần {wanted})"},
    "t_binding_target": {"en": "target {target}: {p} (wanted {wanted})",
                         "vi": "chỉ tiêu {target}: {p} (cần {wanted})"},
    "t_binding_budget": {"en": "budget {name}: {spent} of {limit} a year",
                         "vi": "ngân sách {name}: {spent} trên {limit} mỗi năm"},
    "t_binding_lever": {"en": "lever {name} at the top of its range ({high})",
                        "vi": "đòn bẩy {name} ở mức cao nhất của phạm vi ({high})"},
    "t_plan_trials": {"en": "{n} simulations of {draws} draws, seed {seed}; probabilities are "
                            "exact Monte Carlo estimates at the setting",
                      "vi": "{n} lần chạy, mỗi lần {draws} lần mô phỏng, seed {seed}; xác suất "
                            "là ước lượng Monte Carlo tại cách bố trí đó"},
    "t_plan_held": {"en": "; held at their values (no cost): {held}",
                    "vi": "; giữ nguyên giá trị (không có chi phí): {held}"},
    "t_range_5_95": {"en": "5–95 %", "vi": "khoảng 5–95 %"},
    "t_evidence_row": {"en": "evidence {where} {indicator} {kind} {years} = {value} {unit} "
                             "({source})",
                       "vi": "số liệu {where} {indicator} {kind} {years} = {value} {unit} "
                             "({source})"},
    "t_unused_row": {"en": "unused line {line}: {why}", "vi": "dòng {line} không dùng: {why}"},
    "t_fit": {"en": "fit {name} ({method}, n={n}): {estimates}; residual sd {sigma}",
              "vi": "ước lượng {name} ({method}, n={n}): {estimates}; độ lệch chuẩn phần dư "
                    "{sigma}"},
    "t_no_fit": {"en": "no {name}: {reason}; the posterior rests on the blocks and priors above",
                 "vi": "không ước lượng {name}: {reason}; hậu nghiệm dựa vào các khối số liệu và "
                       "tiên nghiệm ở trên"},
    "t_input": {"en": "input", "vi": "yếu tố"},
    "t_origin": {"en": "origin", "vi": "nguồn gốc"},
    "t_first_order": {"en": "first order", "vi": "bậc một"},
    "t_total_order": {"en": "total", "vi": "toàn phần"},
    "t_given_data": {"en": "given data", "vi": "theo số liệu"},
    "t_if_known": {"en": "P if known (5-95 %)", "vi": "P nếu biết (5-95 %)"},
    "t_group_share": {"en": "{group} {first} (total {total})",
                      "vi": "{group} {first} (toàn phần {total})"},
    "t_by_origin": {"en": "by origin (first order): {groups}",
                    "vi": "theo nguồn gốc (bậc một): {groups}"},
    "t_disagree": {"en": "disagree ({output}): {what}", "vi": "không khớp ({output}): {what}"},
    "t_disagree_detail": {"en": "{input}: Sobol {sobol} ± {sobol_se}, given data {given} ± "
                                "{given_se}; the design varies inputs one at a time, the plain "
                                "run keeps their correlation",
                          "vi": "{input}: Sobol {sobol} ± {sobol_se}, theo số liệu {given} ± "
                                "{given_se}; thiết kế thay đổi từng yếu tố một, lần chạy thường "
                                "giữ tương quan giữa chúng"},
    "t_output_hit": {"en": "reached or not", "vi": "đạt hay không"},
    "t_output_quantity": {"en": "the target's quantity", "vi": "giá trị của chỉ tiêu"},
    "t_measure_first": {"en": "What to measure first (mean first-order share over the targets):",
                        "vi": "Nên đo gì trước (tỷ phần bậc một bình quân trên các chỉ tiêu):"},
    "t_update_title": {"en": "{name} as of {year}: {draws} draws, seed {seed}, effective sample "
                             "size {ess}",
                       "vi": "{name} tính đến {year}: {draws} lần mô phỏng, seed {seed}, cỡ mẫu "
                             "hiệu dụng {ess}"},
    "t_status": {"en": "label", "vi": "tình trạng"},
    "t_in_year": {"en": "in {year}", "vi": "năm {year}"},
    "t_change": {"en": "change", "vi": "thay đổi"},
    "t_required_from": {"en": "required from", "vi": "tốc độ cần từ"},
    "t_observed_rate": {"en": "observed rate", "vi": "tốc độ quan sát"},
    "t_on_track": {"en": "on track", "vi": "đúng tiến độ"},
    "t_at_risk": {"en": "at risk", "vi": "có nguy cơ"},
    "t_off_track": {"en": "off track", "vi": "chệch tiến độ"},
    "t_points_change": {"en": "{change} ± {se} pts", "vi": "{change} ± {se} điểm"},
    "t_labels": {"en": "Labels: on track at {on} or more, off track below {off}, at risk between "
                       "(monitoring: in the scenario).",
                 "vi": "Tình trạng: đúng tiến độ khi từ {on} trở lên, chệch tiến độ khi dưới "
                       "{off}, có nguy cơ ở giữa (monitoring: trong kịch bản)."},
    "t_change_parts": {"en": "{target}: {figures} pts from the new figures, {scenario} pts from "
                             "the change of the scenario file",
                       "vi": "{target}: {figures} điểm do số liệu mới, {scenario} điểm do thay "
                             "đổi tệp kịch bản"},
    "t_path": {"en": "Probability path:", "vi": "Diễn biến xác suất:"},
    "t_path_step": {"en": "{p} in {year}", "vi": "{p} năm {year}"},
    "t_observed_used": {"en": "Observed figures used:", "vi": "Số liệu quan sát đã dùng:"},
    "t_read_by_calibration": {"en": "read by the calibration", "vi": "dùng khi hiệu chỉnh"},
    "t_weighted": {"en": "weighted", "vi": "dùng làm trọng số"},
    "t_weighted_step": {"en": "weighted in {year} ({indicators}): effective sample size {ess} of "
                              "{draws}; resampled",
                        "vi": "gán trọng số năm {year} ({indicators}): cỡ mẫu hiệu dụng {ess} "
                              "trên {draws}; đã lấy mẫu lại"},
    "t_scenario": {"en": "scenario", "vi": "kịch bản"},
    "t_difference": {"en": "difference", "vi": "chênh lệch"},
    "t_median_rate": {"en": "median rate", "vi": "tốc độ trung vị"},
    "t_compared": {"en": "Compared with {name} ({draws} draws, {seed})",
                   "vi": "So với {name} ({draws} lần mô phỏng, {seed})"},
    "t_common_seed": {"en": "common seed {seed}", "vi": "chung seed {seed}"},
    "t_unpaired": {"en": "different seeds: unpaired", "vi": "seed khác nhau: không ghép cặp"},
    "t_difference_note": {"en": "difference: points against the first scenario ± the standard "
                                "error of the paired difference",
                          "vi": "chênh lệch: điểm phần trăm so với kịch bản đầu ± sai số chuẩn "
                                "của chênh lệch ghép cặp"},
    "t_solve_trials": {"en": "{n} simulations of {draws} draws, seed {seed}; range searched "
                             "[{low}, {high}]",
                       "vi": "{n} lần chạy, mỗi lần {draws} lần mô phỏng, seed {seed}; khoảng "
                             "tìm [{low}; {high}]"},
    "t_parameter": {"en": "parameter", "vi": "tham số"},
    "t_mean": {"en": "mean", "vi": "trung bình"},
    "t_from": {"en": "from", "vi": "nguồn"},
    "t_how": {"en": "how", "vi": "cách tính"},
    "t_calibration_draws": {"en": "Distributions from {draws} draws of the calibrated posterior, "
                                  "seed {seed} (the draws of block 0 of a run with this seed).",
                            "vi": "Phân phối từ {draws} lần rút của hậu nghiệm đã hiệu chỉnh, "
                                  "seed {seed} (các lần rút của khối 0 của một lần chạy với "
                                  "seed này)."},
    # -- report: the mid-plan update (forecast update --report) -----------------------------
    "up_heading": {"en": "Mid-plan update: the odds as the years come in",
                   "vi": "Cập nhật giữa kỳ: xác suất theo các năm đã có số liệu"},
    "up_intro": {"en": ("Figures observed up to {as_of} condition the model: its parameters are "
                        "calibrated again with them and the simulated paths pass through them "
                        "within their reporting error. Effective sample size: {ess} of {draws} "
                        "draws."),
                 "vi": ("Số liệu thực hiện đến năm {as_of} được đưa vào mô hình: các tham số "
                        "được hiệu chỉnh lại và các đường mô phỏng đi qua số liệu trong phạm vi "
                        "sai số báo cáo. Cỡ mẫu hiệu dụng: {ess} trên {draws} lần mô phỏng.")},
    "up_col_label": {"en": "Label", "vi": "Đánh giá"},
    "up_col_probability": {"en": "Probability now", "vi": "Xác suất hiện nay"},
    "up_col_base": {"en": "At the base year ({year})", "vi": "Tại năm gốc ({year})"},
    "up_col_change": {"en": "Change", "vi": "Thay đổi"},
    "up_col_required": {"en": "Required from the last observed year",
                        "vi": "Tốc độ cần đạt từ năm có số liệu gần nhất"},
    "up_col_observed": {"en": "Observed so far", "vi": "Tốc độ thực hiện"},
    "up_change": {"en": "{change} pts", "vi": "{change} điểm %"},
    "up_labels_note": {"en": ("On track: probability at least {on}; off track: below {off}; at "
                              "risk between (thresholds declared in the scenario under "
                              "monitoring)."),
                       "vi": ("Đúng tiến độ: xác suất từ {on} trở lên; chệch tiến độ: dưới "
                              "{off}; có nguy cơ: ở giữa (ngưỡng khai báo trong kịch bản, mục "
                              "monitoring).")},
    "up_path_heading": {"en": "Probability path", "vi": "Diễn biến xác suất"},
    "up_path_alt": {"en": "Probability of each target as of each year",
                    "vi": "Xác suất đạt từng chỉ tiêu theo năm có số liệu"},
    "up_path_axis": {"en": "probability (%)", "vi": "xác suất (%)"},
    "up_year_axis": {"en": "figures observed up to", "vi": "số liệu đến năm"},
    "up_path_sentence": {"en": "P({target}): {steps}", "vi": "Xác suất đạt {target}: {steps}"},
    "up_observed_heading": {"en": "Figures observed since the base year",
                            "vi": "Số liệu thực hiện sau năm gốc"},
    "up_weighted": {"en": "weighted (re-sampled)", "vi": "gán trọng số (lấy mẫu lại)"},
    # -- forecast calibrate: the fits made and the rows left unused -------------------------
    "cal_fit_ols": {"en": "OLS on matched yearly figures",
                    "vi": "hồi quy OLS trên các số liệu cùng năm"},
    "cal_fit_ar1": {"en": "AR(1) of yearly growth", "vi": "mô hình AR(1) của tăng trưởng hằng năm"},
    "cal_unused_no_anchor": {"en": "no level to anchor it on the model scale",
                             "vi": "không có mức nào để quy về thang đo của mô hình"},
    "cal_unused_outside": {"en": "level outside the model's range",
                           "vi": "mức nằm ngoài phạm vi của mô hình"},
    "cal_unused_growth": {"en": "growth of -100 % or less", "vi": "tăng trưởng từ -100 % trở xuống"},
    "cal_unused_no_anchor_average": {"en": "no level to anchor the average change",
                                     "vi": "không có mức nào làm gốc cho thay đổi bình quân"},
    "cal_no_fit_few": {"en": "{n} matched yearly observation(s); least squares with a constant and "
                             "a slope needs at least {least} (one residual degree of freedom)",
                       "vi": "{n} cặp số liệu cùng năm; hồi quy có hệ số chặn và hệ số góc cần ít "
                             "nhất {least} (một bậc tự do cho phần dư)"},
    "cal_no_fit_flat": {"en": "the regressor does not vary across the matched years",
                        "vi": "biến giải thích không thay đổi giữa các năm ghép cặp"},
    "cal_no_fit_short_run": {"en": "the longest run of consecutive yearly values has {n}; an "
                                   "AR(1) fit needs at least {least}",
                             "vi": "chuỗi số liệu liên tiếp dài nhất có {n} giá trị; ước lượng "
                                   "AR(1) cần ít nhất {least}"},
    "cal_no_fit_residuals": {"en": "no AR(1) fit is made on the residuals of this model",
                             "vi": "mô hình này không ước lượng AR(1) trên phần dư"},
    # -- notebook: what a Scenario, a Comparison and a Solution show ------------------------
    "nb_scenario": {"en": "Scenario '{name}': {region}", "vi": "Kịch bản '{name}': {region}"},
    "nb_period": {"en": "base year {base}, plan {first}\u2013{last}; {draws} draws, seed {seed}",
                  "vi": "năm gốc {base}, kế hoạch {first}\u2013{last}; {draws} lần mô phỏng, "
                        "seed {seed}"},
    "nb_indicators": {"en": "indicators ({n}): {names}", "vi": "chỉ số ({n}): {names}"},
    "nb_targets": {"en": "targets ({n}): {names}", "vi": "chỉ tiêu ({n}): {names}"},
    "nb_levers": {"en": "levers ({n}): {names}", "vi": "đòn bẩy ({n}): {names}"},
    "nb_history_file": {"en": "history file: {file}", "vi": "tệp số liệu lịch sử: {file}"},
    "nb_history_rows": {"en": "history: {n} rows given in Python ({name})",
                        "vi": "số liệu lịch sử: {n} dòng cho trong Python ({name})"},
    "nb_indicator": {"en": "Indicator", "vi": "Chỉ số"},
    "nb_kind": {"en": "Kind", "vi": "Loại"},
    "nb_when": {"en": "Year or period", "vi": "Năm hoặc giai đoạn"},
    "nb_threshold": {"en": "Threshold", "vi": "Ngưỡng"},
    "nb_comparison": {"en": "Comparison of {n} runs against {name} (targets: {targets}; draws: "
                            "{draws}; {seed})",
                      "vi": "So sánh {n} lần chạy với {name} (chỉ tiêu: {targets}; số lần mô "
                            "phỏng: {draws}; {seed})"},
    "nb_solution": {"en": "Solution for {target} by {lever}: {message}",
                    "vi": "Lời giải cho {target} bằng {lever}: {message}"},
    "nb_trial": {"en": "Trial", "vi": "Lần thử"},
    "nb_results": {"en": "<Results of scenario '{name}': {draws} draws ({kept}), seed {seed}, "
                         "{first}\u2013{last}, {n} targets",
                   "vi": "<Kết quả của kịch bản '{name}': {draws} lần mô phỏng ({kept}), seed "
                         "{seed}, {first}\u2013{last}, {n} chỉ tiêu"},
    "nb_kept": {"en": "every draw kept", "vi": "giữ mọi lần mô phỏng"},
    "nb_summaries_only": {"en": "summaries only", "vi": "chỉ giữ số liệu tóm tắt"},
    "nb_more": {"en": "... {n} more (results.summary.frame())",
                "vi": "... và {n} chỉ tiêu khác (results.summary.frame())"},
    "nb_all_together": {"en": "all together: {p}>", "vi": "đạt tất cả cùng lúc: {p}>"},
    "t_left_out_other": {"en": "{label}: target '{target}' ({definition}) is not the one of "
                               "{owner} ({owner_definition}); left out",
                         "vi": "{label}: chỉ tiêu '{target}' ({definition}) khác với chỉ tiêu "
                               "cùng tên của {owner} ({owner_definition}); bỏ ra"},
    "t_left_out_missing": {"en": "{label}: no target '{target}'; left out",
                           "vi": "{label}: không có chỉ tiêu '{target}'; bỏ ra"},
    # -- calibration: where each parameter came from (ParameterSource phrases) -------------
    "src_no_evidence": {"en": "no usable evidence", "vi": "không có số liệu dùng được"},
    "src_rows": {"en": "{blocks} block(s) covering {years} year(s), {yearly} of them single "
                       "years (evidence rows on lines {lines})",
                 "vi": "{blocks} khối số liệu phủ {years} năm, trong đó {yearly} khối là "
                       "từng năm riêng lẻ (các dòng số liệu {lines})"},
    "src_rows_leaning": {
        "en": "{blocks} block(s) covering {years} year(s), {yearly} of them single years "
              "(evidence rows on lines {lines}), leaning on the priors of the other "
              "coefficients (the evidence pins {rank} combination(s) of {n})",
        "vi": "{blocks} khối số liệu phủ {years} năm, trong đó {yearly} khối là từng năm riêng "
              "lẻ (các dòng số liệu {lines}), dựa thêm vào tiên nghiệm của các hệ số còn lại "
              "(số liệu chỉ xác định {rank} tổ hợp trong {n} hệ số)"},
    "src_removed": {"en": "the evidence removed {share} of the prior variance",
                    "vi": "số liệu làm giảm {share} phương sai tiên nghiệm"},
    "src_not_identified": {"en": "not identified: the evidence removed {share} of the prior "
                                 "variance",
                           "vi": "chưa xác định được từ số liệu: số liệu chỉ làm giảm {share} "
                                 "phương sai tiên nghiệm"},
    "src_prior": {"en": "prior {prior}", "vi": "tiên nghiệm {prior}"},
    "src_group": {"en": "pooled towards the group's drift {prior}, calibrated on {names} "
                        "(lines {lines} of {file})",
                  "vi": "gộp về độ trôi của nhóm {prior}, hiệu chỉnh trên {names} (các dòng "
                        "{lines} của {file})"},
    "src_pooled_prior": {"en": "pooled {name} = {dist}", "vi": "gộp {name} = {dist}"},
    "src_fixed": {"en": "fixed: prior {prior}", "vi": "cố định: tiên nghiệm {prior}"},
    "src_declared": {"en": "{prior}", "vi": "{prior}"},
    "src_no_density": {"en": "a prior without density is drawn as declared ({reason})",
                       "vi": "tiên nghiệm không có hàm mật độ nên được rút đúng như khai báo "
                             "({reason})"},
    "src_no_stationary_weight": {"en": "the prior gives no weight inside (-1, 1)",
                                 "vi": "tiên nghiệm không đặt xác suất nào trong khoảng (-1, 1)"},
    "src_ar1": {"en": "AR(1) on the yearly growth of {first}-{last}: phi {phi} (se {se}), times "
                      "the prior {prior}",
                "vi": "AR(1) của tăng trưởng hằng năm {first}-{last}: phi {phi} (sai số chuẩn "
                      "{se}), nhân với tiên nghiệm {prior}"},
    "src_pairs": {"en": "evidence: {pairs}", "vi": "số liệu: {pairs}"},
    "src_pair": {"en": "{added} added of {at_risk} at risk over {years} year(s)",
                 "vi": "thêm {added} trên {at_risk} đơn vị chưa đạt trong {years} năm"},
    "src_pair_sd": {"en": "{added} (± {sd} reported) added of {at_risk} at risk over {years} "
                          "year(s)",
                    "vi": "thêm {added} (± {sd} theo báo cáo) trên {at_risk} đơn vị chưa đạt "
                          "trong {years} năm"},
    "src_no_pair": {"en": "no evidence pair of a stock and the units added after it: prior "
                          "{prior}",
                    "vi": "không có cặp số liệu gồm số đơn vị đã đạt và số đơn vị thêm sau đó: "
                          "tiên nghiệm {prior}"},
    "src_joint_grid": {"en": "read with the hazard on a joint grid",
                       "vi": "ước lượng cùng xác suất chuyển trên một lưới chung"},
    "src_local_level": {"en": "local level posterior from {spans} span(s): drift at the base "
                              "year {mean} (sd {sd})",
                        "vi": "hậu nghiệm mức cục bộ từ {spans} giai đoạn: tốc độ tăng ở năm "
                              "gốc {mean} (độ lệch chuẩn {sd})"},
    "src_local_level_reverting": {
        "en": "local level posterior from {spans} span(s): drift at the base year {mean} (sd "
              "{sd}), persistence {phi} towards a long-run pace of {long_run}",
        "vi": "hậu nghiệm mức cục bộ từ {spans} giai đoạn: tốc độ tăng ở năm gốc {mean} (độ "
              "lệch chuẩn {sd}), hệ số duy trì {phi} hướng về tốc độ dài hạn {long_run}"},
    "src_no_national": {"en": "no national series", "vi": "không có chuỗi số liệu toàn quốc"},
    "src_observed": {"en": "level in {year} read on line {line}: {source}",
                     "vi": "mức năm {year} đọc ở dòng {line}: {source}"},
    "src_assumed_base": {"en": "base-year level not given by any source: {why}",
                         "vi": "mức năm gốc không nguồn nào công bố: {why}"},
    "src_drawn_prior": {"en": "drawn from its prior: {why}",
                        "vi": "rút từ phân phối tiên nghiệm: {why}"},
    "src_as_declared": {"en": "drawn as the component declares it (no evidence informs it)",
                        "vi": "rút như thành phần mô hình khai báo (không có số liệu nào cho "
                              "biết thêm)"},
}
"""Every string the tool writes, by key and language."""

SAME_IN_EVERY_LANGUAGE = frozenset({"percent_unit", "at_least", "at_most", "unit:km",
                                    "src_declared"})
"""Keys whose text is rightly the same in every language (symbols)."""


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`.

    Raises
    ------
    InputError
        If it is not (with a did-you-mean).
    """
    if lang not in LANGUAGES:
        raise InputError.single(f"unknown language '{lang}'; expected one of "
                                f"{', '.join(LANGUAGES)}.{did_you_mean(str(lang), LANGUAGES)}",
                                key="lang")
    return lang


def message(key: str, lang: str = "en", **fields) -> str:
    """The text of ``key`` in ``lang``, with its placeholders filled from ``fields``.

    Raises
    ------
    InputError
        If ``lang`` is unknown.
    KeyError
        If ``key`` is not in the catalog (a programming error).
    """
    text = CATALOG[key][check_language(lang)]
    return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Phrase:
    """A sentence of the catalog not yet written: its key and its fields, composed in a
    language by :func:`compose` (``Phrase.of("src_removed", share=0.92)``).

    A phrase with the key ``""`` is text as someone wrote it (``fields`` holds ``text``),
    shown the same in every language: a plug-in component's own words.

    Attributes
    ----------
    key : str
        A key of :data:`CATALOG`, or ``""``.
    fields : tuple of (str, value)
        The placeholders' values. How :func:`compose` writes each: a field named ``share`` as a
        percent; ``prior`` as a declared distribution (numbers for the language, a pooled prior
        named in words); a ``Phrase`` composed in the same language; a list of phrases joined
        by ``"; "``; a list of numbers joined by ``", "``; an ``int`` as written (years,
        counts, line numbers); a ``float`` to six significant digits (the model rounds it to
        what it means); text as written (reasons and sources a scenario or a file gives).
    """

    key: str
    fields: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **fields: Any) -> "Phrase":
        """The phrase of catalog ``key`` with ``fields``."""
        return cls(key, tuple(fields.items()))

    @classmethod
    def written(cls, text: str) -> "Phrase":
        """Text as written, the same in every language."""
        return cls("", (("text", str(text)),))

    def to_json(self) -> dict[str, Any]:
        """Plain data: ``{"key": ..., "fields": {...}}`` (nested phrases as such dicts)."""
        def plain(value: Any) -> Any:
            if isinstance(value, Phrase):
                return value.to_json()
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            return value

        return {"key": self.key, "fields": {k: plain(v) for k, v in self.fields}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Phrase":
        """The inverse of :meth:`to_json`."""
        def typed(value: Any) -> Any:
            if isinstance(value, Mapping) and set(value) == {"key", "fields"}:
                return cls.from_json(value)
            if isinstance(value, list):
                return [typed(v) for v in value]
            return value

        return cls(data["key"], tuple((k, typed(v)) for k, v in data["fields"].items()))


def _field(name: str, value: Any, lang: str) -> str:
    from forecast import formatting

    if isinstance(value, Phrase):
        return compose((value,), lang)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, Phrase) for v in value):
            return compose(value, lang)
        return ", ".join(_field(name, v, lang) for v in value)
    if name == "share":
        return formatting.percent(float(value), 0, lang)
    if name == "prior" and isinstance(value, str):
        pooled = re.fullmatch(r"pooled (\S+) = (.*)", value)
        if pooled:
            return message("src_pooled_prior", lang, name=pooled.group(1),
                           dist=formatting.format_distribution(pooled.group(2), lang))
        return formatting.format_distribution(value, lang)
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return formatting.significant(value, 6, lang)
    return str(value)


def compose(phrases: Sequence[Phrase], lang: str = "en") -> str:
    """The phrases written in ``lang`` and joined by ``"; "``.

    Parameters
    ----------
    phrases : sequence of Phrase
    lang : {"en", "vi"}

    Returns
    -------
    str

    Raises
    ------
    InputError
        If ``lang`` is unknown.
    KeyError
        If a phrase's key is not in the catalog (a programming error).
    """
    check_language(lang)
    parts = []
    for phrase in phrases:
        fields = dict(phrase.fields)
        if phrase.key == "":
            parts.append(str(fields.get("text", "")))
            continue
        parts.append(message(phrase.key, lang, **{name: _field(name, value, lang)
                                                  for name, value in fields.items()}))
    return "; ".join(parts)


def table(lang: str) -> Mapping[str, str]:
    """Every message in ``lang``, by key."""
    check_language(lang)
    return {key: texts[lang] for key, texts in CATALOG.items()}


def placeholders(text: str) -> set[str]:
    """The ``str.format`` fields of ``text``."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


_UNIT_KEYS = sorted((k for k in CATALOG if k.startswith("unit:") and k != "unit:prices"),
                    key=lambda k: -len(CATALOG[k]["en"]))
_PRICES = re.compile(r"\((\d{4}) prices\)")


def unit_text(unit: str, lang: str = "en") -> str:
    """A unit as written in ``lang``: ``billion VND (2020 prices)`` -> ``tỷ đồng (giá năm
    2020)``; words the catalog does not know are kept as written."""
    check_language(lang)
    if lang == "en" or not unit:
        return unit
    text = _PRICES.sub(lambda m: CATALOG["unit:prices"][lang].format(year=m.group(1)), unit)
    for key in _UNIT_KEYS:
        english = CATALOG[key]["en"]
        text = re.sub(rf"(?<![\w]){re.escape(english)}(?![\w])", CATALOG[key][lang], text)
    return text


__all__ = ["CATALOG", "LANGUAGES", "LOCALES", "SAME_IN_EVERY_LANGUAGE", "Phrase",
           "check_language", "compose", "message", "placeholders", "table", "unit_text"]
