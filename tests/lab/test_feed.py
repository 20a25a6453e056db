"""The change feed every system publishes through: order, a listener's own change, a failing listener."""

from __future__ import annotations

import threading

import pytest

from simulator.feed import ChangeFeed


def test_batches_reach_every_listener_in_publish_order_across_threads():
    feed: ChangeFeed[int] = ChangeFeed()
    lock = threading.Lock()  # the model's lock: publish under it, deliver after it
    heard: list[int] = []
    feed.subscribe(heard.extend)

    def writer(base: int) -> None:
        for i in range(200):
            with lock:
                feed.publish([base + i])
            feed.deliver()

    threads = [threading.Thread(target=writer, args=(n * 1000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(heard) == sorted(n * 1000 + i for n in range(4) for i in range(200))
    for n in range(4):  # each writer's batches in its own order
        mine = [x for x in heard if x // 1000 == n]
        assert mine == sorted(mine)
    assert feed.published == 800


def test_a_listeners_own_change_goes_out_after_the_batch_that_caused_it():
    feed: ChangeFeed[str] = ChangeFeed()
    first: list[str] = []
    second: list[str] = []

    def reacting(batch: list[str]) -> None:
        first.extend(batch)
        if batch == ["a"]:
            feed.publish(["b"])
            feed.deliver()  # inside a delivery: only queued, handed on next

    feed.subscribe(reacting)
    feed.subscribe(second.extend)
    feed.publish(["a"])
    feed.deliver()
    assert first == ["a", "b"] and second == ["a", "b"]


def test_a_failing_listener_stops_neither_the_others_nor_later_batches_and_the_writer_hears_of_it():
    feed: ChangeFeed[str] = ChangeFeed()
    heard: list[str] = []

    def broken(batch: list[str]) -> None:
        raise OSError("disk full")

    feed.subscribe(broken)
    feed.subscribe(heard.extend)
    feed.publish(["x"])
    feed.publish(["y"])
    with pytest.raises(OSError, match="disk full"):
        feed.deliver()
    assert heard == ["x", "y"]
    feed.unsubscribe(broken)
    feed.publish(["z"])
    feed.deliver()
    assert heard == ["x", "y", "z"]
