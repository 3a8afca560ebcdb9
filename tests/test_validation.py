"""Bad input, for every public function of xentlab's core modules.

Each function is described once (``SPECS``: a valid call, and the role of each
argument); the tests then corrupt one argument at a time and check that the
function raises ``ValueError`` / ``TypeError`` (or warns) with a message that
names the argument at fault. Also here: float32 in -> float32 out across the
API, and a check that every name in ``xentlab.__all__`` is used by some test.
"""

import dataclasses
import io
import pathlib
import tokenize

import numpy as np
import pytest

import xentlab as xl

TESTS = pathlib.Path(__file__).parent

P2 = [[0.5, 0.5], [0.25, 0.75]]  # two distributions
Q2 = [[0.9, 0.1], [0.5, 0.5]]
ONE_HOT = [[1.0, 0.0], [0.0, 1.0]]
LOGITS = [[1.0, -2.0], [0.5, 3.0]]


@dataclasses.dataclass
class Spec:
    func: object
    kwargs: dict
    floats: tuple = ()  # real-valued array arguments
    probabilities: tuple = ()  # ... that must lie in [0, 1]
    distributions: tuple = ()  # ... that must sum to 1 along the class axis (a warning)
    labels: tuple = ()  # integer class-label arguments
    axis: bool = False
    reduction: bool = False
    sample_weight: bool = False
    float32_out: bool = True  # float32 inputs give float32 output

    @property
    def name(self):
        return self.func.__name__


