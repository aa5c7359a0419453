// The trace viewer: a turn's spans (embedded in the page, from the app's database) drawn as a
// waterfall — one row per span, nested under its parent, a bar on the trace's time axis — and a
// span's attributes and events shown when it is clicked.
(() => {
  const trace = JSON.parse(document.getElementById("trace-data").textContent);
  const fall = document.getElementById("waterfall"), detail = document.getElementById("span-detail");
  const el = (tag, attrs = {}, text = "") => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };
  const ms = (ns) => `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 0)} ms`;

  function ordered(spans) {  // depth first, children by start time; a span whose parent is missing is a root
    const ids = new Set(spans.map((s) => s.span_id)), children = new Map();
    for (const s of spans) {
      const parent = ids.has(s.parent_span_id) ? s.parent_span_id : null;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(s);
    }
    const out = [];
    const visit = (parent, depth) => {
      for (const s of (children.get(parent) || []).sort((a, b) => a.start_ns - b.start_ns)) {
        out.push([s, depth]);
        visit(s.span_id, depth + 1);
      }
    };
    visit(null, 0);
    return out;
  }

  function show(span, row) {
    fall.querySelectorAll(".span-row.on").forEach((r) => r.classList.remove("on"));
    row.classList.add("on");
    const table = el("table");
    const line = (k, v) => { const tr = el("tr"); tr.append(el("td", {}, k), el("td", {}, typeof v === "string" ? v : JSON.stringify(v))); table.append(tr); };
    line("duration", ms(span.end_ns - span.start_ns));
    line("kind", span.kind);
    line("status", span.status);
    for (const [k, v] of Object.entries(span.attributes)) line(k, v);
    const events = el("ul");
    for (const e of span.events) events.append(el("li", {}, `${ms(e.at_ns - span.start_ns)}: ${e.name} ${JSON.stringify(e.attributes)}`));
    detail.replaceChildren(el("h2", {}, span.name), table, el("h3", {}, span.events.length ? "Events" : "No events"), events);
    const index = span.attributes["switchboard.call_index"];
    if (index !== undefined) {
      detail.append(el("p", {class: "hint"}, `Model call ${index} of the turn's record (its calls[${index}]).`));
      if (document.getElementById("trace").dataset.replay) {  // the operator's: replay sends it again
        const replay = el("a", {class: "replay", href: `/records/${trace.record_id}/calls/${index}`}, "Replay this call");
        const line = el("p");
        line.append(replay);
        detail.append(line);
      }
    }
  }

  function draw() {
    const spans = trace.spans;
    const t0 = Math.min(...spans.map((s) => s.start_ns)), t1 = Math.max(...spans.map((s) => s.end_ns));
    const total = Math.max(t1 - t0, 1);
    const axis = el("div", {class: "axis"});
    for (let i = 0; i <= 4; i++) axis.append(el("span", {}, ms((total * i) / 4)));
    fall.append(axis);
    for (const [span, depth] of ordered(spans)) {
      const row = el("div", {class: "span-row", role: "treeitem", "aria-level": String(depth + 1), "data-span": span.span_id, "data-parent": span.parent_span_id || "", "data-depth": String(depth)});
      const label = el("div", {class: "label", title: span.name}, span.name);
      label.style.paddingLeft = `${0.3 + depth * 0.9}rem`;
      const track = el("div", {class: "track"});
      const left = ((span.start_ns - t0) / total) * 100, width = ((span.end_ns - span.start_ns) / total) * 100;
      const bar = el("div", {class: `bar kind-${span.kind} status-${span.status}`});
      bar.style.left = `${left}%`;
      bar.style.width = `${width}%`;
      const dur = el("span", {class: "dur"}, ms(span.end_ns - span.start_ns));
      dur.style.left = `${Math.min(left + width, 88)}%`;
      track.append(bar, dur);
      for (const e of span.events) {
        const mark = el("div", {class: "event", title: e.name});
        mark.style.left = `${((e.at_ns - t0) / total) * 100}%`;
        track.append(mark);
      }
      row.append(label, track);
      row.addEventListener("click", () => show(span, row));
      fall.append(row);
    }
  }

  draw();
})();
