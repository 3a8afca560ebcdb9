"""The repository's setup files agree with each other.

pyproject.toml is the source of truth for what xentlab needs; environment.yml
(for conda users) must name the same packages, requirements/constraints.txt must
pin every one of them, and the Makefile / CI script must run the strict book
build and the tests.
"""

import os
import pathlib
import re
import shlex

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = pathlib.Path(__file__).resolve().parent.parent


def pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def pyproject_requirements():
    """Every requirement of pyproject.toml: dependencies and all the extras."""
    project = pyproject()["project"]
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return [Requirement(s) for s in specs]


def pyproject_packages():
    return {canonicalize_name(r.name) for r in pyproject_requirements()}


CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def conda_environment():
    """(conda dependencies, pip dependencies) of environment.yml as {name: spec}."""
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        env = yaml.safe_load(f)
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep.get("pip", []):
                if line.startswith("-"):  # --no-deps, -e ., -r ...: options, not packages
                    continue
                req = Requirement(line)
                pip[canonicalize_name(req.name)] = str(req.specifier)
        else:
            name, spec = CONDA_SPEC.match(dep).groups()
            conda[canonicalize_name(name)] = spec.replace(" ", "")
    return conda, pip


def constraints():
    """{name: [Requirement, ...]} of requirements/constraints.txt."""
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        pins.setdefault(canonicalize_name(req.name), []).append(req)
    return pins


def applicable_pin(reqs):
    """The exact version pinned for this Python, or None."""
    for req in reqs:
        if req.marker is None or req.marker.evaluate():
            specs = list(req.specifier)
            if len(specs) == 1 and specs[0].operator in ("==", "==="):
                return Version(specs[0].version)
    return None


# ---------------------------------------------------------------- the tests


def test_environment_yml_names_the_same_packages_as_pyproject():
    conda, pip = conda_environment()
    in_conda = (set(conda) | set(pip)) - {"python", "pip"}
    in_pyproject = pyproject_packages()
    assert in_conda - in_pyproject == set(), "in environment.yml but not in pyproject.toml"
    assert in_pyproject - in_conda == set(), "in pyproject.toml but not in environment.yml"
    assert not set(conda) & set(pip), "named both as a conda and as a pip dependency"


def test_environment_yml_version_bounds_agree_with_pyproject():
    conda, pip = conda_environment()
    declared = {**conda, **pip}
    for req in pyproject_requirements():
        name = canonicalize_name(req.name)
        spec = declared.get(name, "")
        # conda's "a=1.2" means 1.2.*; only compare PEP 440-style specifiers.
        if spec and not re.match(r"^=[^=]", spec):
            assert SpecifierSet(spec) == req.specifier, (
                f"{name}: environment.yml says {spec!r}, pyproject.toml {str(req.specifier)!r}"
            )


def test_environment_yml_installs_xentlab_itself():
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        env = yaml.safe_load(f)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip or "." in pip or "-e .[book,test,lab,dev]" in pip


def test_every_pyproject_package_is_pinned_in_constraints():
    pins = constraints()
    for req in pyproject_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is not pinned in requirements/constraints.txt"
        version = applicable_pin(pins[name])
        assert version is not None, f"{name} has no exact (==) pin for this Python"
        assert req.specifier.contains(version, prereleases=True), (
            f"{name}=={version} in constraints.txt does not satisfy pyproject's {req}"
        )


def test_constraints_are_exact_pins():
    for reqs in constraints().values():
        for req in reqs:
            specs = list(req.specifier)
            assert len(specs) == 1 and specs[0].operator == "==", f"{req} is not an exact pin"


def test_jupyter_book_is_pinned_to_1x():
    (book,) = [r for r in pyproject_requirements() if canonicalize_name(r.name) == "jupyter-book"]
    assert not book.specifier.contains("2.0.0"), "pyproject.toml allows Jupyter Book 2"
    assert book.specifier.contains("1.0.4")
    conda, _ = conda_environment()
    assert not SpecifierSet(conda["jupyter-book"]).contains("2.0.0")
    for req in constraints()["jupyter-book"]:
        (spec,) = req.specifier
        assert Version(spec.version).major == 1, f"constraints.txt pins {req}"


# ------------------------------------------------------------ Makefile and CI


def makefile_recipe(target):
    """The recipe lines of ``target`` with the Makefile's variables expanded."""
    text = (ROOT / "Makefile").read_text()
    variables = {}
    recipe, in_target = [], False
    for line in text.splitlines():
        if line.startswith("\t"):
            if in_target and not line.strip().startswith("#"):
                recipe.append(line.strip())
            continue
        in_target = bool(re.match(rf"^{re.escape(target)}\s*:(?!=)", line))
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|::=|\?=|=)\s*(.*)$", line)
        if m and not in_target:
            variables.setdefault(m.group(1), m.group(2))

    def expand(s, depth=0):
        if depth > 20:
            return s
        expanded = re.sub(
            r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]",
            lambda m: variables.get(m.group(1), m.group(0)),
            s,
        )
        return expanded if expanded == s else expand(expanded, depth + 1)

    return [expand(line) for line in recipe]


def test_make_test_builds_the_book_strictly():
    recipe = makefile_recipe("test")
    assert recipe, "the Makefile has no `test` target"
    builds = [line for line in recipe if "jupyter-book build" in line]
    assert builds, f"`make test` does not build the book: {recipe}"
    for line in builds:
        args = shlex.split(line.lstrip("@-+"))
        for flag in ("-W", "-n", "--keep-going"):
            assert flag in args, f"`make test` builds the book without {flag}: {line}"
    assert any("pytest" in line for line in recipe), "`make test` does not run pytest"


def test_the_recipe_parser_expands_variables():
    # Guards the test above against passing on a recipe it failed to read.
    recipe = makefile_recipe("test")
    assert not any("$(" in line for line in recipe if "jupyter-book" in line), recipe


def test_ci_runs_make_test_in_strict_bash():
    path = ROOT / ".ci" / "run"
    assert os.access(path, os.X_OK), ".ci/run is not executable"
    lines = path.read_text().splitlines()
    assert re.match(r"^#!\s*(/usr/bin/env\s+bash|/bin/bash)\b", lines[0]), lines[0]
    code = [line.split("#", 1)[0].strip() for line in lines[1:]]
    strict = next(
        (i for i, line in enumerate(code) if re.fullmatch(r"set\s+-euo\s+pipefail", line)), None
    )
    assert strict is not None, ".ci/run does not `set -euo pipefail`"
    make_test = next(
        (
            i
            for i, line in enumerate(code)
            if re.search(r"(^|[;&|]\s*|\bexec\s+)make\s+test\s*$", line)
        ),
        None,
    )
    assert make_test is not None, ".ci/run does not run `make test`"
    assert strict < make_test, "`set -euo pipefail` must come before `make test`"


@pytest.mark.parametrize("path", ["README.md", "CONTRIBUTING.md"])
def test_docs_name_the_make_targets_that_exist(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*)\s*:", (ROOT / "Makefile").read_text(), re.M))
    for name in set(re.findall(r"`make ([a-z][a-z-]*)`", text)):
        assert name in targets, f"{path} mentions `make {name}`, which the Makefile lacks"
