"""The fault rule model (simulator/faults): parsing and validation with errors naming the key, scope
matching, counts, and seeded determinism (the same seed and request sequence give the same outcomes)."""

from __future__ import annotations

import pytest

from simulator.faults import FaultRuleError, parse_rule, parse_rules
from simulator.faults.matching import Request, decide, matches


def _request(system="apic", method="GET", path="/api/class/fvTenant.json", cls=""):
    return Request(system, method, path, lambda: cls)


def _outcomes(rule, n=40):
    out = []
    for _ in range(n):
        outcome, _spent = decide([rule], _request())
        out.append(bool(outcome.error))
    return out


def test_defaults_of_each_request_kind():
    error = parse_rule({"kind": "error"})
    assert (error.system, error.rate, error.status, error.count, error.seed) == ("apic", 1.0, 500, None, 0)
    latency = parse_rule({"kind": "latency", "ms": 5, "jitter": 2, "system": "k8s"})
    assert (latency.ms, latency.jitter, latency.system) == (5.0, 2.0, "k8s")
    assert parse_rule({"kind": "drop", "rate": 0.25}).rate == 0.25


@pytest.mark.parametrize(("given", "words"), [
    ({"kind": "explode"}, "kind must be one of latency, error, drop"),
    ({"kind": "error", "rate": 2}, "rate must be a number from 0 to 1, not 2"),
    ({"kind": "error", "rate": float("nan")}, "rate must be a number"),
    ({"kind": "error", "status": 200}, "status must be a whole number from 400 to 599, not 200"),
    ({"kind": "error", "status": True}, "status must be a whole number"),
    ({"kind": "latency"}, "ms must be a number from 0 to 60000 (required)"),
    ({"kind": "latency", "ms": 10, "jitter": -1}, "jitter must be a number from 0 to 60000"),
    ({"kind": "error", "count": 0}, "count must be a whole number from 1 to 1000000"),
    ({"kind": "error", "system": "vcenter"}, "system must be one of apic, rhv, k8s"),
    ({"kind": "error", "method": "FETCH"}, "method must be one of GET"),
    ({"kind": "error", "path": "api/*"}, "path is a glob on the request's path"),
    ({"kind": "error", "system": "rhv", "class": "fvTenant"}, "class scopes APIC requests only"),
    ({"kind": "error", "action": "migrate"}, "action scopes RHV requests only"),
    ({"kind": "error", "colour": "red"}, "unknown keys for a error rule: colour"),
    ({"kind": "host-down"}, "host must be one line of text"),
    ({"kind": "host-down", "host": "h1", "count": 2}, "count: a host-down rule is not counted"),
    ({"kind": "token-expiry", "count": 1}, "count: a token-expiry rule acts once"),
    ({"kind": "leaf-down", "node": "101"}, "node must be a whole number from 1 to 16000"),
    ({"kind": "error", "seed": -1}, "seed must be a whole number"),
    ("error", "a fault rule is a mapping with a kind"),
])
def test_a_bad_rule_is_one_error_naming_the_key(given, words):
    with pytest.raises(FaultRuleError) as caught:
        parse_rule(given, "lab.yaml: faults[0]")
    assert str(caught.value).startswith("lab.yaml: faults[0]: ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_list_names_the_index_of_its_bad_rule():
    with pytest.raises(FaultRuleError, match=r"^s\.yaml: faults\[1\]: rate must"):
        parse_rules([{"kind": "drop"}, {"kind": "drop", "rate": 5}], "s.yaml: faults")
    with pytest.raises(FaultRuleError, match="a list of fault rules"):
        parse_rules({"kind": "drop"}, "s.yaml: faults")
    assert parse_rules(None) == []


def test_scope_by_system_method_path_class_and_action():
    rule = parse_rule({"kind": "error", "method": "get", "path": "/api/class/fv*"})
    assert rule.method == "GET"
    assert matches(rule, _request())
    assert not matches(rule, _request(method="POST"))
    assert not matches(rule, _request(system="rhv"))
    assert not matches(rule, _request(path="/api/mo/uni.json"))
    by_class = parse_rule({"kind": "error", "class": "fvAEPg"})
    assert matches(by_class, _request(path="/api/mo/uni/tn-a/ap-b/epg-c.json", cls="fvAEPg"))
    assert not matches(by_class, _request(cls="fvTenant"))
    migrate = parse_rule({"kind": "error", "system": "rhv", "action": "migrate"})
    assert matches(migrate, _request("rhv", "POST", "/ovirt-engine/api/vms/123/migrate"))
    assert not matches(migrate, _request("rhv", "POST", "/ovirt-engine/api/vms/123/start"))
    assert not matches(migrate, _request("rhv", "GET", "/ovirt-engine/api/vms/123/migrate"))
    assert not matches(migrate, _request("rhv", "POST", "/ovirt-engine/api/vms"))
    assert not matches(parse_rule({"kind": "host-down", "host": "h"}), _request("rhv"))


def test_the_class_is_asked_only_when_a_rule_names_one():
    asked = []
    request = Request("apic", "GET", "/api/mo/uni.json", lambda: asked.append(1) or "polUni")
    assert matches(parse_rule({"kind": "error", "path": "/api/*"}), request)
    assert asked == []
    assert matches(parse_rule({"kind": "error", "class": "polUni"}), request)
    assert asked == [1]


def test_the_same_seed_and_requests_give_the_same_outcomes():
    first = _outcomes(parse_rule({"kind": "error", "rate": 0.5, "seed": 7}))
    again = _outcomes(parse_rule({"kind": "error", "rate": 0.5, "seed": 7}))
    other = _outcomes(parse_rule({"kind": "error", "rate": 0.5, "seed": 8}))
    assert first == again
    assert first != other
    assert 5 < sum(first) < 35  # a rate of one half errs on some requests, not on all or none


def test_rate_zero_never_fires_and_rate_one_always_does():
    assert not any(_outcomes(parse_rule({"kind": "error", "rate": 0})))
    assert all(_outcomes(parse_rule({"kind": "error", "rate": 1})))


def test_jittered_latency_is_seeded_and_within_the_jitter():
    def delays(seed):
        rule = parse_rule({"kind": "latency", "ms": 100, "jitter": 30, "seed": seed})
        return [decide([rule], _request())[0].delay_ms for _ in range(20)]

    assert delays(3) == delays(3) != delays(4)
    assert all(70 <= d <= 130 for d in delays(3))
    rule = parse_rule({"kind": "latency", "ms": 1, "jitter": 50, "seed": 1})
    assert all(decide([rule], _request())[0].delay_ms >= 0 for _ in range(50))  # never negative


def test_a_count_expires_the_rule_and_spared_requests_do_not_count():
    rule = parse_rule({"kind": "error", "count": 2})
    assert decide([rule], _request())[1] == []
    assert decide([rule], _request())[1] == [rule]
    assert rule.acted == 2
    spared = parse_rule({"kind": "error", "rate": 0, "count": 1})
    for _ in range(5):
        decide([spared], _request())
    assert (spared.count, spared.acted) == (1, 0)


def test_latencies_add_up_and_the_first_firing_error_decides():
    slow = parse_rule({"kind": "latency", "ms": 10})
    slower = parse_rule({"kind": "latency", "ms": 5})
    fail = parse_rule({"kind": "error", "status": 503})
    never = parse_rule({"kind": "drop", "rate": 0})
    drop = parse_rule({"kind": "drop"})
    outcome, _ = decide([slow, never, fail, drop, slower], _request())
    assert outcome.delay_ms == 10 and outcome.error is fail and outcome.drop is None
    assert (drop.acted, slower.acted) == (0, 0)  # not asked once the error decided


def test_the_listing_shows_keys_defaults_and_what_was_done():
    rule = parse_rule({"kind": "latency", "ms": 4, "path": "/api/*", "count": 3, "seed": 9})
    decide([rule], _request())
    shown = rule.as_json()
    assert shown == {"id": "", "kind": "latency", "system": "apic", "path": "/api/*", "ms": 4.0, "jitter": 0.0,
                     "count": 2, "seed": 9, "acted": 1, "delayed_ms": 4.0, "last_delay_ms": 4.0}
    assert parse_rule({"kind": "host-down", "host": "h1"}).as_json() == {
        "id": "", "kind": "host-down", "host": "h1", "effect": {}}


# --- a scenario's faults: ----------------------------------------------------------------------------------
def _scenario(tmp_path, faults_yaml: str):
    path = tmp_path / "lab.yaml"
    path.write_text(f"name: faulty\nfaults:\n{faults_yaml}")
    return path


def test_a_scenario_starts_its_lab_with_its_fault_rules(tmp_path):
    from simulator.lab import Lab, LabOptions

    options = LabOptions()
    options.apply_scenario(_scenario(tmp_path, "  - {kind: error, system: rhv, action: migrate, count: 1}\n"
                                               "  - {kind: host-non-operational, host: host2}\n"))
    first, second = Lab(options), Lab(options)  # each lab has rules of its own (counts, draws, effects)
    try:
        kinds = [(r.kind, r.id) for r in first.faults.rules()]
        assert kinds == [("error", "f1"), ("host-non-operational", "f2")]
        assert first.rhv.find("hosts", "host2").status == "non_operational"
        first.faults.decide(Request("rhv", "POST", "/ovirt-engine/api/vms/1/migrate"))
        assert [r.kind for r in first.faults.rules()] == ["host-non-operational"]
        assert [r.kind for r in second.faults.rules()] == ["error", "host-non-operational"]
        first.faults.clear()
        assert first.rhv.find("hosts", "host2").status == "up"
    finally:
        first.stop()
        second.stop()


def test_a_bad_rule_in_a_scenario_is_one_line_naming_the_file_and_key_with_exit_2(tmp_path, capsys):
    from simulator.cli import main

    path = _scenario(tmp_path, "  - {kind: latency, ms: 5}\n  - {kind: error, rate: 3}\n")
    assert main(["serve", "--scenario", str(path), "--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"acisim serve: error: argument --scenario: {path}: faults[1]: rate must be a number from 0 to 1, " \
                  "not 3"
    path = _scenario(tmp_path, "  - {kind: host-down, host: nosuch}\n")
    assert main(["serve", "--scenario", str(path), "--apic-port", "0", "--rhv-port", "0", "--k8s-port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"acisim serve: error: argument --scenario: {path}: ")
    assert "faults[0]: host: the RHV Manager has no host named 'nosuch'" in err and "\n" not in err


def test_outside_the_labs_server_a_drop_fails_the_request_and_other_requests_pass():
    from simulator.faults import FaultLayer

    class Book:
        has_request_rules = True

        def __init__(self, rule):
            self.rule = rule

        def decide(self, request):
            return decide([self.rule], request)[0]

    answered = []

    def app(environ, start_response):
        start_response("200 OK", [])
        answered.append(environ["PATH_INFO"])
        return [b"ok"]

    layer = FaultLayer(app, Book(parse_rule({"kind": "drop", "path": "/api/mo/*"})), "apic")
    with pytest.raises(ConnectionAbortedError, match="connection dropped"):
        layer({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/mo/uni.json"}, lambda *a: None)
    assert layer({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/class/fvTenant.json"}, lambda *a: None) == [b"ok"]
    assert layer({"REQUEST_METHOD": "GET", "PATH_INFO": "/_sim/faults"}, lambda *a: None) == [b"ok"]
    assert answered == ["/api/class/fvTenant.json", "/_sim/faults"]
