"""The RHV Manager's model, free of HTTP: entities, the engine's state and its one change path
(`engine.py`), VM lifecycle, host maintenance and networks, logical networking, placement, the
audit log and jobs, SSO, inventories (`loader.py`) and the saved state (`state.py`)."""
