"""Role-based access control as a real APIC applies it, through the served REST API and websocket.

One lab per module, over plain HTTP: the admin creates a security domain `D`, a read-all user, a tenant-admin
of `D` (with a certificate, for signed requests), a tenant in `D` and one outside it. Each test then acts as
one of those users and reads the outcome as the admin (a refused write must have changed nothing).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
import requests
import websocket
from cryptography.hazmat.primitives import serialization
from rest_session import ApicRest

from simulator.apic import errors, signing
from simulator.apic.aaa import Caller
from simulator.lab import Lab, LabOptions
from simulator.tls import self_signed

PASSWORD = "Reader-pw-1"
CERT_DN = "uni/userext/user-tadmin/usercert-tadmin"
TIMEOUT = 30


def user_body(name: str, domain: str, role: str, priv: str) -> dict:
    return {"aaaUser": {"attributes": {"name": name, "pwd": PASSWORD}, "children": [
        {"aaaUserDomain": {"attributes": {"name": domain}, "children": [
            {"aaaUserRole": {"attributes": {"name": role, "privType": priv}}}]}}]}}


@pytest.fixture(scope="module")
def fabric():
    lab = Lab(LabOptions(admin_password="secret"))
    srv = lab.start(tls=False)
    admin = ApicRest(srv.url)
    admin.post_ok("uni/userext", {"aaaDomain": {"attributes": {"name": "D"}}})
    admin.post_ok("uni/userext", user_body("reader", "all", "read-all", "readPriv"))
    admin.post_ok("uni/userext", user_body("tadmin", "D", "tenant-admin", "writePriv"))
    key, cert = self_signed("tadmin")
    admin.post_ok(CERT_DN, {"aaaUserCert": {"attributes": {
        "name": "tadmin", "data": cert.public_bytes(serialization.Encoding.PEM).decode()}}})
    admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "mine"}, "children": [
        {"aaaDomainRef": {"attributes": {"name": "D"}}}]}})
    admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "theirs"}, "children": [
        {"fvBD": {"attributes": {"name": "bd1"}}}]}})
    yield {"url": srv.url, "admin": admin, "key": key, "lab": lab,
           "reader": ApicRest(srv.url, PASSWORD, "reader"), "tadmin": ApicRest(srv.url, PASSWORD, "tadmin")}
    lab.stop()


def refused(r: requests.Response, user: str, cls: str, dn: str) -> None:
    """A 403 in the APIC's JSON error envelope naming what the user may not write."""
    assert r.status_code == 403, r.text
    assert r.json() == {"totalCount": "1", "imdata": [{"error": {"attributes": {
        "code": "403", "text": f"Access denied: user {user} has no write privilege for {cls} {dn} in its "
                               "security domains"}}}]}


def dns(rest: ApicRest, path: str, **params: str) -> list[str]:
    return sorted(next(iter(mo.values()))["attributes"]["dn"] for mo in rest.imdata(path, **params))


# --- read-all -----------------------------------------------------------------------------------------
def test_read_all_reads_what_the_admin_reads(fabric):
    admin, reader = fabric["admin"], fabric["reader"]
    assert dns(reader, "/api/class/fvTenant.json") == dns(admin, "/api/class/fvTenant.json")
    assert dns(reader, "/api/class/fvBD.json") == dns(admin, "/api/class/fvBD.json")
    assert reader.imdata("/api/mo/uni/tn-theirs.json", **{"rsp-subtree": "full"}) == \
        admin.imdata("/api/mo/uni/tn-theirs.json", **{"rsp-subtree": "full"})


def test_read_all_cannot_create_or_delete_a_tenant(fabric):
    admin, reader = fabric["admin"], fabric["reader"]
    refused(reader.post("uni", {"fvTenant": {"attributes": {"name": "intruder"}}}), "reader", "fvTenant",
            "uni/tn-intruder")
    assert admin.imdata("/api/mo/uni/tn-intruder.json") == []
    r = reader.http.delete(f"{reader.url}/api/mo/uni/tn-theirs.json", timeout=TIMEOUT)
    refused(r, "reader", "fvTenant", "uni/tn-theirs")
    assert dns(admin, "/api/mo/uni/tn-theirs.json") == ["uni/tn-theirs"]


def test_read_all_cannot_create_a_user_or_make_itself_admin(fabric):
    admin, reader = fabric["admin"], fabric["reader"]
    refused(reader.post("uni/userext", user_body("sneaky", "all", "admin", "writePriv")), "reader", "aaaUser",
            "uni/userext/user-sneaky")
    assert admin.imdata("/api/mo/uni/userext/user-sneaky.json") == []
    own = "uni/userext/user-reader/userdomain-all/role-admin"
    refused(reader.post(own, {"aaaUserRole": {"attributes": {"name": "admin", "privType": "writePriv"}}}),
            "reader", "aaaUserRole", own)
    assert admin.imdata(f"/api/mo/{own}.json") == []
    # and after trying, it still cannot write
    refused(reader.post("uni", {"fvTenant": {"attributes": {"name": "intruder"}}}), "reader", "fvTenant",
            "uni/tn-intruder")


