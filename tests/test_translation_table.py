"""The cross-library translation appendix (book/translation.md) names only real
xentlab functions, and names every xentlab loss.

The xentlab column is the first column of each table on that page; a name is a
backticked identifier at the start of a cell or after a comma or "also on".
"""

import inspect
import pathlib
import re

import pytest

import xentlab

PAGE = pathlib.Path(__file__).resolve().parent.parent / "book" / "translation.md"
# Modules whose public functions are not losses; every other public function that is not
# a gradient (``*_grad``) counts as a loss, so a new loss module is covered automatically.
NOT_LOSS_MODULES = (
    "xentlab.activations",
    "xentlab.gradients",
    "xentlab.explain",
    "xentlab.labels",
    "xentlab.metrics",
    "xentlab.calibration",
    "xentlab.models",
)


def xentlab_column():
    """The text of the first cell of every body row of every table."""
    cells = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        first = line.split("|")[1].strip()
        if first != "xentlab":  # the header row
            cells.append(first)
    return cells


def names_in(cell):
    # every backticked call or name: `name(...)`, `name`, `name=...` options excluded
    return {m.group(1) for m in re.finditer(r"`([A-Za-z_][A-Za-z0-9_]*)(?:\(|`)", cell)}


def losses():
    names = set()
    for name in xentlab.__all__:
        obj = getattr(xentlab, name)
        if (
            inspect.isfunction(obj)
            and obj.__module__ not in NOT_LOSS_MODULES
            and not name.endswith("_grad")
        ):
            names.add(name)
    return names


def test_page_has_tables():
    assert len(xentlab_column()) >= 20


@pytest.mark.parametrize("cell", xentlab_column())
def test_every_name_exists(cell):
    unknown = names_in(cell) - set(xentlab.__all__)
    assert not unknown, f"{cell!r} names {sorted(unknown)}, not in xentlab.__all__"


def test_every_loss_is_listed():
    listed = set().union(*(names_in(cell) for cell in xentlab_column()))
    missing = losses() - listed
    assert not missing, f"losses missing from book/translation.md: {sorted(missing)}"


def test_loss_set_is_not_empty():
    # guards the module-based definition of "loss" against a refactor that moves them
    assert {"log_loss", "sigmoid_focal_loss", "softmax_cross_entropy_with_logits"} <= losses()
