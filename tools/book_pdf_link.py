"""Sphinx extension: the whole book as a PDF in each page's download menu.

sphinx-book-theme's download menu (the arrow at the top of a page) offers the
page's source and a "print this page" entry. This adds an entry for the whole
book, ``_static/xentlab.pdf``, which ``make pdf`` (tools/build_pdf.py) prints
with Chromium. When a PDF has already been printed into ``_build/pdf/`` beside
the HTML output directory, the HTML build copies it to ``_static/`` itself, so
``make pdf`` followed by ``make book`` keeps the link working; ``make pdf``
also copies it into an existing HTML build.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``.
"""

import pathlib
import shutil

PDF_NAME = "xentlab.pdf"
PDF_URL = f"_static/{PDF_NAME}"


def add_pdf_entry(app, pagename, templatename, context, doctree):
    if app.builder.name != "html":
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](PDF_URL, 1),
                    "text": "whole book (.pdf)",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def copy_built_pdf(app, exception):
    if exception is not None or app.builder.name != "html":
        return
    built = pathlib.Path(app.outdir).parent / "pdf" / PDF_NAME
    if built.is_file():
        target = pathlib.Path(app.outdir) / PDF_URL
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


def setup(app):
    # After sphinx-book-theme's add_header_buttons (priority 501) builds the menu.
    app.connect("html-page-context", add_pdf_entry, priority=502)
    app.connect("build-finished", copy_built_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
