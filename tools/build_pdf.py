"""Print the book to one PDF with the system's Chromium (what `make pdf` runs).

Usage: python tools/build_pdf.py SINGLEHTML_DIR OUTPUT.pdf [--copy-to HTML_DIR]

SINGLEHTML_DIR is the output of ``jupyter-book build . --builder singlehtml``:
the whole book as one page (``book/intro.html``), which is what Jupyter Book's
own ``pdfhtml`` builder prints. That builder downloads a Chromium of its own
through pyppeteer; this script drives the system's browser through Playwright
instead, the same browser and driver as the tests of the built book:
``$XENTLAB_CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``, else
``chromium``, ``chromium-browser`` or ``google-chrome`` on ``PATH``.

The page is served from 127.0.0.1 and every request to another host is
aborted, so the PDF needs no network. Before printing, the script waits until
MathJax has typeset every equation and every image has loaded, opens every
collapsed block (the exercises' solutions are hidden behind a toggle on the
web pages; on paper they are printed in full), and adds a little print CSS:
each chapter starts on a new page, interactive widgets are left out (each
explorable figure has a static figure beside it), and no toggle or button is
printed. Chromium writes the PDF with a document outline (bookmarks for the
chapters and sections) and page numbers in the footer.

With ``--copy-to HTML_DIR`` the PDF is also copied to
``HTML_DIR/_static/xentlab.pdf``, where the book's download menu links it.
"""

import argparse
import functools
import html
import http.server
import os
import pathlib
import shutil
import sys
import threading
import time
import urllib.parse

# The one-page book, relative to the singlehtml directory (the root document of
# _toc.yml). Sphinx writes its links to _static/ and _images/ relative to the
# top of the directory although the page lies in book/, so the page is served
# from the top (as PRINT_PAGE) for those links to resolve.
START_PAGE = "book/intro.html"
PRINT_PAGE = "xentlab-print.html"
TIMEOUT_MS = 180_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Resolves once MathJax has typeset the page (at once if the page has no math).
WAIT_FOR_MATHJAX = """async () => {
    if (!document.querySelector('.math')) return 0;
    const deadline = Date.now() + 60000;
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        if (Date.now() > deadline) throw new Error('MathJax never started');
        await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
    const errors = [...document.querySelectorAll('mjx-merror')].map(e => e.textContent);
    if (errors.length) throw new Error('MathJax could not typeset: ' + errors.join('; '));
    return document.querySelectorAll('mjx-container').length;
}"""

# Waits for every image; returns those that did not decode.
WAIT_FOR_IMAGES = """async () => {
    const images = [...document.images];
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.complete ? null :
        new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
    return images.filter(img => img.naturalWidth === 0).map(img => img.currentSrc || img.src);
}"""

