"""The package's layers, read from the import statements of xentlab/*.py.

* A public module (a name without a leading underscore) imports from the
  private layer (``_kernels``, ``_validation``, ``_blocks``), and from another
  public module only names that ``xentlab.__all__`` exports: never another
  public module's private names, and no other private module.
* The private layer does not import the public modules (it sits below them),
  and validation does not import the block iteration (``_validation`` checks
  arrays; the block loops of ``_blocks`` call those checks).
* Every public module's ``__all__`` is exported by ``xentlab`` and every name
  of ``xentlab.__all__`` comes from exactly one public module.

The modules are read with ``ast``, not imported, so a function-level import
counts as much as one at the top of the file.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import xentlab as xl

PACKAGE = Path(xl.__file__).resolve().parent
PRIVATE_LAYER = {"_kernels", "_validation", "_blocks"}
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))
PUBLIC_MODULES = [m for m in MODULES if not m.startswith("_")]
PRIVATE_MODULES = [m for m in MODULES if m.startswith("_") and m != "__init__"]


def _module(name: str) -> object:
    return importlib.import_module(f"xentlab.{name}")


def _imports(module: str) -> list[tuple[int, str, str | None]]:
    """(line, imported xentlab module, imported name or None) for every import in ``module``.

    ``from .losses import log_loss`` gives (n, "losses", "log_loss");
    ``from . import _kernels`` and ``import xentlab._kernels`` give (n, "_kernels", None).
    Imports of anything outside xentlab are left out.
    """
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and not (node.module or "").startswith("xentlab"):
                continue
            if node.level > 1:
                raise AssertionError(
                    f"xentlab/{module}.py:{node.lineno}: import from above xentlab"
                )
            path = (node.module or "").removeprefix("xentlab").lstrip(".")
            for alias in node.names:
                if path:  # from .losses import x / from xentlab.losses import x
                    found.append((node.lineno, path, alias.name))
                else:  # from . import losses / from xentlab import log_loss
                    is_module = (PACKAGE / f"{alias.name}.py").exists()
                    found.append(
                        (node.lineno, alias.name, None)
                        if is_module
                        else (node.lineno, "__init__", alias.name)
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("xentlab."):
                    found.append((node.lineno, alias.name.split(".")[1], None))
    return sorted(found)


def _violations_of_public(module: str) -> list[str]:
    exported = set(xl.__all__)
    out = []
    for line, source, name in _imports(module):
        where = f"xentlab/{module}.py:{line}"
        if source in PRIVATE_LAYER:
            continue
        if source.startswith("_") and source != "__init__":
            layer = ", ".join(sorted(PRIVATE_LAYER))
            out.append(f"{where}: imports the private module {source} (not one of {layer})")
        elif name is None:
            continue  # a public module as a whole: its private names are caught below
        elif name.startswith("_"):
            out.append(f"{where}: imports the private name {source}.{name}")
        elif name not in exported and module != "__init__":
            out.append(f"{where}: imports {source}.{name}, which xentlab.__all__ does not export")
    out += _private_attributes_of_public_modules(module)
    return out


def _private_attributes_of_public_modules(module: str) -> list[str]:
    """``losses._clip`` after ``from . import losses``: a private name all the same."""
    imported_modules = {
        source
        for _, source, name in _imports(module)
        if name is None and not source.startswith("_")
    }
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    return [
        f"xentlab/{module}.py:{node.lineno}: uses the private name {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in imported_modules
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]


def test_the_reader_finds_the_package_imports() -> None:
    # Guards the tests below against passing because they read nothing.
    assert {"__init__", "losses", "tf", "_validation"} <= set(MODULES)
    assert ("__init__" in MODULES) and len(PUBLIC_MODULES) >= 10
    assert any(source == "losses" for _, source, _ in _imports("__init__"))
    assert any(source == "_validation" for _, source, _ in _imports("losses"))


@pytest.mark.parametrize("module", ["__init__", *PUBLIC_MODULES])
def test_public_modules_import_only_the_private_layer_and_public_names(module: str) -> None:
    violations = _violations_of_public(module)
    assert not violations, "\n" + "\n".join(violations)


@pytest.mark.parametrize("module", PRIVATE_MODULES)
def test_the_private_layer_does_not_import_the_public_modules(module: str) -> None:
    upward = [
        f"xentlab/{module}.py:{line}: imports {source}" + (f".{name}" if name else "")
        for line, source, name in _imports(module)
        if not source.startswith("_") or source == "__init__"
    ]
    assert not upward, "\n" + "\n".join(upward)


def test_validation_does_not_import_the_block_iteration() -> None:
    blocks = [
        f"xentlab/_validation.py:{line}: imports {source}" + (f".{name}" if name else "")
        for line, source, name in _imports("_validation")
        if source == "_blocks"
    ]
    assert not blocks, "\n" + "\n".join(blocks)


def test_every_public_module_declares_all() -> None:
    missing = [m for m in PUBLIC_MODULES if "__all__" not in vars(_module(m))]
    assert not missing, f"public modules without __all__: {missing}"


def test_xentlab_all_is_the_union_of_the_public_modules_all() -> None:
    owners: dict[str, list[str]] = {}
    for m in PUBLIC_MODULES:
        for name in getattr(_module(m), "__all__", []):
            owners.setdefault(name, []).append(m)
            assert getattr(xl, name, None) is getattr(_module(m), name), (
                f"xentlab.{name} is not xentlab.{m}.{name}"
            )
    not_exported = sorted(f"{ms[0]}.{n}" for n, ms in owners.items() if n not in xl.__all__)
    assert not not_exported, f"in a module's __all__ but not in xentlab.__all__: {not_exported}"
    orphans = sorted(set(xl.__all__) - set(owners))
    assert not orphans, f"in xentlab.__all__ but in no public module's __all__: {orphans}"
    twice = {n: ms for n, ms in owners.items() if len(ms) > 1}
    assert not twice, f"exported by more than one module: {twice}"
    assert len(xl.__all__) == len(set(xl.__all__)), "duplicates in xentlab.__all__"


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_function_of_a_module_is_exported(module: str) -> None:
    """A public module's top-level functions and classes without an underscore are API."""
    mod = _module(module)
    defined = [
        name
        for name, obj in vars(mod).items()
        if not name.startswith("_")
        and callable(obj)
        and getattr(obj, "__module__", None) == mod.__name__
    ]
    unexported = sorted(set(defined) - set(xl.__all__))
    assert not unexported, (
        f"xentlab.{module} defines public names that xentlab.__all__ does not export: "
        f"{unexported}; export them or rename them with a leading underscore"
    )
