/* The panda example of chapter 4, explorable: three scores and a temperature
 * go through the four stages scores -> exp -> normalised -> -ln p.
 * Every quantity comes from the logits through the stable identities of
 * xlmath.js: p = e^(log p) with log p = log_softmax(x / T), so a probability
 * too small for a double is still printed (as 1.23e-400) and -ln p is exact.
 */
(function (XL) {
  "use strict";

  const CLASSES = ["dog", "cat", "panda"];
  const DEFAULT_SCORES = [-3.44, 1.16, 3.91];

  XL.explorables.panda = function (root) {
    const { el, svgEl, slider, radios, out, fmt, fmtExp } = XL;
    root.append(el("p", { class: "xl-title", text: "From scores to the loss: the panda example" }));
    const controls = el("div", { class: "xl-controls" });
    root.append(controls);

    const scoreInputs = CLASSES.map((name, j) =>
      slider(controls, {
        name: `score-${j}`, label: `score of ${name}`, min: -20, max: 20, step: 0.01,
        value: DEFAULT_SCORES[j], format: (v) => fmt(v, 2),
      })
    );
    const temperature = slider(controls, {
      name: "temperature", label: "temperature T", min: 0.05, max: 5, step: 0.05, value: 1,
      format: (v) => fmt(v, 2),
    });
    const label = radios(controls, {
      name: "label", legend: "true class",
      options: CLASSES.map((name, j) => [j, name]), value: 2,
    });

    // The four stages as the columns of one table, one row per class.
    const head = ["class", "score x", "x / T", "e^(x / T)", "p", "\u2212ln p"];
    const table = el("table", { class: "xl-table" }, [
      el("caption", {
        text: "scores \u2192 exponentials \u2192 normalised (p = e^(x/T) / sum) \u2192 \u2212ln p",
      }),
      el("thead", {}, [el("tr", {}, head.map((h) => el("th", { scope: "col", text: h })))]),
    ]);
    const body = el("tbody");
    const rows = CLASSES.map((name, j) => {
      const cells = ["x", "scaled", "exp", "p", "nll"].map((kind) => {
        const td = el("td", {}, [out(`${kind}-${j}`)]);
        return td;
      });
      const tr = el("tr", {}, [el("th", { scope: "row", text: name }), ...cells]);
      body.append(tr);
      return tr;
    });
    const sumRow = el("tr", { class: "xl-sum" }, [
      el("th", { scope: "row", text: "sum" }), el("td"), el("td"),
      el("td", {}, [out("sum-exp")]), el("td", { text: "1" }), el("td"),
    ]);
    body.append(sumRow);
    table.append(body);
    root.append(el("div", { class: "xl-table-wrap" }, [table]));

    const summary = el("p", { class: "xl-summary", "aria-live": "polite" }, [
      "loss = \u2212ln p(", out("true-name"), ") = ", out("loss"), " nats = ", out("loss-bits"),
      " bits; predicted: ", out("predicted"), " (", out("confidence"), " %)",
    ]);
    root.append(summary);

    // Probability bars.
    const W = 320, H = 120, left = 52;
    const svg = svgEl("svg", {
      viewBox: `0 0 ${W} ${H}`, class: "xl-svg xl-svg-small", role: "img",
      "aria-label": "bar chart of the three probabilities",
    });
    const bars = CLASSES.map((name, j) => {
      const y = 10 + j * 34;
      svgEl("text", { x: left - 6, y: y + 17, "text-anchor": "end", text: name }, svg);
      svgEl("rect", { x: left, y, width: W - left - 10, height: 24, class: "xl-bar-bg" }, svg);
      return svgEl("rect", { x: left, y, width: 0, height: 24, class: "xl-bar" }, svg);
    });
    root.append(svg);

    function update() {
      const scores = scoreInputs.map((i) => Number(i.value));
      const T = Number(temperature.value);
      const t = Number(label.value);
      const z = scores.map((s) => s / T);
      const logP = XL.logSoftmax(z);
      const lse = XL.logsumexp(z);
      const shown = (name, text) => (root.querySelector(`[data-xl-out="${name}"]`).textContent = text);
      CLASSES.forEach((_, j) => {
        shown(`x-${j}`, fmt(scores[j], 2));
        shown(`scaled-${j}`, fmt(z[j], 2));
        shown(`exp-${j}`, fmtExp(z[j], 2));
        shown(`p-${j}`, fmtExp(logP[j], 4));
        shown(`nll-${j}`, fmt(-logP[j], 4));
        rows[j].classList.toggle("xl-true", j === t);
        bars[j].setAttribute("width", ((W - left - 10) * Math.exp(logP[j])).toFixed(2));
        bars[j].classList.toggle("xl-true", j === t);
      });
      shown("sum-exp", fmtExp(lse, 2));
      shown("true-name", CLASSES[t]);
      shown("loss", fmt(-logP[t], 4));
      shown("loss-bits", fmt(-logP[t] / Math.LN2, 4));
      const best = XL.argmax(z);
      shown("predicted", CLASSES[best]);
      shown("confidence", fmtExp(logP[best] + Math.log(100), 2));
    }

    [...scoreInputs, temperature].forEach((i) => i.addEventListener("input", update));
    label.onChange(update);
    update();
  };
})(window.XL);