SPECS = [
    Spec(xl.sigmoid, {"x": LOGITS}, floats=("x",)),
    Spec(xl.log_sigmoid, {"x": LOGITS}, floats=("x",)),
    Spec(xl.softmax, {"x": LOGITS}, floats=("x",), axis=True),
    Spec(xl.log_softmax, {"x": LOGITS}, floats=("x",), axis=True),
    Spec(xl.logsumexp, {"x": LOGITS}, floats=("x",), axis=True),
    Spec(xl.entropy, {"p": P2}, floats=("p",), probabilities=("p",), distributions=("p",),
         axis=True),
    Spec(xl.cross_entropy, {"p": P2, "q": Q2}, floats=("p", "q"), probabilities=("p", "q"),
         distributions=("p", "q"), axis=True),
    Spec(xl.kl_divergence, {"p": P2, "q": Q2}, floats=("p", "q"), probabilities=("p", "q"),
         distributions=("p", "q"), axis=True),
    Spec(xl.binary_cross_entropy, {"y_true": ONE_HOT, "y_pred": Q2},
         floats=("y_true", "y_pred"), probabilities=("y_true", "y_pred"), reduction=True,
         sample_weight=True),
    Spec(xl.categorical_cross_entropy, {"y_true": ONE_HOT, "y_pred": Q2},
         floats=("y_true", "y_pred"), probabilities=("y_true", "y_pred"),
         distributions=("y_true", "y_pred"), axis=True, reduction=True, sample_weight=True),
    Spec(xl.sparse_categorical_cross_entropy, {"y_true": [0, 1], "y_pred": Q2},
         floats=("y_pred",), probabilities=("y_pred",), distributions=("y_pred",),
         labels=("y_true",), axis=True, reduction=True, sample_weight=True),
    Spec(xl.log_loss, {"y_true": [0, 1], "y_pred": Q2}, floats=("y_pred",),
         probabilities=("y_pred",), distributions=("y_pred",), sample_weight=True,
         float32_out=False),
    Spec(xl.mean_squared_error, {"y_true": ONE_HOT, "y_pred": Q2}, floats=("y_true", "y_pred"),
         reduction=True, sample_weight=True),
    Spec(xl.hinge_loss, {"y_true": [1.0, -1.0], "scores": [0.3, -2.0]},
         floats=("y_true", "scores"), reduction=True, sample_weight=True),
    Spec(xl.multiclass_hinge_loss, {"y_true": [0, 1], "scores": LOGITS}, floats=("scores",),
         labels=("y_true",), axis=True, reduction=True, sample_weight=True),
    Spec(xl.sigmoid_cross_entropy_with_logits, {"labels": ONE_HOT, "logits": LOGITS},
         floats=("labels", "logits"), probabilities=("labels",)),
    Spec(xl.weighted_cross_entropy_with_logits,
         {"labels": ONE_HOT, "logits": LOGITS, "pos_weight": [2.0, 0.5]},
         floats=("labels", "logits", "pos_weight"), probabilities=("labels",)),
    Spec(xl.softmax_cross_entropy_with_logits, {"labels": ONE_HOT, "logits": LOGITS},
         floats=("labels", "logits"), probabilities=("labels",), distributions=("labels",),
         axis=True),
    Spec(xl.sparse_softmax_cross_entropy_with_logits, {"labels": [0, 1], "logits": LOGITS},
         floats=("logits",), labels=("labels",), axis=True),
    Spec(xl.sigmoid_cross_entropy_grad, {"labels": ONE_HOT, "logits": LOGITS},
         floats=("labels", "logits"), probabilities=("labels",)),
    Spec(xl.weighted_cross_entropy_grad,
         {"labels": ONE_HOT, "logits": LOGITS, "pos_weight": [2.0, 0.5]},
         floats=("labels", "logits", "pos_weight"), probabilities=("labels",)),
    Spec(xl.softmax_cross_entropy_grad, {"labels": ONE_HOT, "logits": LOGITS},
         floats=("labels", "logits"), probabilities=("labels",), axis=True),
    Spec(xl.sparse_softmax_cross_entropy_grad, {"labels": [0, 1], "logits": LOGITS},
         floats=("logits",), labels=("labels",), axis=True),
    Spec(xl.binary_cross_entropy_grad, {"y_true": ONE_HOT, "y_pred": Q2},
         floats=("y_true", "y_pred"), probabilities=("y_true", "y_pred")),
    Spec(xl.categorical_cross_entropy_grad, {"y_true": ONE_HOT, "y_pred": Q2},
         floats=("y_true", "y_pred"), probabilities=("y_true", "y_pred")),
    Spec(xl.mean_squared_error_grad, {"y_true": ONE_HOT, "y_pred": Q2},
         floats=("y_true", "y_pred")),
    Spec(xl.multiclass_hinge_grad, {"y_true": [0, 1], "scores": LOGITS}, floats=("scores",),
         labels=("y_true",), axis=True),
    Spec(xl.numerical_gradient, {"f": np.sum, "x": LOGITS}, floats=("x",), float32_out=False),
    Spec(xl.check_gradient, {"f": np.sum, "grad": np.ones_like, "x": LOGITS}, floats=("x",),
         float32_out=False),
    Spec(xl.softmax_table, {"scores": [1.0, 2.0, 0.5]}, floats=("scores",), float32_out=False),
]
IDS = [s.name for s in SPECS]


def cases(attribute):
    """(spec, argument name) for every spec argument listed under ``attribute``."""
    out = [(s, a) for s in SPECS for a in getattr(s, attribute)]
    return pytest.mark.parametrize("spec, arg", out, ids=[f"{s.name}-{a}" for s, a in out])


def with_arg(spec, arg, value):
    return {**spec.kwargs, arg: value}


def specs_where(attribute):
    chosen = [s for s in SPECS if getattr(s, attribute)]
    return pytest.mark.parametrize("spec", chosen, ids=[s.name for s in chosen])


def test_every_valid_call_works():
    for spec in SPECS:
        out = spec.func(**spec.kwargs)
        assert out is not None, spec.name


# ------------------------------------------------------------ float arguments


def _corrupt(value, new):
    """``value`` as a float array with its first element replaced by ``new``."""
    arr = np.array(value, dtype=object if isinstance(new, (str, type(None))) else None)
    if isinstance(new, complex):
        arr = arr.astype(complex)
    arr.flat[0] = new
    return arr


@cases("floats")
def test_nan_is_rejected(spec, arg):
    with pytest.raises(ValueError, match=rf"\b{arg} contains NaN"):
        spec.func(**with_arg(spec, arg, _corrupt(spec.kwargs[arg], np.nan)))


@cases("floats")
@pytest.mark.parametrize("bad, dtype", [("a", "<U1"), (None, "object"), (1 + 2j, "complex128")],
                         ids=["str", "object", "complex"])
