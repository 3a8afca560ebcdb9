/* Chapter 3, explorable: binary cross-entropy against the squared error of a
 * sigmoid output, and their gradients with respect to the logit x.
 *   BCE = max(x, 0) - x z + log1p(e^-|x|)       dBCE/dx = sigma(x) - z
 *   MSE = (sigma(x) - z)^2                       dMSE/dx = 2 (sigma(x) - z) sigma(x) sigma(-x)
 * sigma(x) - z is sigma(x) for z = 0 and -sigma(-x) for z = 1, and
 * 1 - sigma(x) = sigma(-x): no 1 - 0.99999... ever rounds a small number to 0.
 */
(function (XL) {
  "use strict";

  const X_RANGE = [-10, 10];

  XL.explorables.bce = function (root) {
    const { el, svgEl, slider, button, out, fmt, axes, curvePath, grid } = XL;
    root.append(el("p", {
      class: "xl-title", text: "Cross-entropy vs squared error for a sigmoid output",
    }));
    const controls = el("div", { class: "xl-controls" });
    root.append(controls);
    const logit = slider(controls, {
      name: "logit", label: "logit x", min: -40, max: 40, step: 0.01, value: -3,
      format: (v) => fmt(v, 2),
    });
    let z = 1;
    const flipRow = el("div", { class: "xl-inline" });
    controls.append(flipRow);
    flipRow.append(el("span", { class: "xl-label-text", text: "label z = " }), out("label"));
    const flip = button(flipRow, { name: "flip", text: "flip the label" });

    const readout = el("table", { class: "xl-table" }, [
      el("thead", {}, [el("tr", {}, ["", "loss", "gradient d/dx"].map((h) => el("th", { scope: "col", text: h })))]),
      el("tbody", {}, [
        el("tr", {}, [el("th", { scope: "row", text: "cross-entropy" }),
          el("td", {}, [out("bce")]), el("td", {}, [out("grad-bce")])]),
        el("tr", {}, [el("th", { scope: "row", text: "squared error" }),
          el("td", {}, [out("mse")]), el("td", {}, [out("grad-mse")])]),
      ]),
    ]);
    root.append(
      el("p", { class: "xl-summary" }, ["p = \u03c3(x) = ", out("p")]),
      el("div", { class: "xl-table-wrap" }, [readout]),
      el("p", { class: "xl-summary", "aria-live": "polite" }, [
        "cross-entropy's gradient is ", out("ratio"), " times the squared error's",
      ])
    );

    const W = 340, H = 200;
    const panels = el("div", { class: "xl-panels" });
    root.append(panels);
    const xs = grid(X_RANGE[0], X_RANGE[1], 201);
    const make = (title, yRange, yTicks, yLabel) => {
      const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "xl-svg", role: "img", "aria-label": title });
      const plot = axes(svg, {
        x: X_RANGE, y: yRange, width: W, height: H, xLabel: "logit x", yLabel,
        xTicks: [-10, -5, 0, 5, 10], yTicks,
      });
      const paths = {
        bce: svgEl("path", { class: "xl-curve xl-c1", "clip-path": plot.clip }, svg),
        mse: svgEl("path", { class: "xl-curve xl-c2", "clip-path": plot.clip }, svg),
      };
      const dots = {
        bce: svgEl("circle", { r: 4.5, class: "xl-dot xl-c1" }, svg),
        mse: svgEl("circle", { r: 4.5, class: "xl-dot xl-c2" }, svg),
      };
      panels.append(el("figure", { class: "xl-panel" }, [svg, el("figcaption", { text: title })]));
      return { plot, paths, dots };
    };
    const lossPanel = make("losses", [0, 4], [0, 1, 2, 3, 4], "loss");
    const gradPanel = make("gradients", [-1.1, 1.1], [-1, -0.5, 0, 0.5, 1], "d loss / dx");
    root.append(el("p", { class: "xl-legend" }, [
      el("span", { class: "xl-key xl-key-c1" }), " cross-entropy  ",
      el("span", { class: "xl-key xl-key-c2" }), " squared error",
    ]));

    // sigma(x) - z, accurate for hard labels.
    const miss = (x) => (z === 1 ? -XL.sigmoid(-x) : XL.sigmoid(x));
    const f = {
      bce: (x) => XL.bceWithLogits(z, x),
      mse: (x) => miss(x) ** 2,
      gradBce: (x) => miss(x),
      gradMse: (x) => 2 * miss(x) * XL.sigmoid(x) * XL.sigmoid(-x),
    };

    // A point off the plot is drawn hollow at the edge it left by.
    function place(panel, key, x, y) {
      const xc = Math.min(Math.max(x, X_RANGE[0]), X_RANGE[1]);
      const yc = XL.clampTo(panel.plot, y);
      panel.dots[key].setAttribute("cx", panel.plot.sx(xc).toFixed(2));
      panel.dots[key].setAttribute("cy", panel.plot.sy(yc).toFixed(2));
      panel.dots[key].classList.toggle("xl-off", xc !== x || yc !== y);
    }

    function update() {
      const x = Number(logit.value);
      const shown = (name, text) => (root.querySelector(`[data-xl-out="${name}"]`).textContent = text);
      const values = { bce: f.bce(x), mse: f.mse(x), gradBce: f.gradBce(x), gradMse: f.gradMse(x) };
      shown("label", String(z));
      shown("p", fmt(XL.sigmoid(x), 4));
      shown("bce", fmt(values.bce, 4));
      shown("mse", fmt(values.mse, 4));
      shown("grad-bce", fmt(values.gradBce, 4));
      shown("grad-mse", fmt(values.gradMse, 4));
      // dBCE/dMSE = 1 / (2 sigma(x) sigma(-x)) = (2 + e^x + e^-x) / 2, finite for every x.
      shown("ratio", fmt(1 + Math.cosh(x), 2));
      lossPanel.paths.bce.setAttribute("d", curvePath(lossPanel.plot, xs, f.bce));
      lossPanel.paths.mse.setAttribute("d", curvePath(lossPanel.plot, xs, f.mse));
      gradPanel.paths.bce.setAttribute("d", curvePath(gradPanel.plot, xs, f.gradBce));
      gradPanel.paths.mse.setAttribute("d", curvePath(gradPanel.plot, xs, f.gradMse));
      place(lossPanel, "bce", x, values.bce);
      place(lossPanel, "mse", x, values.mse);
      place(gradPanel, "bce", x, values.gradBce);
      place(gradPanel, "mse", x, values.gradMse);
    }

    logit.addEventListener("input", update);
    flip.addEventListener("click", () => {
      z = 1 - z;
      update();
    });
    update();
  };
})(window.XL);
