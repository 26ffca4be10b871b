"""
Real-browser journeys: Playwright for Python driving the system's Chromium.

Playwright's own browser download needs the internet, so the browser is
Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it).
Without it every browser test is skipped, not failed.

Each journey records what the pages do wrong (console errors, uncaught
exceptions, failed requests, requests to other hosts) and saves full-page
screenshots of its key pages under ``test-artifacts/screenshots/<journey>/``.
"""

import re
import shutil
import subprocess
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest


@pytest.fixture(scope="package", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API runs an asyncio event loop in the test thread, so Django
    would refuse every ORM call made there (fixtures, assertions) with
    SynchronousOnlyOperation although nothing actually runs concurrently. Set for
    the browser tests only: the variable would fail other tests' deploy checks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own labels (e.g. file inputs) in Chinese too
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}


CJK_FONTS_MISSING = (
    "!!! No Chinese (CJK) font found: Chromium draws boxes instead of Chinese and the "
    "screenshots in test-artifacts/ are useless. Install with: apt-get install fonts-noto-cjk"
)


def cjk_fonts_installed(run=subprocess.run):
    """True when fontconfig knows a font that covers Chinese."""
    try:
        found = run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    except OSError:  # no fontconfig at all
        return False
    return bool(found.stdout.strip())


@pytest.fixture(scope="package")
def browser(request):
    """One headless Chromium for the browser tests (each test opens fresh contexts)."""
    if not CHROMIUM:
        pytest.skip("Chromium not found: install it with `apt-get install chromium`.")
    if not cjk_fonts_installed():
        # As loud as a missing Chromium: on the terminal, and in the warnings summary.
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(CJK_FONTS_MISSING, red=True, bold=True)
        warnings.warn(CJK_FONTS_MISSING, stacklevel=1)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # the screenshots of this run only
    with sync_api.sync_playwright() as playwright:
        # launch() gives the browser a fresh temporary profile of its own.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(settings, live_server):
    """The live server, serving uploaded media (MEDIA_ROOT is a temporary folder)."""
    settings.NEWSROOM_SERVE_MEDIA = True
    return live_server


# Pages must never show a JavaScript value leaking into the text.
LEAKED_VALUE = re.compile(r"(?<![A-Za-z])(undefined|NaN|\[object Object\])(?![A-Za-z])")

# Scrolls every image into view (lazy ones then load), waits for each to
# finish, and returns the sources of those that did not decode.
BROKEN_IMAGES_JS = """
async () => {
  const broken = [];
  for (const img of Array.from(document.images)) {
    img.scrollIntoView({block: "center"});
    if (!img.complete) {
      await new Promise((done) => {
        img.addEventListener("load", done, {once: true});
        img.addEventListener("error", done, {once: true});
        setTimeout(done, 5000);
      });
    }
    if (!img.complete || img.naturalWidth === 0) broken.push(img.currentSrc || img.src);
  }
  window.scrollTo(0, 0);
  return broken;
}
"""


class Watcher:
    """Collects what the pages of a journey do wrong; ``check()`` fails the test on it."""

    def __init__(self, origin):
        self.origin = origin
        self.problems = []
        self.allowed = []  # (url regex, status) of deliberate failures

    def allow(self, pattern, status):
        """A response that must fail (e.g. an upload the server refuses)."""
        self.allowed.append((re.compile(pattern), status))

    def is_allowed(self, url, status):
        return any(p.search(url) and s == status for p, s in self.allowed)

    def attach(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, page, message):
        if message.type != "error":
            return
        # "Failed to load resource: … status of 400" names the URL only in its location.
        status = re.search(r"status of (\d{3})", message.text)
        url = (message.location or {}).get("url", "")
        if status and self.is_allowed(url, int(status.group(1))):
            return
        self.problems.append(f"{page.url}: console error: {message.text} ({url})")

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob"}:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another host: {request.url}")

    def _request_failed(self, request):
        # Leaving a page while one of its lazy images loads aborts the image.
        if request.failure == "net::ERR_ABORTED" and request.resource_type == "image":
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400 and not self.is_allowed(response.url, response.status):
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def check(self):
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)


class Journey:
    """Opens browser contexts for one test, checks its pages and saves screenshots."""

    def __init__(self, browser, origin, name):
        self.browser = browser
        self.origin = origin
        self.folder = SCREENSHOTS / name
        self.watcher = Watcher(origin)
        self.devices = {}  # browser context -> "desktop" or "phone"

    def page(self, device="desktop"):
        """A page in a new context: a fresh visitor (no cookies) with a Chinese browser."""
        context = self.browser.new_context(
            base_url=self.origin,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **DEVICES[device],
        )
        context.set_default_timeout(10_000)
        context.on("page", self.watcher.attach)
        self.devices[context] = device
        return context.new_page()

    def check(self, page, shot=None):
        """
        What every page must satisfy: no errors or failed or foreign requests so
        far, no leaked JavaScript values, every image decoded, and on a phone no
        sideways scrolling. Saves a full-page screenshot named ``shot`` first.
        """
        page.wait_for_load_state("load")
        if shot:
            self.shot(page, shot)
        broken = page.evaluate(BROKEN_IMAGES_JS)
        assert not broken, f"{page.url}: images that did not load: {broken}"
        text = page.evaluate("document.body.innerText")
        leaked = LEAKED_VALUE.search(text)
        if leaked:
            around = text[max(0, leaked.start() - 80) : leaked.end() + 80]
            pytest.fail(f"{page.url} shows {leaked.group(0)!r}: …{around}…")
        if self.devices[page.context] == "phone":
            # Not window.innerWidth: a mobile browser zooms out to fit wide content,
            # and innerWidth grows with it; clientWidth stays the device's width.
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= client, f"{page.url} scrolls sideways on a phone: {scroll} > {client}"
        self.watcher.check()

    def log_in(self, page, username, password, next_url="/admin/"):
        """Signs in through the admin's real login form (in Chinese)."""
        page.goto(next_url)
        assert "/admin/login/" in page.url
        assert page.locator("input[type=submit]").get_attribute("value") == "登录"
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_load_state()
        assert "/admin/login/" not in page.url, page.locator(".errornote").all_inner_texts()

    def shot(self, page, name):
        device = self.devices[page.context]
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=self.folder / f"{name}-{device}.png", full_page=True)

    def shot_element(self, locator, name):
        """A screenshot of one part of the page (the header, the footer)."""
        device = self.devices[locator.page.context]
        self.folder.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=self.folder / f"{name}-{device}.png")

    def close(self, failed=False):
        for context in self.devices:
            if failed:  # what each open page showed when the test failed
                for number, page in enumerate(context.pages, 1):
                    self.shot(page, f"FAILED-{number}")
            context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remembers whether the test itself failed, for the journey fixture's teardown."""
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def journey(request, browser, site):
    """A journey named after the test; screenshots go to test-artifacts/screenshots/<name>/."""
    journey = Journey(browser, site.url, request.node.originalname.removeprefix("test_"))
    yield journey
    journey.close(failed=getattr(request.node, "browser_test_failed", False))
