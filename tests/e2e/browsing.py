"""Driving the chat page in the browser tests: ask from the composer and wait for the whole
answer, and where screenshots go."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

# Every run saves its screenshots under var/screenshots (ignored by git, so a test run leaves
# the work tree clean). `SWITCHBOARD_UPDATE_SCREENSHOTS=1 ./test tests/e2e` refreshes the
# README's copies in docs/ instead.
_REPO = Path(__file__).resolve().parents[2]
DOCS = _REPO / "docs" if os.environ.get("SWITCHBOARD_UPDATE_SCREENSHOTS") else _REPO / "var" / "screenshots"
DOCS.mkdir(parents=True, exist_ok=True)
ANSWER_TIMEOUT_MS = 30_000

# Records, for the next assistant answer to appear in #messages, each distinct length of its
# bubble's text, with a timestamp. `index` is how many answers are on screen before asking.
WATCH_NEXT_ANSWER = """
(index) => {
  const messages = document.getElementById("messages");
  const seen = [];
  window.__answerLengths = seen;
  window.__answerObserver?.disconnect();
  const record = () => {
    const bubble = messages.querySelectorAll(".msg.assistant .bubble")[index];
    if (!bubble) return;
    const length = bubble.textContent.length;
    if (!seen.length || seen[seen.length - 1].length !== length) {
      seen.push({length, t: performance.now()});
    }
  };
  window.__answerObserver = new MutationObserver(record);
  window.__answerObserver.observe(messages, {childList: true, subtree: true, characterData: true});
}
"""


def ask(page: Page, text: str) -> Locator:
    """Sends `text` from the composer and waits for the answer's details strip."""
    answers = page.locator("#messages .msg.assistant")
    index = answers.count()
    page.evaluate(WATCH_NEXT_ANSWER, index)
    page.fill("#text", text)
    page.click("#send")
    answer = answers.nth(index)
    expect(answer.locator("details.strip")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(answer).not_to_have_class(re.compile(r"\bstreaming\b"))
    expect(page.locator("#send")).to_be_enabled()
    return answer