def test_non_real_dtypes_are_rejected(spec, arg, bad, dtype):
    value = np.array(spec.kwargs[arg])
    if isinstance(bad, str):
        value = np.full(value.shape, bad)
    else:
        value = _corrupt(value, bad)
    with pytest.raises(TypeError, match=rf"\b{arg} must hold real numbers, got dtype {dtype}"):
        spec.func(**with_arg(spec, arg, value))


@cases("floats")
def test_ragged_lists_are_rejected(spec, arg):
    ragged = [[0.5, 0.5], [0.5]]
    with pytest.raises(ValueError, match=rf"\b{arg} could not be converted to a numeric array"):
        spec.func(**with_arg(spec, arg, ragged))


@cases("floats")
def test_empty_input_is_rejected(spec, arg):
    with pytest.raises(ValueError, match=rf"\b{arg} is empty \(shape \(0,\)\)"):
        spec.func(**with_arg(spec, arg, []))


@cases("probabilities")
def test_probabilities_outside_the_unit_interval_are_rejected(spec, arg):
    value = _corrupt(spec.kwargs[arg], 1.5)
    with pytest.raises(ValueError, match=rf"\b{arg} must hold probabilities in \[0, 1\], but "
                                         rf"{arg}\[\(0, 0\)\] = 1.5"):
        spec.func(**with_arg(spec, arg, value))
    value = _corrupt(spec.kwargs[arg], -0.25)
    with pytest.raises(ValueError, match=rf"\b{arg} must hold probabilities in \[0, 1\], but "
                                         rf"{arg}\[\(0, 0\)\] = -0.25"):
        spec.func(**with_arg(spec, arg, value))


@cases("distributions")
def test_distributions_not_summing_to_one_warn(spec, arg):
    value = np.array(spec.kwargs[arg]) * 0.9
    with pytest.warns(UserWarning, match=rf"\b{arg} does not sum to 1 along axis 1: the sum at "
                                         rf"0 is 0\.9 \(2 of 2 slices are off\)"):
        spec.func(**with_arg(spec, arg, value))


def test_a_single_distribution_not_summing_to_one_names_its_sum_not_a_position():
    with pytest.warns(UserWarning, match=r"labels does not sum to 1 along axis 0: it sums to "
                                         r"1\.3\. Make sure to pass probabilities"):
        xl.softmax_cross_entropy_with_logits(labels=[0, 0.5, 0.8], logits=[0.0, 1.0, 2.0])


@specs_where("floats")
def test_shape_mismatch_names_both_arguments(spec):
    pairs = [a for a in spec.floats if a != "pos_weight"] + list(spec.labels)
    if len(pairs) < 2:
        pytest.skip("a single array argument")
    first, second = pairs[0], pairs[1]
    value = np.array(spec.kwargs[first])
    bad = np.concatenate([value, value[:1]])  # one example too many
    with pytest.raises(ValueError, match=rf"\b({first}|{second})\b.*shape"):
        spec.func(**with_arg(spec, first, bad))


# ------------------------------------------------------------ label arguments


@cases("labels")
@pytest.mark.parametrize("bad, error, match", [
    ([0, 1.5], ValueError, r"{arg} must hold whole-number class indices, but {arg}\[1\] = 1.5"),
    ([0, 2], ValueError, r"{arg} must be class indices in \[0, 2\) for 2 classes, but "
                         r"{arg}\[1\] = 2 \(min 0, max 2\)\."),
    ([1, 2], ValueError, r"{arg}\[1\] = 2 \(min 1, max 2\)\. Your classes look coded from 1"),
    ([-1, 0], ValueError, r"{arg} must be class indices in \[0, 2\)"),
    ([0, np.nan], ValueError, r"{arg} contains NaN"),
    (["cat", "dog"], TypeError, r"{arg} must be integer class indices, got dtype <U3"),
    ([0j, 1j], TypeError, r"{arg} must be integer class indices, got dtype complex128"),
    ([0, None], TypeError, r"{arg} must be integer class indices, got dtype object"),
    ([[0], [1, 0]], ValueError, r"{arg} could not be converted to an array"),
    ([0, 1, 1], ValueError, r"{arg} must have shape \(2,\) \(one class index per example\), "
                            r"got shape \(3,\)"),
    ([], ValueError, r"{arg} must have shape \(2,\)"),
    ([[1, 0], [0, 1]], ValueError, r"{arg} looks one-hot encoded"),
], ids=["fractional", "too-large", "coded-from-1", "negative", "nan", "str", "complex",
        "object", "ragged", "too-many", "empty", "one-hot"])
