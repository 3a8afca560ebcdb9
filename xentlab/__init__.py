"""xentlab: cross-entropy, derived and tested.

Numerically stable classification losses, their gradients and the activations
they are built from, in NumPy. The companion book derives every function:
chapter references are in each docstring.

>>> import xentlab as xl
>>> print(f"{xl.sparse_softmax_cross_entropy_with_logits(labels=2, logits=[-3.44, 1.16, 3.91]):.4f}")
0.0626
"""

from .activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax
from .explain import SoftmaxTable, softmax_table
from .gradients import (
    binary_cross_entropy_grad,
    categorical_cross_entropy_grad,
    check_gradient,
    mean_squared_error_grad,
    multiclass_hinge_grad,
    numerical_gradient,
    sigmoid_cross_entropy_grad,
    softmax_cross_entropy_grad,
    sparse_softmax_cross_entropy_grad,
    weighted_cross_entropy_grad,
)
from .information import cross_entropy, entropy, kl_divergence
from .losses import (
    binary_cross_entropy,
    categorical_cross_entropy,
    hinge_loss,
    log_loss,
    mean_squared_error,
    multiclass_hinge_loss,
    sparse_categorical_cross_entropy,
)
from .tf import (
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

__version__ = "0.1.0"

__all__ = [
    # activations
    "sigmoid", "log_sigmoid", "softmax", "log_softmax", "logsumexp",
    # information
    "entropy", "cross_entropy", "kl_divergence",
    # losses on probabilities and scores
    "binary_cross_entropy", "categorical_cross_entropy", "sparse_categorical_cross_entropy",
    "log_loss", "mean_squared_error", "hinge_loss", "multiclass_hinge_loss",
    # TensorFlow's four, from logits
    "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits", "weighted_cross_entropy_with_logits",
    # gradients
    "sigmoid_cross_entropy_grad", "weighted_cross_entropy_grad", "softmax_cross_entropy_grad",
    "sparse_softmax_cross_entropy_grad", "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad", "mean_squared_error_grad", "multiclass_hinge_grad",
    "numerical_gradient", "check_gradient",
    # explain
    "softmax_table", "SoftmaxTable",
]
