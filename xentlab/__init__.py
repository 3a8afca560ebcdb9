"""xentlab: cross-entropy, derived and tested.

Numerically stable classification losses, their gradients and the activations
they are built from, in NumPy. The companion book derives every function:
chapter references are in each docstring.

>>> import xentlab as xl
>>> loss = xl.sparse_softmax_cross_entropy_with_logits(labels=2, logits=[-3.44, 1.16, 3.91])
>>> print(f"{loss:.4f}")
0.0626
"""

from .activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax
from .calibration import apply_temperature, fit_temperature
from .explain import SoftmaxTable, softmax_table
from .focal import (
    categorical_focal_grad,
    categorical_focal_loss,
    poly1_cross_entropy,
    poly1_cross_entropy_grad,
    sigmoid_focal_grad,
    sigmoid_focal_loss,
)
from .gradients import (
    binary_cross_entropy_grad,
    categorical_cross_entropy_grad,
    check_gradient,
    crammer_singer_hinge_grad,
    mean_squared_error_grad,
    multiclass_hinge_grad,
    numerical_gradient,
    sigmoid_cross_entropy_grad,
    softmax_cross_entropy_grad,
    sparse_categorical_cross_entropy_grad,
    sparse_softmax_cross_entropy_grad,
    weighted_cross_entropy_grad,
)
from .information import cross_entropy, entropy, kl_divergence
from .labels import one_hot, smooth_labels
from .large_vocab import (
    LinearCrossEntropyGrad,
    linear_cross_entropy,
    linear_cross_entropy_grad,
)
from .log_space import (
    generalized_kl_divergence,
    generalized_kl_divergence_grad,
    kl_divergence_from_log,
    kl_divergence_from_log_grad,
    nll_loss,
    nll_loss_grad,
)
from .losses import (
    binary_cross_entropy,
    categorical_cross_entropy,
    crammer_singer_hinge_loss,
    hinge_loss,
    log_loss,
    mean_squared_error,
    multiclass_hinge_loss,
    sparse_categorical_cross_entropy,
)
from .metrics import (
    ReliabilityCurve,
    expected_calibration_error,
    perplexity,
    reliability_curve,
    top_k_accuracy,
)
from .models import (
    DivergenceError,
    LinearSVM,
    LogisticRegression,
    NotFittedError,
    SoftmaxRegression,
)
from .scoring import brier_score, brier_score_grad
from .tf import (
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

__version__ = "0.2.0.dev0"

__all__ = [
    # activations
    "sigmoid",
    "log_sigmoid",
    "softmax",
    "log_softmax",
    "logsumexp",
    # information
    "entropy",
    "cross_entropy",
    "kl_divergence",
    # losses on probabilities and scores
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "log_loss",
    "mean_squared_error",
    "hinge_loss",
    "multiclass_hinge_loss",
    "crammer_singer_hinge_loss",
    # TensorFlow's four, from logits
    "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
    # gradients
    "sigmoid_cross_entropy_grad",
    "weighted_cross_entropy_grad",
    "softmax_cross_entropy_grad",
    "sparse_softmax_cross_entropy_grad",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
    "mean_squared_error_grad",
    "multiclass_hinge_grad",
    "crammer_singer_hinge_grad",
    "numerical_gradient",
    "check_gradient",
    "sparse_categorical_cross_entropy_grad",
    # explain
    "softmax_table",
    "SoftmaxTable",
    # labels, focal loss, metrics, calibration (chapter 8)
    "one_hot",
    "smooth_labels",
    "sigmoid_focal_loss",
    "sigmoid_focal_grad",
    "top_k_accuracy",
    "expected_calibration_error",
    "reliability_curve",
    "ReliabilityCurve",
    "perplexity",
    "fit_temperature",
    "apply_temperature",
    # softmax focal loss and poly-1 cross-entropy (chapter 8)
    "categorical_focal_loss",
    "categorical_focal_grad",
    "poly1_cross_entropy",
    "poly1_cross_entropy_grad",
    # log-space losses: negative log-likelihood, KL from log-probabilities (chapter 2)
    "nll_loss",
    "nll_loss_grad",
    "kl_divergence_from_log",
    "kl_divergence_from_log_grad",
    "generalized_kl_divergence",
    "generalized_kl_divergence_grad",
    # scoring rules (chapter 8)
    "brier_score",
    "brier_score_grad",
    # large-vocabulary loss of a linear output layer (language models)
    "linear_cross_entropy",
    "linear_cross_entropy_grad",
    "LinearCrossEntropyGrad",
    # models (chapters 6 and 7)
    "SoftmaxRegression",
    "LogisticRegression",
    "LinearSVM",
    "NotFittedError",
    "DivergenceError",
]
