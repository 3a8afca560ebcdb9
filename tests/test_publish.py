"""Ready to publish: one repository URL, launch buttons that can work, a deploy workflow.

- The repository URL is written in ``_config.yml`` and, because Colab opens a
  notebook alone, in each chapter's Colab set-up cell; ``tools/set_repository.py``
  keeps the two in step, and no other file may spell the URL out.
- Binder builds from ``binder/``: the packages the notebooks import, pinned by
  ``requirements/constraints.txt``, and xentlab itself.
- Colab: each chapter's first code cell installs xentlab from the repository
  when (and only when) it runs on Colab; it is left out of the book's pages.
- ``.github/workflows/deploy.yml`` builds the book strictly in the pinned
  environment and deploys ``_build/html`` with GitHub's Pages actions.
"""

import importlib.util
import json
import pathlib
import re
import sys

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
SKIP_DIRS = {".git", ".venv", "_build", "node_modules", ".pytest_cache", ".hypothesis"}


def _tool():
    spec = importlib.util.spec_from_file_location(
        "set_repository", ROOT / "tools" / "set_repository.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


set_repository = _tool()
URL = set_repository.configured_url()


def _config():
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _text_files():
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_DIRS or any(p.endswith(".egg-info") for p in parts):
            continue
        if path.is_file() and path.stat().st_size < 5_000_000:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images, archives


# ------------------------------------------------------------ the URL, once


def test_config_names_a_github_repository():
    assert set_repository.URL_FORMAT.match(URL), URL
    assert _config()["repository"]["url"] == URL
    launch = _config()["launch_buttons"]
    assert launch.get("binderhub_url") and launch.get("colab_url")


def test_the_url_is_written_nowhere_else():
    # The owner/name part, so that http://, www. or .git variants are caught too.
    slug = URL.removeprefix("https://github.com/")
    allowed = {ROOT / "_config.yml": 1, **{path: 1 for path in CHAPTERS}}
    found = {}
    for path, text in _text_files():
        count = text.count(f"github.com/{slug}")
        if count:
            found[path] = count
    extra = {str(p.relative_to(ROOT)): n for p, n in found.items() if n > allowed.get(p, 0)}
    assert not extra, (
        f"{URL} is written outside _config.yml (and the chapters' Colab cells): "
        f"{extra}. Derive it from _config.yml, or say OWNER/REPO in prose."
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_colab_cell_is_the_first_code_cell_and_names_the_repository(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cell = code[0]
    assert cell.get("id") == set_repository.CELL_ID, (
        f"{path.name}: the first code cell is not the Colab set-up cell "
        "(run tools/set_repository.py)"
    )
    assert cell.source == set_repository.setup_source(URL), (
        f"{path.name}: the Colab cell differs from _config.yml's URL or from "
        "tools/set_repository.py: run `python tools/set_repository.py`"
    )
    assert "remove-cell" in cell.metadata.get("tags", []), "the book's pages must omit it"
    assert not cell.outputs, "outside Colab the cell prints nothing"
    assert sum(c.get("id") == set_repository.CELL_ID for c in nb.cells) == 1


def test_set_repository_inserts_the_cell_and_renumbers(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("x = 1", execution_count=1),
        nbformat.v4.new_code_cell(
            "x",
            execution_count=2,
            outputs=[
                nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=2)
            ],
        ),
    ]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    url = "https://github.com/someone/somebook"
    assert set_repository.set_notebook(path, url)
    again = nbformat.read(path, as_version=4)
    assert [c.get("execution_count") for c in again.cells] == [None, 1, 2, 3]
    assert again.cells[3].outputs[0]["execution_count"] == 3
    assert url in again.cells[1].source
    assert not set_repository.set_notebook(path, url), "a second run must change nothing"
    assert set_repository.set_notebook(path, url + "2")
    assert len(nbformat.read(path, as_version=4).cells) == 4


def test_colab_cell_does_nothing_outside_colab():
    namespace = {}
    exec(compile(set_repository.setup_source(URL), "<colab-setup>", "exec"), namespace)
    assert "REPOSITORY" not in namespace


# ------------------------------------------------------------ Binder


def _binder_requirements():
    lines = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def test_binder_pins_with_the_constraints_and_installs_xentlab():
    reqs = _binder_requirements()
    constraints = [r.split(None, 1)[1] for r in reqs if r.startswith("-c ")]
    assert constraints, "binder/requirements.txt does not use the pinned constraints"
    # pip reads a nested -c path relative to the file that names it.
    assert (ROOT / "binder" / constraints[0]).resolve() == (
        ROOT / "requirements" / "constraints.txt"
    )
    assert "-e ." in reqs or "." in reqs, "Binder must install xentlab from the checkout"
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.1[0-9]", runtime), runtime


IMPORT_NAMES = {"sklearn": "scikit-learn"}


def test_binder_installs_every_package_the_notebooks_import():
    names = {r.lower() for r in _binder_requirements() if not r.startswith("-")}
    local = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} | {"xentlab", "benchmarks"}
    missing = set()
    for path in CHAPTERS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for line in "".join(cell["source"]).splitlines():
                m = re.match(r"\s*(?:from|import)\s+(\w+)", line)
                if not m:
                    continue
                module = m.group(1)
                if module in sys.stdlib_module_names or module in local:
                    continue
                if module == "google":  # google.colab: only on Colab
                    continue
                if IMPORT_NAMES.get(module, module).lower() not in names:
                    missing.add(f"{module} ({path.name})")
    assert not missing, f"binder/requirements.txt lacks: {sorted(missing)}"


# ------------------------------------------------------------ the deploy workflow


def _deploy():
    return yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())


def _steps(job):
    return _deploy()["jobs"][job]["steps"]


def test_deploy_builds_strictly_in_the_pinned_environment():
    runs = "\n".join(step.get("run", "") for step in _steps("build"))
    assert "-c requirements/constraints.txt" in runs
    assert re.search(r"jupyter-book build \. -W -n --keep-going", runs)
    python = [s for s in _steps("build") if s.get("uses", "").startswith("actions/setup-python")]
    assert python and python[0]["with"]["python-version"] == "3.11"


def test_deploy_publishes_the_html_with_the_pages_actions():
    upload = [s for s in _steps("build") if "upload-pages-artifact" in s.get("uses", "")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert any("deploy-pages" in s.get("uses", "") for s in _steps("deploy"))
    perms = _deploy()["permissions"]
    assert perms["pages"] == "write" and perms["id-token"] == "write"
    # PyYAML reads the key `on:` as True.
    triggers = _deploy().get("on") or _deploy().get(True)
    assert "main" in triggers["push"]["branches"]
