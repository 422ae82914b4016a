"""Every dashboard page in headless Chromium (Debian's chromium + chromium-driver) against the
demo warehouse: the page renders, a filter changes what the figures and tables show, the
filters are kept in the URL, the browser asks no host but 127.0.0.1 for anything and logs no
console error. Screenshots go to test-output/screenshots/ (gitignored)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    reason = (
        "浏览器测试已跳过：未找到 Debian 的 chromium / chromium-driver "
        "(apt-get install chromium chromium-driver; .ci/run installs them)"
    )
    print(reason, file=sys.stderr)
    pytest.skip(reason, allow_module_level=True)

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "test-output" / "screenshots"
WIDTH = 1366  # the leaders' laptops: every page must fit it
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--lang=zh-CN",
)

# Ready when the page's content is there, nothing is loading and every figure has drawn.
READY_JS = """
const root = document.getElementById(arguments[0]);
if (!root || root.children.length === 0) { return false; }
if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
for (const g of root.querySelectorAll('.dash-graph')) {
    if (!g.querySelector('.main-svg')) { return false; }
}
return true;
"""

# What the reader sees: each figure's data, the first rows of each grid, and the text.
FINGERPRINT_JS = """
const root = document.getElementById(arguments[0]);
const figures = {};
for (const g of root.querySelectorAll('.js-plotly-plot')) {
    const id = g.closest('.dash-graph') ? g.closest('.dash-graph').id : '';
    const shapes = ((g.layout || {}).shapes || []).map(s => [s.x0, s.x1]);
    figures[id] = JSON.stringify([(g.data || []).map(t => [t.name, t.x, t.y]), shapes]);
}
const grids = {};
for (const grid of root.querySelectorAll('.ag-root-wrapper')) {
    const host = grid.closest('[id]');
    const rows = Array.from(grid.querySelectorAll('.ag-center-cols-container .ag-row'))
        .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
        .slice(0, 8).map(r => r.innerText.replace(/\\s+/g, ' '));
    grids[host ? host.id : ''] = rows;
}
return {figures: figures, grids: grids, text: root.innerText};
"""


class Browser:
    """A headless Chromium with its network requests and console messages collected."""

    def __init__(self, base: str, profile: Path) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={WIDTH},1200")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(60)
        self.base = base
        self.urls: list[str] = []
        self.console: list[dict[str, Any]] = []

    def quit(self) -> None:
        self.driver.quit()

    # --- logs --------------------------------------------------------------------------------

    def drain(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                params = message["params"]
                url = params["request"]["url"] if "request" in params else params["url"]
                self.urls.append(url)
        self.console.extend(self.driver.get_log("browser"))

    def foreign_requests(self) -> list[str]:
        """Every request the pages made to anything but 127.0.0.1 (browser-internal schemes
        such as data:, blob: and chrome: never leave the machine)."""
        self.drain()
        out = []
        for url in self.urls:
            parts = urlparse(url)
            if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension",
                                "devtools"):
                continue
            if parts.hostname != "127.0.0.1":
                out.append(url)
        return out

    def console_errors(self) -> list[str]:
        self.drain()
        return [e["message"] for e in self.console if e["level"] == "SEVERE"]

    # --- pages -------------------------------------------------------------------------------

    def open(self, path: str, ready: str) -> None:
        self.driver.get(self.base + path)
        self.wait_ready(ready)

    def wait_ready(self, element_id: str, timeout: float = 30) -> None:
        self.wait(lambda: self.driver.execute_script(READY_JS, element_id), timeout,
                  f"{element_id} did not finish rendering")

    def wait(self, predicate: Callable[[], Any], timeout: float = 20, what: str = "") -> Any:
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(
                lambda _driver: predicate()
            )
        except TimeoutException:
            raise AssertionError(f"timed out: {what}") from None

    def fingerprint(self, element_id: str) -> dict[str, Any]:
        return self.driver.execute_script(FINGERPRINT_JS, element_id)

    def select(self, dropdown_id: str, option_text: str) -> None:
        """Open a dcc.Dropdown and click the option with this label, as a reader would."""
        self.driver.find_element(By.ID, dropdown_id).click()
        options = self.wait(
            lambda: [
                o for o in self.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                if o.text.strip() == option_text
            ],
            10,
            f"option {option_text!r} of {dropdown_id}",
        )
        options[0].click()

    def dropdown_text(self, dropdown_id: str) -> str:
        return self.driver.find_element(By.ID, dropdown_id).text.strip()

    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlparse(self.driver.current_url).query).items()}

    def change_and_wait(self, element_id: str, action: Callable[[], None]) -> tuple[dict, dict]:
        """Run `action` (a filter change) and wait until the content shows something else."""
        before = self.fingerprint(element_id)
        action()
        self.wait(lambda: self.fingerprint(element_id) != before, 30,
                  f"{element_id} did not change")
        self.wait_ready(element_id)
        return before, self.fingerprint(element_id)

    def screenshot(self, name: str) -> Path:
        """The whole page, at its full height."""
        height = self.driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
        self.driver.set_window_size(WIDTH, min(int(height) + 140, 8000))
        time.sleep(0.8)  # responsive figures redraw at the new size
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(WIDTH, 1200)
        return path


@pytest.fixture(scope="module")
def browser(demo_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the module, on the session's demo server (conftest)."""
    b = Browser(demo_server, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.quit()


@pytest.fixture(autouse=True)
def offline_and_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each browser test: no request left the machine, no console error."""
    yield
    if "browser" not in request.fixturenames:
        return
    b: Browser = request.getfixturevalue("browser")
    assert b.foreign_requests() == []
    assert b.console_errors() == []
    b.console.clear()


def changed(before: dict, after: dict, kind: str) -> list[str]:
    return [k for k in after[kind] if before[kind].get(k) != after[kind][k]]


# ---------------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------------


@pytest.mark.characterisation
def test_overview_year_filter_and_drill_down(browser: Browser) -> None:
    """Characterisation: "1,191 件" (the county's 2010 items) was copied from the page over a
    demo build."""
    browser.open("/", "ov-content")
    text = browser.fingerprint("ov-content")["text"]
    assert "信访总量" in text and "重访占来访比" in text and "数据截止 2011-12-31" in text
    assert browser.dropdown_text("ov-year") == "2011年"
    browser.screenshot("01-overview")

    before, after = browser.change_and_wait("ov-content", lambda: browser.select("ov-year", "2010年"))
    assert browser.query() == {"year": "2010"}
    assert {"ov-trend-petitions", "ov-forest", "ov-drill"} <= set(changed(before, after, "figures"))
    assert changed(before, after, "grids"), "the town table did not change"
    assert "1,191 件" in after["text"]  # the county's 2010 volume

    # Drill down: click the top town's bar.
    bars = browser.driver.find_elements(By.CSS_SELECTOR, "#ov-drill .bars .point path")
    assert bars
    # Plotly listens on its drag layer above the bars: click there, where the bar is drawn.
    click = ActionChains(browser.driver).move_to_element(bars[-1]).pause(0.3).click()
    before, after = browser.change_and_wait("ov-content", click.perform)
    town = browser.dropdown_text("ov-scope")
    assert town.endswith("镇") and town in after["text"]
    assert set(browser.query()) == {"year", "town"}
    assert "返回全县" in after["text"]
    browser.screenshot("02-overview-town")


def test_overview_opens_from_a_shared_url_in_english(browser: Browser) -> None:
    browser.open("/?year=2009&lang=en", "ov-content")
    text = browser.fingerprint("ov-content")["text"]
    assert "Total items" in text and "As of 2011-12-31" in text
    assert browser.dropdown_text("ov-year") == "2009"
    browser.screenshot("08-overview-english")
    link = browser.driver.find_element(By.ID, "ov-lang-switch")
    assert link.text == "中文" and parse_qs(urlparse(link.get_attribute("href")).query) == {
        "year": ["2009"]
    }


def test_villages_indicator_and_town_filters(browser: Browser) -> None:
    browser.open("/villages", "vr-content")
    first = browser.fingerprint("vr-content")
    assert "村居排名" in first["text"] and "示范村居 · 命名、保留与摘牌" in first["text"]
    assert first["text"].index("需关注村居") < first["text"].index("村居排名 · ")
    assert first["grids"].get("vr-grid"), "no ranking rows"
    browser.screenshot("03-villages")

    before, after = browser.change_and_wait(
        "vr-content", lambda: browser.select("vr-indicator", "每千人重复信访量")
    )
    assert "vr-funnel" in changed(before, after, "figures")
    assert browser.query().get("indicator") == "repeat_petitions_per_1k"

    before, after = browser.change_and_wait("vr-content", lambda: browser.select("vr-town", "万中镇"))
    assert changed(before, after, "grids")
    assert all("万中镇" in row for row in after["grids"]["vr-grid"])
    assert browser.query().get("town") == "320982102"
    browser.screenshot("04-villages-town")


def test_cadres_year_filter(browser: Browser) -> None:
    browser.open("/cadres", "cd-content")
    first = browser.fingerprint("cd-content")
    assert "干部排名" in first["text"] and "先进个人候选" in first["text"]
    browser.screenshot("05-cadres")
    before, after = browser.change_and_wait("cd-content", lambda: browser.select("cd-year", "2009年"))
    assert changed(before, after, "grids") and changed(before, after, "figures")
    assert browser.query() == {"year": "2009"}


def test_handling_scope_filter(browser: Browser) -> None:
    browser.open("/handling", "hq-content")
    first = browser.fingerprint("hq-content")
    for label in ("初信初访一个月内办结率", "按期办结率", "暂存件占比", "线索成案率", "满意率",
                  "停诉息访率", "实名举报占比", "来信与来访"):
        assert label in first["text"], label
    browser.screenshot("06-handling")
    before, after = browser.change_and_wait("hq-content", lambda: browser.select("hq-scope", "西湾镇"))
    assert {"hq-rates", "hq-channels", "hq-realname"} <= set(changed(before, after, "figures"))
    assert browser.query().get("town") == "320982108"


def test_quality_page_and_language_switch(browser: Browser) -> None:
    browser.driver.get(browser.base + "/quality")
    browser.wait(lambda: browser.driver.find_elements(By.ID, "ledger-grid"), 30, "ledger")
    browser.wait_ready("ledger")
    text = browser.driver.find_element(By.TAG_NAME, "body").text
    for expected in ("载入记录", "测试与期望检查结果", "cases_2011.csv", "已发布构建", "构建记录"):
        assert expected in text, expected
    browser.screenshot("07-quality")
    browser.driver.find_element(By.ID, "lang-switch").click()
    browser.wait(lambda: "Load ledger" in browser.driver.find_element(By.TAG_NAME, "body").text,
                 20, "English page")
    assert browser.query() == {"lang": "en"}


def test_every_asset_came_from_the_local_server(browser: Browser) -> None:
    browser.drain()
    local = [u for u in browser.urls if urlparse(u).hostname == "127.0.0.1"]
    assert any("/vendor/bootstrap/css/bootstrap.min.css" in u for u in local)
    assert any("plotly" in u for u in local)
    assert any("dash_ag_grid" in u for u in local)


def test_before_the_first_build_pages_say_whom_to_ask_without_console_errors(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A fresh install (nothing ingested, nothing published): every page opens with the
    empty state that says what is missing and whom to ask (no command, no build id), the
    browser logs no error, and an unknown address gets the app's own not-found page."""
    from tests.support import dashboard_server

    home = tmp_path_factory.mktemp("empty-home")
    with dashboard_server(home) as base:
        b = Browser(base, tmp_path_factory.mktemp("chromium-profile-empty"))
        try:
            for path in ("/", "/villages", "/cadres", "/handling"):
                b.driver.get(base + path)
                b.wait(lambda: "还没有可以展示的数据" in b.driver.find_element(
                    By.TAG_NAME, "body").text, 30, f"{path}: no empty state")
                body = b.driver.find_element(By.TAG_NAME, "body").text
                assert "请联系信访室数据管理员" in body and "xinfang" not in body, path
            b.driver.get(base + "/quality")
            b.wait(lambda: "尚未导入任何数据文件" in b.driver.find_element(
                By.TAG_NAME, "body").text, 30, "quality: no empty state")
            b.driver.get(base + "/no-such-page?lang=en")
            b.wait(lambda: "Page not found" in b.driver.find_element(
                By.TAG_NAME, "body").text, 30, "no not-found page")
            assert b.driver.find_element(By.ID, "nf-back").text == "Back to the overview"
            assert b.foreign_requests() == []
            assert b.console_errors() == []
        finally:
            b.quit()


def test_every_page_fits_a_1366_pixel_screen(browser: Browser) -> None:
    """At 1,366 pixels wide nothing runs off the page: no horizontal scroll, and every card,
    chart and table box lies within the window."""
    browser.driver.set_window_size(WIDTH, 900)
    for path, ready in (("/", "ov-content"), ("/villages", "vr-content"),
                        ("/cadres", "cd-content"), ("/handling", "hq-content"),
                        ("/quality", "ledger")):
        browser.open(path, ready)
        sizes = browser.driver.execute_script(
            "const boxes = Array.from(document.querySelectorAll("
            "'.card, .js-plotly-plot, .scroll-box, .ag-root-wrapper'));"
            "return {scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth,"
            " right: Math.max(0, ...boxes.map(b => b.getBoundingClientRect().right))};")
        assert sizes["scroll"] <= sizes["client"], (path, sizes)
        assert sizes["right"] <= sizes["client"] + 1, (path, sizes)
