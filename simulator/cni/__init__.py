"""An emulator of the aci-containers controller: an HTTP client of the APIC and of Kubernetes only.

It imports nothing of the simulator, so it runs the same against a real APIC and a real cluster
(../shared/research/cni-nodeprep.md §A).
"""
