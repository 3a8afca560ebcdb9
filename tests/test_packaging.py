"""The distribution: build it, install the wheel alone, run the README's example.

``python -m build`` makes the sdist and then the wheel from that sdist (so a
file missing from the sdist breaks the wheel too), without build isolation: it
uses the pinned setuptools of the project's environment and needs no network.
The wheel goes into a fresh virtual environment that holds nothing but
xentlab and NumPy (pip resolves them against requirements/constraints.txt, so
a runtime dependency other than NumPy fails the install); there, the README's
``xentlab`` example must print exactly the block that the README shows.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"

pytestmark = pytest.mark.slow  # about 4 s: build, a fresh venv, pip install


def source_version() -> str:
    """``__version__`` as written in xentlab/__init__.py (read, not imported)."""
    tree = ast.parse((ROOT / "xentlab" / "__init__.py").read_text(encoding="utf-8"))
    (value,) = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
        and isinstance(node.value, ast.Constant)
    ]
    return value


def readme_example() -> tuple[str, str]:
    """(code, printed output) of the README's xentlab example.

    The first ```python block that imports xentlab, and the ```text block that
    follows it (the README introduces it with "prints").
    """
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = list(re.finditer(r"^```(\w+)\n(.*?)^```$", readme, re.M | re.S))
    for i, block in enumerate(blocks):
        if block[1] == "python" and "import xentlab" in block[2]:
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            assert following is not None and following[1] == "text", (
                "the README's xentlab example is not followed by a ```text block of its output"
            )
            return block[2], following[2]
    raise AssertionError("README.md has no ```python block that imports xentlab")


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, show its output in the assertion message."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return done


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def fresh_python(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel and NumPy in it, and nothing else (no pip)."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "-c",
        CONSTRAINTS,
        dists["wheel"],
    )
    return python


def test_the_version_is_written_once() -> None:
    with open(ROOT / "pyproject.toml", "rb") as f:
        pyproject = tomllib.load(f)
    assert "version" not in pyproject["project"], "pyproject.toml writes the version itself"
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "xentlab.__version__"}, dynamic


def test_the_distributions_carry_the_source_version(dists: dict[str, Path]) -> None:
    version = source_version()
    assert dists["wheel"].name == f"xentlab-{version}-py3-none-any.whl"
    assert dists["sdist"].name == f"xentlab-{version}.tar.gz"


def test_the_wheel_holds_the_package_and_nothing_else(dists: dict[str, Path]) -> None:
    version = source_version()
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(f"xentlab-{version}.dist-info/METADATA").decode()
    strays = [n for n in names if not n.startswith(("xentlab/", f"xentlab-{version}.dist-info/"))]
    assert not strays, f"the wheel holds files outside the package: {strays}"
    assert "xentlab/py.typed" in names, "the wheel does not mark the package as typed"
    sources = {f"xentlab/{p.name}" for p in (ROOT / "xentlab").glob("*.py")}
    assert sources <= set(names), f"modules missing from the wheel: {sorted(sources - set(names))}"
    assert not [n for n in names if n.startswith("xentlab/") and n.endswith(".pyc")]
    assert f"xentlab-{version}.dist-info/licenses/LICENSE" in names
    runtime = [
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert runtime == ["numpy>=1.24"], f"runtime dependencies: {runtime}"


def test_the_sdist_holds_what_a_rebuild_needs(dists: dict[str, Path]) -> None:
    top = f"xentlab-{source_version()}"
    with tarfile.open(dists["sdist"]) as sdist:
        names = set(sdist.getnames())
    for needed in (
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "PKG-INFO",
        "xentlab/__init__.py",
        "xentlab/py.typed",
    ):
        assert f"{top}/{needed}" in names, f"the sdist lacks {needed}"
    assert not [n for n in names if n.startswith((f"{top}/book/", f"{top}/_build/"))]


def test_the_readme_example_runs_from_the_installed_wheel(fresh_python: Path) -> None:
    code, printed = readme_example()
    # -I: isolated mode, neither the current directory nor PYTHONPATH is on sys.path,
    # so xentlab can only come from the fresh environment.
    done = run(fresh_python, "-I", "-c", code, cwd=fresh_python.parent)
    # Line by line, without trailing blanks (which a Markdown file does not keep).
    got = [line.rstrip() for line in done.stdout.splitlines()]
    assert got == printed.splitlines(), (
        f"the README's example prints something else from the installed wheel:\n{done.stdout}"
    )
    assert done.stderr == ""


def test_the_fresh_environment_holds_only_xentlab_and_numpy(fresh_python: Path) -> None:
    probe = (
        "import importlib.metadata as m, xentlab\n"
        "print(sorted(d.metadata['Name'].lower() for d in m.distributions()))\n"
        "print(xentlab.__version__, m.version('xentlab'))\n"
        "print(xentlab.__file__)\n"
    )
    names, versions, location = run(fresh_python, "-I", "-c", probe).stdout.splitlines()
    assert names == "['numpy', 'xentlab']"
    assert versions.split() == [source_version()] * 2
    assert Path(location).is_relative_to(fresh_python.parents[1]), location
