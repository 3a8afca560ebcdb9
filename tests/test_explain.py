"""Tests of xentlab.explain: softmax_table and SoftmaxTable.

Reference: the four tables of the panda example in the source article
(scores -3.44, 1.16, 3.91; exp 0.03, 3.19, 49.90; normalised 0.0006, 0.0601,
0.9393; loss 0.0626), and the stable functions of xentlab.activations.
"""

import math
import re
import warnings

import numpy as np
import pytest

import xentlab as xl

PANDA = dict(scores=[-3.44, 1.16, 3.91], label="panda", class_names=["dog", "cat", "panda"])


def test_panda_table_reproduces_the_article():
    table = xl.softmax_table(
        PANDA["scores"], label=PANDA["label"], class_names=PANDA["class_names"]
    )
    assert isinstance(table, xl.SoftmaxTable)
    header, rows = table.rows()
    assert header == ["class", "score", "exp(score)", "normalised", "-ln p"]
    assert rows == [
        ["dog", "-3.44", "0.03", "0.0006", ""],
        ["cat", "1.16", "3.19", "0.0601", ""],
        ["panda", "3.91", "49.90", "0.9393", "0.0626"],
    ]
    assert table.label == 2 and table.predicted == 2
    assert table.summary() == "predicted: panda (93.93 %); true: panda; loss: 0.0626"
    assert table.loss == pytest.approx(
        float(xl.sparse_softmax_cross_entropy_with_logits(labels=2, logits=PANDA["scores"])),
        rel=1e-15,
    )
    np.testing.assert_allclose(table.probabilities, xl.softmax(PANDA["scores"]), rtol=1e-15)
    np.testing.assert_allclose(table.exp, np.exp(PANDA["scores"]), rtol=1e-15)
    assert not table.shifted


def test_text_and_html_reprs():
    table = xl.softmax_table(PANDA["scores"], label=2, class_names=PANDA["class_names"])
    text = str(table)
    assert text == repr(table)
    lines = text.splitlines()
    assert lines[0].split() == ["class", "score", "exp(score)", "normalised", "-ln", "p"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[-1] == table.summary()
    assert len({len(line) for line in lines[:-1]}) == 1  # aligned columns
    html = table._repr_html_()
    assert html.startswith('<table class="xentlab-softmax-table">')
    assert html.count("<tr>") == 4 and "<td>0.9393</td>" in html


def test_html_escapes_class_names():
    table = xl.softmax_table([0.0, 1.0], class_names=["<b>", "a & b"])
    html = table._repr_html_()
    assert "&lt;b&gt;" in html and "a &amp; b" in html and "<b>" not in html


def test_defaults_without_label_or_names():
    table = xl.softmax_table([2.0, 0.0, 1.0])
    assert table.class_names == ["class 0", "class 1", "class 2"]
    assert table.label is None and table.loss is None
    assert table.predicted == 0
    assert table.summary().startswith("predicted: class 0 (")
    assert "true:" not in table.summary()
    assert all(row[-1] == "" for row in table.rows()[1])


def test_large_scores_are_shifted_not_overflowed():
    table = xl.softmax_table([1000.0, 1001.0], label=1)
    assert table.shifted
    assert table.rows()[0][2] == "exp(score - max)"
    np.testing.assert_allclose(table.exp, [math.exp(-1), 1.0], rtol=1e-15)
    np.testing.assert_allclose(table.probabilities, xl.softmax([1000.0, 1001.0]), rtol=1e-15)
    assert table.loss == pytest.approx(math.log1p(math.exp(-1)), rel=1e-15)
    assert np.isfinite(table.exp).all()


def test_label_by_index_and_integer_scores():
    table = xl.softmax_table([1, 2, 3], label=np.int64(0))
    assert table.label == 0
    assert table.scores.dtype == np.float64
    assert table.loss == pytest.approx(-float(xl.log_softmax([1.0, 2.0, 3.0])[0]), rel=1e-15)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"scores": [[1.0, 2.0]]},
            ValueError,
            r"scores must be 1-d \(one example's class scores\), got shape \(1, 2\)",
        ),
        ({"scores": [1.0, np.nan]}, ValueError, r"scores contains NaN"),
        ({"scores": [1.0, np.inf]}, ValueError, r"scores contains inf at index 1"),
        ({"scores": []}, ValueError, r"scores is empty"),
        ({"scores": ["a", "b"]}, TypeError, r"scores must hold real numbers"),
        (
            {"scores": [1.0, 2.0], "class_names": ["a"]},
            ValueError,
            r"class_names has 1 names but scores has 2 classes",
        ),
        (
            {"scores": [1.0, 2.0], "label": "c", "class_names": ["a", "b"]},
            ValueError,
            r"label 'c' is not one of class_names \['a', 'b'\]",
        ),
        (
            {"scores": [1.0, 2.0], "label": 2},
            ValueError,
            r"label must be class indices in \[0, 2\) for 2 classes, but label = 2 ",
        ),
        (
            {"scores": [1.0, 2.0], "label": 0.5},
            ValueError,
            r"label must hold whole-number class indices",
        ),
        ({"scores": [1.0, 2.0], "label": [0, 1]}, ValueError, r"label must have shape \(\)"),
        ({"scores": [1.0, 2.0], "label": np.nan}, ValueError, re.escape("label contains NaN")),
        (
            {"scores": [1.0, 2.0], "label": True},
            TypeError,
            re.escape("label must be a class index or one of class_names, got True (bool)."),
        ),
        (
            {"scores": [1.0, 2.0], "label": np.bool_(False)},
            TypeError,
            re.escape("label must be a class index or one of class_names, got False (bool)."),
        ),
        (
            {"scores": [1.0, 2.0], "class_names": 5},
            TypeError,
            re.escape("class_names must be a sequence of 2 names, one per score, got 5 (int)."),
        ),
        (
            {"scores": [1.0, 2.0], "class_names": "ab"},
            TypeError,
            re.escape("class_names must be a sequence of 2 names, one per score, got 'ab' (str)."),
        ),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        xl.softmax_table(**kwargs)


