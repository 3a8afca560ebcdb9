"""Hygiene of the stored notebooks in book/: what nbval and the book rely on.

The book shows the outputs stored in the notebooks and nbval re-runs them, so a
notebook must be committed executed top to bottom in a fresh ``python3`` kernel,
with deterministic, readable outputs (CONTRIBUTING.md, "Notebook conventions").
Each check is a function returning a list of problems, tested on every notebook
(one test id per notebook) and, at the end, on small hand-made notebooks, so that
every check is known to fail when it should.
"""

import json
import pathlib
import re

import nbformat
import pytest

BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
CHAPTER = re.compile(r"^\d\d_.+\.ipynb$")  # chapters are numbered: NN_name.ipynb

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
NUMPY_SCALAR = re.compile(
    r"\bnp\.(?:float|int|uint|complex)(?:16|32|64|128)?\(|\bnp\.(?:True|False)_\b"
)
TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.get("cells", [])) if c.get("cell_type") == "code"]


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def output_texts(cell):
    """Every text the cell's outputs would show: streams, text reprs, tracebacks."""
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            yield out.get("name", "stream"), "".join(out.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            for mime in TEXT_MIME:
                if mime in out.get("data", {}):
                    value = out["data"][mime]
                    yield mime, "".join(value) if isinstance(value, list) else value
        elif kind == "error":
            yield "error", "\n".join(out.get("traceback", []))


def headings(nb):
    """(cell index, level, title) of every markdown heading."""
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        for line in source(cell).splitlines():
            m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if m:
                yield i, len(m.group(1)), m.group(2)


# ------------------------------------------------------------------ the checks


def check_format(nb):
    problems = []
    if nb.get("nbformat") != 4:
        problems.append(f"nbformat is {nb.get('nbformat')!r}, not 4")
    else:
        try:
            nbformat.validate(nbformat.from_dict(nb))
        except nbformat.ValidationError as exc:
            problems.append(f"not a valid notebook: {exc.message}")
    name = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if name != "python3":
        problems.append(
            f"kernelspec name is {name!r}, not 'python3' (re-execute with --kernel_name=python3)"
        )
    return problems


def check_executed_in_order(nb):
    problems, counts, unexecuted = [], [], []
    for i, cell in code_cells(nb):
        count = cell.get("execution_count")
        if not source(cell).strip():
            problems.append(f"cell {i} is an empty code cell; delete it")
        elif count is None:
            unexecuted.append(i)
        counts.append(count)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result" and out.get("execution_count") != count:
                problems.append(
                    f"cell {i}: its result has execution count "
                    f"{out.get('execution_count')}, the cell {count}"
                )
    if unexecuted:
        problems.append(
            f"code cells {unexecuted} were not executed: run the notebook top to "
            "bottom in a fresh kernel and store the outputs (make notebooks)"
        )
    elif counts != list(range(1, len(counts) + 1)):
        problems.append(
            f"execution counts are {counts}, not 1..{len(counts)} in order: "
            "restart the kernel and run all cells (make notebooks)"
        )
    return problems


def check_no_errors(nb):
    problems = []
    for i, cell in code_cells(nb):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "raises-exception" not in tags(cell):
                problems.append(
                    f"cell {i} stores an error ({out.get('ename')}: "
                    f"{out.get('evalue')}); tag it raises-exception if it is meant"
                )
    return problems


def check_no_stderr(nb):
    return [
        f"cell {i} writes to stderr: {text.strip()[:120]!r} (catch the warning and print it)"
        for i, cell in code_cells(nb)
        for name, text in output_texts(cell)
        if name == "stderr"
    ]


def check_outputs_are_clean(nb):
    problems = []
    for i, cell in code_cells(nb):
        for kind, text in output_texts(cell):
            if kind == "error":
                continue
            if m := ADDRESS.search(text):
                problems.append(
                    f"cell {i} shows a memory address ({m.group(0).strip()!r} in "
                    f"{kind}); print something deterministic instead"
                )
            if m := NUMPY_SCALAR.search(text):
                problems.append(
                    f"cell {i} shows an unformatted NumPy scalar ({m.group(0)!r} in "
                    f'{kind}); format it, e.g. f"{{value:.4f}}"'
                )
    return problems


def check_hidden_cells_are_exercises(nb):
    """A ``hide-cell`` solution lies in an Exercises section."""
    section = {}  # cell index -> title of the nearest heading above it
    current = ""
    marks = {i: title for i, _, title in headings(nb)}
    for i, _cell in enumerate(nb.get("cells", [])):
        current = marks.get(i, current)
        section[i] = current
    return [
        f"cell {i} is tagged hide-cell but lies under {section[i]!r}, not in an Exercises section"
        for i, cell in code_cells(nb)
        if "hide-cell" in tags(cell) and not _in_exercises(nb, i)
    ]


def _in_exercises(nb, index):
    """Whether an earlier level-1/2 heading, the nearest one, is an Exercise(s) section."""
    top = [(i, title) for i, level, title in headings(nb) if level <= 2 and i <= index]
    return bool(top) and "exercise" in top[-1][1].lower()


def check_chapter_sections(nb):
    titles = [(level, title) for _, level, title in headings(nb)]
    return [
        f"no '## {title}' heading"
        for title in ("Summary", "Exercises")
        if (2, title) not in titles
    ]


CHECKS = [
    check_format,
    check_executed_in_order,
    check_no_errors,
    check_no_stderr,
    check_outputs_are_clean,
    check_hidden_cells_are_exercises,
]


# ------------------------------------------------------- the book's notebooks


notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])


