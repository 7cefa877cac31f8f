"""An ASGI app served by uvicorn inside the daemon's running event loop."""

from __future__ import annotations

import asyncio
import logging
import socket

import uvicorn
from starlette.types import ASGIApp

log = logging.getLogger("rasid.http")


class Served:
    """A uvicorn server on a socket rasid bound itself (so that a busy port is an error rasid
    reports, not an exit), running as a task of the loop until `close`."""

    def __init__(self, app: ASGIApp, listen: str) -> None:
        host, _, port = listen.rpartition(":")
        self.listen = listen
        self.socket = socket.create_server((host or "127.0.0.1", int(port)), reuse_port=False)
        # uvicorn's own serve() would take over SIGINT and SIGTERM, which are the daemon's: its
        # steps are run here instead, without signal handling and without its logging setup
        # proxy_headers off: who connected is the peer itself, so that `http.proxy.trusted` is
        # checked against the proxy's own address, never one a header claims
        config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=2,
                                proxy_headers=False)  # fmt: skip
        config.load()
        self.server = uvicorn.Server(config)
        self.server.lifespan = config.lifespan_class(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.server.startup(sockets=[self.socket])
        self._task = asyncio.get_running_loop().create_task(self.server.main_loop())
        log.info("http listening address=%s", self.listen)

    async def close(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
            await self.server.shutdown(sockets=[self.socket])
        self.socket.close()
