"""The systemd notify protocol: one datagram per message to `$NOTIFY_SOCKET`.

Written here rather than taken from a package because status lines carry Arabic names, and a
datagram of UTF-8 is all the protocol asks for.
"""

from __future__ import annotations

import os
import socket
import time


class Notifier:
    """Sends `READY=1`, `STATUS=...`, `WATCHDOG=1` and friends, or nothing outside systemd."""

    def __init__(self, address: str | None = None) -> None:
        address = os.environ.get("NOTIFY_SOCKET") if address is None else address
        self.address = "\0" + address[1:] if address and address.startswith("@") else address
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *fields: str) -> None:
        """One message of `KEY=value` lines; errors are ignored (systemd may be gone)."""
        if not self.address:
            return
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto("\n".join(fields).encode("utf-8"), self.address)
        except OSError:
            pass

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def reloading(self) -> None:
        self.send("RELOADING=1", f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}")

    def stopping(self) -> None:
        self.send("STOPPING=1")


def watchdog_interval() -> float | None:
    """Half the watchdog timeout systemd asked for, in seconds, if it asked (and asked us)."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 1e6 / 2
    except ValueError:
        return None
