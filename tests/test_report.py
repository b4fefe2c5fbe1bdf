"""Charts and the self-contained HTML report: what they draw, that they read, that they stand alone."""

from __future__ import annotations

import base64
import itertools
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from forecast.errors import InputError
from forecast.report import (comparison_chart, fan_chart, rate_chart, render_report,
                             target_panel)
from forecast.report.data import evidence_rows, rate_rows, short_source
from forecast.report.style import figure_bytes
from forecast.report.text import LANGUAGES, strings
from conftest import BASE

DRAWS = 1200
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> list[Path]:
    """Two saved runs of the base scenario, with different seeds."""
    folder = tmp_path_factory.mktemp("runs")
    return [forecast.simulate(BASE, draws=DRAWS, seed=seed).save(folder / f"seed{seed}")
            for seed in (5, 6)]


@pytest.fixture(scope="module")
def runs(folders):
    return [forecast.Results.load(folder) for folder in folders]


@pytest.fixture(scope="module")
def run(runs):
    return runs[0]


def lines_by_label(ax) -> dict[str, object]:
    return {line.get_label(): line for line in ax.get_lines()}


def legend_texts(figure) -> list[str]:
    return [t.get_text() for legend in figure.legends + [ax.get_legend() for ax in figure.axes]
            if legend is not None for t in legend.get_texts()]


# -- fan chart ---------------------------------------------------------------------------------
def test_fan_chart_draws_the_quantiles_of_the_draws(run):
    ax = fan_chart(run, "budget_revenue")
    values = run.dataset["budget_revenue"].transpose("year", "draw").values
    years = run.dataset["year"].values
    median = lines_by_label(ax)["Median"]
    np.testing.assert_array_equal(median.get_xdata(), years)
    np.testing.assert_allclose(median.get_ydata(), np.median(values, axis=1))
    bands = ax.collections[:2]
    assert [b.get_label() for b in bands] == ["90 % of paths", "50 % of paths"]
    for band, (low, high) in zip(bands, [(0.05, 0.95), (0.25, 0.75)]):
        ys = band.get_paths()[0].vertices[:, 1]
        for q in (low, high):
            expected = np.quantile(values, q, axis=1)
            assert all(np.isclose(ys, v).any() for v in expected), q
    target = lines_by_label(ax)["Target 2025: \u2265 970"]
    assert list(target.get_xdata()) == [2025] and list(target.get_ydata()) == [970]
    assert ax.get_ylabel() == "billion VND" and ax.get_title() == "Total budget revenue"


def test_fan_chart_plots_level_evidence_with_its_source_and_definition(run):
    ax = fan_chart(run, "poverty_rate")
    points = [line for line in ax.get_lines() if line.get_label().startswith("Published")]
    assert len(points) == 1
    assert list(points[0].get_xdata()) == [2019]
    np.testing.assert_allclose(points[0].get_ydata(), [0.0989])   # 9.89 % as a share
    label = points[0].get_label().replace("\n", " ")
    assert "camkhe.phutho.gov.vn" in label and "poor_household_rate_2016_2020_standard" in label
    income = fan_chart(run, "income_per_capita")
    published = [line for line in income.get_lines() if line.get_label().startswith("Published")]
    assert [(list(p.get_xdata()), list(p.get_ydata())) for p in published] == [([2020], [31.2])]


def test_only_level_rows_in_a_convertible_unit_are_plotted():
    row = dict(indicator="x", kind="level", year=2019, year_end=None, value=40.0, unit="%",
               source="https://www.example.org/a/b", note="", file="h.csv", line=2)
    evidence = [forecast.Evidence(**r) for r in (
        row, dict(row, unit="km2", line=3), dict(row, kind="average_growth", year=2015,
                                                  year_end=2019, unit="%/yr", line=4))]
    info = forecast.IndicatorInfo(name="x", unit="share", model="coverage", label="",
                                  rate_kind="change", historical_rate=None,
                                  evidence=tuple(evidence), base_observed=evidence[0])
    rows = evidence_rows(info)
    assert [r.value for r in rows] == [0.4, None, None]      # base_observed is not repeated
    assert [r.plotted for r in rows] == [True, False, False]
    assert short_source(row["source"]) == "example.org"
    assert short_source("Phú Thọ Statistical Yearbook 2018, as cited in x") == \
        "Phú Thọ Statistical Yearbook 2018"


