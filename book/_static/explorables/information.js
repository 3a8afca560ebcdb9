/* Chapter 2, explorable: entropy, cross-entropy and KL divergence of two
 * distributions p and q over four outcomes. Each slider (or a drag on the
 * bars) sets an unnormalised weight; the distributions are the weights
 * divided by their sum. Values in nats and in bits (divide by ln 2).
 */
(function (XL) {
  "use strict";

  const OUTCOMES = ["A", "B", "C", "D"];
  // The four-symbol source of the chapter and the code built for its reverse.
  const DEFAULTS = { p: [0.5, 0.25, 0.125, 0.125], q: [0.125, 0.125, 0.25, 0.5] };
  const MEASURES = [
    ["H-p", "entropy H(p)"],
    ["H-q", "entropy H(q)"],
    ["CE-pq", "cross-entropy H(p, q)"],
    ["KL-pq", "KL(p \u2016 q)"],
    ["KL-qp", "KL(q \u2016 p)"],
  ];

  XL.explorables.information = function (root) {
    const { el, svgEl, slider, out, fmtFixed } = XL;
    root.append(el("p", {
      class: "xl-title",
      text: "Entropy, cross-entropy and KL divergence of two distributions",
    }));
    const columns = el("div", { class: "xl-columns" });
    root.append(columns);
    const inputs = {};
    for (const dist of ["p", "q"]) {
      const box = el("div", { class: "xl-controls" }, [
        el("p", { class: "xl-subtitle", text: dist === "p" ? "p: the truth" : "q: the model" }),
      ]);
      inputs[dist] = OUTCOMES.map((name, j) =>
        slider(box, {
          name: `w${dist}-${j}`, label: `weight of ${name} in ${dist}`, min: 0, max: 1,
          step: 0.005, value: DEFAULTS[dist][j], format: (v) => v.toFixed(3),
        })
      );
      columns.append(box);
    }

    // Bars of p and q side by side; drag a bar (or click) to set its weight.
    const W = 340, H = 170, left = 40, bottom = 24, top = 10, plotH = H - top - bottom;
    const svg = svgEl("svg", {
      viewBox: `0 0 ${W} ${H}`, class: "xl-svg xl-svg-small xl-drag", role: "img",
      "aria-label": "bars of the normalised p and q; drag a bar to change its weight",
    });
    const slot = (W - left - 10) / OUTCOMES.length;
    const bars = { p: [], q: [] };
    svgEl("line", { x1: left, x2: W - 10, y1: top + plotH, y2: top + plotH, class: "xl-axis" }, svg);
    for (const t of [0, 0.5, 1]) {
      const y = top + plotH * (1 - t);
      svgEl("text", { x: left - 6, y: y + 4, "text-anchor": "end", text: String(t) }, svg);
      svgEl("line", { x1: left, x2: W - 10, y1: y, y2: y, class: "xl-grid" }, svg);
    }
    OUTCOMES.forEach((name, j) => {
      const x0 = left + j * slot;
      svgEl("text", { x: x0 + slot / 2, y: H - 6, "text-anchor": "middle", text: name }, svg);
      for (const [k, dist] of ["p", "q"].entries()) {
        const bar = svgEl("rect", {
          x: x0 + 6 + k * (slot / 2 - 6), y: top + plotH, width: slot / 2 - 8, height: 0,
          class: `xl-bar xl-bar-${dist}`, "data-dist": dist, "data-index": j,
        }, svg);
        bars[dist].push(bar);
      }
    });
    const legend = el("p", { class: "xl-legend" }, [
      el("span", { class: "xl-key xl-key-p" }), " p ", el("span", { class: "xl-key xl-key-q" }),
      " q (drag a bar, or use the sliders)",
    ]);
    root.append(svg, legend);

    let dragging = null;
    function dragTo(event) {
      const box = svg.getBoundingClientRect();
      const y = ((event.clientY - box.top) / box.height) * H;
      const weight = Math.min(1, Math.max(0, (top + plotH - y) / plotH));
      const input = inputs[dragging.dist][dragging.index];
      input.value = String(weight);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    svg.addEventListener("pointerdown", (event) => {
      const box = svg.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * W;
      const j = Math.floor((x - left) / slot);
      if (j < 0 || j >= OUTCOMES.length) return;
      const dist = x - left - j * slot < slot / 2 ? "p" : "q";
      dragging = { dist, index: j };
      svg.setPointerCapture(event.pointerId);
      dragTo(event);
    });
    svg.addEventListener("pointermove", (event) => dragging && dragTo(event));
    svg.addEventListener("pointerup", () => (dragging = null));
    svg.addEventListener("pointercancel", () => (dragging = null));

    // The normalised distributions and the five measures.
    const distTable = el("table", { class: "xl-table" }, [
      el("thead", {}, [el("tr", {}, [
        el("th", { scope: "col", text: "" }),
        ...OUTCOMES.map((n) => el("th", { scope: "col", text: n })),
      ])]),
      el("tbody", {}, ["p", "q"].map((dist) => el("tr", {}, [
        el("th", { scope: "row", text: dist }),
        ...OUTCOMES.map((_, j) => el("td", {}, [out(`${dist}-${j}`)])),
      ]))),
    ]);
    const measureTable = el("table", { class: "xl-table" }, [
      el("thead", {}, [el("tr", {}, ["", "nats", "bits"].map((h) => el("th", { scope: "col", text: h })))]),
      el("tbody", {}, MEASURES.map(([key, text]) => el("tr", {}, [
        el("th", { scope: "row", text }),
        el("td", {}, [out(`${key}-nats`)]),
        el("td", {}, [out(`${key}-bits`)]),
      ]))),
    ]);
    const note = el("p", { class: "xl-summary", "aria-live": "polite", "data-xl-out": "note" });
    root.append(
      el("div", { class: "xl-table-wrap" }, [distTable]),
      el("div", { class: "xl-table-wrap" }, [measureTable]),
      note
    );

    function update() {
      const shown = (name, text) => (root.querySelector(`[data-xl-out="${name}"]`).textContent = text);
      const dists = {};
      for (const dist of ["p", "q"]) {
        dists[dist] = XL.normalise(inputs[dist].map((i) => Number(i.value)));
        OUTCOMES.forEach((_, j) => {
          const v = dists[dist] ? dists[dist][j] : 0;
          shown(`${dist}-${j}`, dists[dist] ? fmtFixed(v, 4) : "\u2014");
          bars[dist][j].setAttribute("y", (top + plotH * (1 - v)).toFixed(2));
          bars[dist][j].setAttribute("height", (plotH * v).toFixed(2));
        });
      }
      const { p, q } = dists;
      if (!p || !q) {
        for (const [key] of MEASURES) {
          shown(`${key}-nats`, "\u2014");
          shown(`${key}-bits`, "\u2014");
        }
        shown("note", `Every weight of ${!p ? "p" : "q"} is 0: there is no distribution to normalise.`);
        return;
      }
      const values = {
        "H-p": XL.entropy(p),
        "H-q": XL.entropy(q),
        "CE-pq": XL.crossEntropy(p, q),
        "KL-pq": XL.klDivergence(p, q),
        "KL-qp": XL.klDivergence(q, p),
      };
      for (const [key] of MEASURES) {
        shown(`${key}-nats`, fmtFixed(values[key], 4));
        shown(`${key}-bits`, fmtFixed(values[key] / Math.LN2, 4));
      }
      const infinite = !Number.isFinite(values["CE-pq"]);
      shown("note", infinite
        ? "q gives probability 0 to an outcome that p says can happen: H(p, q) and KL(p \u2016 q) are infinite."
        : "H(p, q) = H(p) + KL(p \u2016 q): the cross-entropy is the entropy plus the extra cost of believing q.");
    }

    for (const dist of ["p", "q"]) inputs[dist].forEach((i) => i.addEventListener("input", update));
    update();
  };
})(window.XL);