def test_the_refusal_in_xml_is_the_xml_error_envelope(fabric):
    reader = fabric["reader"]
    r = reader.http.post(f"{reader.url}/api/mo/uni.xml", data='<fvTenant name="xmlintruder"/>', timeout=TIMEOUT)
    assert r.status_code == 403, r.text
    root = ElementTree.fromstring(r.text)
    assert root.tag == "imdata" and root.get("totalCount") == "1"
    [error] = list(root)
    assert error.tag == "error" and error.get("code") == "403"
    assert error.get("text") == ("Access denied: user reader has no write privilege for fvTenant uni/tn-xmlintruder "
                                 "in its security domains")


# --- a tenant-admin of one security domain --------------------------------------------------------------
def test_tenant_admin_sees_only_its_tenants_and_common(fabric):
    tadmin = fabric["tadmin"]
    assert dns(tadmin, "/api/class/fvTenant.json") == ["uni/tn-common", "uni/tn-mine"]
    r = tadmin.get("/api/class/fvTenant.json")
    assert r.json()["totalCount"] == "2"
    assert tadmin.get("/api/mo/uni/tn-theirs.json").json() == {"totalCount": "0", "imdata": []}
    assert tadmin.get("/api/mo/uni/tn-theirs/BD-bd1.json").json() == {"totalCount": "0", "imdata": []}
    assert "uni/tn-theirs/BD-bd1" not in dns(tadmin, "/api/class/fvBD.json")
    # paging counts only what the caller may read
    page = tadmin.get("/api/class/fvTenant.json", **{"page-size": "1", "page": "1"}).json()
    assert page["totalCount"] == "2" and len(page["imdata"]) == 1
    # a subtree query under uni shows no MO of the other tenant
    assert not [dn for dn in dns(tadmin, "/api/mo/uni.json", **{"query-target": "subtree",
                                                                  "target-subtree-class": "fvBD"})
                if dn.startswith("uni/tn-theirs")]


def test_tenant_admin_manages_its_tenant_and_not_another(fabric):
    admin, tadmin = fabric["admin"], fabric["tadmin"]
    tadmin.post_ok("uni/tn-mine", {"fvCtx": {"attributes": {"name": "vrf1"}}})
    tadmin.post_ok("uni/tn-mine/BD-web", {"fvBD": {"attributes": {"name": "web"}, "children": [
        {"fvRsCtx": {"attributes": {"tnFvCtxName": "vrf1"}}},
        {"fvSubnet": {"attributes": {"ip": "10.1.1.1/24"}}}]}})
    assert "uni/tn-mine/BD-web/subnet-[10.1.1.1/24]" in dns(admin, "/api/class/fvSubnet.json")
    refused(tadmin.post("uni/tn-theirs/BD-web", {"fvBD": {"attributes": {"name": "web"}}}), "tadmin", "fvBD",
            "uni/tn-theirs/BD-web")
    assert admin.imdata("/api/mo/uni/tn-theirs/BD-web.json") == []
    tadmin.delete_ok("uni/tn-mine/BD-web")
    assert admin.imdata("/api/mo/uni/tn-mine/BD-web.json") == []
    # a tenant's own attributes and the tenant itself are the admin's (fvTenant writeAccess: admin)
    refused(tadmin.post("uni", {"fvTenant": {"attributes": {"name": "another"}}}), "tadmin", "fvTenant",
            "uni/tn-another")


def test_a_refused_write_changes_nothing_of_what_it_was_allowed(fabric):
    """Checked for every MO of the body before anything is written: the allowed half is not written either."""
    admin, tadmin = fabric["admin"], fabric["tadmin"]
    body = {"polUni": {"attributes": {}, "children": [
        {"fvTenant": {"attributes": {"name": "mine"}, "children": [{"fvBD": {"attributes": {"name": "half"}}}]}},
        {"fvTenant": {"attributes": {"name": "theirs"}, "children": [{"fvBD": {"attributes": {"name": "half"}}}]}},
    ]}}
    refused(tadmin.post("uni", body), "tadmin", "fvBD", "uni/tn-theirs/BD-half")
    assert admin.imdata("/api/mo/uni/tn-mine/BD-half.json") == []


def test_tenant_admin_cannot_join_a_tenant_to_its_domain(fabric):
    admin, tadmin = fabric["admin"], fabric["tadmin"]
    refused(tadmin.post("uni/tn-theirs", {"aaaDomainRef": {"attributes": {"name": "D"}}}), "tadmin",
            "aaaDomainRef", "uni/tn-theirs/domain-D")
    assert admin.imdata("/api/mo/uni/tn-theirs/domain-D.json") == []


