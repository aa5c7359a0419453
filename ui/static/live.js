// The open conversation, live: what the Human console posts into it (a decision, a person's
// reply) and take-overs and hand-backs arrive over one EventSource per conversation
// (GET /api/conversations/{id}/events) and show at once, without a reload. chat.js says which
// conversation is open with a "conversation:open" event (its id; null for a new, empty one).
(() => {
  const messages = document.getElementById("messages");
  if (!messages) return;
  let source = null;
  const held = banner();

  function banner() {
    const note = document.createElement("p");
    note.id = "held";
    note.className = "notice held";
    note.setAttribute("role", "status");
    note.hidden = true;
    note.textContent = "A person from our team is answering this conversation.";
    messages.before(note);
    return note;
  }

  function append(message) {
    const wrap = document.createElement("div");
    wrap.className = `msg ${message.role || "assistant"} pushed`;
    wrap.dataset.message = message.message_id;
    const body = document.createElement("div");
    body.className = "bubble";
    body.textContent = message.content;
    wrap.appendChild(body);
    messages.querySelector(".hint")?.remove();
    messages.appendChild(wrap);
    messages.scrollTop = messages.scrollHeight;
  }

  function reload(id) {
    // After a reconnect or a lag the stream may have missed something: the partial is the
    // truth, unless a turn is streaming into the pane right now (it would be cut off).
    if (!messages.querySelector(".msg.streaming")) htmx.ajax("GET", `/ui/conversations/${id}`, "#messages");
  }

  function listen(id) {
    source?.close();
    source = null;
    held.hidden = true;
    if (!id) return;
    source = new EventSource(`/api/conversations/${id}/events`);
    let opened = false;
    source.addEventListener("open", () => { if (opened) reload(id); opened = true; });
    source.addEventListener("message", (event) => append(JSON.parse(event.data)));
    source.addEventListener("held", (event) => { held.hidden = !JSON.parse(event.data).held; });
    source.addEventListener("resync", () => reload(id));
  }

  document.addEventListener("conversation:open", (event) => listen(event.detail.id));
  window.addEventListener("pagehide", () => source?.close());
})();
