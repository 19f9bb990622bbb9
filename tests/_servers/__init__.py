"""Real servers on loopback for the network tests and benchmarks.

- `apps`: the ASGI app (routes listed in its docstring).
- `uvicorn_server.UvicornServer`: that app over HTTP/1.1, plain or TLS, IPv4 or IPv6.
- `hypercorn_server.HypercornServer`: that app over TLS with HTTP/2 by ALPN, and
  mutual TLS.
- `tls`: a trustme CA, its server and client certificates as PEM files, and contexts.
- `raw.RawServer`: a socket server that hands each connection to a handler function;
  `misbehave` has ready-made handlers that break HTTP/1.1 on purpose.
- `lean.LeanServer`: a fast asyncio server in a child process for load and
  cancellation tests; it counts overlapping requests and open connections.

Every server binds port 0 on 127.0.0.1 or ::1, runs in background threads (the lean
one in a child process by default), and on `stop()` closes every socket and joins
every thread.
"""
