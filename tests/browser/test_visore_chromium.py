"""The object browser at /visore.html in a real headless Chromium against a lab served on 127.0.0.1: a user logs
in, opens a tenant, follows a relation to its target, runs a filtered class query, reads an object's faults,
the RHV inventory as the APIC imported it and the lab's status, and watches an endpoint move after an RHV live
migration (driven with ovirtsdk4, the lab clock moved through /_sim) over the subscription websocket, without
the page reloading. Every wait is on a page condition (WebDriverWait), never a fixed time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import browser_driver
import pytest
from browser_driver import WAIT_SECONDS, artifacts_dir, screenshot_taker, start_chromium
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from visore_lab import EVENT_POLL, PASSWORD, TENANT, WEB, shop_lab

from simulator.training.session import open_lab

HOST1 = "comp/prov-Redhat/ctrlr-[rhv]-engine/hv-"  # the inventory's hosts (ids are the engine's)
TWO_POD = Path(__file__).resolve().parents[2] / "scenarios" / "rhv-two-pod.yaml"
MISSING_CONTRACT = Path(__file__).resolve().parents[2] / "scenarios" / "labs" / "missing-contract.yaml"


@pytest.fixture(scope="module")
def shop():
    with shop_lab() as lab:
        lab.mac = lab.plug("vm1")
        lab.advance(EVENT_POLL)  # the APIC polls the engine's events: the NIC's endpoint appears
        yield lab


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return artifacts_dir(tmp_path_factory)


@pytest.fixture
def browser(tmp_path, shots, request):
    driver = start_chromium(tmp_path / "profile")
    driver.take = screenshot_taker(driver, shots, request.node)
    yield driver
    driver.quit()


def wait(driver, condition, message: str):
    def holds(d):
        try:
            return condition(d)
        except StaleElementReferenceException:  # the view was drawn again meanwhile: look again
            return False
    return WebDriverWait(driver, WAIT_SECONDS).until(holds, message)


def css(driver, selector: str):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def log_in(driver, url: str, user: str = "admin", password: str = PASSWORD) -> None:
    driver.get(f"{url}/visore.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1", "the page's script")
    driver.find_element(By.ID, "login-user").send_keys(user)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()


def shown(driver) -> None:
    wait(driver, lambda d: d.find_element(By.ID, "results").get_attribute("data-state") in ("shown", "error"),
         "the query's answer")


def query(driver, target: str, **fields: str) -> None:
    """Type a class or DN (and filter fields) into the query form and run it."""
    for name in ("q", "prop", "val1", "val2", "filter"):
        box = driver.find_element(By.ID, name)
        box.clear()
        if name == "q":
            box.send_keys(target)
        elif name in fields:
            box.send_keys(fields[name])
    if "op" in fields:
        Select(driver.find_element(By.ID, "op")).select_by_value(fields["op"])
    driver.find_element(By.ID, "run").click()


def table_of(driver, dn: str):
    found = [t for t in css(driver, "#results table.mo") if t.get_attribute("data-dn") == dn]
    return found[0] if found else None


def cell(driver, dn: str, prop: str) -> str | None:
    table = table_of(driver, dn)
    if table is None:
        return None
    cells = [c for c in table.find_elements(By.CSS_SELECTOR, "td") if c.get_attribute("data-prop") == prop]
    return cells[0].text if cells else None


def live(driver) -> bool:
    return (driver.find_element(By.ID, "live-state").get_attribute("data-state") == "open"
            and bool(driver.find_element(By.ID, "results").get_attribute("data-subscription-id")))


def test_logging_in_shows_the_fabric_nodes_and_a_wrong_password_is_refused(shop, browser):
    log_in(browser, shop.url, password="wrong")
    wait(browser, lambda d: "Username or password is incorrect" in d.find_element(By.ID, "login-error").text,
         "the APIC's refusal of a wrong password")
    browser.find_element(By.ID, "login-password").clear()
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    shown(browser)
    wait(browser, lambda d: d.find_element(By.ID, "q").get_attribute("value") == "fabricNode", "Visore's first query")
    nodes = [t.get_attribute("data-dn") for t in css(browser, "#results table.mo")]
    assert "topology/pod-1/node-101" in nodes, nodes
    assert browser.find_element(By.ID, "who").text == "admin"
    browser.take("fabric-nodes")


def test_a_tenant_its_children_and_a_relation_followed_to_its_target(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    query(browser, TENANT)
    wait(browser, lambda d: cell(d, TENANT, "name") == "shop", "the tenant's attributes")
    wait(browser, lambda d: css(d, "#children a.dn"), "the tenant's children")
    children = {a.text: a for a in css(browser, "#children a.dn")}
    assert {f"{TENANT}/BD-bd", f"{TENANT}/ctx-vrf", f"{TENANT}/ap-app"} <= set(children), sorted(children)
    browser.execute_script("document.getElementById('children').scrollIntoView();")
    browser.take("tenant")
    children[f"{TENANT}/BD-bd"].click()
    wait(browser, lambda d: cell(d, f"{TENANT}/BD-bd", "name") == "bd", "the bridge domain")
    wait(browser, lambda d: css(d, "#relations a.relation-target"), "the BD's relations")
    targets = {a.text: a for a in css(browser, "#relations a.relation-target")}
    assert f"{TENANT}/ctx-vrf" in targets, sorted(targets)
    browser.execute_script("document.getElementById('relations').scrollIntoView();")
    browser.take("bridge-domain-relations")
    targets[f"{TENANT}/ctx-vrf"].click()
    wait(browser, lambda d: cell(d, f"{TENANT}/ctx-vrf", "name") == "vrf", "the relation's target, the VRF")
    assert table_of(browser, f"{TENANT}/ctx-vrf").get_attribute("data-cls") == "fvCtx"
    assert browser.current_url.endswith("#q=uni%2Ftn-shop%2Fctx-vrf")
    browser.back()  # the hash is the view: back is the BD again, without a reload
    wait(browser, lambda d: cell(d, f"{TENANT}/BD-bd", "name") == "bd", "the BD again after Back")
    table_of(browser, f"{TENANT}/BD-bd").find_element(By.CSS_SELECTOR, "caption a.act-parent").click()
    wait(browser, lambda d: cell(d, TENANT, "name") == "shop", "the BD's parent, the tenant")


def test_a_filtered_class_query(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    query(browser, "fvCEp", prop="contName", op="eq", val1="vm1")
    cep = f"{WEB}/cep-{shop.mac}"
    wait(browser, lambda d: cell(d, cep, "contName") == "vm1", "the endpoint of vm1")
    assert [t.get_attribute("data-dn") for t in css(browser, "#results table.mo")] == [cep]
    assert browser.find_element(By.ID, "count").text == "1 object"
    url = browser.find_element(By.ID, "query-url").text
    assert "query-target-filter=eq%28fvCEp.contName%2C%22vm1%22%29" in url, url
    browser.take("filtered-class-query")
    query(browser, "fvCEp", filter='eq(fvCEp.contName,"nobody")')
    wait(browser, lambda d: d.find_element(By.ID, "count").text == "0 objects", "no endpoint of nobody")
    query(browser, "fvCEp", filter="eq(fvCEp.contName")
    wait(browser, lambda d: "The APIC refused the query HTTP 400" in d.find_element(By.ID, "query-error").text,
         "the APIC's refusal of a broken filter")
    query(browser, TENANT, prop="name", val1="shop")
    wait(browser, lambda d: "a Property filter needs a class" in d.find_element(By.ID, "query-error").text,
         "a property filter on a DN needs the filter written whole")
    query(browser, "fvTenant", prop="name", op="wcard", val1="sho")
    wait(browser, lambda d: [t.get_attribute("data-dn") for t in css(d, "#results table.mo")] == [TENANT],
         "the tenants whose name holds 'sho'")
    assert browser.find_element(By.ID, "filter").get_attribute("value") == ""


def test_rsp_subtree_nests_children_and_faults_are_included(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    Select(browser.find_element(By.ID, "rsp")).select_by_value("children")
    query(browser, f"{TENANT}/ap-app")
    wait(browser, lambda d: table_of(d, WEB) is not None, "the EPG nested under its application profile")
    assert browser.find_element(By.CSS_SELECTOR, f'div.mo-box[data-dn="{TENANT}/ap-app"] div.nested table.mo'
                                ).get_attribute("data-dn") == WEB
    assert "rsp-subtree=children" in browser.find_element(By.ID, "query-url").text
    Select(browser.find_element(By.ID, "rsp")).select_by_value("no")
    browser.find_element(By.ID, "faults").click()
    query(browser, "compHv", prop="name", val1="host1")
    wait(browser, lambda d: [t.get_attribute("data-cls") for t in css(d, "#results div.nested table.mo")] == ["faultInst"],
         "the host's faultInst nested by rsp-subtree-include=faults")
    assert "rsp-subtree-include=faults" in browser.find_element(By.ID, "query-url").text
    browser.take("class-query-with-faults")


def test_objects_created_and_deleted_while_shown(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    query(browser, "fvTenant", prop="name", op="wcard", val1="live")
    wait(browser, lambda d: d.find_element(By.ID, "count").text == "0 objects" and live(d), "no tenant live-*, subscribed")
    shop.post("uni/tn-live-1", {"fvTenant": {"attributes": {"name": "live-1"}}})
    wait(browser, lambda d: cell(d, "uni/tn-live-1", "name") == "live-1", "the new tenant pushed over the websocket")
    assert table_of(browser, "uni/tn-live-1").get_attribute("data-status") == "created"
    r = shop.session.delete(f"{shop.url}/api/mo/uni/tn-live-1.json", timeout=30)
    assert r.status_code == 200, r.text
    wait(browser, lambda d: table_of(d, "uni/tn-live-1").get_attribute("data-status") == "deleted",
         "the deleted tenant struck through")
    browser.take("tenant-created-and-deleted")


def test_a_refreshed_subscription_outlives_its_lifetime(shop, browser):
    """Subscriptions lapse 60 s (lab time) after their last subscriptionRefresh; the page refreshes them (every
    30 s of its own time, here on demand while the test moves the lab's clock)."""
    log_in(browser, shop.url)
    shown(browser)
    query(browser, "fvTenant", prop="name", op="wcard", val1="kept")
    wait(browser, lambda d: d.find_element(By.ID, "count").text == "0 objects" and live(d), "subscribed")
    for _ in range(2):  # 90 s in all: past the lifetime, refreshed half way
        shop.advance(45)
        assert browser.execute_script("return window.visore.refreshSubscriptions();") == 1
    assert browser.execute_script("return window.visore.refreshSession();") is True
    shop.post("uni/tn-kept-1", {"fvTenant": {"attributes": {"name": "kept-1"}}})
    wait(browser, lambda d: cell(d, "uni/tn-kept-1", "name") == "kept-1", "the new tenant, 90 s after subscribing")


def test_an_objects_faults(shop, browser):
    (host,) = [mo["compHv"]["attributes"] for mo in shop.imdata("/api/class/compHv.json",
                                                                 **{"query-target-filter": 'eq(compHv.name,"host1")'})]
    log_in(browser, shop.url)
    shown(browser)
    query(browser, host["dn"])
    wait(browser, lambda d: [r.get_attribute("data-code") for r in css(d, "#faults-table tbody tr")] == ["F606391"],
         "the host's fault F606391")
    browser.execute_script("document.getElementById('faults-table').scrollIntoView();")
    browser.take("host-faults")


def test_what_the_apic_answers_is_shown_as_text_never_as_markup(shop, browser):
    """The APIC refuses markup in property values (descr: error 801), but echoes what a client sent in its
    errors and the page echoes its own URL: both must stay text."""
    markup = "uni/tn-<b id=injected>bold</b>"
    log_in(browser, shop.url)
    shown(browser)
    query(browser, markup)
    wait(browser, lambda d: d.find_element(By.ID, "results").get_attribute("data-state") in ("shown", "error")
         and (d.find_element(By.ID, "query-error").text or d.find_element(By.ID, "count").text), "the answer")
    shown_text = browser.find_element(By.ID, "query-error").text + browser.find_element(By.ID, "query-url").text
    assert "<b id=injected>" in shown_text or "%3Cb%20id%3Dinjected%3E" in shown_text, shown_text
    assert not css(browser, "#injected")
    assert browser.find_element(By.ID, "q").get_attribute("value") == markup


def test_the_rhv_inventory_as_the_apic_imported_it(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    browser.find_element(By.ID, "nav-rhv").click()
    wait(browser, lambda d: d.find_element(By.ID, "rhv-body").get_attribute("data-state") == "shown", "the inventory")
    runs = {row.get_attribute("data-name"): row.find_element(By.CSS_SELECTOR, "td.runs-on").text
            for row in css(browser, "table.vms tbody tr")}
    where = shop.endpoint(shop.mac)["hostingServer"]  # host1, unless the migration test ran first
    assert runs["vm1"].endswith(f" {where}") and runs["vm1"].startswith(HOST1), runs
    assert runs["vm2"] == "(no host)", runs
    assert {row.get_attribute("data-name") for row in css(browser, "table.hosts tbody tr")} == {"host1", "host2"}
    assert [li.text.split()[-1] for li in css(browser, "ul.datacenters li")] == ["Default"]
    browser.take("rhv-inventory")


def test_the_lab_status_for_an_admin(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    browser.find_element(By.ID, "nav-lab").click()
    wait(browser, lambda d: d.find_element(By.ID, "lab-body").get_attribute("data-state") == "shown", "the lab status")
    rows = {r.get_attribute("data-key"): r.find_element(By.TAG_NAME, "td").text for r in css(browser, "#lab-info tr")}
    assert rows["apic.version"] == shop.lab.apic.config.version and rows["rhv.vms"] == "2", rows
    now = datetime.fromtimestamp(shop.lab.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert browser.find_element(By.ID, "lab-clock").text.startswith(now), now  # the manual clock stands still
    assert browser.find_element(By.ID, "lab-scenario-none").text == "no lab scenario"  # GET /_sim/training: 404
    logged = shop.lab.log.since()
    assert [h.text for h in css(browser, "#lab-body h3")] == ["Lab", "Clock", "Fault rules (0)",
                                                              f"Event log ({len(logged)})", "Training lab"]
    newest = css(browser, "#lab-events tbody tr")[0].find_elements(By.TAG_NAME, "td")
    assert [td.text for td in newest[1:4]] == [logged[-1]["action"], str(logged[-1]["status"]), logged[-1]["user"]]
    assert any(e["action"] == "POST /_sim/clock/advance" for e in logged)  # the fixture moved the clock
    browser.take("lab-status")


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_training_lab_its_story_and_goals_checked_again_after_the_solution(tmp_path, shots, request):
    """scenarios/labs/missing-contract.yaml served as `acisim lab start` serves it (HTTPS): the Lab view shows
    its title, story and every goal with what is still wrong; once the instructor's solution is applied,
    checking again shows every goal passed."""
    lab = open_lab(MISSING_CONTRACT, tls_dir=tmp_path / "tls")
    driver = start_chromium(tmp_path / "profile", accept_insecure_certs=True)
    try:
        take = screenshot_taker(driver, shots, request.node)
        log_in(driver, lab.apic_server.url, lab.options.admin_user, lab.options.admin_password)
        shown(driver)
        driver.find_element(By.ID, "nav-lab").click()
        wait(driver, lambda d: d.find_element(By.ID, "lab-body").get_attribute("data-state") == "shown", "the lab")
        rows = {r.get_attribute("data-key"): r.find_element(By.TAG_NAME, "td").text for r in css(driver, "#lab-scenario tr")}
        assert rows["name"] == "missing-contract" and rows["title"] == lab.training.spec.title, rows
        assert driver.find_element(By.ID, "lab-story").text.startswith("The tenant shop runs a three-tier application")
        goals = {r.get_attribute("data-goal"): r for r in css(driver, "#lab-goals tbody tr")}
        assert sorted(goals) == ["frontend-to-web", "only-8080"]
        assert {g.get_attribute("data-passed") for g in goals.values()} == {"false"}
        assert "is deny by the VRF's default rule, not permit" in goals["frontend-to-web"].text
        driver.execute_script("document.getElementById('lab-story').scrollIntoView();")
        take("training-lab-goals")
        assert lab.training.apply_solution() > 0  # the instructor's REST steps, as `acisim lab solution` shows them
        driver.find_element(By.ID, "lab-check").click()
        wait(driver, lambda d: d.find_element(By.ID, "lab-passed").text == "2 of 2 goals passed", "every goal passed")
        assert {r.get_attribute("data-passed") for r in css(driver, "#lab-goals tbody tr")} == {"true"}
        driver.execute_script("document.getElementById('lab-story').scrollIntoView();")
        take("training-lab-solved")
    finally:
        driver.quit()
        lab.stop()


def test_a_user_who_is_not_an_admin_reads_the_tree_but_not_the_lab_status(shop, browser):
    viewer = {"aaaUser": {"attributes": {"name": "viewer", "pwd": "viewer123"}, "children": [
        {"aaaUserDomain": {"attributes": {"name": "all"}, "children": [
            {"aaaUserRole": {"attributes": {"name": "read-all", "privType": "readPriv"}}}]}}]}}
    shop.post("uni/userext", viewer)
    log_in(browser, shop.url, "viewer", "viewer123")
    shown(browser)
    query(browser, "fvTenant", prop="name", val1="shop")
    wait(browser, lambda d: cell(d, TENANT, "name") == "shop", "the tenant, read by a read-only user")
    browser.find_element(By.ID, "nav-lab").click()
    wait(browser, lambda d: d.find_element(By.ID, "lab-body").get_attribute("data-state") == "refused",
         "the control API's refusal")
    text = browser.find_element(By.ID, "lab-error").text
    assert text.startswith("The control API answered 403") and "'viewer' is not an admin" in text, text
    assert not css(browser, "#lab-info")
    browser.take("lab-status-refused")


def test_a_session_the_clock_ends_asks_for_a_login_again(shop, browser):
    log_in(browser, shop.url)
    shown(browser)
    wait(browser, lambda d: d.find_element(By.ID, "live-state").get_attribute("data-state") == "open", "the socket")
    shop.advance(shop.lab.options.refresh_timeout + 1)  # the APIC ends an idle session; its socket closes
    try:
        wait(browser, lambda d: d.find_element(By.ID, "login").is_displayed()
             and "Token was invalid (Error: Token timeout)" in d.find_element(By.ID, "login-error").text,
             "the login form after the session ended")
        assert not browser.find_element(By.ID, "nav").is_displayed()
        browser.take("session-ended")
    finally:
        shop.login()


def test_an_endpoint_moves_live_after_a_migration(shop, browser):
    cep = f"{WEB}/cep-{shop.mac}"
    assert shop.endpoint(shop.mac)["hostingServer"] == "host1"
    log_in(browser, shop.url)
    shown(browser)
    query(browser, "fvCEp", prop="contName", op="eq", val1="vm1")
    wait(browser, lambda d: cell(d, cep, "hostingServer") == "host1" and live(d), "vm1's endpoint, subscribed")
    browser.execute_script("window.visoreNotReloaded = true;")
    shop.migrate("vm1", "host2")
    shop.advance(EVENT_POLL)  # the APIC hears the migration's events and moves the endpoint
    assert shop.endpoint(shop.mac)["hostingServer"] == "host2"
    wait(browser, lambda d: cell(d, cep, "hostingServer") == "host2", "the endpoint's move pushed over the websocket")
    changed = [c for c in table_of(browser, cep).find_elements(By.CSS_SELECTOR, "td.changed")
               if c.get_attribute("data-prop") == "hostingServer"]
    assert changed, "the moved endpoint's hostingServer is marked as changed"
    assert browser.execute_script("return window.visoreNotReloaded === true;"), "the page was reloaded"
    assert any(cep in li.text for li in css(browser, "#event-log li.ev-modified"))
    browser.take("endpoint-moved")
    browser.find_element(By.ID, "nav-rhv").click()
    wait(browser, lambda d: any(r.get_attribute("data-name") == "vm1" and r.find_element(By.CSS_SELECTOR, "td.runs-on").text.endswith(" host2")
                                for r in css(d, "table.vms tbody tr")), "vm1 on host2 in the inventory")
    browser.take("rhv-inventory-after-migration")


def test_an_endpoint_moves_across_pods_in_the_two_pod_lab(tmp_path, shots, request):
    """scenarios/rhv-two-pod.yaml (features/migration.feature's lab): web-s1 migrates in the stretched cluster
    from rhv-s1 (pod 1, leaf 101) to rhv-s3 (pod 2, leaf 1101); the page shows its endpoint follow."""
    with shop_lab(scenario=TWO_POD, data_center="MultiPod") as lab:
        mac = lab.plug("web-s1")
        lab.advance(EVENT_POLL)
        cep = f"{WEB}/cep-{mac}"
        driver = start_chromium(tmp_path / "profile")
        try:
            log_in(driver, lab.url)
            shown(driver)
            query(driver, "fvCEp", prop="contName", val1="web-s1")
            wait(driver, lambda d: cell(d, cep, "fabricPathDn") == "topology/pod-1/paths-101/pathep-[eth1/11]"
                 and live(d), "web-s1's endpoint on leaf 101 in pod 1, subscribed")
            driver.execute_script("window.visoreNotReloaded = true;")
            lab.migrate("web-s1", "rhv-s3")
            lab.advance(EVENT_POLL)
            wait(driver, lambda d: cell(d, cep, "fabricPathDn") == "topology/pod-2/paths-1101/pathep-[eth1/11]"
                 and cell(d, cep, "hostingServer") == "rhv-s3", "the endpoint on leaf 1101 in pod 2")
            assert driver.execute_script("return window.visoreNotReloaded === true;"), "the page was reloaded"
            screenshot_taker(driver, shots, request.node)("endpoint-moved-across-pods")
        finally:
            driver.quit()


def test_a_missing_chromium_fails_naming_the_debian_packages(monkeypatch):
    monkeypatch.setattr(browser_driver.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser_driver.os, "access", lambda path, mode: False)
    with pytest.raises(pytest.fail.Exception) as failed:
        browser_driver.executables()
    assert "apt-get install -y chromium chromium-driver" in str(failed.value)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_over_https_with_the_self_signed_certificate(tmp_path, shots, request):
    with shop_lab(tls=True, tls_dir=tmp_path / "tls") as lab:
        assert lab.url.startswith("https://")
        driver = start_chromium(tmp_path / "profile", accept_insecure_certs=True)
        try:
            log_in(driver, lab.url)
            shown(driver)
            query(driver, TENANT)
            wait(driver, lambda d: cell(d, TENANT, "name") == "shop" and live(d), "the tenant, live over wss")
            screenshot_taker(driver, shots, request.node)("https-tenant")
        finally:
            driver.quit()
