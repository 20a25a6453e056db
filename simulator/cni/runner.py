"""The controller's run loop: startup, the first full sync, then follow both sides until stopped.

One worker thread does every APIC write, so a sync and a restore never interleave: a Kubernetes watch
event asks for a sync (several events close together give one, after `debounce` seconds of quiet), a
websocket push is handled (objects deleted behind the controller's back posted again), and the
subscriptions are refreshed on their period. Waits are on a condition, bounded only by the next refresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .apic import ApicError
from .controller import Controller
from .kube import KubeError, KubeView
from .reconcile import SyncResult


def refresh_period(refresh_time: int, adjust: int) -> float:
    """The controller refreshes `apic-refreshticker-adjust` seconds before the subscriptions time out."""
    return float(refresh_time - adjust if refresh_time > adjust else max(refresh_time / 2, 1))


class Runner:
    """A controller following a cluster: `start()` returns after the first sync; `stop()` leaves no thread."""

    def __init__(self, controller: Controller, kube: KubeView, debounce: float = 0.2,
                 on_sync: Callable[[SyncResult], None] = lambda result: None,
                 on_error: Callable[[Exception], None] = lambda exc: None):
        self.controller = controller
        self.kube = kube
        kube.on_change = self._changed
        kube.on_error = on_error
        self.debounce = debounce
        self.on_sync = on_sync
        self.on_error = on_error
        self.results: list[SyncResult] = []
        self.restored: list[str] = []
        self._cond = threading.Condition()
        self._dirty = False
        self.changes = 0  # Kubernetes changes the view has taken so far
        self.synced = -1  # how many of them the last sync took when it read the view (done, or its error reported)
        self._taken = -1
        self._pushes: list[dict] = []
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self.period = refresh_period(controller.config.refresh_time, controller.config.refresh_adjust)

    def start(self) -> SyncResult:
        """The real startup (ApicError/KubeError stop it), the first full sync, then the watches and loops."""
        self.kube.load()
        self.controller.start()
        first = self._sync()
        self.kube.start_watches()
        for target, name in ((self._loop, "cni-loop"), (self._listen, "cni-socket")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()
        return first

    def _sync(self) -> SyncResult:
        with self._cond:
            seen = self._taken = self.changes
        result = self.controller.sync(self.kube.view())
        with self._cond:
            self.results.append(result)
            self.synced = seen
            self._cond.notify_all()
        self.on_sync(result)
        return result

    def _changed(self) -> None:
        with self._cond:
            self._dirty = True
            self.changes += 1
            self._cond.notify_all()

    def caught_up(self) -> bool:
        """Whether the last sync (done, or its error reported) read the view after every change it has taken."""
        with self._cond:
            return self.synced >= self.changes

    def _listen(self) -> None:
        """Queue each websocket push for the worker; ends when the socket is cut by stop()."""
        while not self._stopping:
            try:
                message = self.controller.receive(timeout=self.period)
            except Exception as exc:  # websocket-client raises its own and OSError subclasses when cut
                if not self._stopping and exc.__class__.__name__ != "WebSocketTimeoutException":
                    self.on_error(exc)
                    return
                continue
            with self._cond:
                self._pushes.append(message)
                self._cond.notify_all()

    def _loop(self) -> None:
        next_refresh = time.monotonic() + self.period
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stopping or self._dirty or self._pushes,
                                    timeout=max(next_refresh - time.monotonic(), 0))
                if self._stopping:
                    return
                pushes, self._pushes = self._pushes, []
            try:
                if time.monotonic() >= next_refresh:
                    self.controller.refresh()
                    next_refresh = time.monotonic() + self.period
                for message in pushes:
                    restored = self.controller.handle_message(message)
                    with self._cond:
                        self.restored += restored
                        self._cond.notify_all()
                if self._dirty and self._settle():
                    self._sync()
            except (ApicError, KubeError) as exc:
                self.on_error(exc)
                with self._cond:  # a failed sync's changes are handled too: it is reported, and the next change retries
                    self.synced = max(self.synced, self._taken)
                    self._cond.notify_all()

    def _settle(self) -> bool:
        """Wait until no change came for `debounce` seconds, then take the change (False: stopping)."""
        with self._cond:
            while True:
                self._dirty = False
                self._cond.wait_for(lambda: self._stopping or self._dirty, timeout=self.debounce)
                if self._stopping or not self._dirty:
                    return not self._stopping

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 30) -> bool:
        """Whether `predicate` (of `results` and `restored`) came true, re-checked after each sync and
        restore; `timeout` only bounds the wait."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate() or self._stopping, timeout=timeout) and predicate()

    def stop(self) -> None:
        """End the watches, the socket and the loop; join every thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self.kube.stop()
        self.controller.interrupt()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        self.controller.stop()
        self.kube.client.close()
