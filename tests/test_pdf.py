"""The printed book: `make pdf` wrote a PDF that holds the whole book.

`make test-pdf` builds the PDF (about a minute: a one-page build of the book,
printed by Chromium) and then runs these tests with ``XENTLAB_TEST_PDF=1``.
Without that variable they are skipped, so `make test` stays fast. They read
``_build/pdf/xentlab.pdf`` (or ``$XENTLAB_BOOK_PDF``) and check, from its text
and its outline, that

- every document of ``_toc.yml`` is in it: each chapter's and reference page's
  title is printed, and is a bookmark of the outline;
- every exercise solution (code cells hidden behind a toggle on the web
  pages) is printed in full, with its output;
- the glossary's Chinese and Vietnamese terms are real text (a CJK font was
  found), and every figure of the notebooks is embedded as an image;
- the download menu of the built HTML links the PDF, when the HTML was built.
"""

import json
import os
import pathlib
import re
import unicodedata

import pytest
from conftest import REPO_ROOT, toc_documents

pytestmark = pytest.mark.pdf

if os.environ.get("XENTLAB_TEST_PDF") != "1":
    pytest.skip(
        "the PDF tests run with `make test-pdf` (or XENTLAB_TEST_PDF=1 after `make pdf`)",
        allow_module_level=True,
    )

PDF = pathlib.Path(
    os.environ.get("XENTLAB_BOOK_PDF", REPO_ROOT / "_build" / "pdf" / "xentlab.pdf")
)


def _squash(text):
    """Text without ligatures, curly quotes or any whitespace, for comparisons
    that must not depend on where the PDF broke a line."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", "", text)


def _notebook(doc):
    path = REPO_ROOT / f"{doc}.ipynb"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return None


def _title(doc):
    """The first level-1 heading of a document of _toc.yml, as MyST reads it."""
    nb = _notebook(doc)
    if nb is not None:
        lines = [
            line
            for cell in nb["cells"]
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
        ]
    else:
        lines = (REPO_ROOT / f"{doc}.md").read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.startswith("# "):
            # Inline markup is not printed: `code` -> code, *em* -> em.
            return re.sub(r"[`*_]", "", line[2:]).strip()
    pytest.fail(f"{doc} has no '# ' title")


@pytest.fixture(scope="module")
def reader():
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: `make pdf` did not write it")
    from pypdf import PdfReader

    return PdfReader(PDF)


@pytest.fixture(scope="module")
def text(reader):
    return _squash("\n".join(page.extract_text() or "" for page in reader.pages))


@pytest.fixture(scope="module")
def outline_titles(reader):
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(_squash(item.title))

    walk(reader.outline)
    return titles


DOCS = toc_documents()


def test_the_pdf_is_a_book(reader):
    # ~220 pages today; a PDF of a few pages means the one-page build was empty.
    assert len(reader.pages) > 50, f"{PDF} has only {len(reader.pages)} pages"


@pytest.mark.parametrize("doc", DOCS)
def test_every_document_of_the_toc_is_printed(text, outline_titles, doc):
    title = _squash(_title(doc))
    assert title in text, f"the PDF does not contain the title of {doc}: {_title(doc)!r}"
    # Chromium sometimes repeats a heading in a bookmark ("1.3. 1.3. Many ..."):
    # containment, not equality.
    assert any(title in bookmark for bookmark in outline_titles), (
        f"{_title(doc)!r} ({doc}) is not a bookmark of the PDF's outline"
    )


def _hidden_solutions():
    for doc in DOCS:
        nb = _notebook(doc)
        for i, cell in enumerate(nb["cells"] if nb else []):
            if cell["cell_type"] == "code" and "hide-cell" in cell["metadata"].get("tags", []):
                yield pytest.param(doc, i, cell, id=f"{pathlib.Path(doc).name}-cell{i}")


@pytest.mark.parametrize(("doc", "index", "cell"), list(_hidden_solutions()))
def test_every_solution_is_printed_with_its_output(text, doc, index, cell):
    code = [line for line in "".join(cell["source"]).splitlines() if line.strip()]
    first = _squash(code[0])
    assert first in text, f"{doc}, cell {index}: the solution's code is not in the PDF"
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            lines = [line for line in "".join(out["text"]).splitlines() if line.strip()]
            if lines:
                assert _squash(lines[0]) in text, (
                    f"{doc}, cell {index}: the solution's output {lines[0]!r} is not in the PDF"
                )


def test_glossary_terms_in_chinese_and_vietnamese_are_text(text):
    # Without a CJK font Chromium prints empty boxes, which have no text.
    assert _squash("交叉熵") in text, "the Chinese glossary terms are not in the PDF's text"
    assert _squash("entropy chéo") in text, "the Vietnamese glossary terms are missing"


def test_every_figure_is_embedded(reader):
    figures = sum(
        1
        for doc in DOCS
        for cell in (_notebook(doc) or {"cells": []})["cells"]
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    )
    images = sum(len(page.images) for page in reader.pages)
    assert images >= figures, f"the notebooks have {figures} figures, the PDF {images} images"


def test_the_html_download_menu_links_the_pdf():
    html = pathlib.Path(os.environ.get("XENTLAB_BOOK_HTML", REPO_ROOT / "_build" / "html"))
    if not (html / "index.html").is_file():
        pytest.skip(f"no HTML book at {html} to look for the link in")
    page = (html / f"{DOCS[0]}.html").read_text(encoding="utf-8")
    assert 'href="../_static/xentlab.pdf"' in page, "the download menu does not link the PDF"
    assert (html / "_static" / "xentlab.pdf").is_file(), "the HTML book has no _static/xentlab.pdf"
