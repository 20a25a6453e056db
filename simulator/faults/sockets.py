"""Open APIC event sockets that a websocket-drop rule can close.

The lab's server hands every accepted `/socket<token>` upgrade to the APIC's ASGI socket app; this wrapper
sits in front of it and keeps each open socket's way out: `drop_all()` (from any thread) makes the socket
app see its client leave (so it ends the socket and its subscriptions, as for a client whose connection
dropped) and closes the socket towards the client with code 1001 (going away). Nothing else changes: the
wrapper passes every message through.
"""

from __future__ import annotations

import asyncio
import threading

GOING_AWAY = 1001


class DroppableSockets:
    def __init__(self, inner) -> None:
        self.inner = inner
        self._open: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        entry = (asyncio.get_running_loop(), asyncio.Event())
        dropped = entry[1]
        accepted = False

        async def receive_or_drop():
            if dropped.is_set():
                return {"type": "websocket.disconnect", "code": GOING_AWAY}
            message = asyncio.ensure_future(receive())
            waiter = asyncio.ensure_future(dropped.wait())
            done, _ = await asyncio.wait({message, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if message in done:
                waiter.cancel()
                return message.result()
            message.cancel()
            return {"type": "websocket.disconnect", "code": GOING_AWAY}

        async def watch_send(message):
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
            await send(message)

        with self._lock:
            self._open.add(entry)
        try:
            await self.inner(scope, receive_or_drop, watch_send)
        finally:
            with self._lock:
                self._open.discard(entry)
        if dropped.is_set() and accepted:
            try:
                await send({"type": "websocket.close", "code": GOING_AWAY})
            except (OSError, RuntimeError):  # the socket was closed meanwhile
                pass

    def drop_all(self) -> int:
        """Close every open socket; returns how many."""
        with self._lock:
            entries = list(self._open)
        for loop, event in entries:
            loop.call_soon_threadsafe(event.set)
        return len(entries)
