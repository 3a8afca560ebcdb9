"""Static checks of the built HTML book (no browser needed).

Each test reads the pages of ``_build/html`` (or ``$XENTLAB_BOOK_HTML``) that
``_toc.yml`` names, so a new chapter is covered as soon as it is in the table
of contents. What they guard against:

- a page in the table of contents that was not built;
- math that MyST did not parse (raw ``$$`` or TeX commands left in the prose),
  and labelled equations without a number or ``{eq}`` links to nowhere;
- a figure whose image file is missing or empty;
- a cell output showing a traceback or stderr (the notebook conventions allow
  an error only in a cell tagged ``raises-exception``);
- anything the page loads from the network (scripts, styles, fonts, images):
  the built book must display offline;
- a missing or empty search index.
"""

import functools
import re
import urllib.parse

import pytest
from conftest import toc_pages

pytestmark = pytest.mark.book

PAGES = toc_pages()

# Link relations that make the browser fetch the target while loading the page
# (rel="next", "prev", "index" and friends are only navigation).
FETCHING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest"}
TEX_IN_PROSE = re.compile(
    r"\\(frac|sum|prod|log|ln|exp|mathrm|operatorname|left|right|partial|sigma|cdot|tfrac)\b"
)
EXTERNAL_CSS = re.compile(r"(@import\s+(url\()?|url\()\s*['\"]?\s*(https?:)?//", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _soup(path):
    """The parsed page (parsed once per session; the tests do not modify it)."""
    from bs4 import BeautifulSoup

    if not path.is_file():
        pytest.fail(f"{path} was not built (is it in _toc.yml, and did the build succeed?)")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _article(soup):
    """The page's own content, without the theme's navigation and footer."""
    return soup.find("article") or soup.find(attrs={"role": "main"}) or soup.body


def _is_external(url):
    return bool(re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE))


def _prose_text(article):
    """Visible prose: everything except math, code, scripts and styles."""
    import copy

    article = copy.copy(article)
    for tag in article.find_all(["script", "style", "pre", "code", "math"]):
        tag.decompose()
    for tag in article.select(".math, .MathJax, mjx-container, .highlight, .output"):
        tag.decompose()
    return article.get_text(" ")


