"""Chapter 10, cost: what lowers the bill — the answer cache, spend budgets — and what it measures."""
