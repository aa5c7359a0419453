// Chat pane for the signed-in customer (the session cookie says who): sends a message, reads
// the SSE stream from the POST response, and appends
// tokens as they arrive. EventSource cannot POST, so the stream is parsed here (fetch + reader).
(() => {
  const $ = (id) => document.getElementById(id);
  const messages = $("messages"), form = $("composer"), text = $("text"), status = $("status");
  let conversationId = null;

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
    conversationId = (await response.json()).id;
    document.dispatchEvent(new CustomEvent("conversation:open", {detail: {id: conversationId}}));
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
    const response = await api(`/api/conversations/${id}/messages`, {
      method: "POST", body: JSON.stringify({text: message}),
      headers: {"content-type": "application/json", "accept": "text/event-stream"},
    });
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
      const seam = document.createElement("span");
      seam.className = "seam";
      seam.title = data.label + "; the next provider continued the answer";
      seam.textContent = "⇄";
      body.append(seam);
    } else if (event === "step") {
      status.textContent = data.label + "…";
    } else if (event === "error") {
      body.textContent += (body.textContent ? "\n\n" : "") + data.message;
      reply.classList.add("failed");
    } else if (event === "done") {
      status.textContent = "";
      const strip = document.createElement("div");
      reply.appendChild(strip);
      htmx.ajax("GET", `/ui/records/${data.id}`, {target: strip, swap: "outerHTML"});
    }
  }

  function refreshConversations() {
    htmx.ajax("GET", "/ui/conversations", "#conversations");
  }

  function reset() {
    conversationId = null;
    document.dispatchEvent(new CustomEvent("conversation:open", {detail: {id: conversationId}}));
    messages.innerHTML = '<p class="hint">New conversation. Ask away.</p>';
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
    conversationId = link.dataset.conversation;
    document.dispatchEvent(new CustomEvent("conversation:open", {detail: {id: conversationId}}));
    htmx.ajax("GET", `/ui/conversations/${conversationId}`, "#messages");
  });
})();