# Opens everything a reader would have to click to see: the collapsed code cells
# (exercise solutions), dropdowns and sphinx-togglebutton toggles.
EXPAND_ALL = """() => {
    const closed = [...document.querySelectorAll('details')].filter(d => !d.open);
    closed.forEach(d => { d.open = true; });
    document.querySelectorAll('.toggle-hidden')
        .forEach(el => el.classList.remove('toggle-hidden'));
    return closed.length;
}"""

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html { font-size: 10.5pt; }
/* The theme's navigation, buttons and footer have no place on paper. */
.bd-header, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary,
.bd-footer, .bd-footer-article, .bd-footer-content, .prev-next-area, #pst-back-to-top,
.headerlink, .copybtn, .toggle-button, button, .sd-tab-set > input,
.pst-scrollable-table-container::-webkit-scrollbar { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-main .bd-content .bd-article-container .bd-article { padding: 0 !important; }
.bd-main .bd-content { margin-left: 0 !important; }
.bd-container__inner, .bd-page-width { max-width: 100% !important; }
/* Every chapter and reference page begins on a new page. */
span[id^="document-"] + section { break-before: page; }
/* An opened solution shows its code and output without the "Show" bar. */
details.hide > summary { display: none !important; }
details.hide { border: 0 !important; box-shadow: none !important; padding: 0 !important; }
details.hide::before { content: "Solution"; display: block; font-weight: 600;
    font-size: 0.9em; color: #555; margin: 0.4em 0 0.2em; }
/* Interactive figures need a browser; the static figure beside each one stays. */
.explorable, .xl-explorable, [data-explorable], .explorable-figure { display: none !important; }
/* Wide things wrap or shrink instead of being cut at the page edge. */
pre { white-space: pre-wrap !important; word-break: break-word; }
.cell_output pre, .highlight pre { font-size: 0.85em; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
figure, .cell_output img, table { break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
/* A display equation and its number (a float) stay on one page. */
div.math { break-inside: avoid; }
mjx-container[display="true"] { overflow: visible !important; break-inside: avoid; }
/* A short code cell is not split from its output or across pages. */
div.cell_input, div.cell_output, div.highlight { break-inside: avoid; }
"""

HEADER = (
    '<div style="font-size:7px;width:100%;text-align:center;color:#777;'
    'font-family:sans-serif">{title}</div>'
)
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;'
    'font-family:sans-serif"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def _is_local(url):
    return urllib.parse.urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:"))


def find_chromium():
    for candidate in (
        os.environ.get("XENTLAB_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit(
        "build_pdf: Chromium not found at /usr/bin/chromium or on PATH "
        "(Debian/Ubuntu: apt-get install chromium)"
    )


def serve(directory):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def print_book(singlehtml, output, title):
    from playwright.sync_api import sync_playwright

    start = singlehtml / START_PAGE
    if not start.is_file():
        sys.exit(
            f"build_pdf: {start} does not exist: build the book with "
            "`jupyter-book build . --builder singlehtml` first"
        )
    server = serve(singlehtml)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    blocked, errors = [], []

    def route(route):
        if route.request.url == base + PRINT_PAGE:
            route.fulfill(path=str(start), content_type="text/html; charset=utf-8")
        elif _is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport={"width": 1000, "height": 1400})
                page.set_default_timeout(TIMEOUT_MS)
                page.route("**/*", route)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(base + PRINT_PAGE, wait_until="load")
                page.evaluate(EXPAND_ALL)
                equations = page.evaluate(WAIT_FOR_MATHJAX)
                broken = page.evaluate(WAIT_FOR_IMAGES)
                if broken:
                    sys.exit(f"build_pdf: images that did not load: {broken}")
                page.add_style_tag(content=PRINT_CSS)
                page.emulate_media(media="print")
                page.wait_for_load_state("networkidle")
                page.pdf(
                    path=str(output),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=HEADER.format(title=html.escape(title)),
                    footer_template=FOOTER,
                    margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                    outline=True,
                    tagged=True,
                )
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    # The one-page build repeats sphinx-thebe's inline script (one copy per
    # notebook); its second `const` declaration fails, and thebe is not printed.
    errors = [e for e in errors if "THEBE_JS_URL" not in e]
    if errors:
        print(f"build_pdf: JavaScript errors on the page: {errors}", file=sys.stderr)
    if blocked:
        print(
            f"build_pdf: blocked {len(blocked)} request(s) to the network: {blocked[:5]}",
            file=sys.stderr,
        )
    return equations


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("singlehtml", type=pathlib.Path)
    parser.add_argument("output", type=pathlib.Path)
    parser.add_argument(
        "--copy-to",
        type=pathlib.Path,
        metavar="HTML_DIR",
        help="also copy the PDF to HTML_DIR/_static/xentlab.pdf",
    )
    parser.add_argument("--title", default="xentlab: cross-entropy, derived and tested")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    equations = print_book(args.singlehtml.resolve(), args.output, args.title)
    from pypdf import PdfReader

    pages = len(PdfReader(args.output).pages)
    size = args.output.stat().st_size / 1e6
    print(
        f"{args.output}: {pages} pages, {size:.1f} MB, {equations} equations typeset, "
        f"printed in {time.perf_counter() - started:.0f} s"
    )
    if args.copy_to:
        if (args.copy_to / "index.html").is_file():
            target = args.copy_to / "_static" / "xentlab.pdf"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(args.output, target)
            print(f"copied to {target}")
        else:
            print(f"{args.copy_to} holds no built book; the PDF was not copied there")


if __name__ == "__main__":
    main()
