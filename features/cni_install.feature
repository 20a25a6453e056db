@apic @k8s
Feature: Install the ACI CNI with kubectl and check the result in the APIC
  As a platform engineer who puts a Kubernetes cluster on an ACI fabric
  I want to apply the manifest acc-provision wrote with the real kubectl and see the cluster in the APIC
  So that I know the CNI controller reached the fabric before workloads depend on it

  The cluster is the lab's: an API server with the nodes k8s-node1 (10.1.0.101, cabled to leaf 103
  eth1/1) and k8s-node2 (10.1.0.102, leaf 104 eth1/1), both prepared for the fabric. acc-provision
  6.1.1.7 provisions the APIC for the cluster mykube first (fixtures/acc-provision/mykube-vxlan.yaml,
  VRF and L3Out in tenant common); then `kubectl apply -f aci-containers.yaml` creates the CNI. When
  its controller Deployment runs, the controller signs in to the APIC with the manifest's key and
  fills the VMM domain; when its host agents run on prepared nodes, their OpFlex agents reach the
  leaves, which list an OpFlex device per node. Every Then below is one REST query an engineer can
  paste into a browser or curl. Whatever a scenario adds to the cluster and to the APIC is removed
  when it ends.

  Background:
    Given I am logged in to the APIC as the admin user
    And the fabric team has prepared the AEP, VRF and L3Out of "kube-fabric-prereqs.yaml"
    And the acc-provision configuration "mykube-vxlan.yaml"


  Scenario: Apply the manifest and check the fabric as step 6 of the procedure does
    Given I have provisioned the APIC with acc-provision
    When I apply "aci-containers.yaml" with kubectl
    Then kubectl created every object of the manifest
    And the Pod of the Deployment "aci-containers-controller" in "aci-containers-system" is Running and Ready
    # the tenant of the configuration holds an application profile with the EPGs
    And the query '/api/mo/uni/tn-mykube/ap-aci-containers-mykube.json?query-target=children' lists the fvAEPg named aci-containers-default, aci-containers-istio, aci-containers-nodes, aci-containers-system
    # its networking holds the bridge domains node-bd and pod-bd
    And the query '/api/mo/uni/tn-mykube.json?query-target=children&target-subtree-class=fvBD' lists the fvBD named aci-containers-mykube-node-bd, aci-containers-mykube-pod-bd
    # the VRF's tenant (common) holds the L4-L7 service graph template and the L4-L7 device for the cluster
    And the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vnsAbsGraph' lists the vnsAbsGraph named mykube_svc_global
    And the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vnsLDevVip' lists the vnsLDevVip named mykube_svc_global
    And the query '/api/mo/uni/tn-common/lDevVip-mykube_svc_global.json?query-target=children&target-subtree-class=vnsCDev' lists the vnsCDev named k8s-node1, k8s-node2
    # VM Networking > Inventory > Kubernetes > mykube: the folders Nodes and Namespaces
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedHost' lists the vmmInjectedHost named k8s-node1, k8s-node2
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedNs' lists the vmmInjectedNs named aci-containers-system, default, kube-node-lease, kube-public, kube-system
    # the leaves see each node's OpFlex agent on the port the node is cabled to
    And the query '/api/node/class/opflexODev.json?query-target-filter=eq(opflexODev.domName,"mykube")' lists these opflexODev:
      | hostName  | fabricPathDn                           | state     |
      | k8s-node1 | topology/pod-1/paths-103/pathep-[eth1/1] | connected |
      | k8s-node2 | topology/pod-1/paths-104/pathep-[eth1/1] | connected |


  Scenario: A namespace created with kubectl appears under Namespaces, and goes when it is deleted
    Given I have provisioned the APIC with acc-provision
    And I have applied "aci-containers.yaml" with kubectl
    When I create the namespace "shop" with kubectl
    Then the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedNs' includes the vmmInjectedNs named shop
    When I delete the namespace "shop" with kubectl
    Then the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedNs' leaves out the vmmInjectedNs named shop


  Scenario: A node added to the cluster appears under Nodes
    Given I have provisioned the APIC with acc-provision
    And I have applied "aci-containers.yaml" with kubectl
    When the node "k8s-node3" with the InternalIP 10.1.0.103 registers with the API server
    Then the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont/host-[k8s-node3].json' lists the vmmInjectedHost named k8s-node3
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedHost' lists the vmmInjectedHost named k8s-node1, k8s-node2, k8s-node3


  Scenario: A LoadBalancer service gets its external IP and its deployed graph instance
    Given I have provisioned the APIC with acc-provision
    And I have applied "aci-containers.yaml" with kubectl
    When I run the deployment "web" of 2 replicas in the namespace "shop" and expose it on port 80 as a LoadBalancer service with kubectl
    Then kubectl shows the service "web" in "shop" with an external IP in 10.3.0.0/24
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont/ns-[shop].json?query-target=children&target-subtree-class=vmmInjectedDepl,vmmInjectedSvc' lists the vmmInjectedDepl named web
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont/ns-[shop].json?query-target=children&target-subtree-class=vmmInjectedDepl,vmmInjectedSvc' lists the vmmInjectedSvc named web
    And the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vzBrCP' includes the vzBrCP named mykube_svc_shop_web
    And the query '/api/mo/uni/tn-common/out-mykube_l3out.json?query-target=children&target-subtree-class=l3extInstP' includes the l3extInstP named mykube_svc_shop_web
    And the query '/api/mo/uni/tn-common/svcCont.json?query-target=children&target-subtree-class=vnsSvcRedirectPol' includes the vnsSvcRedirectPol named mykube_svc_shop_web
    # Tenant common > Services > L4-L7 > Deployed Graph Instances
    And the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vnsGraphInst' lists these vnsGraphInst:
      | ctrctDn                                  | graphDn                                   | configSt |
      | uni/tn-common/brc-mykube_svc_shop_web    | uni/tn-common/AbsGraph-mykube_svc_global  | applied  |
    When I delete the service "web" in "shop" with kubectl
    Then the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vnsGraphInst' lists no vnsGraphInst
    And the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vzBrCP' leaves out the vzBrCP named mykube_svc_shop_web


  Scenario: A controller whose key the APIC does not know reports the 403 and writes nothing
    Given I have provisioned the APIC with acc-provision
    When I apply "aci-containers.yaml" with kubectl, its Secret "aci-user-cert" holding a key the APIC does not know
    Then the Pod of the Deployment "aci-containers-controller" in "aci-containers-system" is not Ready and kubectl describes it with "403"
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedHost' lists no vmmInjectedHost


  Scenario: A controller whose VRF is gone stops at the VRF check, and starts once the VRF is back
    Given I have provisioned the APIC with acc-provision
    And the fabric team has deleted the VRF "mykube-vrf" in tenant "common"
    When I apply "aci-containers.yaml" with kubectl
    Then the Pod of the Deployment "aci-containers-controller" in "aci-containers-system" is not Ready and kubectl describes it with "uni/tn-common/ctx-mykube-vrf"
    When the fabric team creates the VRF "mykube-vrf" in tenant "common"
    Then the Pod of the Deployment "aci-containers-controller" in "aci-containers-system" is Running and Ready
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedHost' lists the vmmInjectedHost named k8s-node1, k8s-node2


  @sim
  Scenario: A node whose preparation failed gets no OpFlex device and no service device
    Given I have provisioned the APIC with acc-provision
    And the preparation of node "k8s-node2" failed with "mtu path: 1600-byte ping to the OpFlex peer fails"
    When I apply "aci-containers.yaml" with kubectl
    Then the query '/api/node/class/opflexODev.json?query-target-filter=eq(opflexODev.domName,"mykube")' lists these opflexODev:
      | hostName  | fabricPathDn                             | state     |
      | k8s-node1 | topology/pod-1/paths-103/pathep-[eth1/1] | connected |
    And the query '/api/mo/uni/tn-common/lDevVip-mykube_svc_global.json?query-target=children&target-subtree-class=vnsCDev' lists the vnsCDev named k8s-node1
    And kubectl shows the CNI host agent's Pod on "k8s-node2" not Ready, described with "1600-byte ping to the OpFlex peer fails"


  @e2e @nodeprep
  Scenario: Kubernetes on ACI end to end: provision, prepare the nodes, install the CNI, verify, take it all down
    Given I have saved the APIC's configuration as "before the cluster"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    When I prepare 2 nodes in the node-prep lab and their checks pass
    And I report the node-prep lab's checks to the simulator as the preparation of the cluster's nodes
    And I apply "aci-containers.yaml" with kubectl
    Then kubectl created every object of the manifest
    And the Pod of the Deployment "aci-containers-controller" in "aci-containers-system" is Running and Ready
    And the query '/api/mo/uni/tn-mykube/ap-aci-containers-mykube.json?query-target=children' lists the fvAEPg named aci-containers-default, aci-containers-istio, aci-containers-nodes, aci-containers-system
    And the query '/api/mo/uni/tn-mykube.json?query-target=children&target-subtree-class=fvBD' lists the fvBD named aci-containers-mykube-node-bd, aci-containers-mykube-pod-bd
    And the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vnsAbsGraph' lists the vnsAbsGraph named mykube_svc_global
    And the query '/api/mo/uni/tn-common/lDevVip-mykube_svc_global.json?query-target=children&target-subtree-class=vnsCDev' lists the vnsCDev named k8s-node1, k8s-node2
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedHost' lists the vmmInjectedHost named k8s-node1, k8s-node2
    And the query '/api/mo/comp/prov-Kubernetes/ctrlr-[mykube]-mykube/injcont.json?query-target=children&target-subtree-class=vmmInjectedNs' includes the vmmInjectedNs named aci-containers-system, default, kube-system
    And the OpFlex device of each node carries the TEP address the node-prep lab's DHCP gave it
    When I run the deployment "web" of 2 replicas in the namespace "shop" and expose it on port 80 as a LoadBalancer service with kubectl
    Then the query '/api/mo/uni/tn-common.json?query-target=children&target-subtree-class=vnsGraphInst' lists these vnsGraphInst:
      | ctrctDn                                  | graphDn                                   | configSt |
      | uni/tn-common/brc-mykube_svc_shop_web    | uni/tn-common/AbsGraph-mykube_svc_global  | applied  |
    When I delete everything "aci-containers.yaml" and the scenario created with kubectl
    And I unprovision the APIC with acc-provision
    Then acc-provision succeeds
    # acc-provision -d leaves what it leaves on a real APIC (features/provisioning.feature), and no more
    And the APIC's configuration is as it was "before the cluster", except:
      | object                                     | change                |
      | uni/infra/settings                         | left behind           |
      | uni/infra/attentp-kube-cluster/provacc     | left behind           |
      | uni/infra/attentp-kube-cluster/gen-default | left behind           |
      | uni/infra/attentp-kube-cluster             | attribute annotation  |
    And the query '/api/node/class/opflexODev.json?query-target-filter=eq(opflexODev.domName,"mykube")' lists no opflexODev
