"""Where the training labs are: scenarios/labs/*.yaml of the project (or a folder given), each a LabSpec."""

from __future__ import annotations

import os
from pathlib import Path

from .schema import LabSpec, TrainingSchemaError, load_lab

PROJECT_LABS = Path(__file__).resolve().parents[2] / "scenarios" / "labs"


def labs_folder(given: Path | None = None) -> Path:
    """The folder given, else $ACISIM_LABS, else the project's scenarios/labs."""
    if given is not None:
        return Path(given)
    return Path(os.environ["ACISIM_LABS"]) if os.environ.get("ACISIM_LABS") else PROJECT_LABS


def lab_files(folder: Path | None = None) -> list[Path]:
    """The lab files of the folder; a folder that is not there is a TrainingSchemaError (an installed wheel has
    no scenarios/labs of its own: a checkout's, or ACISIM_LABS, names one)."""
    found = labs_folder(folder)
    if not found.is_dir():
        raise TrainingSchemaError(found, "", "no such folder of lab scenarios (give --labs FOLDER or set ACISIM_LABS, "
                                             "e.g. to a checkout's scenarios/labs)")
    return sorted(found.glob("*.yaml"))


def all_labs(folder: Path | None = None) -> list[LabSpec]:
    """Every lab of the folder, by file name; a bad file raises its TrainingSchemaError."""
    return [load_lab(path) for path in lab_files(folder)]


def find_lab(name: str, folder: Path | None = None) -> Path | None:
    """The scenario file of the lab named `name` (its `name:` or its file's stem), or a path given as is."""
    given = Path(name)
    if given.suffix in (".yaml", ".yml") and given.is_file():
        return given
    for path in lab_files(folder):
        if path.stem == name or load_lab(path).name == name:
            return path
    return None
