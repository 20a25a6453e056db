"""A bounded pool of daemon worker threads for the WSGI apps.

Not concurrent.futures.ThreadPoolExecutor: Python joins its threads at exit, and a Kubernetes watch
blocked on its next event (up to its 30-minute deadline) would then hold up the process's exit, where
Werkzeug's daemon threads did not. Threads start on demand, up to `max_workers`, and stay for the next
requests until `shutdown`.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Executor, Future


class DaemonPool(Executor):
    def __init__(self, max_workers: int, name: str) -> None:
        self.max_workers = max_workers
        self.name = name
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the server's worker pool is shut down")
            self._work.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self.max_workers:
                thread = threading.Thread(target=self._worker, daemon=True,
                                          name=f"{self.name}-{len(self._threads)}")
                self._threads.append(thread)
                thread.start()
        return future

    def _worker(self) -> None:
        while (item := self._work.get()) is not None:
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)
            del item, future
            self._idle.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if cancel_futures:
            try:
                while True:
                    item = self._work.get_nowait()
                    if item is not None:
                        item[0].cancel()
            except queue.Empty:
                pass
        for _ in threads:
            self._work.put(None)
        if wait:
            for thread in threads:
                thread.join()
