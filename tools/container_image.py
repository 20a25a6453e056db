"""Build acisim's container image on a host that reaches package registries but no image registry.

    python3 tools/container_image.py [--tag acisim:latest] [--base-tag acisim-base:bookworm] [--rebuild-base]

(docker/build-image.sh runs it.) Three steps, each idempotent:

1. The base image: a Debian bookworm minbase root made by debootstrap (with python3 and python3-venv) from
   the Debian mirror the host's apt uses, imported with `docker import`. It is kept by its tag: a second
   run finds it and skips debootstrap (~4 minutes on two busy cores); --rebuild-base makes it again.
2. The wheels: acisim and its runtime dependencies, built on the host by pip (`pip wheel`), which reaches
   the package registries; the build itself has no network (the containers here see the registries only
   through a TLS-intercepting proxy whose CA they must not be given).
3. The image: the repository's Dockerfile with BASE set to the base image, built from a temporary context
   holding only what .dockerignore lets in (wheels/, docker/healthcheck.py). A rebuild under the same tag
   removes the image it replaces.

A Docker engine is needed: the one DOCKER_HOST (or the default socket) names when it answers, else a
dockerd this tool starts with its own socket, pidfile and exec-root in a temporary folder and its images
under ACISIM_DOCKER_DATA_ROOT (default /var/cache/acisim/docker, so the base image outlives it), with the
host's iptables left alone (ENGINE_NETWORKING), stopped again at the end. Needs root for debootstrap and dockerd (Debian: apt-get install docker.io debootstrap).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE_TAG = "acisim-base:bookworm"
IMAGE_TAG = "acisim:latest"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DATA_ROOT = Path(os.environ.get("ACISIM_DOCKER_DATA_ROOT", "/var/cache/acisim/docker"))
INSTALL_HINT = "install Debian's docker.io and debootstrap (as root: apt-get install -y docker.io debootstrap)"
# The engine leaves the host's firewall alone: with iptables on, dockerd sets the FORWARD policy to DROP and
# loads br_netfilter, which outlive it. Nothing here needs the containers to reach out (the builds have no
# network) or NAT: published ports reach the containers through docker-proxy on the host's loopback.
ENGINE_NETWORKING = ("--iptables=false", "--ip6tables=false", "--ip-forward=false")
SOURCE_FILES = ("pyproject.toml", "README.md", "simulator")  # what `pip wheel` needs of the repository


class ImageError(RuntimeError):
    """A step failed; the message says which and why."""


def run(command: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """A command that must succeed; its failure is an ImageError with the command's output."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        raise ImageError(f"{' '.join(command[:4])} ... exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


