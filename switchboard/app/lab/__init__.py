"""What the operator switches and breaks: the flag board, chaos and the faults it injects."""
