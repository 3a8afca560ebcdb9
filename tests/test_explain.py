"""Tests of xentlab.explain: softmax_table and SoftmaxTable.

Reference: the four tables of the panda example in the source article
(scores -3.44, 1.16, 3.91; exp 0.03, 3.19, 49.90; normalised 0.0006, 0.0601,
0.9393; loss 0.0626), and the stable functions of xentlab.activations.
"""

import math

import numpy as np
import pytest

import xentlab as xl

PANDA = dict(scores=[-3.44, 1.16, 3.91], label="panda", class_names=["dog", "cat", "panda"])


def test_panda_table_reproduces_the_article():
    table = xl.softmax_table(PANDA["scores"], label=PANDA["label"],
                             class_names=PANDA["class_names"])
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


@pytest.mark.parametrize("kwargs, error, match", [
    ({"scores": [[1.0, 2.0]]}, ValueError,
     r"scores must be 1-d \(one example's class scores\), got shape \(1, 2\)"),
    ({"scores": [1.0, np.nan]}, ValueError, r"scores contains NaN"),
    ({"scores": [1.0, np.inf]}, ValueError, r"scores contains inf at index 1"),
    ({"scores": []}, ValueError, r"scores is empty"),
    ({"scores": ["a", "b"]}, TypeError, r"scores must hold real numbers"),
    ({"scores": [1.0, 2.0], "class_names": ["a"]}, ValueError,
     r"class_names has 1 names but scores has 2 classes"),
    ({"scores": [1.0, 2.0], "label": "c", "class_names": ["a", "b"]}, ValueError,
     r"label 'c' is not one of class_names \['a', 'b'\]"),
    ({"scores": [1.0, 2.0], "label": 2}, ValueError,
     r"label must be class indices in \[0, 2\) for 2 classes, but label = 2 "),
    ({"scores": [1.0, 2.0], "label": 0.5}, ValueError,
     r"label must hold whole-number class indices"),
    ({"scores": [1.0, 2.0], "label": [0, 1]}, ValueError, r"label must have shape \(\)"),
])
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        xl.softmax_table(**kwargs)
