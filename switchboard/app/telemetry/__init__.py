"""What the process tells its operator's monitoring: `GET /metrics` in Prometheus format (chapter 12)."""
