"""The faults the APIC raises for a Red Hat VMM controller (on its compCtrlr) and for the EPGs whose
networks it could not change (on the fvAEPg), with their texts as a real APIC words them
(vmm-endpoints-contracts.md A3); what is inferred is said where it is defined."""

from __future__ import annotations

from .faults import FaultSpec

F0130 = FaultSpec(  # vmm-endpoints-contracts.md A3, the PUV sample of a real F0130
    code="F0130", cause="connect-failed", rule="comp-ctrlr-connect-failed", severity="major",
    type="communications", subject="controller", domain="external",
    text="Connection to VMM controller: {host} with name {ctrlr} in datacenter {dc} in domain: {dom} is failing "
         "repeatedly with error: [{error}]. Please verify network connectivity of VMM controller {host} and check "
         "VMM controller user credentials are valid.",
)
# the add-controller FSM and its connect stage (research A3, TSBOOK); rule, severity and subject inferred
F606262 = FaultSpec(
    code="F606262", cause="fsm-failed", rule="fsm-comp-ctrlr-add-fsm-fail", severity="major", type="config",
    subject="fsm-comp-ctrlr-add", domain="infra",
    text="[FSM:FAILED]: VMM Add-Controller FSM: {inv} Failed to find datacenter {dc} in RHV-M "
         "{host}(FSM:ifc:vmmmgr:CompCtrlrAdd)",
)
F16438 = FaultSpec(
    code="F16438", cause="fsm-failed", rule="fsm-comp-ctrlr-add-connect-fsm-stage-fail", severity="warning",
    type="config", subject="fsm-comp-ctrlr-add-connect", domain="infra",
    text="[FSM:STAGE:FAILED]: Establish connection Stage: {inv}(FSM-STAGE:ifc:vmmmgr:CompCtrlrAdd:Connect)",
)
F0132 = FaultSpec(  # research A3, the PUV sample; the error's wording for RHV is the simulator's
    code="F0132", cause="operational-issues", rule="comp-ctrlr-operational-issues", severity="major",
    type="operational", subject="controller", domain="external",
    text="Operational issues detected for VMM controller: {host} with name {ctrlr} in datacenter {dc} in domain: "
         "{dom} due to error: Partial inventory: the {parts} of the data center could not be read",
)
# a change the APIC could not make in the engine (research A3's follow-on task failure), raised on the EPG
F606351 = FaultSpec(
    code="F606351", cause="fsm-failed", rule="fsm-comp-pol-cont-update-ctrlr-pol-fsm-fail", severity="major",
    type="config", subject="task-ifc-vmmmgr-comp-pol-cont-update-ctrlr-pol", domain="infra",
    text="[FSM:FAILED]: Task for updating comp:PolCont(TASK:ifc:vmmmgr:CompPolContUpdateCtrlrPol): "
         "controller {ctrlr}: {error}",
)
CONTROLLER_FAULTS = (F0130, F606262, F16438, F0132)
