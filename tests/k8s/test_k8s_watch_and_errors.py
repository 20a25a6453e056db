"""Watches (the event stream controllers and `kubectl get -w` follow) and the API server's refusals as
metav1 Status documents, read with a plain HTTP client as any Kubernetes client reads them."""

from __future__ import annotations

import json

import requests


def _events(response: requests.Response):
    for line in response.iter_lines():
        if line:
            yield json.loads(line)


def test_a_watch_replays_from_a_listed_resource_version_then_follows_every_change(served_kube):
    http = served_kube.http()
    listed = http.get(f"{served_kube.url}/api/v1/namespaces").json()
    version = listed["metadata"]["resourceVersion"]
    served_kube.ok("create", "namespace", "watched")  # before the watch opens: replayed from the version
    with http.get(f"{served_kube.url}/api/v1/namespaces", params={"watch": "true", "resourceVersion": version},
                  stream=True, timeout=30) as response:
        assert response.status_code == 200
        events = _events(response)
        first = next(events)
        assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "watched")
        served_kube.ok("label", "ns", "watched", "a=b")
        served_kube.ok("delete", "ns", "watched")
        second, third = next(events), next(events)
    assert (second["type"], second["object"]["metadata"]["labels"]["a"]) == ("MODIFIED", "b")
    assert third["type"] == "DELETED"
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in (first, second, third)]
    assert versions == sorted(versions) and len(set(versions)) == 3


def test_a_watch_from_now_starts_with_every_object_and_filters_by_label(served_kube):
    served_kube.ok("create", "configmap", "one", "--from-literal=a=1")
    served_kube.ok("label", "cm", "one", "app=x")
    served_kube.ok("create", "configmap", "two", "--from-literal=a=2")
    with served_kube.http().get(f"{served_kube.url}/api/v1/namespaces/default/configmaps",
                                params={"watch": "1", "labelSelector": "app=x"}, stream=True, timeout=30) as response:
        events = _events(response)
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in [next(events)]] == [("ADDED", "one")]
        served_kube.ok("create", "configmap", "three", "--from-literal=a=3")
        served_kube.ok("label", "cm", "three", "app=x")
        event = next(events)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("MODIFIED", "three")


def test_kubectl_get_watch_prints_the_objects_and_ends_with_its_timeout(served_kube):
    served_kube.ok("create", "namespace", "seen")
    run = served_kube.kubectl("get", "ns", "seen", "-w", "--request-timeout=2s")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[:5] == ["NAME", "STATUS", "AGE", "seen", "Active"]


def test_refusals_are_status_documents(served_kube):
    http, url = served_kube.http(), served_kube.url
    bare = requests.get(f"{url}/api/v1/namespaces", verify=str(served_kube.ca), timeout=30)
    assert (bare.status_code, bare.json()["reason"], bare.json()["message"]) == (401, "Unauthorized", "Unauthorized")

    for path in ("/api/v1/widgets", "/apis/nothing.example.com/v1/things", "/not/an/api/path"):
        reply = http.get(url + path)
        assert reply.status_code == 404 and reply.headers["Content-Type"] == "application/json"
        assert reply.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": "the server could not find the requested resource", "reason": "NotFound",
                                "details": {}, "code": 404}

    bad = http.post(f"{url}/api/v1/namespaces", data="{not json", headers={"Content-Type": "application/json"})
    assert (bad.status_code, bad.json()["reason"]) == (400, "BadRequest")

    created = http.post(f"{url}/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "cm1"}})
    assert created.status_code == 201 and created.json()["metadata"]["namespace"] == "default"
    twice = http.post(f"{url}/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "cm1"}})
    assert twice.status_code == 409
    assert twice.json()["message"] == 'configmaps "cm1" already exists'
    assert twice.json()["details"] == {"name": "cm1", "kind": "configmaps"}

    nowhere = http.post(f"{url}/api/v1/namespaces/nowhere/configmaps", json={"metadata": {"name": "cm1"}})
    assert (nowhere.status_code, nowhere.json()["message"]) == (404, 'namespaces "nowhere" not found')

    missing = http.get(f"{url}/apis/apps/v1/namespaces/default/deployments/ghost")
    assert missing.json()["message"] == 'deployments.apps "ghost" not found'
    assert missing.json()["details"] == {"name": "ghost", "group": "apps", "kind": "deployments"}

    invalid = http.post(f"{url}/api/v1/namespaces", json={"metadata": {"name": "Bad_Name"}})
    assert invalid.status_code == 422 and invalid.json()["reason"] == "Invalid"
    assert invalid.json()["message"].startswith('Namespace "Bad_Name" is invalid: metadata.name: Invalid value: '
                                                '"Bad_Name": a lowercase RFC 1123 label must consist of')

    unsupported = http.patch(f"{url}/api/v1/namespaces/default/configmaps/cm1", data="{}",
                             headers={"Content-Type": "text/plain"})
    assert (unsupported.status_code, unsupported.json()["reason"]) == (415, "UnsupportedMediaType")
    collection_put = http.put(f"{url}/api/v1/namespaces/default/configmaps", json={})
    assert (collection_put.status_code, collection_put.json()["reason"]) == (405, "MethodNotAllowed")


def test_patch_formats(served_kube):
    http, url = served_kube.http(), served_kube.url
    path = f"{url}/api/v1/namespaces/default/configmaps/cfg"
    http.post(f"{url}/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "cfg"}, "data": {"a": "1"}})
    merged = http.patch(path, json={"data": {"a": None, "b": "2"}},
                        headers={"Content-Type": "application/merge-patch+json"})
    assert merged.json()["data"] == {"b": "2"}
    patched = http.patch(path, data=json.dumps([{"op": "add", "path": "/data/c", "value": "3"},
                                                {"op": "test", "path": "/data/b", "value": "2"}]),
                         headers={"Content-Type": "application/json-patch+json"})
    assert patched.json()["data"] == {"b": "2", "c": "3"}
    failed = http.patch(path, data=json.dumps([{"op": "test", "path": "/data/b", "value": "9"}]),
                        headers={"Content-Type": "application/json-patch+json"})
    assert failed.status_code == 422 and failed.json()["kind"] == "Status"
    assert http.get(path).json()["metadata"]["resourceVersion"] == patched.json()["metadata"]["resourceVersion"]
