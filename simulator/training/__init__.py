"""Training labs: a scenario with a story, goals with checks, hints and a solution (Flask-free).

schema.py reads and validates a lab's scenario file; checks.py holds the check kinds, each reading the lab
through a public API (clients.py: the lab's WSGI apps in-process, as a trainee's client reaches them);
steps.py applies REST steps (a lab's setup and its solution); session.py is a running lab's training side;
catalog.py finds the labs that ship with the project.
"""

from .schema import Goal, LabSpec, TrainingSchemaError, is_training, load_lab
from .session import Training, open_lab

__all__ = ["Goal", "LabSpec", "Training", "TrainingSchemaError", "is_training", "load_lab", "open_lab"]
