# acisim: the simulated APIC, RHV Manager and Kubernetes API in one container.
#
# Build (no network is needed inside the build: every wheel comes from the build context):
#     python3 -m pip wheel . -w wheels            # acisim and its runtime dependencies, built on the host
#     docker build -t acisim .                    # BASE defaults to python:3.11-slim
#     docker build --build-arg BASE=acisim-base:bookworm -t acisim .   # any Python >= 3.11 base with venv
# or let docker/build-image.sh do all of it (a debootstrapped Debian bookworm base, for hosts that reach no
# image registry).
#
# Run:
#     docker run -d --name acisim -p 127.0.0.1:8443:8443 -p 127.0.0.1:8444:8444 -p 127.0.0.1:6443:6443 \
#         -v acisim-state:/var/lib/acisim -v acisim-tls:/etc/acisim/tls acisim
#
# Ports (inside the container; publish them where you like):
#     8443  the APIC (HTTPS; REST API, websocket, /_sim control API)   login admin / cisco123
#     8444  the RHV Manager (HTTPS; /ovirt-engine/api, SSO)             login admin@internal / redhat123
#     6443  the Kubernetes API server (HTTPS, bearer token in the kubeconfig)
# TLS: /etc/acisim/tls holds the self-signed certificate (acisim.crt, acisim.key, generated at first start for
#     localhost and 127.0.0.1) and the kubeconfig of the Kubernetes API (its server is the container's
#     address: rewrite it to the published port). Mount your own acisim.crt/acisim.key there to serve them.
# State: /var/lib/acisim/lab.db is the whole lab (APIC tree, RHV inventory, clock) in SQLite, written before
#     every answer, so a restarted container comes back as it was. Drop the volume for a fresh lab.
# Bind mounts must be writable by the image's user, uid 10001.
# Options: anything after the image name replaces the command, e.g.
#     docker run ... acisim serve --host 0.0.0.0 --admin-password secret --tls-dir /etc/acisim/tls
ARG BASE=python:3.11-slim
FROM ${BASE}

COPY wheels/ /tmp/wheels/
COPY docker/healthcheck.py /opt/acisim-healthcheck.py
RUN python3 -m venv /opt/acisim \
 && /opt/acisim/bin/pip install --no-index --find-links /tmp/wheels --no-cache-dir --disable-pip-version-check acisim \
 && rm -rf /tmp/wheels \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/acisim --no-create-home --shell /usr/sbin/nologin acisim \
 && mkdir -p /var/lib/acisim /etc/acisim/tls \
 && chown acisim:acisim /var/lib/acisim /etc/acisim/tls

ENV PATH=/opt/acisim/bin:$PATH PYTHONUNBUFFERED=1 ACISIM_HOME=/var/lib/acisim
USER acisim
WORKDIR /var/lib/acisim
VOLUME ["/var/lib/acisim", "/etc/acisim/tls"]
EXPOSE 8443 8444 6443
# healthy when the APIC, the RHV Manager and the Kubernetes API all answer on their ports (no credentials)
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/acisim/bin/python", "/opt/acisim-healthcheck.py"]
# acisim handles SIGTERM (docker stop) as Ctrl-C: the servers stop and the state file is closed
ENTRYPOINT ["acisim"]
CMD ["serve", "--host", "0.0.0.0", "--tls-dir", "/etc/acisim/tls", "--state", "/var/lib/acisim/lab.db"]
