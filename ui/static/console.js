// The Human console keeps itself up to date (htmx polls the queue and the conversations every
// 2 s) without pulling a form from under a person: a region is left alone while one of its
// fields has the focus or holds something typed. Refusals (a 409, a 422) are said in #decisions.
(() => {
  window.consoleIdle = (region) => {
    const focused = document.activeElement;
    if (focused && region.contains(focused) && focused.matches("input, textarea, select")) return false;
    return ![...region.querySelectorAll("input[type=text], input[type=number], textarea")].some((field) => field.value);
  };

  function say(text) {
    const line = document.createElement("p");
    line.className = "problem";
    line.setAttribute("role", "alert");
    line.textContent = text;
    document.getElementById("decisions")?.prepend(line);
  }

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    let message = `HTTP ${xhr.status}`;
    try { message = JSON.parse(xhr.responseText).error.message; } catch { /* not our JSON error */ }
    say(`Not done: ${message}`);
  });
})();