def test_tenant_admin_login_reply_lists_its_domain_and_role(fabric):
    r = requests.post(f"{fabric['url']}/api/aaaLogin.json", timeout=TIMEOUT,
                      data=json.dumps({"aaaUser": {"attributes": {"name": "tadmin", "pwd": PASSWORD}}}))
    children = r.json()["imdata"][0]["aaaLogin"]["children"]
    domains = [c["aaaUserDomain"] for c in children if "aaaUserDomain" in c]
    assert domains == [{"attributes": {"name": "D", "rolesR": "tenant-admin", "rolesW": "tenant-admin"},
                        "children": [{"aaaReadRoles": {"attributes": {}}},
                                     {"aaaWriteRoles": {"attributes": {}, "children": [
                                         {"role": {"attributes": {"name": "tenant-admin"}}}]}}]}]
    mapped = [c["DnDomainMapEntry"]["attributes"]["dn"] for c in children if "DnDomainMapEntry" in c]
    assert mapped == ["uni/tn-common", "uni/tn-infra", "uni/tn-mgmt"]


def test_the_admin_login_reply_is_the_recorded_one(fabric):
    """The real 2.0(2f) reply's children (ansible-aci tests/unit/module_utils/test_aci.py)."""
    r = requests.post(f"{fabric['url']}/api/aaaLogin.json", timeout=TIMEOUT,
                      data=json.dumps({"aaaUser": {"attributes": {"name": "admin", "pwd": "secret"}}}))
    assert r.json()["imdata"][0]["aaaLogin"]["children"] == [
        {"aaaUserDomain": {"attributes": {"name": "all", "rolesR": "admin", "rolesW": "admin"},
                           "children": [{"aaaReadRoles": {"attributes": {}}},
                                        {"aaaWriteRoles": {"attributes": {}, "children": [
                                            {"role": {"attributes": {"name": "admin"}}}]}}]}},
        {"DnDomainMapEntry": {"attributes": {"dn": "uni/tn-common", "readPrivileges": "admin",
                                             "writePrivileges": "admin"}}},
        {"DnDomainMapEntry": {"attributes": {"dn": "uni/tn-infra", "readPrivileges": "admin",
                                             "writePrivileges": "admin"}}},
        {"DnDomainMapEntry": {"attributes": {"dn": "uni/tn-mgmt", "readPrivileges": "admin",
                                             "writePrivileges": "admin"}}}]


def test_a_signed_request_is_the_same_user(fabric):
    url, key = fabric["url"], fabric["key"]

    def signed(method: str, path: str, body: str = "") -> requests.Response:
        cookies = signing.sign_request(key, CERT_DN, method, path, body)
        return requests.request(method, url + path, data=body or None, timeout=TIMEOUT,
                                headers={"Cookie": signing.cookie_header(cookies)})

    r = signed("GET", "/api/class/fvTenant.json")
    assert r.status_code == 200, r.text
    assert sorted(mo["fvTenant"]["attributes"]["dn"] for mo in r.json()["imdata"]) == ["uni/tn-common", "uni/tn-mine"]
    refused(signed("POST", "/api/mo/uni/tn-theirs.json", json.dumps({"fvTenant": {"attributes": {"descr": "x"}}})),
            "tadmin", "fvTenant", "uni/tn-theirs")
    r = signed("POST", "/api/mo/uni/tn-mine/ap-app.json", json.dumps({"fvAp": {"attributes": {"name": "app"}}}))
    assert r.status_code == 200, r.text


def test_a_subscription_pushes_only_what_the_caller_may_read(fabric):
    admin, tadmin = fabric["admin"], fabric["tadmin"]
    ws = websocket.create_connection(fabric["url"].replace("http://", "ws://") + "/socket" + tadmin.token,
                                     timeout=10)
    try:
        sub = tadmin.get("/api/class/fvTenant.json", subscription="yes").json()["subscriptionId"]
        admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "hidden"}}})
        admin.post_ok("uni", {"fvTenant": {"attributes": {"name": "joined"}, "children": [
            {"aaaDomainRef": {"attributes": {"name": "D"}}}]}})
        message = json.loads(ws.recv())
        # the first event on the socket is the tenant of D: the hidden one produced nothing
        assert message["subscriptionId"] == [sub]
        assert message["imdata"][0]["fvTenant"]["attributes"]["dn"] == "uni/tn-joined"
        admin.delete_ok("uni/tn-hidden")
        admin.delete_ok("uni/tn-joined")
        # the deletion of the tenant of D reaches it (its domain is gone with it), the hidden one's does not
        attrs = json.loads(ws.recv())["imdata"][0]["fvTenant"]["attributes"]
        assert (attrs["dn"], attrs["status"]) == ("uni/tn-joined", "deleted")
    finally:
        ws.close()


