/* Chapter 8, explorable: label smoothing and the focal loss as functions of
 * p_t, the probability the model gives to the true class.
 *  - Label smoothing over C classes: the target is 1 - eps + eps/C on the true
 *    class and eps/C on each other class; the model's remaining 1 - p_t is
 *    shared evenly by the other C - 1 classes. The loss is then smallest at
 *    p_t = 1 - eps + eps/C, where it equals the entropy of the target.
 *  - Focal loss: FL = -alpha_t (1 - p_t)^gamma ln p_t, alpha_t = 1 when the
 *    balancing is off; gamma = 0 and no alpha is the cross-entropy.
 */
(function (XL) {
  "use strict";

  XL.explorables["smoothing-focal"] = function (root) {
    const { el, svgEl, slider, out, fmt, axes, curvePath, grid } = XL;
    root.append(el("p", { class: "xl-title", text: "Label smoothing and the focal loss" }));
    const controls = el("div", { class: "xl-controls" });
    root.append(controls);
    const pt = slider(controls, {
      name: "pt", label: "p_t, probability of the true class", min: 0.001, max: 0.999,
      step: 0.001, value: 0.9, format: (v) => v.toFixed(3),
    });
    const eps = slider(controls, {
      name: "epsilon", label: "smoothing \u03b5", min: 0, max: 1, step: 0.01, value: 0.1,
      format: (v) => v.toFixed(2),
    });
    const classes = slider(controls, {
      name: "classes", label: "number of classes C", min: 2, max: 10, step: 1, value: 10,
      format: (v) => String(v),
    });
    const gamma = slider(controls, {
      name: "gamma", label: "focusing \u03b3", min: 0, max: 5, step: 0.1, value: 2,
      format: (v) => v.toFixed(1),
    });
    const alpha = slider(controls, {
      name: "alpha", label: "balancing \u03b1", min: 0, max: 1, step: 0.05, value: 0.25,
      format: (v) => v.toFixed(2),
    });
    const useAlphaId = XL.uniqueId("use-alpha");
    const useAlpha = el("input", { type: "checkbox", id: useAlphaId, "data-xl-in": "use-alpha" });
    controls.append(el("div", { class: "xl-control xl-check" }, [
      useAlpha, el("label", { for: useAlphaId, text: "weight the loss by \u03b1 (off: \u03b1_t = 1)" }),
    ]));

    const readout = el("table", { class: "xl-table" }, [
      el("tbody", {}, [
        ["cross-entropy \u2212ln p_t", "ce"],
        ["smoothed cross-entropy", "smoothed"],
        ["smoothed target of the true class", "target"],
        ["p_t that minimises the smoothed loss", "argmin"],
        ["smallest smoothed loss (entropy of the target)", "min"],
        ["focal loss", "focal"],
        ["focal loss / cross-entropy", "focal-ratio"],
      ].map(([text, key]) => el("tr", {}, [el("th", { scope: "row", text }), el("td", {}, [out(key)])]))),
    ]);
    root.append(el("div", { class: "xl-table-wrap" }, [readout]));

    const W = 340, H = 210;
    const panels = el("div", { class: "xl-panels" });
    root.append(panels);
    const xs = grid(0.001, 0.999, 250);
    const make = (title) => {
      const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "xl-svg", role: "img", "aria-label": title });
      const plot = axes(svg, {
        x: [0, 1], y: [0, 5], width: W, height: H, xLabel: "p_t", yLabel: "loss (nats)",
        xTicks: [0, 0.25, 0.5, 0.75, 1], yTicks: [0, 1, 2, 3, 4, 5],
      });
      const marker = svgEl("line", { class: "xl-marker" }, svg);
      const ce = svgEl("path", { class: "xl-curve xl-c0", "clip-path": plot.clip }, svg);
      const curve = svgEl("path", { class: "xl-curve xl-c1", "clip-path": plot.clip }, svg);
      const dot = svgEl("circle", { r: 4.5, class: "xl-dot xl-c1" }, svg);
      panels.append(el("figure", { class: "xl-panel" }, [svg, el("figcaption", { text: title })]));
      return { plot, marker, ce, curve, dot };
    };
    const smoothPanel = make("label smoothing (dotted: the minimiser)");
    const focalPanel = make("focal loss");
    root.append(el("p", { class: "xl-legend" }, [
      el("span", { class: "xl-key xl-key-c0" }), " cross-entropy  ",
      el("span", { class: "xl-key xl-key-c1" }), " smoothed / focal",
    ]));

    function update() {
      const shown = (name, text) => (root.querySelector(`[data-xl-out="${name}"]`).textContent = text);
      const p = Number(pt.value), e = Number(eps.value), C = Number(classes.value);
      const g = Number(gamma.value), a = useAlpha.checked ? Number(alpha.value) : 1;
      alpha.disabled = !useAlpha.checked;
      const onTrue = 1 - e + e / C, onOther = e / C;
      // H(y~, p) with the other classes sharing 1 - p_t evenly.
      const smoothed = (q) => -onTrue * Math.log(q) - (C - 1) * onOther * Math.log((1 - q) / (C - 1));
      // 0^0 = 1: gamma = 0 is the cross-entropy even at p_t = 1.
      const focal = (q) => -a * Math.pow(1 - q, g) * Math.log(q);
      const ce = (q) => -Math.log(q);
      const targetEntropy = -XL.xlogy(onTrue, onTrue) - (C - 1) * XL.xlogy(onOther, onOther);

      shown("ce", fmt(ce(p), 4));
      shown("smoothed", fmt(smoothed(p), 4));
      shown("target", fmt(onTrue, 4));
      shown("argmin", fmt(onTrue, 4));
      shown("min", fmt(targetEntropy + 0, 4));
      shown("focal", fmt(focal(p), 4));
      shown("focal-ratio", fmt(focal(p) / ce(p), 4));

      for (const [panel, f] of [[smoothPanel, smoothed], [focalPanel, focal]]) {
        panel.ce.setAttribute("d", curvePath(panel.plot, xs, ce));
        panel.curve.setAttribute("d", curvePath(panel.plot, xs, f));
        panel.dot.setAttribute("cx", panel.plot.sx(p).toFixed(2));
        panel.dot.setAttribute("cy", panel.plot.sy(XL.clampTo(panel.plot, f(p))).toFixed(2));
        panel.dot.classList.toggle("xl-off", f(p) > panel.plot.y[1]);
      }
      const xm = smoothPanel.plot.sx(Math.min(onTrue, 1)).toFixed(2);
      Object.entries({ x1: xm, x2: xm, y1: smoothPanel.plot.sy(0), y2: smoothPanel.plot.sy(5) })
        .forEach(([k, v]) => smoothPanel.marker.setAttribute(k, v));
    }

    [pt, eps, classes, gamma, alpha].forEach((i) => i.addEventListener("input", update));
    useAlpha.addEventListener("change", update);
    update();
  };
})(window.XL);