def test_bad_labels(spec, arg, bad, error, match):
    with pytest.raises(error, match=match.format(arg=arg)):
        spec.func(**with_arg(spec, arg, bad))


def test_whole_float_and_bool_labels_are_accepted():
    p = np.array(Q2)
    np.testing.assert_array_equal(
        xl.sparse_categorical_cross_entropy([0.0, 1.0], p, reduction="none"),
        xl.sparse_categorical_cross_entropy([0, 1], p, reduction="none"),
    )
    np.testing.assert_array_equal(
        xl.sparse_categorical_cross_entropy([False, True], p, reduction="none"),
        xl.sparse_categorical_cross_entropy([0, 1], p, reduction="none"),
    )


# ------------------------------------------------------------------- options


@specs_where("axis")
def test_bad_axis(spec):
    with pytest.raises(ValueError, match=r"axis=3 is out of bounds for an array of 2 "
                                         r"dimension\(s\); use an axis in \[-2, 1\]"):
        spec.func(**spec.kwargs, axis=3)
    for bad in (None, 1.0, "0", (0, 1), True):
        with pytest.raises(TypeError, match=r"axis must be an int, got "):
            spec.func(**spec.kwargs, axis=bad)


@specs_where("reduction")
def test_bad_reduction(spec):
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\), "
                                         r"got 'average'"):
        spec.func(**spec.kwargs, reduction="average")
    with pytest.raises(ValueError, match=r"reduction must be one of .*, got None"):
        spec.func(**spec.kwargs, reduction=None)


@specs_where("sample_weight")
@pytest.mark.parametrize("weights, error, match", [
    ([1.0], ValueError, r"sample_weight must have shape \(2,\), one weight per example, got "
                        r"shape \(1,\)"),
    ([[1.0, 1.0]], ValueError, r"sample_weight must have shape \(2,\).*got shape \(1, 2\)"),
    ([1.0, -1.0], ValueError, r"sample_weight must be non-negative, but sample_weight\[1\] = "
                              r"-1\.0"),
    ([0.0, 0.0], ValueError, r"sample_weight sums to zero"),
    ([1.0, np.nan], ValueError, r"sample_weight contains NaN"),
    ([1.0, np.inf], ValueError, r"sample_weight contains inf"),
    (["a", "b"], TypeError, r"sample_weight must hold real numbers"),
    ([], ValueError, r"sample_weight is empty"),
], ids=["short", "2-d", "negative", "all-zero", "nan", "inf", "str", "empty"])
def test_bad_sample_weight(spec, weights, error, match):
    with pytest.raises(error, match=match):
        spec.func(**spec.kwargs, sample_weight=weights)


# --------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_float32_in_float32_out(spec):
    if not spec.float32_out:
        pytest.skip(f"{spec.name} documents another output type")
    kwargs = {k: (np.asarray(v, dtype=np.float32) if k in spec.floats else v)
              for k, v in spec.kwargs.items()}
    out = spec.func(**kwargs)
    assert out.dtype == np.float32, spec.name
    out16 = spec.func(**{k: (np.asarray(v, dtype=np.float16) if k in spec.floats else v)
                         for k, v in spec.kwargs.items()})
    assert out16.dtype == np.float32, f"{spec.name}: float16 is computed in float32"
    if spec.reduction:
        for reduction in ("sum", "none"):
            assert spec.func(**kwargs, reduction=reduction).dtype == np.float32