# --- the admin and the defaults ------------------------------------------------------------------------
def test_the_admin_is_unaffected(fabric):
    admin = fabric["admin"]
    admin.post_ok("uni/tn-theirs", {"fvTenant": {"attributes": {"descr": "by admin"}}})
    assert admin.imdata("/api/mo/uni/tn-theirs.json")[0]["fvTenant"]["attributes"]["descr"] == "by admin"
    assert "uni/userext/user-tadmin" in dns(admin, "/api/class/aaaUser.json")


def test_the_default_roles_and_domains_are_in_the_tree(fabric):
    reader = fabric["reader"]
    roles = {mo["aaaRole"]["attributes"]["name"]: mo["aaaRole"]["attributes"]["priv"]
             for mo in reader.imdata("/api/class/aaaRole.json")}
    assert roles["admin"] == "admin" and roles["aaa"] == "aaa" and roles["ops"] == "ops"
    assert roles["access-admin"] == "access-connectivity,access-equipment,access-protocol,access-qos"
    assert {"read-all", "tenant-admin", "tenant-ext-admin", "fabric-admin", "nw-svc-admin", "vmm-admin",
            "port-mgmt"} <= set(roles)
    domains = {mo["aaaDomain"]["attributes"]["name"] for mo in reader.imdata("/api/class/aaaDomain.json")}
    assert {"all", "common", "mgmt", "D"} == domains


def test_system_callers_are_not_limited_and_unknown_users_are(fabric):
    """The lab's own writers (Caller.system, Apic.system_post) pass; a caller the tree has no user for holds
    no role at all."""
    apic, admin = fabric["lab"].apic, fabric["admin"]
    apic.post("uni", {"fvTenant": {"attributes": {"name": "bysystem"}}}, Caller(user="integration", system=True))
    apic.system_post("uni/tn-bysystem", {"fvTenant": {"attributes": {"descr": "by the controller"}}})
    assert admin.imdata("/api/mo/uni/tn-bysystem.json")[0]["fvTenant"]["attributes"]["descr"] == "by the controller"
    with pytest.raises(errors.ApicError) as refused_write:
        apic.post("uni", {"fvTenant": {"attributes": {"name": "bynobody"}}}, Caller(user="nobody"))
    assert refused_write.value.http_status == 403
    assert apic.get("class", "", "fvTenant", [], Caller(user="nobody")).imdata == []


def test_a_custom_role_grants_exactly_its_privileges(fabric):
    """A role the admin defines (aaaRole priv tenant-epg) writes EPGs (fvAEPg writeAccess names tenant-epg) in the
    caller's domain, not application profiles (fvAp: tenant-network-profile); readPriv on tenant-admin reads."""
    admin, url = fabric["admin"], fabric["url"]
    admin.post_ok("uni/userext", {"aaaRole": {"attributes": {"name": "epg-writer", "priv": "tenant-epg"}}})
    admin.post_ok("uni/userext", {"aaaUser": {"attributes": {"name": "epgs", "pwd": PASSWORD}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "D"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "epg-writer", "privType": "writePriv"}}},
            {"aaaUserRole": {"attributes": {"name": "tenant-admin", "privType": "readPriv"}}}]}}]}})
    admin.post_ok("uni/tn-mine/ap-shop", {"fvAp": {"attributes": {"name": "shop"}}})
    epgs = ApicRest(url, PASSWORD, "epgs")
    epgs.post_ok("uni/tn-mine/ap-shop/epg-web", {"fvAEPg": {"attributes": {"name": "web"}}})
    assert dns(admin, "/api/mo/uni/tn-mine/ap-shop/epg-web.json") == ["uni/tn-mine/ap-shop/epg-web"]
    refused(epgs.post("uni/tn-mine/ap-other", {"fvAp": {"attributes": {"name": "other"}}}), "epgs", "fvAp",
            "uni/tn-mine/ap-other")
    refused(epgs.post("uni/tn-mine/BD-bd9", {"fvBD": {"attributes": {"name": "bd9"}}}), "epgs", "fvBD",
            "uni/tn-mine/BD-bd9")
    assert "uni/tn-mine/ap-shop" in dns(epgs, "/api/class/fvAp.json")
    # the admin takes the role's privilege away: the next request already has it no more
    admin.post_ok("uni/userext/role-epg-writer", {"aaaRole": {"attributes": {"priv": "ops"}}})
    refused(epgs.post("uni/tn-mine/ap-shop/epg-db", {"fvAEPg": {"attributes": {"name": "db"}}}), "epgs", "fvAEPg",
            "uni/tn-mine/ap-shop/epg-db")
