"""The default lab's data, shipped inside the package: what `acisim serve` builds with no options.

A non-editable install has no checkout beside it, so everything the default lab loads lives here
(and is listed as package data in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
FABRIC = HERE / "fabric.yaml"  # topology of the default fabric
RHV_INVENTORY = HERE / "rhv_inventory.yaml"  # the RHV Manager's default inventory