def _report(path, problems):
    return f"{path.name}:\n  " + "\n  ".join(problems)


@notebooks
def test_valid_nbformat_4_with_python3_kernel(path):
    problems = check_format(load(path))
    assert not problems, _report(path, problems)


@notebooks
def test_executed_top_to_bottom(path):
    problems = check_executed_in_order(load(path))
    assert not problems, _report(path, problems)


@notebooks
def test_no_stored_errors(path):
    problems = check_no_errors(load(path))
    assert not problems, _report(path, problems)


@notebooks
def test_no_stderr(path):
    problems = check_no_stderr(load(path))
    assert not problems, _report(path, problems)


@notebooks
def test_outputs_are_deterministic_and_formatted(path):
    problems = check_outputs_are_clean(load(path))
    assert not problems, _report(path, problems)


@notebooks
def test_hidden_cells_are_exercise_solutions(path):
    problems = check_hidden_cells_are_exercises(load(path))
    assert not problems, _report(path, problems)


@notebooks
def test_chapters_have_summary_and_exercises(path):
    if not CHAPTER.match(path.name):
        pytest.skip("not a numbered chapter")
    problems = check_chapter_sections(load(path))
    assert not problems, _report(path, problems)


def test_the_book_has_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {BOOK}"


# ------------------------------------------- the checks catch what they should


def _notebook(cells, kernel="python3", nbformat_version=4):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    nb.cells = cells
    nb = json.loads(nbformat.writes(nb))
    nb["nbformat"] = nbformat_version
    return nb


def _code(src, count, outputs=(), tags_=()):
    cell = nbformat.v4.new_code_cell(src, execution_count=count)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    if tags_:
        cell.metadata["tags"] = list(tags_)
    return cell


def _md(src):
    return nbformat.v4.new_markdown_cell(src)


def _result(text, count):
    return {
        "output_type": "execute_result",
        "execution_count": count,
        "metadata": {},
        "data": {"text/plain": text},
    }


def _stream(name, text):
    return {"output_type": "stream", "name": name, "text": text}


def _error():
    return {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": []}


GOOD = [
    _md("# A chapter"),
    _code("import numpy as np", 1),
    _code("print(f'{np.float64(0.5):.2f}')", 2, [_stream("stdout", "0.50\n")]),
    _code("1 + 1", 3, [_result("2", 3)]),
    _code("raise ValueError('bad')", 4, [_error()], tags_=["raises-exception"]),
    _md("## Summary\n\nText."),
    _md("## Exercises\n\n1. A question."),
    _code("print(2)", 5, [_stream("stdout", "2\n")], tags_=["hide-cell"]),
]


def test_a_clean_notebook_passes_every_check():
    nb = _notebook(GOOD)
    for check in [*CHECKS, check_chapter_sections]:
        assert check(nb) == [], check.__name__


@pytest.mark.parametrize(
    "check, nb, expected",
    [
        (check_format, _notebook(GOOD, kernel="xentlab"), "kernelspec name is 'xentlab'"),
        (check_format, _notebook(GOOD, nbformat_version=3), "nbformat is 3"),
        (
            check_executed_in_order,
            _notebook([_code("1", None)]),
            "code cells [0] were not executed",
        ),
        (
            check_executed_in_order,
            _notebook([_code("1", 2), _code("2", 1)]),
            r"execution counts are [2, 1], not 1..2",
        ),
        (
            check_executed_in_order,
            _notebook([_code("1", 1), _code("2", 3)]),
            r"execution counts are [1, 3], not 1..2",
        ),
        (check_executed_in_order, _notebook([_code("1", 1), _code("", None)]), "empty code cell"),
        (
            check_executed_in_order,
            _notebook([_code("1", 1, [_result("1", 7)])]),
            "its result has execution count 7",
        ),
        (check_no_errors, _notebook([_code("1 / 0", 1, [_error()])]), "cell 0 stores an error"),
        (
            check_no_stderr,
            _notebook([_code("warn()", 1, [_stream("stderr", "UserWarning: x")])]),
            "cell 0 writes to stderr",
        ),
        (
            check_outputs_are_clean,
            _notebook([_code("f", 1, [_result("<function f at 0x7f3a2b1c0d>", 1)])]),
            "memory address",
        ),
        (
            check_outputs_are_clean,
            _notebook([_code("x", 1, [_result("np.float64(0.5)", 1)])]),
            "unformatted NumPy scalar ('np.float64('",
        ),
        (
            check_outputs_are_clean,
            _notebook([_code("print(x)", 1, [_stream("stdout", "[np.float32(1.0)]")])]),
            "unformatted NumPy scalar",
        ),
        (
            check_hidden_cells_are_exercises,
            _notebook([_md("## Softmax"), _code("x", 1, tags_=["hide-cell"])]),
            "lies under 'Softmax', not in an Exercises section",
        ),
        (
            check_hidden_cells_are_exercises,
            _notebook([_code("x", 1, tags_=["hide-cell"]), _md("## Exercises")]),
            "not in an Exercises section",
        ),
        (check_chapter_sections, _notebook([_md("# Title\n\n## Exercises")]), "no '## Summary'"),
        (
            check_chapter_sections,
            _notebook([_md("## Summary\n\n### Exercises")]),
            "no '## Exercises'",
        ),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_each_check_catches_its_problem(check, nb, expected):
    problems = check(nb)
    assert any(expected in p for p in problems), problems
