"""tools/container_image.py's choice of the Debian mirror for debootstrap: the archive the host's apt uses for
the release suite, from one-line and deb822 sources (not -security or -updates), else the public mirror."""

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "container_image.py"
spec = importlib.util.spec_from_file_location("container_image_under_test", TOOL)
container_image = importlib.util.module_from_spec(spec)
spec.loader.exec_module(container_image)


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_deb822_source_of_the_release_suite_names_the_mirror(tmp_path):
    write(tmp_path, "sources.list.d/debian.sources",
          "Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n\n"
          "Types: deb\nURIs: http://mirror.example.org/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n")
    assert container_image.debian_mirror(tmp_path) == "http://mirror.example.org/debian"


def test_a_one_line_source_wins_over_other_suites_and_options_are_skipped(tmp_path):
    write(tmp_path, "sources.list", "# deb http://old.example/debian bookworm main\n"
                                    "deb http://deb.example/debian bookworm-updates main\n"
                                    "deb [arch=amd64 signed-by=/k.gpg] http://deb.example/debian bookworm main\n")
    assert container_image.debian_mirror(tmp_path) == "http://deb.example/debian"


def test_no_source_of_the_suite_falls_back_to_the_public_mirror(tmp_path):
    write(tmp_path, "sources.list.d/other.sources", "Types: deb\nURIs: https://deb.nodesource.com/node_20.x\n"
                                                    "Suites: nodistro\nComponents: main\n")
    assert container_image.debian_mirror(tmp_path) == "http://deb.debian.org/debian"
