"""The explorable figures of the built book, driven in Chromium as a reader would.

Each chapter with an explorable figure (``<div class="xl-explorable">``, scripts
in ``book/_static/explorables/``) is opened offline (non-local requests are
aborted). Every control of every figure is moved to several settings, extremes
included, with the keyboard (Home, End, arrows), by setting a slider's value and
firing its ``input`` event, by clicking buttons and by dragging on the plots. After
each move every number the figure displays (the elements marked
``data-xl-out``) is compared with ``xentlab``'s value for the same inputs, to the
precision displayed. The tests fail on any console error or uncaught exception,
on a displayed ``NaN``, ``Infinity`` or ``undefined``, on an infinity shown where
the true value is finite, on a control without a label, and on a figure wider
than a 375-px screen. Each figure is saved as a PNG at 1280 and at 375 px wide
in ``_build/screenshots/`` (or ``$XENTLAB_SCREENSHOTS``).
"""

import math
import os
import pathlib
import re
import urllib.parse

import numpy as np
import pytest

import xentlab as xl

pytestmark = [pytest.mark.browser, pytest.mark.book]

TIMEOUT_MS = 30_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
LN10 = math.log(10)
# Console errors of the page around the figures, not of the figures: the theme
# logs its first visit with no stored light/dark choice, and sphinx-thebe 0.3.1
# puts its configuration script (`const THEBE_JS_URL = ...`) twice on notebook
# pages, so the second copy throws. Anything else fails the tests.
KNOWN_PAGE_ERRORS = (
    "Got invalid theme mode: . Resetting to auto.",
    "uncaught: Identifier 'THEBE_JS_URL' has already been declared",
)


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def explorable_screenshots(book_html):
    directory = pathlib.Path(
        os.environ.get("XENTLAB_SCREENSHOTS", book_html.parent / "screenshots")
    )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def local_context(browser, book_server):
    """A browser context that reaches only the local book server."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    blocked = []

    def route(route):
        url = route.request.url
        if "/_static/mathjax/" in url:
            # The figures hold no TeX, and typesetting a whole chapter is most of
            # a page's load time; tests/test_browser.py checks the math.
            route.fulfill(body="", content_type="application/javascript")
            return
        if urllib.parse.urlsplit(url).hostname == "127.0.0.1" or url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    yield context
    context.close()
    assert not blocked, f"the explorable pages tried the network: {blocked}"


class Figure:
    """One explorable on its page: set its controls, read its numbers."""

    def __init__(self, page, name, errors):
        self.page, self.name, self.errors = page, name, errors
        self.selector = f'.xl-explorable[data-explorable="{name}"]'
        self.root = page.locator(self.selector)

    def control(self, name):
        return self.root.locator(f'[data-xl-in="{name}"]')

    def set(self, name, value):
        """Set a range input's value and fire `input`; return the value it took."""
        return float(
            self.control(name).evaluate(
                """(input, value) => {
                input.value = String(value);
                input.dispatchEvent(new Event('input', {bubbles: true}));
                return input.value;
            }""",
                value,
            )
        )

    def key(self, name, *keys):
        """Focus a control and press keys, as a keyboard user would."""
        control = self.control(name)
        control.focus()
        for key in keys:
            self.page.keyboard.press(key)
        return float(control.input_value())

    def value(self, name):
        return float(self.control(name).input_value())

    def click(self, name):
        self.control(name).click()

    def shown(self):
        """Every displayed number, by its data-xl-out name; checks the whole text too.

        Also records every control's current value in ``self.inputs`` (one
        round trip to the browser for the whole figure).
        """
        state = self.root.evaluate(
            """root => ({
                text: root.innerText,
                outputs: Object.fromEntries([...root.querySelectorAll('[data-xl-out]')]
                    .map(el => [el.dataset.xlOut, el.textContent.trim()])),
                inputs: Object.fromEntries([...root.querySelectorAll('input[data-xl-in]')]
                    .map(el => [el.dataset.xlIn,
                                el.type === 'checkbox' ? el.checked : Number(el.value)])),
            })"""
        )
        for bad in ("NaN", "Infinity", "undefined", "null"):
            assert bad not in state["text"], f"{self.name} shows {bad!r}:\n{state['text']}"
        assert not self.errors, f"{self.name}: console errors: {self.errors}"
        self.inputs = state["inputs"]
        return state["outputs"]