def test_documented_output_types():
    assert isinstance(xl.log_loss([0, 1], np.float32(Q2)), float)
    assert isinstance(xl.check_gradient(np.sum, np.ones_like, np.float32([1, 2])), float)
    assert xl.numerical_gradient(np.sum, np.float32([1, 2])).dtype == np.float64
    assert xl.softmax_table(np.float32([1, 2])).probabilities.dtype == np.float64


INTEGER_CALLS = [
    (xl.sigmoid, {"x": [1, -2]}),
    (xl.log_sigmoid, {"x": [True, False]}),
    (xl.softmax, {"x": [[1, 2]]}),
    (xl.log_softmax, {"x": [[1, 2]]}),
    (xl.logsumexp, {"x": [[1, 2]]}),
    (xl.entropy, {"p": [[0, 1]]}),
    (xl.cross_entropy, {"p": [[0, 1]], "q": [[0, 1]]}),
    (xl.kl_divergence, {"p": [[True, False]], "q": [[1, 0]]}),
    (xl.binary_cross_entropy, {"y_true": [1, 0], "y_pred": [1, 0]}),
    (xl.categorical_cross_entropy, {"y_true": [[1, 0]], "y_pred": [[1, 0]]}),
    (xl.sparse_categorical_cross_entropy, {"y_true": [0], "y_pred": [[1, 0]]}),
    (xl.mean_squared_error, {"y_true": [1, 2], "y_pred": [2, 2]}),
    (xl.hinge_loss, {"y_true": [1, 0], "scores": [2, -3]}),
    (xl.multiclass_hinge_loss, {"y_true": [0], "scores": [[1, 3]]}),
    (xl.sigmoid_cross_entropy_with_logits, {"labels": [1, 0], "logits": [3, -1]}),
    (xl.weighted_cross_entropy_with_logits, {"labels": [1, 0], "logits": [3, -1],
                                             "pos_weight": 2}),
    (xl.softmax_cross_entropy_with_logits, {"labels": [[1, 0]], "logits": [[3, -1]]}),
    (xl.sparse_softmax_cross_entropy_with_logits, {"labels": [0], "logits": [[3, -1]]}),
    (xl.sigmoid_cross_entropy_grad, {"labels": [1, 0], "logits": [3, -1]}),
    (xl.weighted_cross_entropy_grad, {"labels": [1, 0], "logits": [3, -1], "pos_weight": 2}),
    (xl.softmax_cross_entropy_grad, {"labels": [[1, 0]], "logits": [[3, -1]]}),
    (xl.sparse_softmax_cross_entropy_grad, {"labels": [0], "logits": [[3, -1]]}),
    (xl.categorical_cross_entropy_grad, {"y_true": [[1, 0]], "y_pred": [[1, 0]]}),
    (xl.mean_squared_error_grad, {"y_true": [1, 2], "y_pred": [2, 2]}),
    (xl.multiclass_hinge_grad, {"y_true": [0], "scores": [[1, 3]]}),
]


@pytest.mark.parametrize("f, kwargs", INTEGER_CALLS, ids=[f.__name__ for f, _ in INTEGER_CALLS])
def test_integer_and_bool_input_gives_float64(f, kwargs):
    assert np.asarray(f(**kwargs)).dtype == np.float64


# ------------------------------------------------ options of single functions


