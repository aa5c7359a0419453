"""Playing one turn: the runner, its record, privacy, the parallel scan, degradation, approvals,
and the conversations and records a turn writes."""
