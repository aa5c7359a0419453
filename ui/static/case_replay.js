// The run record page's "Replay this case": plays the dataset case again (POST …/replay) and shows
// the run's answers and verdicts beside the new ones, turn by turn.
(() => {
  const root = document.getElementById("case-replay");
  const button = document.getElementById("case-replay-button"), status = document.getElementById("case-replay-status");
  const el = (tag, cls, text) => Object.assign(document.createElement(tag), {className: cls || "", textContent: text || ""});

  function render(side, node) {
    const turns = node.querySelector(".turns");
    turns.replaceChildren(el("p", "verdict", side.passed ? "passed" : "failed"));
    for (const t of side.turns || []) {
      const failed = (t.verdicts || []).filter((v) => !v.passed && !v.advisory).map((v) => v.scorer || v.name || "check");
      turns.append(el("p", "user", `Asked: ${t.user}`), el("pre", "text", t.answer),
        el("p", "figures", `${t.outcome} · route ${t.route || "—"} · ${failed.length ? "failed: " + failed.join(", ") : "every check passed"}`));
    }
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Playing the case again…";
    const response = await fetch(root.dataset.endpoint, {method: "POST", headers: {"content-type": "application/json"}});
    const body = await response.json();
    button.disabled = false;
    if (!response.ok) {
      status.textContent = body.error ? body.error.message : `failed: ${response.status}`;
      return;
    }
    status.textContent = `replayed as ${body.replay_run_id}`;
    render(body.old, document.getElementById("case-old"));
    render(body.new, document.getElementById("case-new"));
    document.getElementById("case-replay-result").hidden = false;
  });
})();