class DockerEngine:
    """A Docker engine to talk to: `env` is the environment its clients use (DOCKER_HOST), `started` says
    whether this process started it (and so stops it in `stop`)."""

    def __init__(self, env: dict[str, str], process: subprocess.Popen | None = None, workdir: Path | None = None):
        self.env = env
        self.process = process
        self.workdir = workdir

    @property
    def started(self) -> bool:
        return self.process is not None

    @property
    def host(self) -> str:
        return self.env.get("DOCKER_HOST", "unix:///var/run/docker.sock")

    def docker(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return run([docker_cli(), *args], env=self.env, **kwargs)

    def answers(self) -> bool:
        done = subprocess.run([docker_cli(), "version", "--format", "{{.Server.Version}}"], env=self.env,
                              capture_output=True, text=True, check=False, timeout=30)
        return done.returncode == 0

    def stop(self) -> None:
        """Stop the dockerd this process started (its containerd goes with it); nothing otherwise."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def docker_cli() -> str:
    found = shutil.which("docker")
    if not found:
        raise ImageError(f"the docker command is not installed: {INSTALL_HINT}")
    return found


def find_engine() -> DockerEngine | None:
    """The engine DOCKER_HOST or the default socket names, if it answers."""
    engine = DockerEngine(dict(os.environ))
    return engine if engine.answers() else None


def start_engine(data_root: Path = DATA_ROOT, deadline: float = 120) -> DockerEngine:
    """A dockerd of our own: socket, pidfile and exec-root in a temporary folder, images under `data_root`.
    Waits until it answers (its socket accepts and `docker version` reaches the server)."""
    dockerd = shutil.which("dockerd") or ("/usr/sbin/dockerd" if Path("/usr/sbin/dockerd").exists() else None)
    if not dockerd:
        raise ImageError(f"no Docker engine answers and dockerd is not installed: {INSTALL_HINT}")
    if os.geteuid() != 0:
        raise ImageError("no Docker engine answers, and starting dockerd needs root")
    workdir = Path(tempfile.mkdtemp(prefix="acisim-dockerd-"))
    data_root.mkdir(parents=True, exist_ok=True)
    socket = workdir / "docker.sock"
    with open(workdir / "dockerd.log", "wb") as log:  # the daemon keeps its own copy of the descriptor
        process = subprocess.Popen(
            [dockerd, "--data-root", str(data_root), "--exec-root", str(workdir / "exec"),
             "--pidfile", str(workdir / "dockerd.pid"), "-H", f"unix://{socket}", *ENGINE_NETWORKING],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    engine = DockerEngine({**os.environ, "DOCKER_HOST": f"unix://{socket}"}, process, workdir)
    until = time.monotonic() + deadline
    while not (socket.exists() and engine.answers()):
        if process.poll() is not None or time.monotonic() > until:
            output = (workdir / "dockerd.log").read_text(errors="replace")[-2000:]
            engine.stop()
            raise ImageError(f"dockerd did not come up (exit {process.returncode}):\n{output}")
        time.sleep(0.2)  # polling the daemon's readiness: it has no readiness notification to wait on
    return engine


@contextmanager
def docker_engine(data_root: Path = DATA_ROOT) -> Iterator[DockerEngine]:
    """The running engine, else one started for the block and stopped after it."""
    engine = find_engine() or start_engine(data_root)
    try:
        yield engine
    finally:
        engine.stop()


def debian_mirror(sources: Path = Path("/etc/apt")) -> str:
    """The Debian archive the host's apt uses for its release suite (not -security or -updates), from
    sources.list and sources.list.d (one-line and deb822 forms); the public mirror when none is found."""
    files = [sources / "sources.list", *sorted((sources / "sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        for line in text.splitlines():
            m = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
            if m and m.group(2) == SUITE:
                return m.group(1).rstrip("/")
        for stanza in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
            if fields.get("Types", "").split()[:1] == ["deb"] and SUITE in fields.get("Suites", "").split():
                return fields.get("URIs", "").split()[0].rstrip("/")
    return DEFAULT_MIRROR


def image_id(engine: DockerEngine, tag: str) -> str | None:
    done = subprocess.run([docker_cli(), "image", "inspect", "--format", "{{.Id}}", tag], env=engine.env,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_base_image(engine: DockerEngine, tag: str = BASE_TAG, rebuild: bool = False, mirror: str | None = None) -> str:
    """The debootstrapped base image under `tag`, made only when it is missing (or `rebuild`)."""
    if image_id(engine, tag) and not rebuild:
        return tag
    debootstrap = shutil.which("debootstrap") or ("/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None)
    if not debootstrap:
        raise ImageError(f"debootstrap is not installed: {INSTALL_HINT}")
    workdir = Path(tempfile.mkdtemp(prefix="acisim-base-"))
    try:
        root = workdir / "root"
        run(["nice", "-n", "10", debootstrap, "--variant=minbase", "--include=python3,python3-venv", SUITE, str(root),
             mirror or debian_mirror()], timeout=1800)
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (root / junk).glob("*"):
                if item.is_file():
                    item.unlink()
        tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        try:
            run([docker_cli(), "import", "--change", 'CMD ["/bin/bash"]', "-", tag], env=engine.env, stdin=tar.stdout)
        finally:
            tar.stdout.close()
            tar.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return tag


def build_wheels(dest: Path, repo: Path = REPO) -> list[Path]:
    """acisim's wheel and its runtime dependencies' in `dest`, built by the host's pip from a copy of the
    package sources (so the repository gets no build/ or egg-info of this build)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="acisim-src-") as src:
        for name in SOURCE_FILES:
            source = repo / name
            if source.is_dir():
                shutil.copytree(source, Path(src) / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, Path(src) / name)
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", src, "-w", str(dest)],
            timeout=1800)
    wheels = sorted(dest.glob("*.whl"))
    if not any(w.name.startswith("acisim-") for w in wheels):
        raise ImageError(f"pip built no acisim wheel in {dest}")
    return wheels


def build_image(engine: DockerEngine, tag: str = IMAGE_TAG, base: str = BASE_TAG, repo: Path = REPO,
                wheels: Path | None = None) -> str:
    """The acisim image under `tag` from the repository's Dockerfile on `base`, with no network in the build;
    the image a rebuild replaces under the same tag is removed. Returns the new image's id."""
    old = image_id(engine, tag)
    with tempfile.TemporaryDirectory(prefix="acisim-context-") as context:
        context = Path(context)
        for name in ("Dockerfile", ".dockerignore", "docker/healthcheck.py"):
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / name, context / name)
        if wheels is None:
            build_wheels(context / "wheels", repo)
        else:
            shutil.copytree(wheels, context / "wheels")
        env = {**engine.env, "DOCKER_BUILDKIT": "0"}  # the classic builder: the engine needs no buildx
        run(["nice", "-n", "10", docker_cli(), "build", "--quiet", "--network", "none", "--build-arg", f"BASE={base}",
             "-t", tag, str(context)], env=env, timeout=1800)
    new = image_id(engine, tag)
    if old and old != new:
        subprocess.run([docker_cli(), "image", "rm", old], env=engine.env, capture_output=True, check=False)
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default=IMAGE_TAG, help=f"the image's tag (default {IMAGE_TAG})")
    parser.add_argument("--base-tag", default=BASE_TAG, help=f"the debootstrapped base image's tag (default {BASE_TAG})")
    parser.add_argument("--base", help="use this existing base image (e.g. python:3.11-slim) instead of debootstrap's")
    parser.add_argument("--rebuild-base", action="store_true", help="debootstrap the base image again")
    args = parser.parse_args(argv)
    try:
        with docker_engine() as engine:
            started = time.monotonic()
            base = args.base or ensure_base_image(engine, args.base_tag, args.rebuild_base)
            print(f"base image  {base} ({time.monotonic() - started:.0f} s)", flush=True)
            started = time.monotonic()
            image = build_image(engine, args.tag, base)
            print(f"image       {args.tag} {image[:19]} ({time.monotonic() - started:.0f} s)")
            if engine.started:
                print(f"(dockerd was started for this build and is stopped; its images are under {DATA_ROOT})")
    except ImageError as exc:
        print(f"container_image: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
