// Chat pane for the signed-in customer (the session cookie says who): sends a message, reads
// the SSE stream from the POST response, and appends
// tokens as they arrive. EventSource cannot POST, so the stream is parsed here (fetch + reader).
// `step`, `trace` and `done` also feed the agent view (agent_view.js). Whenever the open
// conversation changes, `conversation:open` is dispatched on the document (live.js listens).
(() => {
  const $ = (id) => document.getElementById(id);
  const messages = $("messages"), form = $("composer"), text = $("text"), status = $("status");
  const view = window.AgentView;
  let conversationId = null;

  function opened(id) {
    conversationId = id;
    document.dispatchEvent(new CustomEvent("conversation:open", {detail: {id}}));
  }

  function bubble(role, content) {
    const wrap = document.createElement("div");
    wrap.className = `msg ${role}`;
    const body = document.createElement("div");
    body.className = "bubble";
    body.textContent = content;
    wrap.appendChild(body);
    messages.querySelector(".hint")?.remove();
    messages.appendChild(wrap);
    messages.scrollTop = messages.scrollHeight;
    return wrap;
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {headers: {"content-type": "application/json"}, ...options});
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error?.message || `HTTP ${response.status}`);
    }
    return response;
  }

  async function ensureConversation() {
    if (conversationId) return conversationId;
    const response = await api("/api/conversations", {method: "POST", body: "{}"});
    opened((await response.json()).id);
    return conversationId;
  }

  function* sseEvents(buffer) {
    // Yields complete events from the buffer; the caller keeps the unfinished tail.
    let index;
    while ((index = buffer.text.search(/\r?\n\r?\n/)) >= 0) {
      const raw = buffer.text.slice(0, index);
      buffer.text = buffer.text.slice(index).replace(/^\r?\n\r?\n/, "");
      let event = "message", data = "";
      for (const line of raw.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) yield {event, data: JSON.parse(data)};
    }
  }

  async function send(message) {
    const id = await ensureConversation();
    bubble("user", message);
    const reply = bubble("assistant", "");
    const body = reply.querySelector(".bubble");
    reply.classList.add("streaming");
    let response;
    try {
      response = await api(`/api/conversations/${id}/messages`, {
        method: "POST", body: JSON.stringify({text: message}),
        headers: {"content-type": "application/json", "accept": "text/event-stream"},
      });
    } catch (error) {
      // Refused before the turn began (a 429 or a 503 says when to try again): the reply says so, in place.
      body.textContent = error.message;
      reply.classList.remove("streaming");
      reply.classList.add("failed");
      return;
    }
    view?.begin(message);  // only a turn that began: a refused message leaves the last turn's view
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const buffer = {text: ""};
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer.text += value;
      for (const {event, data} of sseEvents(buffer)) handle(event, data, reply, body);
    }
    reply.classList.remove("streaming");
    refreshConversations();
  }

  function handle(event, data, reply, body) {
    if (event === "token") {
      body.append(data.text);
      messages.scrollTop = messages.scrollHeight;
    } else if (event === "step" && data.node === "failover") {
      view?.step(data);
      const seam = document.createElement("span");
      seam.className = "seam";
      seam.title = data.label + "; the next provider continued the answer";
      seam.textContent = "⇄";
      body.append(seam);
    } else if (event === "trace") {
      view?.trace(data);
    } else if (event === "step") {
      status.textContent = data.label + "…";
      view?.step(data);
    } else if (event === "error") {
      body.textContent += (body.textContent ? "\n\n" : "") + data.message;
      reply.classList.add("failed");
    } else if (event === "done") {
      status.textContent = "";
      view?.done(data);
      linkCitations(body, data.sources || []);
      const strip = document.createElement("div");
      reply.appendChild(strip);
      htmx.ajax("GET", `/ui/records/${data.id}`, {target: strip, swap: "outerHTML"});
    }
  }

  function linkCitations(body, sources) {
    // Each `[article-id]` the record says the answer cited becomes a link to its article.
    const marker = /\[([a-z0-9][a-z0-9._-]*)\]/g;
    body.normalize();  // tokens arrive as separate text nodes: a marker may span several
    const texts = [...body.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
    for (const node of texts) {
      const parts = node.textContent.split(marker);
      if (parts.length === 1) continue;
      const pieces = parts.map((part, i) => {
        if (i % 2 === 0) return document.createTextNode(part);
        if (!sources.includes(part)) return document.createTextNode(`[${part}]`);
        const link = Object.assign(document.createElement("a"), {href: `/help/${part}`, target: "_blank", textContent: `[${part}]`});
        link.className = "cite";
        return link;
      });
      node.replaceWith(...pieces);
    }
  }

  function refreshConversations() {
    htmx.ajax("GET", "/ui/conversations", "#conversations");
  }

  function reset() {
    opened(null);
    messages.innerHTML = '<p class="hint">New conversation. Ask away.</p>';
    view?.reset();
    drawer("side", false);
  }

  async function showRecord(id) {
    const response = await api(`/api/records/${id}`);
    view?.show(await response.json());
  }

  function drawer(id, open) {
    // On a narrow screen the conversation list and the agent view are drawers, one open at a time.
    if (open) for (const other of ["side", "agent-view"]) if (other !== id) drawer(other, false);
    $(id).classList.toggle("open", open);
    document.querySelector(`[aria-controls="${id}"]`)?.setAttribute("aria-expanded", String(open));
    $("drawer-shade").hidden = !document.querySelector("#side.open, #agent-view.open");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (!message) return;
    text.value = "";
    $("send").disabled = true;
    try { await send(message); }
    catch (error) { status.textContent = error.message; }
    finally { $("send").disabled = false; text.focus(); }
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  $("new-conversation").addEventListener("click", reset);
  $("conversations").addEventListener("click", (event) => {
    const link = event.target.closest("[data-conversation]");
    if (!link) return;
    event.preventDefault();
    opened(link.dataset.conversation);
    view?.reset();
    drawer("side", false);
    htmx.ajax("GET", `/ui/conversations/${conversationId}`, "#messages").then(() => {
      const last = [...messages.querySelectorAll("details.strip")].pop();  // its last answer's view
      if (last) return showRecord(last.dataset.record);
    }).catch((error) => { status.textContent = error.message; });
  });
  messages.addEventListener("click", (event) => {
    // A past (or the last) answer's summary fills the agent view from its stored record.
    const strip = event.target.closest("details.strip");
    if (!strip || !event.target.closest("summary")) return;
    showRecord(strip.dataset.record).catch((error) => { status.textContent = error.message; });
  });
  for (const id of ["side", "agent-view"]) {
    document.querySelector(`[aria-controls="${id}"]`)?.addEventListener("click", () => drawer(id, !$(id).classList.contains("open")));
  }
  for (const close of document.querySelectorAll("[data-closes]")) close.addEventListener("click", () => drawer(close.dataset.closes, false));
  $("drawer-shade").addEventListener("click", () => { drawer("side", false); drawer("agent-view", false); });
})();