def test_period_targets_are_drawn_as_the_pace_or_yearly_value_they_need(run):
    ax = fan_chart(run, "poverty_rate")
    pace = next(line for label, line in lines_by_label(ax).items()
                if label.startswith("Target pace 2021\u20132025: \u2264 -1.50 pt/yr"))
    median_2020 = float(np.median(run.dataset["poverty_rate"].sel(year=2020).values))
    assert list(pace.get_xdata()) == list(range(2020, 2026))
    np.testing.assert_allclose(pace.get_ydata(), median_2020 - 0.015 * np.arange(6))
    invest = fan_chart(run, "social_investment")
    total = next(line for label, line in lines_by_label(invest).items()
                 if label.startswith("Target: sum 2021\u20132025 \u2265 21,000 (4,200 a year"))
    assert list(total.get_xdata()) == list(range(2021, 2026))
    np.testing.assert_allclose(total.get_ydata(), 4200.0)


def test_unknown_indicator_names_the_closest(run):
    with pytest.raises(InputError, match="Did you mean 'budget_revenue'"):
        fan_chart(run, "budget_revenu")


def test_other_runs_add_their_median(runs):
    ax = fan_chart(runs[0], "output", others=runs[1:])
    lines = lines_by_label(ax)
    assert {"Median \u2013 base@seed5", "Median \u2013 base@seed6"} <= set(lines)
    other = runs[1].dataset["output"].transpose("year", "draw").values
    np.testing.assert_allclose(lines["Median \u2013 base@seed6"].get_ydata(),
                               np.median(other, axis=1))


def test_runs_that_kept_only_summaries_draw_the_same_fan(run):
    streamed = forecast.simulate(BASE, draws=DRAWS, seed=run.seed, keep_draws=False)
    assert not streamed.draws_kept
    ax = fan_chart(streamed, "budget_revenue")
    values = run.dataset["budget_revenue"].transpose("year", "draw").values
    bound = streamed.quantiles("budget_revenue", [0.5]).attrs["error"]
    np.testing.assert_allclose(lines_by_label(ax)["Median"].get_ydata(),
                               np.median(values, axis=1), rtol=0, atol=float(bound.max()) + 1e-9)
    panel = target_panel(streamed)
    np.testing.assert_allclose([p.get_width() for p in panel.patches][:-1],
                               [100 * run.probability(t.id) for t in run.targets])


# -- target panel, rates, comparison ------------------------------------------------------------
def test_target_panel_shows_probabilities_and_their_monte_carlo_error(run):
    ax = target_panel(run)
    bars = [p for p in ax.patches]
    expected = [100 * run.probability(t.id) for t in run.targets] + \
        [100 * run.summary.joint_probability]
    np.testing.assert_allclose([b.get_width() for b in bars], expected)
    assert bars[-1].get_hatch() == "///" and not bars[0].get_hatch()
    errors = [c for c in ax.containers if hasattr(c, "has_xerr")]
    half_widths = [abs(seg[1][0] - seg[0][0]) / 2 for c in errors for seg in
                   c.lines[2][0].get_segments()]
    se = [r["probability_se"] for r in run.summary.records()]
    joint = run.summary.joint_probability
    se.append(np.sqrt(joint * (1 - joint) / run.draws))
    np.testing.assert_allclose(half_widths, 200 * np.array(se))
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[-1] == "All targets together"
    assert labels[0] == "Total budget revenue 2025 \u2265 970 billion VND"


def test_rate_chart_marks_required_and_historical_rates(run):
    axes = rate_chart(run)
    rows = rate_rows(run)
    assert len(axes) == len(run.targets) == len(rows)
    for ax, row, record in zip(axes, rows, run.summary.records()):
        lines = lines_by_label(ax)
        assert row.required == pytest.approx(record["required_rate"])
        np.testing.assert_allclose(lines["Required"].get_xdata(), [record["required_rate"]])
        if row.comparable:
            np.testing.assert_allclose(lines["Historical"].get_xdata(), [row.historical])
        else:
            assert "Historical" not in lines
    revenue = axes[0].get_title(loc="left")
    assert "Required +" in revenue and "%/yr" in revenue and "Historical +15.2 %/yr" in revenue
    assert "no historical rate" in axes[2].get_title(loc="left")            # roads: no record


