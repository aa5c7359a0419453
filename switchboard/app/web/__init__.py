"""HTTP in, HTML/SSE/JSON out: the app factory, sign-in, routes, request and error shapes."""
