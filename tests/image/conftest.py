"""A real Docker engine and an acisim image built for the module's tests (tools/container_image.py, the
code docker/build-image.sh runs): the engine that answers, else a dockerd started here and stopped after;
the debootstrapped base image, kept by its tag between runs; the image under a tag of this run, from wheels
built on the host, removed at the end. No engine and no dockerd to start fails, saying what to install:
CI installs docker.io and debootstrap, and the suite never skips what it is meant to exercise."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_container_image():
    spec = importlib.util.spec_from_file_location("container_image", REPO / "tools" / "container_image.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


container_image = load_container_image()


def pytest_configure(config):
    config.addinivalue_line("markers", "image: builds and runs the container image on a real Docker engine")


@pytest.fixture(scope="module")
def docker_engine():
    """The engine the tests use (its `env` carries DOCKER_HOST); stopped after the module if started here."""
    try:
        engine = container_image.find_engine() or container_image.start_engine()
    except container_image.ImageError as exc:
        pytest.fail(f"the container image tests need a Docker engine: {exc}", pytrace=False)
    yield engine
    engine.stop()


@pytest.fixture(scope="module")
def docker_client(docker_engine):
    """The Docker SDK's client of the engine (as the pytest plugin's --acisim-image uses it)."""
    import docker

    client = docker.DockerClient(base_url=docker_engine.host)
    yield client
    client.close()


@pytest.fixture(scope="module")
def base_image(docker_engine) -> str:
    try:
        return container_image.ensure_base_image(docker_engine)
    except container_image.ImageError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def acisim_image(docker_engine, base_image, tmp_path_factory):
    """The image of the working tree, built from the host's wheels with no network; removed afterwards."""
    tag = f"acisim-test:{os.getpid()}"
    wheels = tmp_path_factory.mktemp("wheels")
    try:
        container_image.build_wheels(wheels)
        container_image.build_image(docker_engine, tag, base_image, wheels=wheels)
    except container_image.ImageError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield tag
    docker_engine.docker("image", "rm", "--force", tag)


@pytest.fixture(scope="module")
def lab_network(docker_client):
    """A bridge network of the run's own for the lab container; removed afterwards."""
    network = docker_client.networks.create(f"acisim-test-{os.getpid()}", driver="bridge")
    yield network
    network.remove()


@pytest.fixture(scope="module")
def lab_container(docker_client, acisim_image, lab_network):
    """A container of the image on the run's network, its ports published on 127.0.0.1, healthy."""
    from simulator.pytest_plugin import ContainerLab

    lab = ContainerLab(acisim_image, network=lab_network.name, client=docker_client)
    yield lab
    lab.stop()
