// The replay page: sends the stored request again to the chosen model (POST …/replay) and shows
// what came back beside the original answer, with its model, tokens, latency and cost.
(() => {
  const root = document.getElementById("call-replay");
  const form = document.getElementById("replay-form"), status = document.getElementById("replay-status");
  const side = document.getElementById("answer-replayed");

  function figures(a) {
    const bits = [`${a.input_tokens} in / ${a.output_tokens} out`, `${Math.round(a.duration_ms)} ms`, `$${a.cost_usd.toFixed(6)}`];
    if (a.ttft_ms != null) bits.push(`ttft ${Math.round(a.ttft_ms)} ms`);
    if (a.error) bits.push(`error: ${a.error}`);
    return bits.join(" · ");
  }

  function show(answer) {
    side.querySelector("h2").textContent = `Replayed: ${answer.model} at ${answer.provider}`;
    side.querySelector(".figures").textContent = figures(answer);
    side.querySelector(".text").textContent = answer.text;
    const tools = side.querySelector(".tools");
    tools.hidden = !answer.tool_calls.length;
    tools.textContent = JSON.stringify(answer.tool_calls, null, 2);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Replaying…";
    status.classList.remove("error");
    const model = new FormData(form).get("model");
    const response = await fetch(root.dataset.endpoint, {method: "POST", headers: {"content-type": "application/json"},
      body: JSON.stringify({model})});
    const body = await response.json();
    if (!response.ok) {
      status.textContent = body.error ? body.error.message : `failed: ${response.status}`;
      status.classList.add("error");
      return;
    }
    status.textContent = "";
    show(body.replayed);
  });
})();
