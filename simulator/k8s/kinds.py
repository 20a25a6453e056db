"""The kinds the lab's Kubernetes API serves, as data: what discovery lists, how paths resolve, which
kinds are namespaced, which carry a generation or a status subresource.

Built-in kinds are fixed (the ones the aci-containers manifest, kubectl and the CNI controller touch);
an applied CustomResourceDefinition adds its own kinds at run time (`kinds_of_crd`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    generation: bool = False  # metadata.generation counts spec changes (workloads, CRDs, custom resources)
    custom: bool = False  # served from a CRD: no strategic merge patch, as on a real API server
    names: str = "subdomain"  # the name rule: label (RFC 1123), dns1035 (services), subdomain, segment (RBAC)

    @property
    def key(self) -> str:
        """The store's key for the kind: `deployments.apps`, `namespaces` (the API server's resource name)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version


def _core(kind: str, plural: str, namespaced: bool, short: tuple[str, ...] = (), **kw) -> Kind:
    return Kind("", "v1", kind, plural, kind.lower(), namespaced, short, **kw)


BUILTIN: tuple[Kind, ...] = (
    _core("Namespace", "namespaces", False, ("ns",), verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
          subresources=("status",), names="label"),
    _core("Node", "nodes", False, ("no",), subresources=("status",)),
    _core("Pod", "pods", True, ("po",), subresources=("status",), categories=("all",)),
    _core("Service", "services", True, ("svc",), subresources=("status",), categories=("all",), names="dns1035"),
    _core("Endpoints", "endpoints", True, ("ep",)),
    _core("ConfigMap", "configmaps", True, ("cm",)),
    _core("Secret", "secrets", True),
    _core("ServiceAccount", "serviceaccounts", True, ("sa",)),
    _core("Event", "events", True, ("ev",)),
    _core("LimitRange", "limitranges", True, ("limits",)),
    Kind("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",), subresources=("status",),
         categories=("all",), generation=True),
    Kind("apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",), subresources=("status", "scale"),
         categories=("all",), generation=True),
    Kind("apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",), subresources=("status", "scale"),
         categories=("all",), generation=True),
    Kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", False, names="segment"),
    Kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", False, names="segment"),
    Kind("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", True, names="segment"),
    Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", True, names="segment"),
    Kind("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", False, ("pc",)),
    Kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
         "customresourcedefinition", False, ("crd", "crds"), subresources=("status",), generation=True),
    Kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True),
)

# The group versions in the order the real API server lists them in /apis (legacy discovery).
GROUP_ORDER = ("apps", "rbac.authorization.k8s.io", "scheduling.k8s.io", "apiextensions.k8s.io", "discovery.k8s.io")


@dataclass
class KindRegistry:
    """The served kinds by (group, version, plural) and by key; CRDs add and remove theirs."""

    _by_path: dict[tuple[str, str, str], Kind] = field(default_factory=dict)
    _by_key: dict[str, Kind] = field(default_factory=dict)
    _crd_kinds: dict[str, tuple[Kind, ...]] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> KindRegistry:
        registry = cls()
        for kind in BUILTIN:
            registry._add(kind)
        return registry

    def _add(self, kind: Kind) -> None:
        self._by_path[(kind.group, kind.version, kind.plural)] = kind
        self._by_key.setdefault(kind.key, kind)

    def resolve(self, group: str, version: str, plural: str) -> Kind | None:
        return self._by_path.get((group, version, plural))

    def by_key(self, key: str) -> Kind | None:
        return self._by_key.get(key)

    def all(self) -> list[Kind]:
        return list(self._by_path.values())

    def group_versions(self) -> dict[str, list[str]]:
        """Group -> its served versions, in the order the real server lists them (built-ins first)."""
        out: dict[str, list[str]] = {}
        for kind in self._by_path.values():
            versions = out.setdefault(kind.group, [])
            if kind.version not in versions:
                versions.append(kind.version)
        order = {g: i for i, g in enumerate(("", *GROUP_ORDER))}
        return dict(sorted(out.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))

    def set_crd(self, crd_name: str, kinds: tuple[Kind, ...]) -> None:
        """Serve (or stop serving, with no kinds) the kinds of one CRD."""
        for old in self._crd_kinds.pop(crd_name, ()):
            self._by_path.pop((old.group, old.version, old.plural), None)
            if self._by_key.get(old.key) == old:
                del self._by_key[old.key]
        if kinds:
            self._crd_kinds[crd_name] = kinds
            for kind in kinds:
                self._add(kind)


def kinds_of_crd(crd: dict) -> tuple[Kind, ...]:
    """The kinds a CustomResourceDefinition serves (one per served version, storage version first)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural = spec.get("group", ""), names.get("plural", "")
    if not group or not plural or not names.get("kind"):
        return ()
    versions = sorted((v for v in spec.get("versions") or [] if v.get("served", True)),
                      key=lambda v: not v.get("storage", False))
    return tuple(
        Kind(group, v["name"], names["kind"], plural, names.get("singular") or names["kind"].lower(),
             spec.get("scope", "Namespaced") == "Namespaced", tuple(names.get("shortNames") or ()),
             subresources=tuple(sorted((v.get("subresources") or {}).keys())),
             categories=tuple(names.get("categories") or ()), generation=True, custom=True)
        for v in versions if v.get("name")
    )
