"""Node preparation for Kubernetes on ACI: render a node's network config from the acc-provision
input, check a prepared node, and prove both in a network-namespace lab."""

from .config import ClusterNetwork, NodePrepError
from .render import NodePlan, NodeSpec, render_node

__all__ = ["ClusterNetwork", "NodePlan", "NodePrepError", "NodeSpec", "render_node"]
