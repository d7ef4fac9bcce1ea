"""The HTML report: well-formed, self-contained, hostile names escaped, renders in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from routing.audit import render_html
from routing.audit.charts import technician_labels
from routing.audit.html_out import Markup, el
from tests.routing.audit.sample import HOSTILE, sample_report

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(sample_report())


def test_the_page_is_well_formed_and_has_both_charts(page: str) -> None:
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    assert root.tag == "html"
    assert len(root.findall(f".//{SVG}svg")) == 2
    assert [h.text for h in root.iter("h2")] == [
        "Overall", "Technicians, worst first", "Weekly trend", "Findings"]
    alerts = [td.text for td in root.iter("td") if "alert" in (td.get("class") or "")]
    assert alerts == ["17.9 % (5/28)", "35.7 % (5/14)"]  # late starts: overall, then T2


def test_a_hostile_technician_name_is_escaped(page: str) -> None:
    assert HOSTILE not in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;=cmd" in page
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    assert HOSTILE in [td.text for td in root.iter("td")]


def test_nothing_is_fetched(page: str) -> None:
    references = re.findall(r'(?:src|href)\s*=\s*"([^"#][^"]*)"', page)
    assert references == []
    assert "@import" not in page
    assert re.findall(r"url\((?!#)", page) == []  # only the charts' own clip paths


def test_el_escapes_attributes_and_text_but_not_markup() -> None:
    built = el("td", '"<b>', Markup("<i>ok</i>"), None, class_='a"b')
    assert built == '<td class="a&quot;b">&quot;&lt;b&gt;<i>ok</i></td>'


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")
def test_chromium_renders_the_page(page: str, tmp_path: Path) -> None:
    path = tmp_path / "audit.html"
    path.write_text(page, encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert dom.count("<svg") == 2
    assert "Technicians, worst first" in dom


@pytest.mark.slow
def test_chromium_shows_the_charts_without_console_errors(
    page: str, tmp_path: Path, browser: Any
) -> None:
    path = tmp_path / "audit.html"
    path.write_text(page, encoding="utf-8")
    errors: list[str] = []
    tab = browser.new_page()
    try:
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(path.as_uri())
        sizes = tab.eval_on_selector_all(
            "figure svg", "nodes => nodes.map(n => n.getBoundingClientRect().height)")
    finally:
        tab.close()
    assert len(sizes) == 2 and all(h > 100 for h in sizes)
    assert errors == []


def test_chart_rows_are_named_and_an_id_tells_apart_what_a_name_cannot() -> None:
    report = sample_report()
    rows = [t.model_copy(update={"name": name}) for t, name in
            zip(report.technicians, ["Ana Ruiz", None, HOSTILE], strict=True)]
    assert technician_labels(report.model_copy(update={"technicians": rows})) == [
        "Ana Ruiz", rows[1].technician_id, HOSTILE]
    twins = [t.model_copy(update={"name": "Sam Lee"}) for t in report.technicians[:2]]
    assert technician_labels(report.model_copy(update={"technicians": twins})) == [
        f"Sam Lee ({t.technician_id})" for t in twins]