def test_comparison_chart_puts_runs_side_by_side(runs):
    ax = comparison_chart(runs)
    n = len(runs[0].targets) + 1
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 2 * n
    for k, run in enumerate(runs):
        expected = [100 * run.probability(t.id) for t in run.targets] + \
            [100 * run.summary.joint_probability]
        np.testing.assert_allclose(widths[k * n:(k + 1) * n], expected)
    assert legend_texts(ax.figure) == ["base@seed5", "base@seed6"]
    one = comparison_chart(runs, "roads_2025")
    np.testing.assert_allclose([p.get_width() for p in one.patches],
                               [100 * r.probability("roads_2025") for r in runs])
    with pytest.raises(InputError, match="Did you mean 'roads_2025'"):
        comparison_chart(runs, "road_2025")


# -- legibility ------------------------------------------------------------------------------
def drawn_texts(figure):
    """(text, window extent) of every piece of text the figure draws."""
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ticks, out = set(), []
    for ax in figure.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = sorted(limits)
            locs = axis.get_majorticklocs()
            for loc, tick in zip(locs, axis.get_major_ticks(len(locs))):
                ticks.update((tick.label1, tick.label2))
                if (low - 1e-9 * (high - low) <= loc <= high + 1e-9 * (high - low)
                        and tick.label1.get_visible() and tick.label1.get_text()):
                    out.append(tick.label1)
            for tick in axis.get_minor_ticks():
                ticks.update((tick.label1, tick.label2))
    for text in figure.findobj(Text):
        if text not in ticks and text.get_visible() and text.get_text().strip():
            out.append(text)
    return [(t.get_text(), t.get_window_extent(renderer)) for t in out]


def assert_legible(figure):
    texts = drawn_texts(figure)
    assert texts
    box = figure.bbox
    for text, extent in texts:
        assert (extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1 and extent.y0 >= box.y0 - 1
                and extent.y1 <= box.y1 + 1), f"{text!r} is cut off"
    for (a, ea), (b, eb) in itertools.combinations(texts, 2):
        ea, eb = ea.padded(-0.5), eb.padded(-0.5)
        assert not ea.overlaps(eb), f"{a!r} overlaps {b!r}"


def test_the_legibility_check_sees_overlaps_and_cut_off_text():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_title("a title")
    assert_legible(figure)
    ax.text(0.5, 1.02, "crowding the title", transform=ax.transAxes, ha="center")
    with pytest.raises(AssertionError, match="overlaps"):
        assert_legible(figure)
    figure.texts.clear()
    ax.texts[0].remove()
    figure.text(0.9, 0.5, "runs off the edge")
    with pytest.raises(AssertionError, match="cut off"):
        assert_legible(figure)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_have_no_overlapping_or_cut_off_text(runs, lang):
    run = runs[0]
    for indicator in run.indicators:
        assert_legible(fan_chart(run, indicator, lang=lang, others=runs[1:]).figure)
    assert_legible(target_panel(run, lang=lang).figure)
    assert_legible(rate_chart(run, lang=lang)[0].figure)
    assert_legible(comparison_chart(runs, lang=lang).figure)


def test_axes_read_as_numbers_with_units(run):
    ax = fan_chart(run, "social_investment")
    ax.figure.canvas.draw()
    years = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert years and all(y.isdigit() and 2000 < int(y) < 2100 for y in years)
    values = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any("," in v for v in values)                            # thousands separators
    vi = fan_chart(run, "social_investment", lang="vi")
    vi.figure.canvas.draw()
    assert any("." in t.get_text() for t in vi.get_yticklabels())
    share = fan_chart(run, "paved_road_share")
    share.figure.canvas.draw()
    assert share.get_ylabel() == "%"
    assert all(10 <= float(t.get_text()) <= 100 for t in share.get_yticklabels() if t.get_text())


