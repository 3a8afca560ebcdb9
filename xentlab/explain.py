r"""Step-by-step tables that show how scores become a loss.

Chapter 4 of the book uses :func:`~xentlab.softmax_table` to reproduce the four tables of
the panda example of :cite:t:`uniduc_crossentropy`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from ._validation import (
    as_class_labels,
    as_float_array,
    check_finite,
    check_option,
    show_with_type,
)

__all__ = ["softmax_table", "SoftmaxTable"]

FloatArray = NDArray[np.float64]


class SoftmaxTable:
    """The steps scores -> exp -> normalised -> ``-log p`` for one example.

    Built by :func:`softmax_table`; read its attributes or print it.

    Attributes
    ----------
    class_names : list of str
    scores : ndarray of shape (C,)
        The raw scores (logits).
    exp : ndarray of shape (C,)
        :math:`e^{s_j}` (or :math:`e^{s_j - \\max s}` when the raw exponentials
        overflow; then ``shifted`` is True).
    probabilities : ndarray of shape (C,)
        The softmax.
    label : int or None
        Index of the true class.
    loss : float or None
        :math:`-\\ln p_{\\text{label}}`, computed through log-softmax.
    predicted : int
        Index of the most probable class.
    """

    def __init__(
        self,
        class_names: list[str],
        scores: FloatArray,
        exp: FloatArray,
        shifted: bool,
        probabilities: FloatArray,
        label: int | None,
        loss: float | None,
    ) -> None:
        self.class_names = class_names
        self.scores = scores
        self.exp = exp
        self.shifted = shifted
        self.probabilities = probabilities
        self.label = label
        self.loss = loss
        self.predicted = int(np.argmax(probabilities))

    def rows(self, digits: int = 4) -> tuple[list[str], list[list[str]]]:
        """The table as a header and rows of strings; ``digits`` digits for p and the loss."""
        digits = check_option("digits", digits, integer=True, low=0)
        exp_name = "exp(score - max)" if self.shifted else "exp(score)"
        header = ["class", "score", exp_name, "normalised", "-ln p"]
        rows = []
        for j, name in enumerate(self.class_names):
            loss = f"{self.loss:.{digits}f}" if j == self.label else ""
            rows.append(
                [
                    name,
                    f"{self.scores[j]:.2f}",
                    f"{self.exp[j]:.2f}",
                    f"{self.probabilities[j]:.{digits}f}",
                    loss,
                ]
            )
        return header, rows

    def summary(self) -> str:
        """One sentence: what is predicted, with what confidence, at what loss."""
        name = self.class_names[self.predicted]
        text = f"predicted: {name} ({100 * self.probabilities[self.predicted]:.2f} %)"
        if self.label is not None:
            text += f"; true: {self.class_names[self.label]}; loss: {self.loss:.4f}"
        return text

    def __str__(self) -> str:
        header, rows = self.rows()
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        # The class names are left-aligned, the numbers right-aligned.
        line = "  ".join(f"{{:<{w}}}" if k == 0 else f"{{:>{w}}}" for k, w in enumerate(widths))
        out = [line.format(*header), "  ".join("-" * w for w in widths)]
        out += [line.format(*r) for r in rows]
        out.append(self.summary())
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        header, rows = self.rows()
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
        )
        return (
            f'<table class="xentlab-softmax-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table><p>{html.escape(self.summary())}</p>"
        )


# ------------------------------------------------------------------ validation


def _check_scores(scores: ArrayLike) -> FloatArray:
    """One example's finite scores, as a float64 array of the table's own."""
    s = np.array(as_float_array(scores, "scores", dtype=np.float64))  # a copy
    if s.ndim != 1:
        raise ValueError(
            f"scores must be 1-d (one example's class scores), got shape {s.shape}; "
            "loop over the rows of a batch."
        )
    check_finite(s, "scores")
    return s


def _check_class_names(class_names: Sequence[Any] | None, n_classes: int) -> list[str]:
    if class_names is None:
        return [f"class {j}" for j in range(n_classes)]
    if isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__iter__"):
        raise TypeError(
            f"class_names must be a sequence of {n_classes} names, one per score, got "
            f"{show_with_type(class_names)}."
        )
    names = [str(c) for c in class_names]
    if len(names) != n_classes:
        raise ValueError(
            f"class_names has {len(names)} names but scores has {n_classes} "
            "classes; give one name per score."
        )
    return names


def _check_label(label: Any, class_names: list[str]) -> int | None:
    """The index of ``label``: None, a class index, or one of ``class_names``."""
    if label is None:
        return None
    if isinstance(label, str):
        if label not in class_names:
            raise ValueError(f"label {label!r} is not one of class_names {class_names!r}.")
        return class_names.index(label)
    if isinstance(label, (bool, np.bool_)):
        raise TypeError(
            f"label must be a class index or one of class_names, got {show_with_type(label)}."
        )
    return int(as_class_labels(label, "label", len(class_names), ()))


# ---------------------------------------------------------------------- public


def softmax_table(
    scores: ArrayLike, *, label: int | str | None = None, class_names: Sequence[Any] | None = None
) -> SoftmaxTable:
    r"""Show how one example's scores turn into probabilities and a loss.

    .. math::

        s_j \;\to\; e^{s_j} \;\to\; p_j = \frac{e^{s_j}}{\sum_k e^{s_k}}
        \;\to\; \ell = -\ln p_{\text{label}}

    Parameters
    ----------
    scores : array_like of shape (C,)
        One example's class scores (logits), finite.
    label : int or str, optional
        The true class, as an index or as one of ``class_names``; when given, the
        table shows its loss.
    class_names : sequence of str, optional
        Names of the C classes; default ``"class 0"``, ``"class 1"``, ...

    Returns
    -------
    SoftmaxTable
        Prints as a text table; renders as HTML in Jupyter.

    Raises
    ------
    ValueError
        If ``scores`` is not 1-d or not finite, ``class_names`` has the wrong
        length, or ``label`` is out of range or not a known name.
    TypeError
        If ``scores`` is not numeric, ``class_names`` is not a sequence, or
        ``label`` is a bool.

    Notes
    -----
    The probabilities and the loss are computed through the stable
    :func:`~xentlab.log_softmax`; the ``exp`` column shows raw exponentials only
    when none of them overflows.

    Examples
    --------
    The panda example of :cite:t:`uniduc_crossentropy`:

    >>> from xentlab import softmax_table
    >>> print(softmax_table([-3.44, 1.16, 3.91], label="panda",
    ...                     class_names=["dog", "cat", "panda"]))
    class  score  exp(score)  normalised   -ln p
    -----  -----  ----------  ----------  ------
    dog    -3.44        0.03      0.0006
    cat     1.16        3.19      0.0601
    panda   3.91       49.90      0.9393  0.0626
    predicted: panda (93.93 %); true: panda; loss: 0.0626
    """
    s = _check_scores(scores)
    names = _check_class_names(class_names, s.shape[0])
    index = _check_label(label, names)
    with np.errstate(over="ignore"):  # a gap beyond the float range is -inf: e^{-inf} = 0
        log_p = _kernels.log_softmax(s, 0)
        shifted = bool(s.max() > np.log(np.finfo(np.float64).max))
        exp = np.exp(s - s.max()) if shifted else np.exp(s)
    loss = None if index is None else float(-log_p[index])
    return SoftmaxTable(names, s, exp, shifted, np.exp(log_p), index, loss)