@pytest.mark.parametrize("f, kwargs, error, match", [
    (xl.binary_cross_entropy, {"eps": 0.7}, ValueError, r"eps must be in \[0, 0\.5\), got 0\.7"),
    (xl.binary_cross_entropy, {"eps": np.nan}, ValueError,
     r"eps must be finite and >= 0, got nan"),
    (xl.binary_cross_entropy, {"eps": [1e-7]}, TypeError, r"eps must be a real number, got "
                                                          r"\[1e-07\]"),
    (xl.categorical_cross_entropy, {"label_smoothing": 2}, ValueError,
     r"label_smoothing must be in \[0, 1\], got 2"),
    (xl.categorical_cross_entropy, {"label_smoothing": True}, TypeError,
     r"label_smoothing must be a real number, got True"),
    (xl.log_loss, {"normalize": 1}, TypeError, r"normalize must be True or False, got 1"),
    (xl.logsumexp, {"keepdims": 0}, TypeError, r"keepdims must be True or False, got 0"),
    (xl.multiclass_hinge_loss, {"margin": -0.5}, ValueError,
     r"margin must be finite and >= 0, got -0\.5"),
    (xl.multiclass_hinge_loss, {"squared": "yes"}, TypeError,
     r"squared must be True or False, got 'yes'"),
    (xl.weighted_cross_entropy_with_logits, {"pos_weight": -2.0}, ValueError,
     r"pos_weight must be >= 0, got -2\.0"),
    (xl.weighted_cross_entropy_with_logits, {"pos_weight": [1.0, 2.0, 3.0]}, ValueError,
     r"pos_weight of shape \(3,\) does not broadcast to logits of shape \(2, 2\)"),
    (xl.entropy, {"base": 1.0}, ValueError, r"base must be positive, finite and not 1, got 1\.0"),
    (xl.entropy, {"base": np.float64(-2.0)}, ValueError,
     r"base must be positive, finite and not 1, got -2\.0; use 2 for bits"),
    (xl.numerical_gradient, {"eps": "tiny"}, TypeError, r"eps must be a real number, got 'tiny'"),
], ids=lambda v: v.__name__ if callable(v) else None)
def test_bad_options(f, kwargs, error, match):
    spec = next(s for s in SPECS if s.func is f)
    with pytest.raises(error, match=match):
        f(**{**spec.kwargs, **kwargs})


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'reduce'"):
        xl.binary_cross_entropy([1.0], [0.5], reduce="mean")


@pytest.mark.parametrize("f, kwargs", [
    (xl.binary_cross_entropy, {"y_true": [1.0, 0.0], "y_pred": [0.5]}),
    (xl.categorical_cross_entropy, {"y_true": [[1.0, 0.0]], "y_pred": [[0.5, 0.25, 0.25]]}),
    (xl.mean_squared_error, {"y_true": [1.0, 0.0], "y_pred": [[1.0, 0.0]]}),
    (xl.hinge_loss, {"y_true": [1.0, -1.0], "scores": [0.5]}),
    (xl.cross_entropy, {"p": [0.5, 0.5], "q": [[0.5, 0.5]]}),
    (xl.sigmoid_cross_entropy_with_logits, {"labels": [1.0], "logits": [0.5, 0.5]}),
])
def test_shape_mismatch_message(f, kwargs):
    first, second = kwargs
    a, b = (np.shape(v) for v in kwargs.values())
    with pytest.raises(ValueError, match=rf"{first} and {second} must have the same shape, got "
                                         rf"{first}\.shape = {a!s} and {second}\.shape = {b!s}"
                       .replace("(", r"\(").replace(")", r"\)")):
        f(**kwargs)


# -------------------------------------------------------- coverage of the API


def _names_used_in_tests():
    """Every identifier in the code (not the comments or strings) of tests/test_*.py."""
    names = set()
    for path in TESTS.glob("test_*.py"):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME:
                names.add(token.string)
    return names


def test_every_public_name_is_tested():
    used = _names_used_in_tests()
    missing = sorted(name for name in xl.__all__ if name not in used)
    assert not missing, f"public names that no test uses: {missing}"


def test_all_is_consistent():
    assert len(xl.__all__) == len(set(xl.__all__)), "duplicates in xentlab.__all__"
    for name in xl.__all__:
        assert hasattr(xl, name), f"xentlab.__all__ names {name!r}, which does not exist"
        assert not name.startswith("_")
    # Everything a core module exports is re-exported at the top level.
    from xentlab import activations, explain, gradients, information, losses, tf

    for module in (activations, explain, gradients, information, losses, tf):
        for name in module.__all__:
            assert name in xl.__all__, f"{module.__name__}.{name} is not in xentlab.__all__"
            assert getattr(xl, name) is getattr(module, name)


def test_the_core_functions_are_all_in_the_bad_input_matrix():
    from xentlab import activations, explain, gradients, information, losses, tf

    core = {n for m in (activations, explain, gradients, information, losses, tf)
            for n in m.__all__}
    covered = {s.name for s in SPECS} | {"SoftmaxTable"}
    assert core <= covered, f"add a Spec for {sorted(core - covered)}"
