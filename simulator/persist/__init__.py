"""The whole lab's durable state and its named snapshots.

- document.py: the lab as one document (APIC tree and configuration-snapshot files, RHV engine, Kubernetes
  API server, clock),
  taken whole and put back all or nothing
- state_file.py: the SQLite state file of `acisim serve --state FILE`, written through per change
- snapshots.py: where named snapshots are kept (the state file, or memory) and the names they take
- lab_state.py: what ties these to a running lab (change listeners, the saved clock, /_sim/snapshots)
"""

from .document import LabDocument, StateError, capture, restore
from .lab_state import LabState, SavedClock
from .snapshots import DuplicateSnapshot, SnapshotError, UnknownSnapshot
from .state_file import StateFile

__all__ = ["DuplicateSnapshot", "LabDocument", "LabState", "SavedClock", "SnapshotError", "StateError",
           "StateFile", "UnknownSnapshot", "capture", "restore"]
