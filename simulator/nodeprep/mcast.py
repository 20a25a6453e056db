"""Send or receive one multicast probe, as BUM replication on the infra VLAN would carry it.

The receiver joins the group on the given interface address; the sender sets no outgoing interface,
so the kernel's route for the group (the node's 224.0.0.0/4 route) decides where the datagram goes.

    python -m simulator.nodeprep.mcast recv GROUP PORT LOCAL_ADDRESS READY_FILE TIMEOUT
    python -m simulator.nodeprep.mcast send GROUP PORT
"""

from __future__ import annotations

import json
import socket
import struct
import sys
from pathlib import Path

PAYLOAD = b"acisim-bum-probe"


def receive(group: str, port: int, local: str, ready: Path, timeout: float) -> dict:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((group, port))
        membership = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(local))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        sock.settimeout(timeout)
        ready.write_text("ready\n")
        try:
            while True:
                data, (source, _) = sock.recvfrom(2048)
                if data == PAYLOAD:
                    return {"received": True, "source": source}
        except TimeoutError:
            return {"received": False, "source": None}


def send(group: str, port: int, copies: int = 3) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        for _ in range(copies):
            sock.sendto(PAYLOAD, (group, port))


def main(argv: list[str]) -> int:
    if argv[:1] == ["recv"] and len(argv) == 6:
        print(json.dumps(receive(argv[1], int(argv[2]), argv[3], Path(argv[4]), float(argv[5]))))
        return 0
    if argv[:1] == ["send"] and len(argv) == 3:
        send(argv[1], int(argv[2]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
