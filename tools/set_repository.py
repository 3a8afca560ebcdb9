"""Set the book's repository URL, the one place it is written, and carry it over.

Usage: python tools/set_repository.py https://github.com/OWNER/REPO
       python tools/set_repository.py            (re-apply the URL in _config.yml)

The URL lives in ``_config.yml`` (``repository: url:``). Jupyter Book derives
the repository and issue buttons and the Binder and Colab launch links from it.
The one copy outside it is in each chapter's first code cell, the Colab set-up
cell: Colab opens a notebook alone, so the notebook itself must say where to
fetch the rest of the book from. This script writes the URL into
``_config.yml`` and into that cell of every chapter (adding the cell, tagged
``remove-cell`` so that the book's pages and the PDF leave it out, where a
chapter lacks it). ``tests/test_publish.py`` fails if the two ever disagree or
if the URL appears anywhere else.

Adding the cell shifts the execution counts of the cells below it by one, as
re-running the notebook would; the cell prints nothing outside Colab, so the
stored outputs stay valid for nbval.
"""

import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
CELL_ID = "colab-setup"
URL_LINE = re.compile(r"^(repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)(\S+)(.*)$", re.M)
URL_FORMAT = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

SETUP_CELL = """\
# Colab opens this notebook without the rest of the book's repository. There,
# fetch the repository, install xentlab from it and run from its book/ folder
# (some cells read files of the repository). Anywhere else, nothing happens.
import sys

if "google.colab" in sys.modules:
    import importlib
    import os
    import subprocess

    REPOSITORY = "{url}"
    CHECKOUT = "/content/xentlab"
    if not os.path.isdir(CHECKOUT):
        subprocess.run(["git", "clone", "--depth", "1", REPOSITORY, CHECKOUT], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", CHECKOUT], check=True)
        importlib.invalidate_caches()
    os.chdir(f"{{CHECKOUT}}/book")"""


def configured_url(text=None):
    text = CONFIG.read_text(encoding="utf-8") if text is None else text
    match = URL_LINE.search(text)
    if not match:
        sys.exit("set_repository: no `repository: url:` line in _config.yml")
    return match.group(2)


def setup_source(url):
    return SETUP_CELL.format(url=url)


def set_config(url):
    text = CONFIG.read_text(encoding="utf-8")
    new = URL_LINE.sub(lambda m: m.group(1) + url + m.group(3), text, count=1)
    if new != text:
        CONFIG.write_text(new, encoding="utf-8")
    return new != text


def set_notebook(path, url):
    """Write the set-up cell of `path`; True if the file changed."""
    nb = nbformat.read(path, as_version=4)
    source = setup_source(url)
    cells = nb.cells
    existing = [c for c in cells if c.get("id") == CELL_ID]
    if existing:
        cell = existing[0]
        if cell.source == source:
            return False
        cell.source = source
    else:
        first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
        cell = nbformat.v4.new_code_cell(source)
        cell.id = CELL_ID
        cell.metadata["tags"] = ["remove-cell"]
        # As if the notebook were re-run: the new cell is the first one executed.
        cell.execution_count = 1 if cells[first_code].get("execution_count") else None
        if cell.execution_count:
            for other in cells[first_code:]:
                if other.cell_type == "code" and other.get("execution_count"):
                    other.execution_count += 1
                    for out in other.get("outputs", []):
                        if out.get("output_type") == "execute_result":
                            out["execution_count"] = other.execution_count
        cells.insert(first_code, cell)
    nbformat.write(nb, path)
    return True


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args:
        url = args[0].rstrip("/").removesuffix(".git")
        if not URL_FORMAT.match(url):
            sys.exit(f"set_repository: expected https://github.com/OWNER/REPO, got {url!r}")
        if set_config(url):
            print(f"_config.yml: repository url = {url}")
    url = configured_url()
    for path in CHAPTERS:
        if set_notebook(path, url):
            print(f"{path.relative_to(ROOT)}: Colab set-up cell names {url}")
    print(f"The repository is {url}")


if __name__ == "__main__":
    main()