def _parse(text):
    """(kind, value) of a displayed number.

    kind is 'inf', 'sci' (value: sign, mantissa, its decimals, exponent) or
    'fixed' (value: the number, its decimals).
    """
    t = text.replace("\u2212", "-").strip()
    if t in ("\u221e", "-\u221e"):
        return "inf", (-math.inf if t.startswith("-") else math.inf)
    m = re.fullmatch(r"(-?)(\d)\.(\d+)e([+-]\d+)", t)
    if m:
        sign = -1.0 if m.group(1) else 1.0
        mantissa = float(f"{m.group(2)}.{m.group(3)}")
        return "sci", (sign, mantissa, len(m.group(3)), int(m.group(4)))
    m = re.fullmatch(r"-?\d+(\.(\d+))?", t)
    assert m, f"not a number as the figures print them: {text!r}"
    return "fixed", (float(t), len(m.group(2) or ""))


def assert_shows(text, what, value=None, log=None, sign=1.0):
    """`text` is `value` (or sign * e^log) to the precision it is printed with.

    Pass `log` (natural log of |value|) for numbers a double cannot hold.
    """
    if log is None:
        value = float(value)
        sign = -1.0 if value < 0 else 1.0
        log = math.log(abs(value)) if value != 0 else -math.inf
    kind, parsed = _parse(text)
    expected_inf = log == math.inf
    if kind == "inf":
        assert expected_inf and parsed == sign * math.inf, (
            f"{what}: shows {text!r}, true value {sign}*e^{log}"
        )
        return
    assert not expected_inf, f"{what}: shows {text!r} but the true value is infinite"
    if kind == "sci":
        shown_sign, mantissa, digits, exponent = parsed
        assert shown_sign == sign or log == -math.inf, f"{what}: shows {text!r}, wrong sign"
        expected_mantissa = 10 ** (log / LN10 - exponent) if log > -math.inf else 0.0
        assert abs(expected_mantissa - mantissa) <= 0.5 * 10.0**-digits * (1 + 1e-9) + 1e-12, (
            f"{what}: shows {text!r}, expected {sign} * 10^{log / LN10:.6f}"
        )
        return
    shown, digits = parsed
    expected = sign * math.exp(log) if log > -math.inf else 0.0
    tolerance = 0.5 * 10.0**-digits * (1 + 1e-9) + 1e-12 * max(1.0, abs(expected))
    assert abs(shown - expected) <= tolerance, f"{what}: shows {text!r}, expected {expected!r}"


