"""Which network filters a cluster of a compatibility version can use: a filter from version X is usable from X
on, that version included (the engine's GetAllSupportedNetworkFiltersByVersion)."""

from __future__ import annotations

from simulator.rhv.model.network_filters import supported_by


def names(major: int, minor: int) -> set[str]:
    return {f.name for f in supported_by(major, minor)}


def test_a_filter_is_usable_from_its_own_version_on():
    assert "block-file-sharing" in names(4, 5) and "block-file-sharing" not in names(4, 4)
    assert "clean-traffic" in names(3, 6) and "clean-traffic" not in names(3, 5)
    assert names(3, 2) == {"vdsm-no-mac-spoofing"}
    assert names(3, 1) == set()
