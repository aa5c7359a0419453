// The agent view beside the chat: the graph of agents (drawn from the map the server embeds in
// #agent-graph, read off the compiled LangGraph graph), the node at work lit, a timestamped
// timeline of what the turn did, and the conversation's context. chat.js feeds it the turn's
// `step` and `trace` events as they arrive and the `done` record at the end; a past answer's
// view is drawn from its stored record's timeline, the same items that were shown live.
(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const BOX = {w: 120, h: 24, row: 40, top: 6, gap: 6};  // w: the widest a box gets
  const map = JSON.parse($("agent-graph")?.textContent || '{"nodes": [], "edges": []}');
  const timeline = $("av-timeline"), graph = $("av-graph"), turnLine = $("av-turn");
  const positions = {};
  const operator = $("agent-view")?.hasAttribute("data-operator");

  const el = (tag, attrs = {}, text = "") => {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };

  function layout() {
    const width = graph.clientWidth || 340;
    const rows = {};
    for (const node of map.nodes) (rows[node.layer] ||= []).push(node);
    for (const [layer, nodes] of Object.entries(rows)) {
      // Each row shares the width: n boxes side by side, as wide as fits, centred in their slot.
      const slot = (width - 2 * BOX.gap) / nodes.length;
      const w = Math.min(BOX.w, slot - BOX.gap);
      nodes.forEach((node, i) => {
        positions[node.name] = {x: BOX.gap + slot * (i + 0.5), y: BOX.top + layer * BOX.row, w};
      });
    }
    const depth = Math.max(0, ...map.nodes.map((n) => n.layer));
    graph.setAttribute("viewBox", `0 0 ${width} ${BOX.top * 2 + depth * BOX.row + BOX.h}`);
  }

  function edgePath(edge) {
    const a = positions[edge.source], b = positions[edge.target];
    if (edge.back) {  // a hand-back: a curve from the box's side back up to the router's
      const side = (a.x + b.x) / 2 + a.w / 2;
      return `M${a.x + a.w / 2 - 6},${a.y} Q${side},${(a.y + b.y) / 2} ${b.x + b.w / 2},${b.y + BOX.h / 2}`;
    }
    return `M${a.x},${a.y + BOX.h} L${b.x},${b.y}`;
  }

  function drawGraph() {
    if (!map.nodes.length) return;
    layout();
    graph.replaceChildren();
    for (const edge of map.edges) {
      graph.append(el("svg:path", {d: edgePath(edge), class: `edge${edge.back ? " back" : ""}`,
        "data-edge": `${edge.source}>${edge.target}`}));
    }
    for (const node of map.nodes) {
      const {x, y, w} = positions[node.name];
      const g = el("svg:g", {class: "node", "data-node": node.name, transform: `translate(${x - w / 2},${y})`});
      g.append(el("svg:rect", {width: w, height: BOX.h, rx: 6}));
      g.append(el("svg:text", {x: w / 2, y: BOX.h / 2 + 4, "text-anchor": "middle"}, node.label));
      g.append(el("svg:title", {}, node.name));
      graph.append(g);
    }
  }

  function light(name) {
    for (const g of graph.querySelectorAll(".node.active")) {
      g.classList.remove("active");
      g.classList.add("visited");
    }
    graph.querySelector(`.node[data-node="${CSS.escape(name)}"]`)?.classList.add("active");
  }

  function walked(source, target) {
    graph.querySelector(`.edge[data-edge="${CSS.escape(source)}>${CSS.escape(target)}"]`)?.classList.add("walked");
  }

  const ms = (value) => (value == null ? "—" : `${Math.round(value)} ms`);
  const args = (a) => Object.entries(a || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
  const usd = (value) => `$${Number(value || 0).toFixed(5)}`;

  function describe(item) {
    switch (item.kind) {
      case "step": return {title: `Step: ${item.node}`, text: item.label};
      case "handoff": return {title: `Hand-off ${item.source} → ${item.target}`, text: item.reason};
      case "route": return {title: `Router decision: ${item.route}`, text: `confidence ${item.confidence.toFixed(2)} (by ${item.by})`};
      case "tool": return toolText(item);
      case "retrieval": return {title: `Retrieved ${item.passages.length} passages`, text: `for “${item.query}”`,
        more: item.passages.map((p) => `${p.source} · score ${p.score == null ? "—" : p.score.toFixed(3)}: ${p.text}`)};
      case "guard": return {title: `Guard ${item.check.guard}: ${item.check.verdict === "pass" ? "passed" : item.check.verdict}`,
        text: item.check.detail, cls: item.check.verdict === "pass" ? "passed" : "tripped"};
      case "model": return modelText(item);
      case "ticket": return {title: `Ticket ${item.ticket_id}`, text: item.reason};
      case "approval": return {title: `Waiting for a person: ${item.approval.kind} on #${item.approval.order_id}`, text: item.approval.reason};
      case "model_choice": return {title: `Model routing: ${item.model} (${item.size})`, text: item.reason};
      case "context_window": return contextWindowText(item);
      case "cache": return {title: `Answer cache: ${item.outcome}`, text: item.detail,
        cls: item.outcome === "hit" ? "passed" : item.outcome === "rejected" ? "tripped" : ""};
      default: return {title: item.kind, text: ""};
    }
  }

  function toolText(item) {
    const t = item.tool;
    const state = t.ok ? "ok" : `failed: ${t.error}`;
    const tries = t.attempts > 1 ? `, ${t.attempts} attempts` : "";
    return {title: `Tool ${t.name}(${args(t.arguments)})`, text: `${state}, ${ms(t.duration_ms)}${tries}`,
      more: item.output ? [item.output] : [], cls: t.ok ? "" : "tripped"};
  }

  function contextWindowText(item) {
    const summary = item.folded === 0 ? "nothing folded"
      : `${item.folded} older messages as a summary (${item.summarised ? "summarised now" : "cached summary reused"})`;
    return {title: `Context window: ${item.tokens_sent} of ${item.tokens_whole} history tokens sent`,
      text: `${summary}, ${item.kept} newest kept whole`};
  }

  function modelText(item) {
    const c = item.call;
    const bits = [`${c.input_tokens} in / ${c.output_tokens} out`, ms(c.duration_ms), usd(c.cost_usd)];
    if (c.ttft_ms != null) bits.push(`ttft ${ms(c.ttft_ms)}`);
    if (c.attempt > 1) bits.push(`attempt ${c.attempt} (retry)`);
    if (c.tier > 0) bits.push(`failover: tier ${c.tier + 1}`);
    if (c.cut_mid_stream) bits.push("stream cut mid-answer");
    if (c.error) bits.push(`error: ${c.error}`);
    // a past turn's calls (show): each links to its stored request, to replay it (/records/…/calls/N);
    // for the operator only, whose side that page is
    const link = item.record_id && operator ? {href: `/records/${encodeURIComponent(item.record_id)}/calls/${item.call_index}`, text: "replay"} : null;
    return {title: `Model call: ${c.model} at ${c.provider} (${c.purpose})`, text: bits.join(" · "),
      cls: c.error ? "tripped" : "", link};
  }

  function append(item) {
    const {title, text, more = [], cls = "", link = null} = describe(item);
    const li = el("li", {class: `item kind-${item.kind} ${cls}`.trim(), "data-kind": item.kind});
    li.append(el("time", {}, `+${Math.round(item.at_ms)} ms`), el("b", {}, title));
    if (text) li.append(el("span", {class: "text"}, text));
    if (link) li.append(" ", el("a", {class: "replay", href: link.href}, link.text));
    if (more.length) {
      const details = el("details");
      details.append(el("summary", {}, "show"), ...more.map((m) => el("pre", {}, m)));
      li.append(details);
    }
    timeline.append(li);
    timeline.scrollTop = timeline.scrollHeight;
  }

  function context(item) {
    const field = (name) => document.querySelector(`#av-context [data-field="${name}"]`);
    if (item.customer_id) field("customer").textContent = item.customer_id;
    field("order").textContent = item.order_id ? `#${item.order_id}` : "—";
    const chips = (item.placeholders || []).map((p) => el("code", {class: "placeholder"}, p));
    field("placeholders").replaceChildren(...(chips.length ? chips : [document.createTextNode("—")]));
  }

  function trace(item) {
    if (item.kind === "context") return context(item);
    if (item.kind === "step") light(item.node);
    if (item.kind === "handoff") walked(item.source, item.target);
    append(item);
  }

  function begin(question) {
    timeline.replaceChildren();
    drawGraph();
    light("__start__");
    turnLine.textContent = `Working on “${question}”…`;
    turnLine.classList.add("live");
  }

  function step(data) {  // the app's own steps (failover, degrade) are not timeline items
    if (data.node === "failover" || data.node === "degrade") append({kind: "step", node: data.node, label: data.label, at_ms: data.at_ms || 0});
  }

  function summary(record) {
    const cost = usd(record.cost_usd), tokens = `${record.input_tokens}/${record.output_tokens} tokens`;
    const at = (record.created_at || "").slice(11, 19);  // the turn's time of day (UTC, as stored)
    return `${at ? at + " · " : ""}${record.outcome} · route ${record.route || "—"} · ${ms(record.total_ms)} · ${tokens} · ${cost}`;
  }

  function show(record) {  // a whole turn from its record: live turns end here, past ones start here
    timeline.replaceChildren();
    drawGraph();
    for (const node of record.path || []) light(node);
    let calls = 0;  // the Nth model item is the record's calls[N]: the call log's index
    for (const item of record.timeline || []) {
      trace(item.kind === "model" ? {...item, record_id: record.id, call_index: calls++} : item);
    }
    if (!(record.timeline || []).length) append({kind: "step", node: "—", label: "This answer was recorded before the agent view kept a timeline.", at_ms: 0});
    light("__end__");
    turnLine.textContent = summary(record);
    if (record.trace_id) {  // with `tracing` on: the turn's spans, in the trace viewer
      turnLine.append(" · ", el("a", {href: `/traces/${record.trace_id}`, target: "_blank", class: "trace-link"}, "trace"));
    }
    turnLine.classList.remove("live");
    turnLine.dataset.record = record.id;
  }

  function reset() {
    timeline.replaceChildren();
    drawGraph();
    turnLine.textContent = "Ask something: each step of the answer shows here as it happens.";
    turnLine.classList.remove("live");
    delete turnLine.dataset.record;
  }

  drawGraph();
  window.addEventListener("resize", drawGraph);
  window.AgentView = {begin, step, trace, done: show, show, reset};
})();