@pytest.fixture
def open_figure(local_context, book_server, explorable_screenshots):
    """Open a chapter, wait for its explorable; on exit, check errors and take screenshots."""
    opened = []

    def _open(page_path, name):
        page = local_context.new_page()
        errors = []

        def record(message):
            if message not in KNOWN_PAGE_ERRORS:
                errors.append(message)

        page.on("console", lambda msg: record(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: record(f"uncaught: {exc}"))
        response = page.goto(book_server + page_path, wait_until="domcontentloaded")
        assert response is not None and response.ok, f"{page_path}: no page"
        figure = Figure(page, name, errors)
        page.wait_for_selector(f'{figure.selector}[data-ready="true"]', timeout=TIMEOUT_MS)
        figure.root.scroll_into_view_if_needed()
        _check_controls_are_labelled(figure)
        opened.append(figure)
        return figure

    yield _open
    for figure in opened:
        try:
            # The theme's sticky header (and its skip link, once focused) would
            # cover the top of a figure in its screenshot.
            figure.page.add_style_tag(
                content=".skip-link, .bd-header, .bd-header-article { display: none !important; }"
            )
            figure.page.evaluate("document.activeElement && document.activeElement.blur()")
            figure.root.screenshot(
                path=str(explorable_screenshots / f"explorable-{figure.name}.png")
            )
            figure.page.set_viewport_size(PHONE)
            figure.root.scroll_into_view_if_needed()
            fits = figure.root.evaluate(
                """root => ({right: root.getBoundingClientRect().right, width: window.innerWidth,
                            scroll: root.scrollWidth, client: root.clientWidth})"""
            )
            figure.root.screenshot(
                path=str(explorable_screenshots / f"explorable-{figure.name}-375px.png")
            )
            assert fits["right"] <= fits["width"] + 1 and fits["scroll"] <= fits["client"] + 1, (
                f"{figure.name} does not fit a 375-px screen: {fits}"
            )
            assert not figure.errors, f"{figure.name}: console errors: {figure.errors}"
        finally:
            figure.page.close()


def _check_controls_are_labelled(figure):
    unlabelled = figure.root.evaluate(
        """root => [...root.querySelectorAll('input, button')]
            .filter(el => el.tagName === 'BUTTON' ? !el.textContent.trim()
                                                  : el.labels.length === 0)
            .map(el => el.outerHTML)"""
    )
    assert not unlabelled, f"{figure.name}: controls without a label: {unlabelled}"
    ranges = figure.root.locator('input[type="range"]').count()
    assert ranges >= 1


# --------------------------------------------------- chapter 4: the panda tables


PANDA_CLASSES = ["dog", "cat", "panda"]


def _check_panda(figure):
    shown = figure.shown()
    scores = np.array([figure.inputs[f"score-{j}"] for j in range(3)])
    temperature = figure.inputs["temperature"]
    true = PANDA_CLASSES.index(shown["true-name"])
    logits = scores / temperature
    log_probs = xl.log_softmax(logits)
    probs = xl.softmax(logits)
    where = f"panda at scores={scores.tolist()}, T={temperature}, true={true}"
    for j in range(3):
        assert_shows(shown[f"score-{j}"], where, scores[j])
        assert_shows(shown[f"x-{j}"], where, scores[j])
        assert_shows(shown[f"scaled-{j}"], where, logits[j])
        assert_shows(shown[f"exp-{j}"], f"{where}: exp", log=logits[j])
        assert_shows(shown[f"p-{j}"], f"{where}: p", log=log_probs[j])
        if probs[j] > 1e-300:
            assert_shows(shown[f"p-{j}"], f"{where}: p", probs[j])
        assert_shows(shown[f"nll-{j}"], f"{where}: -ln p", -log_probs[j])
    assert_shows(shown["temperature"], where, temperature)
    assert_shows(shown["sum-exp"], f"{where}: sum", log=xl.logsumexp(logits))
    loss = xl.sparse_softmax_cross_entropy_with_logits(labels=true, logits=logits)
    assert_shows(shown["loss"], f"{where}: loss", loss)
    assert_shows(shown["loss-bits"], f"{where}: bits", loss / math.log(2))
    predicted = int(np.argmax(logits))
    assert shown["predicted"] == PANDA_CLASSES[predicted]
    assert_shows(shown["confidence"], f"{where}: %", log=log_probs[predicted] + math.log(100))
    return shown


def test_panda_tables(open_figure):
    figure = open_figure("book/04_categorical_cross_entropy.html", "panda")
    shown = _check_panda(figure)
    # The article's numbers, as the chapter prints them.
    assert [shown[f"exp-{j}"] for j in range(3)] == ["0.03", "3.19", "49.90"]
    assert [shown[f"p-{j}"] for j in range(3)] == ["0.0006", "0.0601", "0.9393"]
    assert shown["loss"] == "0.0626" and shown["predicted"] == "panda"

    figure.root.get_by_label("dog", exact=True).check()  # the true class: a radio button
    _check_panda(figure)
    figure.key("temperature", "Home")  # T = 0.05: logits up to 400
    figure.key("score-0", "End")  # dog 20
    figure.key("score-1", "Home")  # cat -20
    _check_panda(figure)
    figure.root.get_by_label("cat", exact=True).check()  # p(cat) = e^-800: underflows a double
    shown = _check_panda(figure)
    assert "e-" in shown["p-1"] and shown["nll-1"] == "800.0000"
    figure.set("score-2", 19.99)
    _check_panda(figure)
    figure.key("temperature", "End")  # T = 5
    figure.key("score-2", "ArrowLeft", "ArrowLeft", "PageDown")
    _check_panda(figure)
    for scores, temperature in (([0, 0, 0], 1), ([-20, -20, -20], 0.05), ([1000, -5, 3], 2.5)):
        for j, s in enumerate(scores):
            figure.set(f"score-{j}", s)  # 1000 is clamped to the slider's 20
        figure.set("temperature", temperature)
        _check_panda(figure)
    figure.root.get_by_label("panda", exact=True).check()
    _check_panda(figure)


# ------------------------------------------- chapter 2: entropy, CE and KL


def _check_information(figure):
    shown = figure.shown()
    weights = {d: np.array([figure.inputs[f"w{d}-{j}"] for j in range(4)]) for d in "pq"}
    where = f"information at p weights {weights['p'].tolist()}, q weights {weights['q'].tolist()}"
    for d in "pq":
        for j in range(4):
            assert_shows(shown[f"w{d}-{j}"], where, weights[d][j])
    if weights["p"].sum() == 0 or weights["q"].sum() == 0:
        empty = [d for d in "pq" if weights[d].sum() == 0]
        for key, text in shown.items():
            if key.startswith(("H-", "CE-", "KL-")) or key[0] in empty and key[1] == "-":
                assert text == "\u2014", f"{where}: {key} shows {text!r} with no distribution"
        assert "is 0" in shown["note"]
        return shown
    p = weights["p"] / weights["p"].sum()
    q = weights["q"] / weights["q"].sum()
    for j in range(4):
        assert_shows(shown[f"p-{j}"], where, p[j])
        assert_shows(shown[f"q-{j}"], where, q[j])
    values = {
        "H-p": lambda base: xl.entropy(p, base=base),
        "H-q": lambda base: xl.entropy(q, base=base),
        "CE-pq": lambda base: xl.cross_entropy(p, q, base=base),
        "KL-pq": lambda base: xl.kl_divergence(p, q, base=base),
        "KL-qp": lambda base: xl.kl_divergence(q, p, base=base),
    }
    for key, f in values.items():
        assert_shows(shown[f"{key}-nats"], f"{where}: {key} nats", f(None))
        assert_shows(shown[f"{key}-bits"], f"{where}: {key} bits", f(2))
    return shown


def test_entropy_cross_entropy_kl(open_figure):
    figure = open_figure("book/02_information_theory.html", "information")
    shown = _check_information(figure)
    # The four-symbol source and the reversed code of the chapter.
    assert (shown["H-p-bits"], shown["CE-pq-bits"], shown["KL-pq-bits"]) == (
        "1.7500",
        "2.6250",
        "0.8750",
    )

    figure.key("wq-0", "Home")  # q(A) = 0 while p(A) = 1/2: H(p, q) is infinite
    shown = _check_information(figure)
    assert shown["CE-pq-nats"] == "\u221e" and shown["KL-pq-bits"] == "\u221e"
    figure.key("wp-0", "Home")  # now p(A) = 0 too: finite again
    _check_information(figure)
    figure.key("wp-3", "End")
    figure.key("wq-3", "ArrowLeft", "ArrowLeft", "ArrowLeft")
    _check_information(figure)
    for j in range(4):  # p = q: KL is exactly 0
        figure.set(f"wp-{j}", 0.25)
        figure.set(f"wq-{j}", 0.25)
    shown = _check_information(figure)
    assert shown["KL-pq-nats"] == "0.0000" and shown["H-p-bits"] == "2.0000"
    for j in range(4):  # certain outcome: H(p) = 0
        figure.set(f"wp-{j}", 1.0 if j == 2 else 0.0)
    _check_information(figure)
    rng = np.random.default_rng(0)
    for _ in range(3):
        for d in "pq":
            for j in range(4):
                figure.set(f"w{d}-{j}", float(rng.choice([0.005, 0.3, 0.995, rng.random()])))
        _check_information(figure)
    figure.set("wq-1", 0.0)
    for j in range(4):  # every weight of p is 0: nothing to normalise
        figure.key(f"wp-{j}", "Home")
    _check_information(figure)
    # Drag the bar of p(B) to the top: its weight becomes 1.
    bar = figure.root.locator('rect[data-dist="p"][data-index="1"]')
    svg = figure.root.locator("svg").first
    box_bar, box_svg = bar.bounding_box(), svg.bounding_box()
    x = box_bar["x"] + box_bar["width"] / 2
    figure.page.mouse.move(x, box_svg["y"] + box_svg["height"] * 0.6)
    figure.page.mouse.down()
    figure.page.mouse.move(x, box_svg["y"] + 1, steps=4)
    figure.page.mouse.up()
    assert figure.value("wp-1") > 0.9
    shown = _check_information(figure)
    assert shown["p-1"] == "1.0000"


# ------------------------------------- chapter 3: cross-entropy vs squared error


def _check_bce(figure):
    shown = figure.shown()
    x = figure.inputs["logit"]
    z = int(shown["label"])
    where = f"bce at x={x}, z={z}"
    s, s_minus = xl.sigmoid(x), xl.sigmoid(-x)
    # sigma(x) - z with no cancellation: -sigma(-x) for z = 1.
    miss = -s_minus if z == 1 else s
    direct = xl.sigmoid_cross_entropy_grad(labels=[float(z)], logits=[x])[0]
    assert abs(miss - direct) <= 1e-15, where
    mse_direct = xl.mean_squared_error([float(z)], [s])
    assert abs(miss**2 - mse_direct) <= 1e-15, where
    mse_grad_direct = (
        xl.mean_squared_error_grad(np.array([float(z)]), np.array([s]))[0] * s * (1 - s)
    )
    grad_mse = 2 * miss * s * s_minus
    assert abs(grad_mse - mse_grad_direct) <= 1e-15, where
    assert_shows(shown["logit"], where, x)
    assert_shows(shown["p"], f"{where}: p", s)
    loss = xl.sigmoid_cross_entropy_with_logits(labels=[float(z)], logits=[x])[0]
    assert_shows(shown["bce"], f"{where}: bce", loss)
    assert_shows(shown["mse"], f"{where}: mse", miss**2)
    assert_shows(shown["grad-bce"], f"{where}: dbce", miss)
    assert_shows(shown["grad-mse"], f"{where}: dmse", grad_mse)
    assert_shows(shown["ratio"], f"{where}: ratio", miss / grad_mse)
    return shown


def test_bce_vs_squared_error(open_figure):
    figure = open_figure("book/03_binary_cross_entropy.html", "bce")
    _check_bce(figure)
    seen = set()
    for _ in range(2):
        figure.key("logit", "Home")  # x = -40: confidently wrong for z = 1
        shown = _check_bce(figure)
        seen.add(shown["label"])
        figure.key("logit", "ArrowRight", "ArrowRight")
        _check_bce(figure)
        for x in (-6.0, -0.01, 0.0, 2.5, 17.0):
            figure.set("logit", x)
            _check_bce(figure)
        figure.key("logit", "End")  # x = 40
        shown = _check_bce(figure)
        figure.click("flip")
    assert seen == {"0", "1"}
    figure.set("logit", -40.0)
    shown = _check_bce(figure)
    # The point of the figure: squared error's gradient vanishes, cross-entropy's does not.
    assert shown["grad-bce"] == "\u22121.0000" and "e-" in shown["grad-mse"]


# --------------------------------------- chapter 8: label smoothing and focal loss


def _check_smoothing_focal(figure):
    shown = figure.shown()
    p_t, eps, n_classes = (
        figure.inputs["pt"],
        figure.inputs["epsilon"],
        int(figure.inputs["classes"]),
    )
    gamma, alpha_value = figure.inputs["gamma"], figure.inputs["alpha"]
    use_alpha = figure.inputs["use-alpha"]
    alpha = alpha_value if use_alpha else None
    where = f"smoothing-focal at p_t={p_t}, eps={eps}, C={n_classes}, gamma={gamma}, alpha={alpha}"
    for name, v in (
        ("pt", p_t),
        ("epsilon", eps),
        ("classes", n_classes),
        ("gamma", gamma),
        ("alpha", alpha_value),
    ):
        assert_shows(shown[name], where, v)
    probs = np.r_[p_t, np.full(n_classes - 1, (1 - p_t) / (n_classes - 1))]
    target = xl.smooth_labels(xl.one_hot([0], n_classes), eps)[0]
    ce = xl.categorical_cross_entropy(xl.one_hot([0], n_classes), probs[None])
    smoothed = xl.categorical_cross_entropy(target[None], probs[None])
    assert (
        abs(
            smoothed
            - xl.categorical_cross_entropy(
                xl.one_hot([0], n_classes), probs[None], label_smoothing=eps
            )
        )
        < 1e-12
    )
    logit = math.log(p_t) - math.log1p(-p_t)  # the logit whose sigmoid is p_t
    focal = xl.sigmoid_focal_loss(labels=[1.0], logits=[logit], alpha=alpha, gamma=gamma)[0]
    assert_shows(shown["ce"], f"{where}: ce", ce)
    assert_shows(shown["smoothed"], f"{where}: smoothed", smoothed)
    assert_shows(shown["target"], f"{where}: target", target[0])
    assert_shows(shown["argmin"], f"{where}: argmin", target[0])
    assert_shows(shown["min"], f"{where}: min", xl.entropy(target))
    assert_shows(shown["focal"], f"{where}: focal", focal)
    assert_shows(shown["focal-ratio"], f"{where}: ratio", focal / ce)
    return shown


def test_smoothing_and_focal_loss(open_figure):
    figure = open_figure("book/08_beyond_the_articles.html", "smoothing-focal")
    shown = _check_smoothing_focal(figure)
    assert shown["target"] == "0.9100" and shown["focal-ratio"] == "0.0100"  # (1 - 0.9)^2
    figure.key("pt", "Home")
    figure.key("epsilon", "End")  # eps = 1: the uniform target
    _check_smoothing_focal(figure)
    figure.key("classes", "Home")  # C = 2
    figure.key("gamma", "Home")  # gamma = 0: plain cross-entropy
    shown = _check_smoothing_focal(figure)
    assert shown["focal"] == shown["ce"]
    figure.key("pt", "End")  # p_t = 0.999
    figure.key("gamma", "End")  # gamma = 5: (1e-3)^5
    shown = _check_smoothing_focal(figure)
    assert "e-" in shown["focal"]
    figure.control("use-alpha").check()
    _check_smoothing_focal(figure)
    for alpha_key in ("Home", "End"):  # alpha = 0, then 1
        figure.key("alpha", alpha_key)
        _check_smoothing_focal(figure)
    figure.key(
        "alpha", "Home", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight"
    )
    for p_t, eps, n_classes, gamma in (
        (0.5, 0.0, 10, 2.0),
        (0.001, 0.1, 3, 0.5),
        (0.968, 0.3, 7, 1.0),
        (0.2, 0.55, 10, 3.3),
    ):
        figure.set("pt", p_t)
        figure.set("epsilon", eps)
        figure.set("classes", n_classes)
        figure.set("gamma", gamma)
        _check_smoothing_focal(figure)
    figure.control("use-alpha").uncheck()
    figure.key("classes", "ArrowRight", "ArrowDown", "End")
    _check_smoothing_focal(figure)


# -------------------------------- chapter 7: gradient descent on a softmax classifier


# The 36 training points of book/_static/explorables/classifier.js.
_POINTS = np.array(
    [
        [-1.50, -0.75, 0],
        [-1.73, -1.76, 0],
        [-1.89, -1.84, 0],
        [-1.45, 0.14, 0],
        [-1.92, -1.53, 0],
        [-1.08, -0.70, 0],
        [-1.41, -1.79, 0],
        [-1.52, -0.41, 0],
        [-2.64, -1.39, 0],
        [-3.12, -2.10, 0],
        [-3.07, -1.20, 0],
        [-2.58, -0.77, 0],
        [1.63, -0.96, 1],
        [-0.64, -1.26, 1],
        [1.46, -0.70, 1],
        [0.20, -1.21, 1],
        [0.67, -1.49, 1],
        [2.40, -1.49, 1],
        [1.47, -0.05, 1],
        [1.00, -0.89, 1],
        [1.59, -0.75, 1],
        [0.46, -0.74, 1],
        [2.65, -2.12, 1],
        [2.23, -0.70, 1],
        [-0.55, 3.30, 2],
        [0.65, 0.58, 2],
        [0.06, 2.09, 2],
        [-0.16, 2.18, 2],
        [-0.06, 2.17, 2],
        [1.22, 1.03, 2],
        [0.17, 1.21, 2],
        [0.11, 0.59, 2],
        [-0.49, 1.43, 2],
        [0.76, 2.57, 2],
        [-1.12, 0.92, 2],
        [0.55, -0.09, 2],
    ]
)
CLASSIFIER_X, CLASSIFIER_Y = _POINTS[:, :2], _POINTS[:, 2].astype(int)


class GradientDescent:
    """The reference run: xentlab.SoftmaxRegression's objective, stepped by hand."""

    def __init__(self):
        self.model = xl.SoftmaxRegression(alpha=0.0)
        self.reset()

    def reset(self):
        self.W, self.b, self.steps = np.zeros((3, 2)), np.zeros(3), 0

    def step(self, learning_rate, count=1):
        for _ in range(count):
            _, grad_W, grad_b = self.model.objective_and_gradient(
                CLASSIFIER_X, CLASSIFIER_Y, self.W, self.b
            )
            self.W = self.W - learning_rate * grad_W
            self.b = self.b - learning_rate * grad_b
            self.steps += 1


def _check_classifier(figure, run):
    shown = figure.shown()
    where = f"classifier after {run.steps} steps"
    assert shown["steps"] == str(run.steps), where
    loss, _, _ = run.model.objective_and_gradient(CLASSIFIER_X, CLASSIFIER_Y, run.W, run.b)
    assert (
        abs(
            loss
            - xl.sparse_softmax_cross_entropy_with_logits(
                labels=CLASSIFIER_Y, logits=CLASSIFIER_X @ run.W.T + run.b
            ).mean()
        )
        < 1e-12
    )
    assert_shows(shown["loss"], f"{where}: loss", loss)
    predicted = np.argmax(CLASSIFIER_X @ run.W.T + run.b, axis=1)
    assert shown["correct"] == str(int((predicted == CLASSIFIER_Y).sum())), where
    for k in range(3):
        assert_shows(shown[f"w-{k}-0"], f"{where}: W", run.W[k, 0])
        assert_shows(shown[f"w-{k}-1"], f"{where}: W", run.W[k, 1])
        assert_shows(shown[f"b-{k}"], f"{where}: b", run.b[k])
    probe = np.array([figure.inputs["probe-x1"], figure.inputs["probe-x2"]])
    assert_shows(shown["probe-x1"], where, probe[0])
    assert_shows(shown["probe-x2"], where, probe[1])
    log_probs = xl.log_softmax(run.W @ probe + run.b)
    for k in range(3):
        assert_shows(shown[f"prob-{k}"], f"{where}: p at {probe}", log=log_probs[k])
    return shown


def test_softmax_classifier_gradient_descent(open_figure):
    figure = open_figure("book/07_training_softmax_classifier.html", "classifier")
    run = GradientDescent()
    shown = _check_classifier(figure, run)
    assert shown["loss"] == "1.0986"  # ln 3 at zero weights

    def learning_rate():
        return float(figure.root.locator('output[data-xl-out="learning-rate"]').inner_text())

    assert learning_rate() == 1.0
    figure.click("step")
    run.step(1.0)
    figure.click("step10")
    run.step(1.0, 10)
    _check_classifier(figure, run)
    figure.key("learning-rate", "End")  # eta = 20: overshoots
    assert learning_rate() == 20.0
    for _ in range(3):
        figure.click("step")
        run.step(20.0)
    _check_classifier(figure, run)
    figure.key("learning-rate", "Home")  # eta = 0.01: barely moves
    figure.click("step10")
    run.step(0.01, 10)
    _check_classifier(figure, run)
    figure.key("learning-rate", "End", "ArrowLeft", "ArrowLeft", "ArrowLeft")
    eta = learning_rate()
    assert eta == 2.0
    for x1, x2 in ((-3.5, -3.5), (3.5, 3.5), (0.0, 3.5), (-1.23, 0.45)):
        figure.set("probe-x1", x1)
        figure.set("probe-x2", x2)
        _check_classifier(figure, run)
    figure.key("probe-x1", "Home")
    figure.key("probe-x2", "End", "ArrowDown")
    _check_classifier(figure, run)
    # Play runs one step every 80 ms until paused.
    figure.click("play")
    assert figure.control("play").get_attribute("aria-pressed") == "true"
    figure.page.wait_for_timeout(400)
    figure.click("play")
    assert figure.control("play").get_attribute("aria-pressed") == "false"
    n_steps = int(figure.shown()["steps"])
    assert n_steps > run.steps
    run.step(eta, n_steps - run.steps)
    _check_classifier(figure, run)
    # Drag on the plane: the probe follows.
    plane = figure.root.locator("svg.xl-plane")
    box = plane.bounding_box()
    figure.page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.3 * box["height"])
    figure.page.mouse.down()
    figure.page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + 0.75 * box["height"], steps=5)
    figure.page.mouse.up()
    assert figure.value("probe-x1") > 1.0 and figure.value("probe-x2") < -1.0
    _check_classifier(figure, run)
    figure.click("reset")
    run.reset()
    shown = _check_classifier(figure, run)
    assert shown["loss"] == "1.0986" and shown["steps"] == "0"
    figure.click("step")
    run.step(eta)
    _check_classifier(figure, run)
