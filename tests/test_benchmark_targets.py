"""The target verdicts that ``make bench`` prints and stores (benchmarks/run.py).

The timings themselves are not tested (they belong to ``make bench``, on a
quiet machine); what is tested is that a measured ratio is turned into the
right verdict, so that "35 of 35 targets met" means what it says.
"""

import pytest

from benchmarks import run


def rows(bench, **seconds):
    names = {
        "xentlab": "xentlab",
        "scipy": "SciPy log_softmax",
        "torch": "PyTorch",
        "exp": "one np.exp pass",
        "sklearn": "scikit-learn",
    }
    return [{"benchmark": bench, "impl": names[k], "seconds": v} for k, v in seconds.items()]


def verdicts_by_target(verdicts):
    return {(v["benchmark"], v["target"]): v for v in verdicts}


def test_met_and_missed_speed_targets():
    measured = rows(
        "sparse softmax CE 10 x 10 float64", xentlab=1.0, scipy=1.4, torch=1.2, exp=0.2
    ) + rows("log_loss 10 x 10 float64", xentlab=1.0, sklearn=10.0)
    got = verdicts_by_target(run.check_targets(measured, []))
    ce = "sparse softmax CE 10 x 10 float64"
    assert not got[ce, "SciPy / xentlab >= 1.5"]["met"]
    assert got[ce, "SciPy / xentlab >= 1.5"]["value"] == pytest.approx(1.4)
    assert got[ce, "PyTorch / xentlab >= 1"]["met"]
    assert got[ce, "xentlab / one np.exp pass <= 4"]["value"] == pytest.approx(5.0)
    assert not got[ce, "xentlab / one np.exp pass <= 4"]["met"]
    assert got["log_loss 10 x 10 float64", "scikit-learn / xentlab >= 10"]["met"]  # 10 >= 10
    assert len(got) == 4


def test_a_missing_contender_is_not_judged():
    measured = rows("sigmoid CE 10 float32", xentlab=1.0, scipy=2.0, exp=0.5)  # no PyTorch
    targets = [v["target"] for v in run.check_targets(measured, [])]
    assert targets == ["SciPy / xentlab >= 1.5", "xentlab / one np.exp pass <= 4"]


def test_memory_target():
    memory = [
        {"function": "entropy", "peak_extra_over_input": 0.24},
        {"function": "kl_divergence", "peak_extra_over_input": 2.01},
    ]
    got = {v["benchmark"]: v["met"] for v in run.check_targets([], memory)}
    assert got == {"memory: entropy": True, "memory: kl_divergence": False}
