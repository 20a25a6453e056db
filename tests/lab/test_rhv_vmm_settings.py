"""The Red Hat VMM integration's settings come from a scenario file's `redhat_vmm:` mapping; a wrong one
is refused with the file's name and what is wrong, before anything starts."""

from __future__ import annotations

import pytest

from simulator.lab import Lab, LabOptions


def _options(tmp_path, text: str) -> LabOptions:
    path = tmp_path / "lab.yaml"
    path.write_text(text, encoding="utf-8")
    options = LabOptions()
    options.apply_scenario(path)
    return options


def test_a_scenario_sets_the_periods_the_naming_and_the_vlan_order(tmp_path):
    options = _options(tmp_path, "redhat_vmm: {resync_seconds: 30, event_poll_seconds: 5, "
                                 "network_name: '{epg}{delimiter}{ap}', vlan_order: highest}\n")
    lab = Lab(options)
    assert (lab.redhat_vmm.settings.resync_seconds, lab.redhat_vmm.settings.event_poll_seconds) == (30, 5)
    assert (lab.redhat_vmm.settings.network_name, lab.redhat_vmm.settings.vlan_order) == ("{epg}{delimiter}{ap}",
                                                                                          "highest")


@pytest.mark.parametrize("text, message", [
    ("redhat_vmm: {resync: 3}", "unknown redhat_vmm settings: resync"),
    ("redhat_vmm: {resync_seconds: soon}", "redhat_vmm.resync_seconds must be a float, not 'soon'"),
    ("redhat_vmm: {event_poll_seconds: 0}", "event_poll_seconds must be a positive number of seconds, not 0"),
    ("redhat_vmm: {resync_seconds: .nan}", "resync_seconds must be a positive number of seconds, not nan"),
    ("redhat_vmm: {vlan_order: random}", "vlan_order is lowest or highest, not 'random'"),
    ("redhat_vmm: {network_name: '{vrf}'}", "network_name '{vrf}' may use only"),
    ("redhat_vmm: [1]", "redhat_vmm is a mapping of settings"),
])
def test_a_wrong_setting_names_the_file_and_the_setting(tmp_path, text, message):
    with pytest.raises(ValueError) as error:
        _options(tmp_path, text + "\n")
    assert str(error.value).startswith(f"{tmp_path / 'lab.yaml'}: ") and message in str(error.value)