def test_chart_files_are_reproducible(run):
    first = figure_bytes(fan_chart(run, "output").figure, "svg")
    assert first == figure_bytes(fan_chart(run, "output").figure, "svg")
    assert first.lstrip().startswith(b"<?xml")


# -- text -------------------------------------------------------------------------------------
def test_both_languages_say_everything():
    from forecast.formatting import format_rate, format_value

    assert set(strings("en")) == set(strings("vi"))
    assert format_value(1234.5, "x", "vi") == "1.234" and format_value(12.5, "x", "vi") == "12,5"
    assert format_rate(0.0351, "change", "share", "vi") == "+3,51 điểm/năm"
    assert format_rate(0.148, "growth", "share", "vi") == "+14,8 %/năm"
    with pytest.raises(InputError, match="Did you mean 'vi'"):
        strings("vie")


# -- HTML -------------------------------------------------------------------------------------
class Page(HTMLParser):
    """Every start tag with its attributes and its enclosing tags; the text of <style>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict, tuple]] = []
        self.stack: list[tuple[str, dict]] = []
        self.style = ""
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs, tuple(self.stack)))
        if tag not in ("img", "meta", "br", "link"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "style":
            self.style += data
        self.text.append(data)

    def find(self, tag, **attrs):
        return [(a, s) for t, a, s in self.tags if t == tag and
                all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def html_en(run):
    return render_report(run)


def check_self_contained(page: Page) -> None:
    assert not page.find("script") and not page.find("link") and not page.find("iframe")
    for tag, attrs, _ in page.tags:
        for key in ("src", "srcset", "data", "poster"):
            if key in attrs:
                assert attrs[key].startswith("data:"), (tag, attrs[key][:60])
        assert "style" not in attrs or "url(" not in attrs["style"]
    assert "url(" not in page.style and "@import" not in page.style
    assert page.style.strip()                                   # the style sheet is inline


def images(page: Page, cls: str) -> dict[str, str]:
    out = {}
    for attrs, stack in page.find("img"):
        figure = next((a for t, a in reversed(stack) if t == "figure"), None)
        if figure and figure.get("class") == cls:
            out[figure.get("data-indicator") or figure.get("data-chart")] = attrs["src"]
    return out


def test_report_is_self_contained_with_a_chart_per_indicator_and_the_target_table(run, html_en):
    page = Page(html_en)
    check_self_contained(page)
    fans = images(page, "fan")
    assert list(fans) == run.indicators                       # one chart per indicator, in order
    for uri in [*fans.values(), *images(page, "chart").values()]:
        assert uri.startswith("data:image/svg+xml;base64,")
        svg = ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))
        assert svg.tag.endswith("svg")
    assert set(images(page, "chart")) == {"targets", "rates"}
    rows = [attrs["data-target"] for attrs, _ in page.find("tr") if "data-target" in attrs]
    assert rows == [t.id for t in run.targets]
    assert all(any(t == "table" and a.get("id") == "target-table" for t, a in stack)
               for attrs, stack in page.find("tr") if "data-target" in attrs)
    text = " ".join(page.text)
    for record in run.summary.records():
        assert f"{100 * record['probability']:.1f} % \u00b1 {100 * record['probability_se']:.1f}" \
            in text
    from forecast.formatting import format_date

    iso = str(run.provenance["created"])[:10]
    created = f'<time datetime="{iso}">{format_date(iso)}</time>'
    for term, value in (("Scenario", "base"), ("Simulated on", created), ("Seed", str(run.seed)),
                        ("Draws", f"{run.draws:,}")):
        assert f"<dt>{term}</dt><dd>{value}</dd>" in html_en
    for item in run.assumptions():
        assert item.key in text and item.why in text
    links = {attrs["href"] for attrs, _ in page.find("a")}
    sources = {row.evidence.source for name in run.indicators
               for row in evidence_rows(run.indicator_info(name))}
    assert {s for s in sources if s.startswith("http")} <= links
    assert "How to read this" in text


def test_vietnamese_report_writes_every_tool_word_in_vietnamese(run):
    html = render_report(run, lang="vi")
    page = Page(html)
    check_self_contained(page)
    assert page.find("html", lang="vi")
    text = " ".join(page.text)
    english, vietnamese = strings("en"), strings("vi")
    for key, value in english.items():
        if isinstance(value, str) and len(value) > 12 and value != vietnamese[key]:
            assert value not in text, key
    assert "Cách đọc báo cáo này" in text and "Tổng thu ngân sách" in text
    assert f"{run.draws:,}".replace(",", ".") in text
    alts = [attrs["alt"] for attrs, _ in page.find("img")]
    assert "Tỷ lệ hộ nghèo đa chiều" in alts


def test_report_into_a_missing_folder_is_an_input_error(folders, tmp_path):
    result = CliRunner().invoke(main, ["report", str(folders[0]), "-o",
                                       str(tmp_path / "nowhere" / "report.html")])
    assert result.exit_code == 2 and "does not exist" in result.output


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")
def test_report_renders_in_a_headless_browser(html_en, tmp_path):
    from matplotlib.image import imread

    page, shot = tmp_path / "report.html", tmp_path / "shot.png"
    page.write_text(html_en, encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1200,2000", page.as_uri()],
                   check=True, timeout=120, capture_output=True)
    pixels = imread(shot)[..., :3]
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    dark = (pixels.mean(axis=2) < 0.5).mean()
    assert 0.005 < dark < 0.6                      # text and charts, not a blank or black page
    assert pixels.std() > 0.05


# -- command line -----------------------------------------------------------------------------
@pytest.fixture
def cli():
    return CliRunner()


def test_report_of_several_runs_and_plot_commands(cli, folders, runs, tmp_path):
    out = tmp_path / "r.html"
    result = cli.invoke(main, ["report", *map(str, folders), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    check_self_contained(page)
    assert set(images(page, "chart")) == {"comparison", "rates"}
    assert list(images(page, "fan")) == runs[0].indicators
    table = " ".join(page.text)
    assert all(f"{100 * r.probability('roads_2025'):.1f} %" in table for r in runs)
    assert page.find("table", id="comparison-table")
    folders = [str(f) for f in folders]
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for fmt, start in magic.items():
        image = tmp_path / f"fan.{fmt}"
        result = cli.invoke(main, ["plot", folders[0], "poverty_rate", "-o", str(image)])
        assert result.exit_code == 0, result.output
        assert image.read_bytes().startswith(start)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fan.pdf", "fan.png", "fan.svg",
                                                          "r.html"]


def test_run_with_report_writes_it_beside_the_results(cli, tmp_path):
    out = tmp_path / "run"
    result = cli.invoke(main, ["run", str(BASE), "--draws", "300", "--seed", "2", "--out",
                               str(out), "--report"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.nc",
                                                     "summary.csv", "summary.json"]
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    assert len(images(page, "fan")) == len(forecast.Results.load(out).indicators)


@pytest.mark.parametrize("args,needle", [
    (["plot", "{run}", "budget_revenu"], "Did you mean 'budget_revenue'"),
    (["plot", "{missing}", "budget_revenue"], "no results.nc"),
    (["plot", "{run}", "budget_revenue", "-o", "{tmp}/x.gif"], "expected a name ending in"),
    (["report", "{missing}"], "no results.nc"),
    (["report", "{run}", "{missing}"], "no results.nc"),
    (["report", "{run}", "-o", "{tmp}/r.txt"], "name it '*.html'"),
])
def test_bad_input_exits_2_with_one_message(cli, folders, tmp_path, args, needle):
    values = {"run": str(folders[0]), "missing": str(tmp_path / "missing"), "tmp": str(tmp_path)}
    result = cli.invoke(main, [a.format(**values) for a in args])
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


# -- layout in a real browser: phone, laptop, A4 print -----------------------------------------
PROBE = """<script>
window.addEventListener('load', function () {
  var de = document.documentElement, out = {page: de.scrollWidth, view: de.clientWidth,
                                            tables: [], cut: []};
  document.querySelectorAll('table').forEach(function (t) {
    out.tables.push([t.id, t.scrollWidth, t.parentElement.clientWidth]);
  });
  document.querySelectorAll('h1,h2,h3,th,td,p,li,dt,dd,img').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > de.clientWidth + 1) out.cut.push(e.tagName + ': ' +
                                                                  e.textContent.slice(0, 40));
  });
  var p = parent.document.createElement('pre'); p.id = 'probe';
  p.textContent = JSON.stringify(out); parent.document.body.appendChild(p);
});
</script>"""
A4_CSS_PX = 703          # 210 mm less 2 x 12 mm margins, at 96 px per inch


def browser_layout(html: str, width: int, folder: Path, *, printed: bool = False) -> dict:
    """Widths the browser lays the report out at: the page, each table against its box, and
    every element that runs past the page (the report inside an iframe ``width`` px wide; with
    ``printed`` its print style sheet applies)."""
    import json
    import re

    if printed:
        html = html.replace("@media print", "@media all")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_text(html.replace("</body>", PROBE + "</body>"), "utf-8")
    frame = folder / "frame.html"
    frame.write_text(f'<!DOCTYPE html><html><body style="margin:0"><iframe src="page.html" '
                     f'style="border:0;width:{width}px;height:2600px"></iframe></body></html>')
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--allow-file-access-from-files", f"--user-data-dir={folder / 'profile'}",
             f"--window-size={max(width, 500)},2600"]
    dom = subprocess.run([str(CHROMIUM), *flags, "--dump-dom", frame.as_uri()], check=True,
                         timeout=120, capture_output=True, text=True).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-300:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width,printed", [(400, False), (1280, False), (A4_CSS_PX, True)])
def test_report_fits_a_phone_a_laptop_and_a4_paper(run, lang, width, printed, tmp_path):
    layout = browser_layout(render_report(run, lang=lang), width, tmp_path, printed=printed)
    assert layout["view"] <= width
    assert layout["page"] <= layout["view"], layout         # no sideways scrolling of the page
    assert layout["cut"] == [], layout["cut"]               # nothing runs past the page
    for table, needed, box in layout["tables"]:
        assert needed <= box, (table, needed, box)          # every table fits its column


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")
def test_the_layout_check_sees_a_table_too_wide(tmp_path):
    wide = "<table id='t'><tr>" + "<td>" + "x" * 80 + "</td>" * 2 + "</tr></table>"
    html = f"<!DOCTYPE html><html><body>{wide}</body></html>"
    layout = browser_layout(html, 400, tmp_path)
    assert layout["page"] > layout["view"] or layout["cut"]


def test_chart_text_is_selectable_text(run):
    svg = figure_bytes(target_panel(run, lang="vi").figure, "svg").decode("utf-8")
    assert "<text" in svg and "Xác suất đạt từng chỉ tiêu" in svg


def test_report_draws_drivers_at_least_and_a_saved_sensitivity(run):
    page = Page(render_report(run, lang="vi", sensitivity={"targets": {"roads_2025": {
        "curves": [{"input": "paved_road_share.pace", "x": [0.05, 0.15, 0.25],
                    "probability": [0.1, 0.5, 0.9], "low": [0.05, 0.45, 0.85],
                    "high": [0.15, 0.55, 0.95], "mass": [0.3, 0.4, 0.3]}],
        "scenario_discovery": {"limits": [{"input": "paved_road_share.pace", "low": None,
                                           "high": 0.11}], "density": 0.9, "coverage": 0.6,
                               "mass": 0.3, "miss_rate": 0.5}}}}))
    text = " ".join(page.text)
    assert [a["data-target"] for a, _ in page.find("li") if "data-target" in a] == \
        [t.id for t in run.targets]
    assert "phụ thuộc vào" in text and "dựa vào các giả định" in text
    assert page.find("table", id="at-least-table") and "5 trên 5 chỉ tiêu" in text
    assert page.find("figure", **{"class": "curve"})
    assert "roads_2025 bị hụt trong 90 % số lần mô phỏng có paved_road_share.pace < 0,11" in text
    headings = [a.get("id") for a, _ in page.find("section")]
    assert headings.index("how-to-read") < headings.index("targets")
