"""The zoning-rule vocabulary of a leaf: priorities (`actrl:RulePrio`), actions and their order.

Confirmed (VEC D3, from contract_parser's and aci-contractchecker's tables): the 23 priority names and
numbers, lower wins; within one priority `deny,log` beats `deny` beats redirect and permit (VEC D3, the
Contract Guide's tie-break rules). VEC D4 gives the actions seen on real leaves: permit, deny, deny,log,
permit_override, and redirect/copy strings containing `redir`/`copy`.
"""

from __future__ import annotations

PRIORITIES: dict[str, int] = {
    "class-eq-filter": 1, "class-eq-deny": 2, "class-eq-allow": 3, "prov-nonshared-to-cons": 4,
    "black_list": 5, "fabric_infra": 6, "fully_qual": 7, "system_incomplete": 8, "src_dst_any": 9,
    "shsrc_any_filt_perm": 10, "shsrc_any_any_perm": 11, "shsrc_any_any_deny": 12, "src_any_filter": 13,
    "any_dest_filter": 14, "src_any_any": 15, "any_dest_any": 16, "any_any_filter": 17,
    "grp_src_any_any_deny": 18, "grp_any_dest_any_deny": 19, "grp_any_any_any_permit": 20,
    "any_any_any": 21, "any_vrf_any_deny": 22, "default_action": 23,
}
NAMES: dict[int, str] = {number: name for name, number in PRIORITIES.items()}


def action_rank(action: str) -> int:
    """Order within one priority (VEC D3): deny,log first, then deny, then redirect, then permit."""
    words = set(action.split(","))
    if "deny" in words:
        return 0 if "log" in words else 1
    if any("redir" in w for w in words):
        return 2
    return 3


def permits(action: str) -> bool:
    """Whether a rule's action lets the packet through (redirect and copy forward it too)."""
    return "deny" not in action.split(",")