def _target(page, book_html, url):
    """The file a relative URL on `page` points to (query and fragment dropped)."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    return (book_html / page).parent.joinpath(path).resolve()


def test_toc_lists_the_reference_pages():
    # The glossary, the API reference and the bibliography belong to every build.
    for page in ("book/glossary.html", "book/api.html", "book/bibliography.html"):
        assert page in PAGES, f"{page} is missing from _toc.yml"


@pytest.mark.parametrize("page", PAGES)
def test_page_was_built(book_html, page):
    path = book_html / page
    assert path.is_file(), f"{page} is in _toc.yml but was not built ({path} missing)"
    assert path.stat().st_size > 0, f"{page} is empty"


@pytest.mark.parametrize("page", PAGES)
def test_math_was_parsed(book_html, page):
    prose = _prose_text(_article(_soup(book_html / page)))
    assert "$$" not in prose, (
        f"{page}: raw '$$' in the text; a display equation was not parsed "
        "(put $$ on lines of their own, with a blank line before)"
    )
    leftover = ", ".join("\\" + name for name in sorted(set(TEX_IN_PROSE.findall(prose))))
    assert not leftover, (
        f"{page}: TeX commands in the prose outside any math: {leftover} "
        "(check the $...$ delimiters)"
    )


@pytest.mark.parametrize("page", PAGES)
def test_labelled_equations_are_numbered_and_links_resolve(book_html, page):
    soup = _soup(book_html / page)
    for block in soup.select("div.math[id^=equation-]"):
        number = block.find("span", class_="eqno")
        assert number is not None, f"{page}: equation #{block['id']} has no number"
        label = "".join(number.find_all(string=True, recursive=False)).strip()
        assert re.fullmatch(r"\(\d+(\.\d+)*\)", label), (
            f"{page}: equation #{block['id']} is numbered {label!r}, not (N.M)"
        )
    for link in soup.select("a[href*='#equation-']"):
        target, _, anchor = link["href"].partition("#")
        target_path = _target(page, book_html, target) if target else book_html / page
        assert target_path.is_file(), f"{page}: {link['href']} points to a missing page"
        assert _soup(target_path).find(id=anchor) is not None, (
            f"{page}: {link['href']} points to an equation that does not exist"
        )


@pytest.mark.parametrize("page", PAGES)
def test_every_image_exists_and_is_not_empty(book_html, page):
    soup = _soup(book_html / page)
    for img in soup.find_all("img"):
        src = img.get("src", "")
        assert src, f"{page}: an <img> without src"
        if src.startswith("data:"):
            assert len(src.partition(",")[2]) > 0, f"{page}: an empty data: image"
            continue
        assert not _is_external(src), f"{page}: image loaded from the network: {src}"
        path = _target(page, book_html, src)
        assert path.is_file(), f"{page}: image {src} does not exist ({path})"
        assert path.stat().st_size > 0, f"{page}: image {src} is an empty file"


@pytest.mark.parametrize("page", PAGES)
def test_no_traceback_or_stderr_in_cell_outputs(book_html, page):
    soup = _soup(book_html / page)
    for cell in soup.select("div.cell"):
        if "tag_raises-exception" in cell.get("class", []):
            continue  # showing this error is the point of the cell
        for output in cell.select(".cell_output"):
            text = output.get_text(" ")
            assert "Traceback (most recent call last)" not in text, (
                f"{page}: a cell output shows a traceback:\n{text[:500]}"
            )
            error = output.select_one(".traceback, .ansi-red-intense-fg, .ansi-red-fg")
            assert error is None, f"{page}: a cell output shows an error:\n{text[:500]}"
            stderr = output.select_one(".stderr")
            assert stderr is None, (
                f"{page}: a cell printed to stderr:\n{stderr.get_text(' ')[:500]}"
            )


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_nothing_from_the_network(book_html, page):
    soup = _soup(book_html / page)
    fetched = [tag.get("src", "") for tag in soup.find_all(["script", "img", "iframe"])]
    fetched += [
        tag.get("href", "")
        for tag in soup.find_all("link")
        if FETCHING_RELS & {rel.lower() for rel in tag.get("rel", [])}
    ]
    external = sorted(url for url in fetched if url and _is_external(url))
    assert not external, f"{page} loads from the network: {external}"
    for style in soup.find_all("style"):
        assert not EXTERNAL_CSS.search(style.get_text()), (
            f"{page}: an inline <style> imports from the network"
        )


def test_stylesheets_and_fonts_are_local(book_html):
    offenders = []
    for css in sorted((book_html / "_static").rglob("*.css")):
        for match in EXTERNAL_CSS.finditer(css.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{css.relative_to(book_html)}: {match.group(0)}...")
    assert not offenders, "stylesheets that fetch from the network:\n" + "\n".join(offenders)


def test_mathjax_is_served_locally(book_html):
    """The offline MathJax (sphinx-mathjax-offline) is loaded, from _static."""
    pages_with_math = [p for p in PAGES if _soup(book_html / p).select(".math")]
    assert pages_with_math, "no page contains math; the glossary alone should"
    for page in pages_with_math:
        sources = [s.get("src", "") for s in _soup(book_html / page).find_all("script")]
        mathjax = [s for s in sources if "mathjax" in s.lower() or "tex-" in s.lower()]
        assert mathjax, f"{page} has math but loads no MathJax"
        for src in mathjax:
            assert not _is_external(src), f"{page} loads MathJax from the network: {src}"
            path = _target(page, book_html, src)
            assert path.is_file() and path.stat().st_size > 0, f"{page}: {src} is missing"
    fonts_dir = book_html / "_static" / "mathjax" / "output" / "chtml" / "fonts"
    fonts = list(fonts_dir.rglob("*.woff*"))
    assert fonts, "MathJax's CHTML fonts were not copied into _static/mathjax"


def test_logo_and_favicon_are_the_projects_own(book_html):
    import xml.etree.ElementTree as ET

    for name in ("logo.svg", "favicon.svg"):
        path = book_html / "_static" / name
        assert path.is_file(), f"{name} missing from the build"
        root = ET.parse(path).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg", f"{name} is not an SVG"
        assert path.stat().st_size < 4096, f"{name} is {path.stat().st_size} bytes"


def test_search_index_exists_and_knows_softmax(book_html):
    index = book_html / "searchindex.js"
    assert index.is_file(), "searchindex.js is missing: the search page cannot work"
    text = index.read_text(encoding="utf-8")
    assert text.startswith("Search.setIndex("), "searchindex.js is not a Sphinx index"
    assert '"softmax"' in text, "the search index does not contain the word 'softmax'"
    assert (book_html / "search.html").is_file(), "search.html is missing"
