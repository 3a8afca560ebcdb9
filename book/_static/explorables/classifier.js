/* Chapter 7, explorable: a softmax classifier of 36 points in two dimensions
 * and three classes, trained by full-batch gradient descent one step at a time.
 *   scores  s_i = W x_i + b,  p_i = softmax(s_i)
 *   J(W, b) = mean_i -log p_i[y_i]           (log-softmax, max-shifted)
 *   grad_W  = (P - Y)^T X / N,  grad_b = (P - Y)^T 1 / N
 * The decision regions are the argmax of the scores on a grid; the probe is a
 * point whose three probabilities are shown (drag it, or use its sliders).
 */
(function (XL) {
  "use strict";

  const CLASSES = ["class 0", "class 1", "class 2"];
  // x1, x2, label: three seeded Gaussian clusters that overlap a little.
  const POINTS = [
    [-1.50, -0.75, 0], [-1.73, -1.76, 0], [-1.89, -1.84, 0], [-1.45, 0.14, 0], [-1.92, -1.53, 0],
    [-1.08, -0.70, 0], [-1.41, -1.79, 0], [-1.52, -0.41, 0], [-2.64, -1.39, 0], [-3.12, -2.10, 0],
    [-3.07, -1.20, 0], [-2.58, -0.77, 0], [1.63, -0.96, 1], [-0.64, -1.26, 1], [1.46, -0.70, 1],
    [0.20, -1.21, 1], [0.67, -1.49, 1], [2.40, -1.49, 1], [1.47, -0.05, 1], [1.00, -0.89, 1],
    [1.59, -0.75, 1], [0.46, -0.74, 1], [2.65, -2.12, 1], [2.23, -0.70, 1], [-0.55, 3.30, 2],
    [0.65, 0.58, 2], [0.06, 2.09, 2], [-0.16, 2.18, 2], [-0.06, 2.17, 2], [1.22, 1.03, 2],
    [0.17, 1.21, 2], [0.11, 0.59, 2], [-0.49, 1.43, 2], [0.76, 2.57, 2], [-1.12, 0.92, 2],
    [0.55, -0.09, 2],
  ];
  const LEARNING_RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20];
  const LIMIT = 3.5;
  const CELLS = 50;
  const MAX_STEPS = 100000;
  // The class colours of explorables.css, mixed with white by confidence: opaque
  // cells, so neighbouring cells leave no seams where they overlap.
  const RGB = [[0, 114, 178], [230, 159, 0], [0, 158, 115]];
  function shade(k, confidence) {
    const t = 0.15 + 0.55 * Math.max(0, (confidence - 1 / 3) * 1.5);
    return `rgb(${RGB[k].map((c) => Math.round(255 + (c - 255) * t)).join(",")})`;
  }

  function scores(W, b, x1, x2) {
    return W.map((w, k) => w[0] * x1 + w[1] * x2 + b[k]);
  }

  // J(W, b) and its gradient, as in xentlab.SoftmaxRegression with alpha = 0.
  function objectiveAndGradient(W, b) {
    const n = POINTS.length;
    let loss = 0;
    const gW = W.map(() => [0, 0]);
    const gb = b.map(() => 0);
    for (const [x1, x2, y] of POINTS) {
      const logP = XL.logSoftmax(scores(W, b, x1, x2));
      loss -= logP[y];
      logP.forEach((lp, k) => {
        const g = (Math.exp(lp) - (k === y ? 1 : 0)) / n; // (p - onehot) / N
        gW[k][0] += g * x1;
        gW[k][1] += g * x2;
        gb[k] += g;
      });
    }
    return { loss: loss / n, gW, gb };
  }

  XL.explorables.classifier = function (root) {
    const { el, svgEl, slider, button, out, fmt } = XL;
    root.append(el("p", {
      class: "xl-title", text: "Gradient descent on a three-class softmax classifier",
    }));
    const controls = el("div", { class: "xl-controls" });
    root.append(controls);
    const rate = slider(controls, {
      name: "learning-rate", label: "learning rate \u03b7", min: 0,
      max: LEARNING_RATES.length - 1, step: 1, value: LEARNING_RATES.indexOf(1),
      format: (v) => String(LEARNING_RATES[v]),
    });
    const buttons = el("div", { class: "xl-buttons" });
    controls.append(buttons);
    const stepButton = button(buttons, { name: "step", text: "1 step" });
    const tenButton = button(buttons, { name: "step10", text: "10 steps" });
    const playButton = button(buttons, { name: "play", text: "play" });
    playButton.setAttribute("aria-pressed", "false");
    const resetButton = button(buttons, { name: "reset", text: "reset" });
    const probeX1 = slider(controls, {
      name: "probe-x1", label: "probe x\u2081", min: -LIMIT, max: LIMIT, step: 0.01, value: 0.5,
      format: (v) => fmt(v, 2),
    });
    const probeX2 = slider(controls, {
      name: "probe-x2", label: "probe x\u2082", min: -LIMIT, max: LIMIT, step: 0.01, value: 0.5,
      format: (v) => fmt(v, 2),
    });

    // The plane: decision regions, the 36 points, the probe.
    const S = 300, pad = 4;
    const sx = (v) => pad + ((v + LIMIT) / (2 * LIMIT)) * (S - 2 * pad);
    const sy = (v) => S - pad - ((v + LIMIT) / (2 * LIMIT)) * (S - 2 * pad);
    const svg = svgEl("svg", {
      viewBox: `0 0 ${S} ${S}`, class: "xl-svg xl-plane", role: "img",
      "aria-label": "decision regions and training points; drag to move the probe",
    });
    const cell = (S - 2 * pad) / CELLS;
    const regions = [];
    for (let r = 0; r < CELLS; r++) {
      for (let c = 0; c < CELLS; c++) {
        const x1 = -LIMIT + ((c + 0.5) / CELLS) * 2 * LIMIT;
        const x2 = LIMIT - ((r + 0.5) / CELLS) * 2 * LIMIT;
        const rect = svgEl("rect", {
          x: (pad + c * cell).toFixed(2), y: (pad + r * cell).toFixed(2),
          width: (cell + 0.3).toFixed(2), height: (cell + 0.3).toFixed(2),
        }, svg);
        regions.push({ rect, x1, x2 });
      }
    }
    for (const [x1, x2, y] of POINTS) {
      const cx = sx(x1), cy = sy(x2);
      if (y === 0) svgEl("circle", { cx, cy, r: 4.5, class: "xl-pt xl-k0" }, svg);
      else if (y === 1) svgEl("rect", { x: cx - 4, y: cy - 4, width: 8, height: 8, class: "xl-pt xl-k1" }, svg);
      else svgEl("path", { d: `M${cx},${cy - 5.5}L${cx + 5},${cy + 3.5}L${cx - 5},${cy + 3.5}Z`, class: "xl-pt xl-k2" }, svg);
    }
    const probe = svgEl("g", { class: "xl-probe" }, svg);
    svgEl("circle", { r: 7, class: "xl-probe-ring" }, probe);
    svgEl("path", { d: "M-10,0H10M0,-10V10", class: "xl-probe-cross" }, probe);

    const history = svgEl("svg", {
      viewBox: "0 0 300 90", class: "xl-svg xl-history", role: "img",
      "aria-label": "mean loss after each step",
    });
    const historyPath = svgEl("path", { class: "xl-curve xl-c1" }, history);
    const historyMax = svgEl("text", { x: 4, y: 12, class: "xl-small-text" }, history);
    svgEl("text", { x: 296, y: 86, "text-anchor": "end", class: "xl-small-text", text: "steps \u2192" }, history);

    const panels = el("div", { class: "xl-panels" }, [
      el("figure", { class: "xl-panel" }, [svg, el("figcaption", {
        text: "decision regions: \u25cf class 0, \u25a0 class 1, \u25b2 class 2; + the probe",
      })]),
      el("figure", { class: "xl-panel" }, [history, el("figcaption", { text: "mean loss J after each step" })]),
    ]);
    root.append(panels);

    const status = el("p", { class: "xl-summary", "aria-live": "polite" }, [
      "steps taken: ", out("steps"), "; mean loss J = ", out("loss"), "; training accuracy ",
      out("correct"), " / " + POINTS.length,
    ]);
    const probeTable = el("table", { class: "xl-table" }, [
      el("thead", {}, [el("tr", {}, [
        el("th", { scope: "col", text: "" }),
        ...CLASSES.map((c) => el("th", { scope: "col", text: c })),
      ])]),
      el("tbody", {}, [
        el("tr", {}, [el("th", { scope: "row", text: "p at the probe" }),
          ...CLASSES.map((_, k) => el("td", {}, [out(`prob-${k}`)]))]),
        el("tr", {}, [el("th", { scope: "row", text: "weight w\u2081" }),
          ...CLASSES.map((_, k) => el("td", {}, [out(`w-${k}-0`)]))]),
        el("tr", {}, [el("th", { scope: "row", text: "weight w\u2082" }),
          ...CLASSES.map((_, k) => el("td", {}, [out(`w-${k}-1`)]))]),
        el("tr", {}, [el("th", { scope: "row", text: "bias b" }),
          ...CLASSES.map((_, k) => el("td", {}, [out(`b-${k}`)]))]),
      ]),
    ]);
    root.append(status, el("div", { class: "xl-table-wrap" }, [probeTable]));

    let W, b, steps, losses, current, timer = null;

    function reset() {
      W = [[0, 0], [0, 0], [0, 0]];
      b = [0, 0, 0];
      steps = 0;
      current = objectiveAndGradient(W, b);
      losses = [current.loss];
      render();
    }

    function step(count) {
      const eta = LEARNING_RATES[Number(rate.value)];
      for (let s = 0; s < count && steps < MAX_STEPS; s++) {
        W = W.map((w, k) => [w[0] - eta * current.gW[k][0], w[1] - eta * current.gW[k][1]]);
        b = b.map((v, k) => v - eta * current.gb[k]);
        steps += 1;
        current = objectiveAndGradient(W, b);
        losses.push(current.loss);
      }
      render();
    }

    function renderProbe() {
      const shown = (name, text) => (root.querySelector(`[data-xl-out="${name}"]`).textContent = text);
      const x1 = Number(probeX1.value), x2 = Number(probeX2.value);
      probe.setAttribute("transform", `translate(${sx(x1).toFixed(2)},${sy(x2).toFixed(2)})`);
      const logP = XL.logSoftmax(scores(W, b, x1, x2));
      logP.forEach((lp, k) => shown(`prob-${k}`, XL.fmtExp(lp, 4)));
    }

    function render() {
      const shown = (name, text) => (root.querySelector(`[data-xl-out="${name}"]`).textContent = text);
      for (const { rect, x1, x2 } of regions) {
        const s = scores(W, b, x1, x2);
        const k = XL.argmax(s);
        const confidence = Math.exp(XL.logSoftmax(s)[k]);
        rect.setAttribute("fill", shade(k, confidence));
      }
      let correct = 0;
      for (const [x1, x2, y] of POINTS) if (XL.argmax(scores(W, b, x1, x2)) === y) correct += 1;
      shown("steps", String(steps));
      shown("loss", fmt(current.loss, 4));
      shown("correct", String(correct));
      W.forEach((w, k) => {
        shown(`w-${k}-0`, XL.fmtFixed(w[0], 4));
        shown(`w-${k}-1`, XL.fmtFixed(w[1], 4));
        shown(`b-${k}`, XL.fmtFixed(b[k], 4));
      });
      const top = Math.max(...losses);
      const n = losses.length;
      historyPath.setAttribute("d", losses.map((v, i) =>
        `${i ? "L" : "M"}${(4 + (292 * i) / Math.max(n - 1, 1)).toFixed(2)},${(86 - (70 * v) / top).toFixed(2)}`
      ).join(""));
      historyMax.textContent = `J max ${fmt(top, 2)}`;
      renderProbe();
    }

    function stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      playButton.textContent = "play";
      playButton.setAttribute("aria-pressed", "false");
    }

    stepButton.addEventListener("click", () => step(1));
    tenButton.addEventListener("click", () => step(10));
    resetButton.addEventListener("click", () => {
      stop();
      reset();
    });
    playButton.addEventListener("click", () => {
      if (timer !== null) return stop();
      timer = setInterval(() => step(1), 80);
      playButton.textContent = "pause";
      playButton.setAttribute("aria-pressed", "true");
    });
    [probeX1, probeX2].forEach((i) => i.addEventListener("input", renderProbe));

    // Drag (or click) on the plane to move the probe.
    let dragging = false;
    function moveProbe(event) {
      const box = svg.getBoundingClientRect();
      const u = ((event.clientX - box.left) / box.width) * S;
      const v = ((event.clientY - box.top) / box.height) * S;
      const x1 = -LIMIT + ((u - pad) / (S - 2 * pad)) * 2 * LIMIT;
      const x2 = LIMIT - ((v - pad) / (S - 2 * pad)) * 2 * LIMIT;
      for (const [input, value] of [[probeX1, x1], [probeX2, x2]]) {
        input.value = String(Math.min(LIMIT, Math.max(-LIMIT, value)));
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    svg.addEventListener("pointerdown", (event) => {
      dragging = true;
      svg.setPointerCapture(event.pointerId);
      moveProbe(event);
    });
    svg.addEventListener("pointermove", (event) => dragging && moveProbe(event));
    svg.addEventListener("pointerup", () => (dragging = false));
    svg.addEventListener("pointercancel", () => (dragging = false));

    reset();
  };
})(window.XL);
