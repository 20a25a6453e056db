"""A seeded property-based fuzz of the simulated RHV Manager's REST API: 20,000+ generated requests
(hypothesis, fixed seed) through Flask's test client, each answer checked by the oracle in
tests/rhv/rhv_fuzz.py (no status >= 500, every error in the engine's own shape: a <fault>, its JSON
form, the empty 404, SSO's JSON error).

The grammar is built by crawling the default lab's API as the admin (every collection, entity,
sub-collection and action), then requests vary methods, paths, query options, headers, credentials
and bodies (valid, mutated, wrong types, deep, huge, control characters, non-UTF-8). The engine is
reloaded every 500 requests (a fresh login follows), so one destructive request does not hide the rest
of the API from the fuzz, with the default inventory plus three users with roles, whose HTTP Basic
credentials are among the generated ones: permission checks and filtered reads are fuzzed too.

Reports the answers by status class, the violations by cause with examples, and requests/s. Exits
non-zero when any violation is found (a wrong answer, unlike a missed timing target).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import _common as c

sys.path[:0] = [str(c.ROOT), str(c.ROOT / "tests" / "rhv")]

import rhv_fuzz as fz  # noqa: E402

from simulator.rhv.rest import create_app  # noqa: E402
from simulator.rhv.service import Rhv  # noqa: E402

RELOAD_EVERY = 500


class TestClientSender:
    """Requests through Flask's test client, with the live bearer token put in."""

    def __init__(self, rhv: Rhv, inventory):
        self.rhv = rhv
        self.inventory = inventory
        self.client = create_app(rhv).test_client()
        self.token = ""
        self.login()

    def login(self) -> None:
        self.token = self.rhv.login("password", *fz.ADMIN, "ovirt-app-api")["access_token"]

    def get(self, path: str) -> bytes:
        url = f"{fz.API}/{path}" if path else fz.API
        return self.client.get(url, headers={"Authorization": f"Bearer {self.token}"}).data

    def reload(self, total: int) -> None:
        if total and total % RELOAD_EVERY == 0:
            self.rhv.load_inventory(self.inventory)
            self.login()

    def __call__(self, req: fz.Req) -> fz.Answer:
        headers = {k: v.replace(fz.TOKEN, self.token) for k, v in req.headers.items()}
        resp = self.client.open(req.path, method=req.method, query_string=req.query, headers=headers,
                                data=req.body)
        return fz.Answer(resp.status_code, resp.headers.get("Content-Type", ""), resp.get_data(),
                         dict(resp.headers))


def main() -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20_000, help="how many generated requests (default 20,000)")
    p.add_argument("--seed", type=int, default=13, help="the hypothesis seed (default 13)")
    p.add_argument("--examples", type=int, default=3, help="examples shown per violation (default 3)")
    args = p.parse_args()
    n = 1_000 if args.quick else args.requests
    rhv = Rhv()
    inventory = fz.inventory_with_users(Path(tempfile.mkdtemp(prefix="fuzz-rhv-")) / "inventory.yaml")
    rhv.load_inventory(inventory)
    sender = TestClientSender(rhv, inventory)
    surface = fz.crawl(sender.get)
    guids = sorted({part for path in surface.entities for part in path.split("/") if len(part) == 36})
    tally = fz.Tally()
    started = time.perf_counter()
    fz.run(sender, surface, guids, n, args.seed, tally, before=sender.reload)
    elapsed = time.perf_counter() - started
    print(f"RHV REST fuzz: {tally.total} requests, seed {args.seed}, {elapsed:.1f} s ({tally.total / elapsed:.0f} req/s)")
    print(f"surface: {len(surface.collections)} collections, {len(surface.entities)} entities, "
          f"{len(surface.actions)} actions")
    print(c.table(["status class", "answers"], sorted(tally.by_class.items())))
    print(f"violations: {tally.count_violations()}")
    for why, examples in sorted(tally.violations.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(examples):6d}  {why}")
        for example in examples[:args.examples]:
            print(f"          {example[:400]}")
    if args.json:
        c.write_json(args.json, "fuzz_rhv", args.quick, {
            "requests": tally.total, "seed": args.seed, "seconds": elapsed, "by_class": tally.by_class,
            "violations": {k: len(v) for k, v in tally.violations.items()}}, [])
    return 1 if tally.violations else 0


if __name__ == "__main__":
    sys.exit(main())
