"""Turns replayed and measured: dataset runs, the resilience scenarios, online evals, live metrics."""
