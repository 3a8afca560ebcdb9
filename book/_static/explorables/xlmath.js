/* xlmath.js: the arithmetic and the small drawing kit shared by the book's
 * explorable figures (one script per figure beside this one).
 *
 * The numbers use the same stable identities as the Python package xentlab,
 * so that no slider position shows NaN or Infinity where the true value is
 * finite:
 *   softmax(x)_j   = e^(x_j - m) / sum_k e^(x_k - m),  m = max_k x_k
 *   logsumexp(x)   = m + log1p(sum_{k != argmax} e^(x_k - m))
 *   softplus(x)    = log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
 *   log sigmoid(x) = -softplus(-x)
 *   BCE(z, x)      = max(x, 0) - x z + log1p(e^-|x|)
 *
 * Plain script (no ES module): the built book also works when opened from
 * the file system, where browsers refuse to load modules.
 */
(function (global) {
  "use strict";

  const XL = (global.XL = global.XL || {});
  XL.explorables = XL.explorables || {};

  // ------------------------------------------------------------ arithmetic

  function sigmoid(x) {
    // Both exponents are <= 0, so nothing overflows.
    const e = Math.exp(-Math.abs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
  }

  function softplus(x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  function logSigmoid(x) {
    return -softplus(-x);
  }

  function argmax(xs) {
    let best = 0;
    for (let j = 1; j < xs.length; j++) if (xs[j] > xs[best]) best = j;
    return best;
  }

  function logsumexp(xs) {
    const top = argmax(xs);
    const m = xs[top];
    if (!Number.isFinite(m)) return m;
    let rest = 0; // the e^0 = 1 of the maximum is kept apart, for log1p
    for (let j = 0; j < xs.length; j++) if (j !== top) rest += Math.exp(xs[j] - m);
    return m + Math.log1p(rest);
  }

  function logSoftmax(xs) {
    const top = argmax(xs);
    const m = xs[top];
    let rest = 0;
    for (let j = 0; j < xs.length; j++) if (j !== top) rest += Math.exp(xs[j] - m);
    const tail = Math.log1p(rest);
    // (x_j - m) - log1p(rest): both terms <= 0, no cancellation.
    return xs.map((x) => x - m - tail);
  }

  function softmax(xs) {
    const m = Math.max(...xs);
    const e = xs.map((x) => Math.exp(x - m)); // every exponent <= 0
    let total = 0;
    for (const v of e) total += v;
    return e.map((v) => v / total);
  }

  function bceWithLogits(z, x) {
    return Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
  }

  function xlogy(x, y) {
    return x === 0 ? 0 : x * Math.log(y); // 0 log y = 0, even for y = 0
  }

  function entropy(p) {
    let h = 0;
    for (const pj of p) h -= xlogy(pj, pj);
    return h + 0; // +0 rather than -0
  }

  function crossEntropy(p, q) {
    let h = 0;
    for (let j = 0; j < p.length; j++) h -= xlogy(p[j], q[j]); // q_j = 0 < p_j gives +inf
    return h + 0;
  }

  function klDivergence(p, q) {
    let d = 0;
    for (let j = 0; j < p.length; j++) {
      if (p[j] === 0) continue;
      if (q[j] === 0) return Infinity;
      d += p[j] * (Math.log(p[j]) - Math.log(q[j]));
    }
    return Math.max(d, 0); // Gibbs: never negative; rounding may dip below 0
  }

  function normalise(weights) {
    let total = 0;
    for (const w of weights) total += w; // left to right, as NumPy sums a short row
    return total > 0 ? weights.map((w) => w / total) : null;
  }

  Object.assign(XL, {
    sigmoid, softplus, logSigmoid, argmax, logsumexp, logSoftmax, softmax,
    bceWithLogits, xlogy, entropy, crossEntropy, klDivergence, normalise,
  });

  // ------------------------------------------------------------ formatting

  const MINUS = "\u2212";

  // A number as the figures print it: `digits` decimals; in scientific notation
  // (3 significant digits) when it is too small to show that way or too large;
  // "∞" for an infinite value. NaN is printed as NaN, so that tests catch it.
  function fmt(x, digits) {
    if (Number.isNaN(x)) return "NaN";
    if (x === Infinity) return "\u221e";
    if (x === -Infinity) return MINUS + "\u221e";
    const a = Math.abs(x);
    let s;
    if (a === 0) s = (0).toFixed(digits);
    else if (a < 0.5 * Math.pow(10, -digits) || a >= 1e6) s = a.toExponential(2);
    else s = a.toFixed(digits);
    // A minus sign in front (never "-0.0000"); an exponent keeps its hyphen: 1.00e-18.
    return x < 0 && Number(s) !== 0 ? MINUS + s : s;
  }

  // e^logValue, printed without overflowing or underflowing: e^1000 is about
  // 1.97e+434, a finite number that a double cannot hold.
  function fmtExp(logValue, digits) {
    if (Number.isNaN(logValue)) return "NaN";
    if (logValue === -Infinity) return (0).toFixed(digits);
    if (logValue === Infinity) return "\u221e";
    if (Math.abs(logValue) < 690) return fmt(Math.exp(logValue), digits);
    const decimal = logValue / Math.LN10;
    let exponent = Math.floor(decimal);
    let mantissa = Math.pow(10, decimal - exponent);
    if (Number(mantissa.toFixed(2)) >= 10) {
      mantissa /= 10;
      exponent += 1;
    }
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa.toFixed(2)}e${sign}${Math.abs(exponent)}`;
  }

  function fmtFixed(x, digits) {
    if (!Number.isFinite(x)) return fmt(x, digits);
    const s = Math.abs(x).toFixed(digits);
    return x < 0 && Number(s) !== 0 ? MINUS + s : s;
  }

  Object.assign(XL, { fmt, fmtExp, fmtFixed, MINUS });

  // ------------------------------------------------------------ DOM helpers

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    if (parent) parent.append(node);
    return node;
  }

  let uid = 0;

  // A page-unique id for a control, so that two figures on one page (the
  // one-page build of the book) never share one.
  function uniqueId(name) {
    return `xl-${name}-${++uid}`;
  }

  // A labelled range input with its value shown beside it. `format` turns the
  // input's value into the text shown; `name` becomes data-xl-in on the input
  // and data-xl-out="<name>" on the shown value.
  function slider(parent, { name, label, min, max, step, value, format }) {
    const id = uniqueId(name);
    const input = el("input", {
      type: "range", id, min, max, step, value, "data-xl-in": name,
    });
    const output = el("output", { for: id, "data-xl-out": name });
    const show = () => {
      output.textContent = (format || String)(Number(input.value));
    };
    input.addEventListener("input", show);
    show();
    parent.append(
      el("div", { class: "xl-control" }, [el("label", { for: id, text: label }), input, output])
    );
    return input;
  }

  // A set of radio buttons in a fieldset with a legend.
  function radios(parent, { name, legend, options, value }) {
    const group = uniqueId(name);
    const fieldset = el("fieldset", { class: "xl-radios", "data-xl-in": name }, [
      el("legend", { text: legend }),
    ]);
    const inputs = options.map(([optionValue, text]) => {
      const id = `${group}-${optionValue}`;
      const input = el("input", { type: "radio", name: group, id, value: optionValue });
      if (String(optionValue) === String(value)) input.checked = true;
      fieldset.append(el("span", { class: "xl-radio" }, [input, el("label", { for: id, text })]));
      return input;
    });
    parent.append(fieldset);
    return {
      fieldset,
      get value() {
        return inputs.find((i) => i.checked).value;
      },
      onChange(fn) {
        inputs.forEach((i) => i.addEventListener("change", fn));
      },
    };
  }

  function button(parent, { name, text }) {
    const b = el("button", { type: "button", class: "xl-button", "data-xl-in": name, text });
    parent.append(b);
    return b;
  }

  // An element whose text a test can find: data-xl-out="<name>".
  function out(name, tag) {
    return el(tag || "span", { "data-xl-out": name, class: "xl-num" });
  }

  // ------------------------------------------------------------ plotting

  // Linear scales from data to SVG coordinates, with axes, ticks and labels.
  function axes(svg, { x, y, width, height, margin, xLabel, yLabel, xTicks, yTicks }) {
    const m = Object.assign({ left: 46, right: 10, top: 10, bottom: 36 }, margin || {});
    const sx = (v) => m.left + ((v - x[0]) / (x[1] - x[0])) * (width - m.left - m.right);
    const sy = (v) => height - m.bottom - ((v - y[0]) / (y[1] - y[0])) * (height - m.top - m.bottom);
    const g = svgEl("g", { class: "xl-axes" }, svg);
    // Curves are clipped to the plot area: a loss that leaves the top runs off it.
    const clipId = uniqueId("clip");
    const clip = svgEl("clipPath", { id: clipId }, svg);
    svgEl("rect", {
      x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom,
    }, clip);
    svgEl("line", { x1: m.left, x2: width - m.right, y1: sy(y[0]), y2: sy(y[0]) }, g);
    svgEl("line", { x1: m.left, x2: m.left, y1: sy(y[0]), y2: m.top }, g);
    for (const t of xTicks || []) {
      svgEl("line", { x1: sx(t), x2: sx(t), y1: sy(y[0]), y2: sy(y[0]) + 4 }, g);
      svgEl("text", { x: sx(t), y: sy(y[0]) + 15, "text-anchor": "middle", text: fmtTick(t) }, g);
    }
    for (const t of yTicks || []) {
      svgEl("line", { x1: m.left - 4, x2: m.left, y1: sy(t), y2: sy(t) }, g);
      svgEl("line", { class: "xl-grid", x1: m.left, x2: width - m.right, y1: sy(t), y2: sy(t) }, g);
      svgEl("text", { x: m.left - 6, y: sy(t) + 4, "text-anchor": "end", text: fmtTick(t) }, g);
    }
    if (xLabel) {
      svgEl("text", {
        class: "xl-axis-label", x: (m.left + width - m.right) / 2, y: height - 4,
        "text-anchor": "middle", text: xLabel,
      }, g);
    }
    if (yLabel) {
      svgEl("text", {
        class: "xl-axis-label", x: 12, y: (m.top + height - m.bottom) / 2, "text-anchor": "middle",
        transform: `rotate(-90 12 ${(m.top + height - m.bottom) / 2})`, text: yLabel,
      }, g);
    }
    return { sx, sy, x, y, m, width, height, clip: `url(#${clipId})` };
  }

  function fmtTick(t) {
    return String(Math.round(t * 1000) / 1000).replace("-", MINUS);
  }

  // An SVG path through (xs[i], f(xs[i])). Values far off the plot (or
  // infinite) are clamped to a band beyond its edges, which the clip hides.
  function curvePath(plot, xs, f) {
    const lo = plot.y[0] - 0.5 * (plot.y[1] - plot.y[0]);
    const hi = plot.y[1] + 0.5 * (plot.y[1] - plot.y[0]);
    let d = "";
    xs.forEach((v, i) => {
      let w = f(v);
      if (Number.isNaN(w)) return;
      w = Math.min(Math.max(w, lo), hi);
      d += `${i ? "L" : "M"}${plot.sx(v).toFixed(2)},${plot.sy(w).toFixed(2)}`;
    });
    return d;
  }

  function clampTo(plot, v) {
    return Math.min(Math.max(v, plot.y[0]), plot.y[1]);
  }

  function grid(lo, hi, n) {
    return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  }

  Object.assign(XL, {
    el, svgEl, uniqueId, slider, radios, button, out, axes, curvePath, clampTo, grid,
  });

  // ------------------------------------------------------------ mounting

  // Every <div class="xl-explorable" data-explorable="NAME"> on the page is
  // handed to XL.explorables[NAME], registered by that figure's script.
  function boot() {
    document.querySelectorAll(".xl-explorable[data-explorable]").forEach((root) => {
      if (root.dataset.ready) return;
      const mount = XL.explorables[root.dataset.explorable];
      if (!mount) {
        console.error(`xentlab: no explorable named "${root.dataset.explorable}"`);
        return;
      }
      root.replaceChildren();
      mount(root);
      root.dataset.ready = "true";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else setTimeout(boot, 0);
  XL.boot = boot;
})(window);
