"""What the API server tells clients about itself before they touch an object: /version and the
legacy discovery documents (/api, /apis, each group and group/version's resource list) that kubectl
reads to map a kind or a short name (`deploy`, `ds`) to a resource and to know its verbs."""

from __future__ import annotations

from .kinds import KindRegistry


def version_info(server_version: str) -> dict:
    """The /version document of a server of `server_version` (e.g. v1.32.4)."""
    major, minor = server_version.lstrip("v").split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": server_version, "gitCommit": "acisim",
            "gitTreeState": "clean", "buildDate": "2025-04-22T16:00:00Z", "goVersion": "go1.23.8",
            "compiler": "gc", "platform": "linux/amd64"}


def documents(kinds: KindRegistry) -> dict[str, dict]:
    """The legacy discovery documents by path: /api, /apis, /api/v1 and each /apis/<group>/<version>."""
    docs: dict[str, dict] = {"/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}}
    groups = []
    for group, versions in kinds.group_versions().items():
        for version in versions:
            path = f"/api/{version}" if not group else f"/apis/{group}/{version}"
            gv = version if not group else f"{group}/{version}"
            docs[path] = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                          "resources": resources(kinds, group, version)}
        if group:
            listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            groups.append({"name": group, "versions": listed, "preferredVersion": listed[0]})
            docs[f"/apis/{group}"] = {"kind": "APIGroup", "apiVersion": "v1", **groups[-1]}
    docs["/apis"] = {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    return docs


def resources(kinds: KindRegistry, group: str, version: str) -> list[dict]:
    """A group version's APIResourceList entries, subresources (status, scale) after their resource."""
    out = []
    for kind in sorted((k for k in kinds.all() if (k.group, k.version) == (group, version)), key=lambda k: k.plural):
        entry = {"name": kind.plural, "singularName": kind.singular, "namespaced": kind.namespaced,
                 "kind": kind.kind, "verbs": list(kind.verbs)}
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        if kind.categories:
            entry["categories"] = list(kind.categories)
        out.append(entry)
        for sub in kind.subresources:
            entry = {"name": f"{kind.plural}/{sub}", "singularName": "", "namespaced": kind.namespaced,
                     "kind": kind.kind, "verbs": ["get", "patch", "update"]}
            if sub == "scale":
                entry.update(group="autoscaling", version="v1", kind="Scale")
            out.append(entry)
    return out
