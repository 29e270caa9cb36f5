"use strict";
// Draws the report from the JSON that report.py embedded. Every string from
// the data goes in through textContent, never as markup.
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";

  function bytes(n) {
    const units = ["B", "KB", "MB", "GB"];
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return (i === 0 ? n.toString() : n.toFixed(n < 10 ? 2 : 1)) + " " + units[i];
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Horizontal bars: a label, the bar, its size.
  function barChart(svg, rows) {
    const labelWidth = 260, barWidth = 560, row = 22, max = Math.max(1, ...rows.map((r) => r.size));
    svg.setAttribute("width", labelWidth + barWidth + 90);
    svg.setAttribute("height", rows.length * row + 4);
    rows.forEach((r, i) => {
      const y = i * row + 2;
      const label = r.name.length > 38 ? r.name.slice(0, 36) + "…" : r.name;
      svg.appendChild(svgEl("text", { x: 0, y: y + 14 }, label));
      const width = Math.max(1, Math.round((r.size / max) * barWidth));
      const bar = svgEl("rect", { class: "bar", x: labelWidth, y: y + 2, width: width, height: row - 6 });
      bar.appendChild(svgEl("title", {}, r.name + ": " + bytes(r.size)));
      svg.appendChild(bar);
      svg.appendChild(svgEl("text", { x: labelWidth + width + 6, y: y + 14 }, bytes(r.size)));
    });
    return rows.length;
  }

  function table(node, head, rows) {
    node.textContent = "";
    const tr = el("tr");
    head.forEach((h) => tr.appendChild(el("th", h.label, h.num ? "num" : "")));
    node.appendChild(tr);
    if (rows.length === 0) {
      const none = el("td", "none", "note");
      none.colSpan = head.length;
      node.appendChild(el("tr")).appendChild(none);
    }
    rows.forEach((row) => {
      const line = el("tr");
      head.forEach((h) => {
        const value = row[h.key];
        const text = h.format ? h.format(value, row) : value === undefined ? "" : String(value);
        line.appendChild(el("td", text, h.num ? "num" : h.mono ? "mono" : h.cls ? h.cls(row) : ""));
      });
      node.appendChild(line);
    });
  }

  const image = data.image;
  const total = data.layers.reduce((sum, l) => sum + l.size, 0);
  document.getElementById("title").textContent = image.name;
  document.getElementById("summary").textContent =
    image.digest + " · " + bytes(total) + " in " + data.layers.length + " layers · " +
    data.debian.length + " Debian packages · " + data.python.length + " Python distributions" +
    (data.interpreter.version ? " · Python " + data.interpreter.version : "");

  const drawn = {
    layers: barChart(document.getElementById("layer-chart"), data.layers),
    distributions: barChart(document.getElementById("distribution-chart"), data.distributions),
  };
  table(document.getElementById("files"), [
    { key: "path", label: "file", mono: true },
    { key: "layer", label: "layer" },
    { key: "size", label: "size", num: true, format: bytes },
  ], data.files);

  const short = (v) => (v ? v.slice(0, 12) : "");
  function packages(filter) {
    const keep = (row) => !filter || Object.values(row).some((v) => String(v).toLowerCase().includes(filter));
    const debian = data.debian.filter(keep), python = data.python.filter(keep);
    document.getElementById("debian-title").textContent = "Debian (" + debian.length + ")";
    document.getElementById("python-title").textContent = "Python (" + python.length + ")";
    table(document.getElementById("debian"), [
      { key: "name", label: "package" }, { key: "version", label: "version" },
      { key: "architecture", label: "arch" }, { key: "source", label: "source" },
      { key: "sha256", label: ".deb sha256", mono: true, format: short },
    ], debian);
    table(document.getElementById("python"), [
      { key: "name", label: "distribution" }, { key: "version", label: "version" },
      { key: "license", label: "licence" },
      { key: "sha256", label: "wheel sha256", mono: true, format: short },
    ], python);
    return debian.length + python.length;
  }
  drawn.packages = packages("");
  document.getElementById("filter").addEventListener("input", (e) => packages(e.target.value.trim().toLowerCase()));

  if (data.baseline) {
    const base = data.baseline;
    document.getElementById("changes-section").hidden = false;
    const changed = base.debian.length + base.python.length;
    document.getElementById("changes-summary").textContent =
      "Against " + base.image.name + " (" + base.image.digest.slice(0, 19) + "): " +
      changed + " packages changed, " + base.layers.length + " layers changed; a push over it sends " +
      bytes(base.push_bytes) + " of layers.";
    table(document.getElementById("layer-changes"), [
      { key: "name", label: "layer" },
      { key: "change", label: "", cls: (r) => r.change },
      { key: "from", label: "before", num: true, format: (v) => (v ? bytes(v) : "") },
      { key: "to", label: "after", num: true, format: (v) => (v ? bytes(v) : "") },
    ], base.layers);
    const rows = base.debian.map((r) => Object.assign({ kind: "deb" }, r))
      .concat(base.python.map((r) => Object.assign({ kind: "pypi" }, r)));
    table(document.getElementById("package-changes"), [
      { key: "kind", label: "" }, { key: "name", label: "package" },
      { key: "change", label: "", cls: (r) => r.change },
      { key: "from", label: "before" }, { key: "to", label: "after" },
    ], rows);
    drawn.changes = base.layers.length + rows.length;
  }
  document.body.dataset.rendered = Object.entries(drawn).map(([k, v]) => k + "=" + v).join(" ");
})();
