"""What replicas of the app share when they run side by side (issue 17): one Redis client, and the
Redis-backed twins of the in-process boards, limits, breakers and feed. Unset, none of it is used."""
