"""Shared pytest configuration.

Hypothesis profiles: ``xentlab`` (the default) keeps the property tests fast
enough for ``make test``; ``thorough`` runs many more examples, for a change to a
kernel. Pick one with ``HYPOTHESIS_PROFILE=thorough``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "xentlab",
    max_examples=50,
    # Timings on a loaded CI machine are not a property of the code.
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("xentlab"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "xentlab"))


# --- The built book and the headless browser (tests/test_built_html.py, ------
# --- tests/test_browser.py) ---------------------------------------------------
#
# `make test` builds the book into _build/html before pytest runs. Point the tests
# at another build with XENTLAB_BOOK_HTML=/path/to/_build/html. Locally a missing
# build or a missing Chromium skips these tests with a message; .ci/run sets
# XENTLAB_REQUIRE_BROWSER=1, which turns both into failures.

import functools  # noqa: E402
import http.server  # noqa: E402
import pathlib  # noqa: E402
import shutil  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_required():
    return os.environ.get("XENTLAB_REQUIRE_BROWSER") == "1"


def _skip_or_fail(message):
    if _browser_required():
        pytest.fail(f"{message} (XENTLAB_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(message)


def toc_documents(toc_path=REPO_ROOT / "_toc.yml"):
    """Every document named in _toc.yml, in reading order, without extension."""
    import yaml

    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            if "glob" in entry:
                matches = sorted(REPO_ROOT.glob(entry["glob"]))
                docs.extend(str(m.relative_to(REPO_ROOT).with_suffix("")) for m in matches)
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    # A file may be written with its extension; the HTML page never has it.
    return [d[: -len(s)] if (s := pathlib.Path(d).suffix) else d for d in docs]


def toc_pages():
    """The HTML path (relative to the build root) of every page in _toc.yml."""
    return [f"{doc}.html" for doc in toc_documents()]


@pytest.fixture(scope="session")
def book_html():
    """The built HTML book: $XENTLAB_BOOK_HTML, or _build/html of this checkout."""
    root = pathlib.Path(os.environ.get("XENTLAB_BOOK_HTML", REPO_ROOT / "_build" / "html"))
    if not (root / "index.html").is_file():
        _skip_or_fail(
            f"no built book at {root} (run `make book`, or set XENTLAB_BOOK_HTML "
            "to the html/ directory of a build)"
        )
    return root


@pytest.fixture(scope="session")
def chromium_executable():
    """Debian's Chromium (Playwright's own browser downloads are not used)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    _skip_or_fail(
        "Chromium not found at /usr/bin/chromium or on PATH "
        "(Debian/Ubuntu: `apt-get install chromium`)"
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass  # one line per request on stderr would drown pytest's output


@pytest.fixture(scope="session")
def book_server(book_html):
    """Serve the built book on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_executable):
    """A headless Chromium driven by Playwright, shared by the browser tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("the Python package playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
