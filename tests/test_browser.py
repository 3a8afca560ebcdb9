"""The built book in a real browser, with the network cut off.

The built HTML is served from 127.0.0.1 and every page that ``_toc.yml`` names
is opened in headless Chromium (Debian's ``/usr/bin/chromium``, driven by
Playwright). Every request to another host is aborted and counted, so passing
means: opened from ``_build/html`` with no network, each page renders its math
and its figures. For each page the test checks that

- no local request fails (CSS, JavaScript, images, fonts: no 4xx/5xx, no
  network error) and nothing is fetched from another host;
- MathJax has typeset the page's math (``mjx-container`` elements, no TeX
  error boxes, no raw ``$$`` left in the visible text);
- every image has loaded (``naturalWidth > 0``);
- no cell output shows a traceback (outside cells tagged ``raises-exception``);

and it writes a full-page JPEG screenshot (at most 32,000 px tall) to
``_build/screenshots/`` (beside the ``html/`` directory under test, or
``$XENTLAB_SCREENSHOTS``). A last test loads
``search.html?q=softmax`` and waits for at least one search result.
"""

import os
import pathlib
import urllib.parse

import pytest
from conftest import toc_pages

pytestmark = [pytest.mark.browser, pytest.mark.book]

PAGES = toc_pages()
PAGE_TIMEOUT_MS = 60_000  # generous: CI machines are often busy
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOT_MAX_HEIGHT = 32_000

# Resolves once MathJax has finished typesetting (or at once if the page has none).
WAIT_FOR_MATHJAX = """async () => {
    if (!document.querySelector('.math')) return 'no math';
    const deadline = Date.now() + 15000;
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        if (Date.now() > deadline) return 'MathJax never started';
        await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
    return 'typeset';
}"""

# Waits for every image, then lists those that did not decode.
BROKEN_IMAGES = """async () => {
    const images = [...document.images];
    await Promise.all(images.map(img => img.complete ? null :
        new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
    return images.filter(img => img.naturalWidth === 0).map(img => img.currentSrc || img.src);
}"""

# The visible text of the page's content, minus code and math sources.
VISIBLE_PROSE = """() => {
    const article = document.querySelector('article') || document.body;
    const clone = article.cloneNode(true);
    clone.querySelectorAll('pre, code, script, style, mjx-container, .output')
         .forEach(el => el.remove());
    return clone.innerText;
}"""

TRACEBACKS = """() => [...document.querySelectorAll('div.cell')]
    .filter(cell => !cell.classList.contains('tag_raises-exception'))
    .flatMap(cell => [...cell.querySelectorAll('.cell_output')])
    .map(out => out.innerText)
    .filter(text => text.includes('Traceback (most recent call last)'))"""


@pytest.fixture(scope="session")
def screenshot_dir(book_html):
    directory = pathlib.Path(
        os.environ.get("XENTLAB_SCREENSHOTS", book_html.parent / "screenshots")
    )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def offline_context(browser, book_server):
    """A browser context that can reach only the local book server.

    Yields the context and a log: every aborted non-local request, every failed
    local request and every local response with status >= 400.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    log = {"blocked": [], "failed": [], "bad_status": []}

    def route(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            log["blocked"].append(route.request.url)
            route.abort("internetdisconnected")

    def on_failed(request):
        if request.url not in log["blocked"]:  # those were aborted on purpose
            log["failed"].append(f"{request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400:
            log["bad_status"].append(f"{response.url} -> {response.status}")

    context.route("**/*", route)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    try:
        yield context, log
    finally:
        context.close()


def _open(offline_context, url):
    """Open `url`; return the page and what this page added to the log."""
    context, log = offline_context
    for entries in log.values():
        entries.clear()
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    if response is None or not response.ok:
        status = "no response" if response is None else f"HTTP {response.status}"
        page.close()
        pytest.fail(f"{url}: {status} (is the page in _toc.yml but not built?)")
    return page, log


@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(offline_context, book_server, screenshot_dir, page_path):
    page, log = _open(offline_context, book_server + page_path)
    try:
        mathjax = page.evaluate(WAIT_FOR_MATHJAX)
        broken_images = page.evaluate(BROKEN_IMAGES)
        page.wait_for_load_state("networkidle")
        # JPEG: a tall page encodes about twice as fast as PNG, and these are for
        # a person to look through, not for pixel comparison. A chapter is about
        # 20,000 px tall, the API reference some 55,000: its picture stops at
        # SCREENSHOT_MAX_HEIGHT, which keeps the test's time in check.
        name = page_path.replace("/", "_").removesuffix(".html") + ".jpg"
        height = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": SCREENSHOT_MAX_HEIGHT}
        page.screenshot(
            path=str(screenshot_dir / name),
            full_page=True,
            clip=clip if height > SCREENSHOT_MAX_HEIGHT else None,
            quality=75,
            timeout=2 * PAGE_TIMEOUT_MS,
        )

        assert not log["blocked"], (
            f"{page_path} tried to load {len(log['blocked'])} resource(s) from the "
            f"network (blocked): {log['blocked']}"
        )
        assert not log["failed"], f"{page_path}: local requests failed: {log['failed']}"
        assert not log["bad_status"], f"{page_path}: HTTP errors: {log['bad_status']}"
        assert mathjax in ("no math", "typeset"), f"{page_path}: {mathjax}"
        if mathjax == "typeset":
            assert page.locator("mjx-container").count() > 0, (
                f"{page_path} has math but MathJax rendered none of it"
            )
            errors = page.locator("mjx-merror").all_inner_texts()
            assert not errors, f"{page_path}: MathJax could not typeset: {errors}"
        assert "$$" not in page.evaluate(VISIBLE_PROSE), (
            f"{page_path}: raw '$$' is visible in the text: a display equation was not parsed"
        )
        assert not broken_images, f"{page_path}: images that did not load: {broken_images}"
        tracebacks = page.evaluate(TRACEBACKS)
        assert not tracebacks, f"{page_path}: a cell output shows a traceback:\n{tracebacks[0]}"
    finally:
        page.close()


def test_search_finds_softmax(offline_context, book_server):
    page, log = _open(offline_context, book_server + "search.html?q=softmax")
    try:
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
        assert results.count() >= 1
        assert not log["blocked"], f"the search page used the network: {log['blocked']}"
        assert not log["bad_status"], f"the search page had HTTP errors: {log['bad_status']}"
    finally:
        page.close()
