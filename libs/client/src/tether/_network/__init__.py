"""The network transport: a connection pool speaking HTTP/1.1 over sockets, asyncio and trio."""