def test_table_keeps_its_own_copy_of_the_scores():
    scores = np.array([-3.44, 1.16, 3.91])
    table = xl.softmax_table(scores, label=2)
    scores[0] = 100.0
    assert table.scores[0] == -3.44
    assert table.rows()[1][0][1] == "-3.44"


def test_class_names_accept_any_iterable():
    table = xl.softmax_table([0.0, 1.0], class_names=np.array(["a", "b"]))
    assert table.class_names == ["a", "b"]
    assert xl.softmax_table([0.0, 1.0], class_names=(n for n in "xy")).class_names == ["x", "y"]


@pytest.mark.parametrize(
    ("digits", "error", "message"),
    [
        (-1, ValueError, "digits must be finite and >= 0, got -1."),
        (2.0, TypeError, "digits must be an integer, got 2.0 (float)."),
        (None, TypeError, "digits must be an integer, got None."),
        (True, TypeError, "digits must be an integer, got True (bool)."),
        ("2", TypeError, "digits must be an integer, got '2' (str)."),
    ],
)
def test_rows_digits_option_errors(digits, error, message):
    table = xl.softmax_table(PANDA["scores"], label=2)
    with pytest.raises(error, match=re.escape(message)):
        table.rows(digits)


def test_rows_digits_option_accepts_numpy_integers():
    table = xl.softmax_table(PANDA["scores"], label=2)
    assert table.rows(np.int8(2))[1][2][3:] == ["0.94", "0.06"]
    assert table.rows(0)[1][2][3:] == ["1", "0"]


def test_scores_beyond_the_float_range_do_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning: overflow encountered in subtract
        table = xl.softmax_table([-1e308, 1e308], label=0)
    assert table.shifted
    np.testing.assert_array_equal(table.exp, [0.0, 1.0])
    np.testing.assert_array_equal(table.probabilities, [0.0, 1.0])
    assert table.loss == np.inf and table.predicted == 1
