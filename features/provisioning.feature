@apic
Feature: Provision the fabric for a Kubernetes cluster with acc-provision
  As a network engineer who brings Kubernetes clusters onto an ACI fabric
  I want to run the real acc-provision against the APIC and check what it built
  So that I know what the tool will do to the production fabric before I run it there

  acc-provision 6.1.1.7 runs as an engineer runs it, in a directory of its own:
    acc-provision -c <config> -o aci-containers.yaml -f kubernetes-1.36 -a -u admin -p <password>
  (-d instead of -o/-a unprovisions). Its configurations (fixtures/acc-provision/) are the tool's
  own sample, pointed at this APIC. The fabric team has prepared what the tool expects to find
  (fixtures/apic/kube-fabric-prereqs.yaml): the AEP kube-cluster on ports 1/1-1/4 of leaves 101
  to 104, and in tenant common the VRF mykube-vrf and the L3Out mykube_l3out with its external
  EPG mykube_extepg. Whatever a scenario adds to the APIC is removed again when it ends.

  Background:
    Given I am logged in to the APIC as the admin user
    And the fabric team has prepared the AEP, VRF and L3Out of "kube-fabric-prereqs.yaml"


  Scenario: Provision a cluster with VXLAN encapsulation
    Given the acc-provision configuration "mykube-vxlan.yaml"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    And acc-provision wrote aci-containers.yaml, user-mykube.key and user-mykube.crt

    And the tenant "mykube" holds the application profile "aci-containers-mykube" with exactly these EPGs:
      | EPG                    | bridge domain                 | domains                                         |
      | aci-containers-default | aci-containers-mykube-pod-bd  | VMM mykube                                      |
      | aci-containers-system  | aci-containers-mykube-pod-bd  | VMM mykube                                      |
      | aci-containers-nodes   | aci-containers-mykube-node-bd | VMM mykube, physical mykube-pdom on vlan-4001   |
      | aci-containers-istio   | aci-containers-mykube-pod-bd  | VMM mykube                                      |
    And the tenant "mykube" holds exactly these bridge domains:
      | bridge domain                 | VRF               | subnets                  | L3Out        |
      | aci-containers-mykube-node-bd | common/mykube-vrf | 10.1.0.1/16              | mykube_l3out |
      | aci-containers-mykube-pod-bd  | common/mykube-vrf | 10.2.0.1/24, 10.2.1.1/24 | -            |
    And in tenant "mykube" the EPGs of "aci-containers-mykube" provide and consume exactly these contracts:
      | EPG                    | provides                                                                                                                  | consumes                                                                                                                                                                  |
      | aci-containers-default | aci-containers-mykube-health-check                                                                                        | aci-containers-mykube-api, aci-containers-mykube-dns, aci-containers-mykube-icmp, aci-containers-mykube-istio, aci-containers-mykube-prometheus-opflex-agent |
      | aci-containers-system  | aci-containers-mykube-dns, aci-containers-mykube-health-check, aci-containers-mykube-icmp                                 | aci-containers-mykube-api, aci-containers-mykube-icmp, aci-containers-mykube-prometheus-opflex-agent, mykube-l3out-allow-all                                             |
      | aci-containers-nodes   | aci-containers-mykube-api, aci-containers-mykube-dns, aci-containers-mykube-icmp, aci-containers-mykube-prometheus-opflex-agent | aci-containers-mykube-health-check, mykube-l3out-allow-all                                                                                                   |
      | aci-containers-istio   | aci-containers-mykube-health-check, aci-containers-mykube-istio                                                           | aci-containers-mykube-api, aci-containers-mykube-dns, aci-containers-mykube-icmp                                                                                         |
    And these relations are resolved:
      | relation                                                                             | state  | target class | target                                  |
      | uni/tn-common/out-mykube_l3out/instP-mykube_extepg/rsprov-mykube-l3out-allow-all      | formed | vzBrCP       | uni/tn-common/brc-mykube-l3out-allow-all |
      | uni/tn-common/brc-mykube-l3out-allow-all/subj-allow-all-subj/rssubjFiltAtt-mykube-allow-all-filter | formed | vzFilter | uni/tn-common/flt-mykube-allow-all-filter |

    And the APIC holds these objects:
      | object                                                                          | class            | properties                                                         |
      | uni/vmmp-Kubernetes/dom-mykube                                                  | vmmDomP          | mode=k8s, encapMode=vxlan, enfPref=sw, mcastAddr=225.1.2.3, annotation=orchestrator:aci-containers-controller |
      | uni/vmmp-Kubernetes/dom-mykube/ctrlr-mykube                                     | vmmCtrlrP        | mode=k8s, scope=kubernetes, hostOrIp=1.1.1.1                       |
      | uni/infra/maddrns-mykube-mpool/fromaddr-[225.20.1.1]-toaddr-[225.20.255.255]    | fvnsMcastAddrBlk | from=225.20.1.1, to=225.20.255.255                                 |
      | uni/infra/vlanns-[mykube-pool]-static                                           | fvnsVlanInstP    | allocMode=static                                                   |
      | uni/infra/vlanns-[mykube-pool]-static/from-[vlan-4001]-to-[vlan-4001]           | fvnsEncapBlk     | from=vlan-4001, to=vlan-4001                                       |
      | uni/infra/vlanns-[mykube-pool]-static/from-[vlan-4003]-to-[vlan-4003]           | fvnsEncapBlk     | from=vlan-4003, to=vlan-4003                                       |
      | uni/phys-mykube-pdom                                                            | physDomP         | name=mykube-pdom                                                   |
      | uni/infra/settings                                                              | infraSetPol      | leafOpflexpAuthenticateClients=no, leafOpflexpUseSsl=yes           |
    And these relations are resolved:
      | relation                                                                   | state  | target class       | target                                 |
      | uni/vmmp-Kubernetes/dom-mykube/rsdomMcastAddrNs                            | formed | fvnsMcastAddrInstP | uni/infra/maddrns-mykube-mpool          |
      | uni/phys-mykube-pdom/rsvlanNs                                              | formed | fvnsVlanInstP      | uni/infra/vlanns-[mykube-pool]-static   |
      | uni/infra/attentp-kube-cluster/rsdomP-[uni/vmmp-Kubernetes/dom-mykube]     | formed | vmmDomP            | uni/vmmp-Kubernetes/dom-mykube          |
      | uni/infra/attentp-kube-cluster/rsdomP-[uni/phys-mykube-pdom]               | formed | physDomP           | uni/phys-mykube-pdom                    |
    And the AEP "kube-cluster" carries these VLANs to these EPGs:
      | EPG                                                                 | encap                   |
      | uni/tn-infra/ap-access/epg-default                                  | the fabric's infra VLAN |
      | uni/tn-mykube/ap-aci-containers-mykube/epg-aci-containers-nodes     | vlan-4001               |

    And the APIC has the user "mykube" with the admin role and the certificate in "user-mykube.crt"
    And the APIC holds the cluster information of "mykube" with the generated key and certificate
    And the manifest's Secret "aci-user-cert" holds "user-mykube.key" and "user-mykube.crt"
    And the manifest's controller configuration names this APIC and:
      | setting            | value                                          |
      | apic-username      | mykube                                         |
      | aci-policy-tenant  | mykube                                         |
      | aci-vmm-domain     | mykube                                         |
      | aci-vmm-controller | mykube                                         |
      | aci-vrf-dn         | uni/tn-common/ctx-mykube-vrf                   |
      | aci-podbd-dn       | uni/tn-mykube/BD-aci-containers-mykube-pod-bd  |
      | aci-nodebd-dn      | uni/tn-mykube/BD-aci-containers-mykube-node-bd |
      | aep                | kube-cluster                                   |
    And requests signed with "user-mykube.key" as the controller of "mykube" signs them are accepted


  Scenario: Provision a cluster with the legacy object names
    Given the acc-provision configuration "kube-legacy-naming.yaml"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    And the tenant "kube" holds the application profile "kubernetes" with exactly these EPGs:
      | EPG          | bridge domain | domains                                   |
      | kube-default | kube-pod-bd   | VMM kube                                  |
      | kube-system  | kube-pod-bd   | VMM kube                                  |
      | kube-nodes   | kube-node-bd  | VMM kube, physical kube-pdom on vlan-4011 |
      | kube-istio   | kube-pod-bd   | VMM kube                                  |
    And the tenant "kube" holds exactly these bridge domains:
      | bridge domain | VRF               | subnets                  | L3Out        |
      | kube-node-bd  | common/mykube-vrf | 10.1.0.1/16              | mykube_l3out |
      | kube-pod-bd   | common/mykube-vrf | 10.2.0.1/24, 10.2.1.1/24 | -            |
    And in tenant "kube" the EPGs of "kubernetes" provide and consume exactly these contracts:
      | EPG          | provides                                   | consumes                                                      |
      | kube-default | health-check                               | kube-api, dns, icmp, istio, prometheus-opflex-agent           |
      | kube-system  | dns, health-check, icmp                    | kube-api, icmp, prometheus-opflex-agent, kube-l3out-allow-all |
      | kube-nodes   | kube-api, dns, icmp, prometheus-opflex-agent | health-check, kube-l3out-allow-all                          |
      | kube-istio   | health-check, istio                        | kube-api, dns, icmp                                           |
    And the AEP "kube-cluster" carries these VLANs to these EPGs:
      | EPG                                          | encap                   |
      | uni/tn-infra/ap-access/epg-default           | the fabric's infra VLAN |
      | uni/tn-kube/ap-kubernetes/epg-kube-nodes     | vlan-4011               |
    And the APIC has the user "kube" with the admin role and the certificate in "user-kube.crt"


  Scenario: Provision a cluster with VLAN encapsulation and a VLAN range
    Given the acc-provision configuration "kubevlan-vlan.yaml"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    And the APIC holds these objects:
      | object                                                                     | class         | properties                                         |
      | uni/vmmp-Kubernetes/dom-kubevlan                                           | vmmDomP       | mode=k8s, encapMode=vlan, prefEncapMode=vlan       |
      | uni/infra/vlanns-[kubevlan-vpool]-dynamic                                  | fvnsVlanInstP | allocMode=dynamic                                  |
      | uni/infra/vlanns-[kubevlan-vpool]-dynamic/from-[vlan-1100]-to-[vlan-1199]  | fvnsEncapBlk  | from=vlan-1100, to=vlan-1199                       |
      | uni/infra/vlanns-[kubevlan-pool]-static/from-[vlan-4021]-to-[vlan-4021]    | fvnsEncapBlk  | from=vlan-4021, to=vlan-4021                       |
      | uni/infra/vlanns-[kubevlan-pool]-static/from-[vlan-4023]-to-[vlan-4023]    | fvnsEncapBlk  | from=vlan-4023, to=vlan-4023                       |
    And these relations are resolved:
      | relation                                                                    | state  | target class  | target                                     |
      | uni/vmmp-Kubernetes/dom-kubevlan/rsvlanNs                                   | formed | fvnsVlanInstP | uni/infra/vlanns-[kubevlan-vpool]-dynamic |
      | uni/phys-kubevlan-pdom/rsvlanNs                                             | formed | fvnsVlanInstP | uni/infra/vlanns-[kubevlan-pool]-static   |
      | uni/infra/attentp-kube-cluster/rsdomP-[uni/vmmp-Kubernetes/dom-kubevlan]    | formed | vmmDomP       | uni/vmmp-Kubernetes/dom-kubevlan          |
    And the tenant "kubevlan" holds the application profile "aci-containers-kubevlan" with exactly these EPGs:
      | EPG                    | bridge domain                   | domains                                           |
      | aci-containers-default | aci-containers-kubevlan-pod-bd  | VMM kubevlan                                      |
      | aci-containers-system  | aci-containers-kubevlan-pod-bd  | VMM kubevlan                                      |
      | aci-containers-nodes   | aci-containers-kubevlan-node-bd | VMM kubevlan, physical kubevlan-pdom on vlan-4021 |
      | aci-containers-istio   | aci-containers-kubevlan-pod-bd  | VMM kubevlan                                      |


  Scenario: Unprovisioning removes what provisioning added and nothing else; provisioning again works
    Given the acc-provision configuration "mykube-vxlan.yaml"
    And I have saved the APIC's configuration as "before provisioning"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    When I unprovision the APIC with acc-provision
    Then acc-provision succeeds
    # what acc-provision leaves by design (acc-provision.md §8): the fabric-wide opflex settings, the
    # AEP's infra VLAN binding and its emptied generic binding container, and its own annotation on the AEP
    And the APIC's configuration is as it was "before provisioning", except:
      | object                                     | change                |
      | uni/infra/settings                         | left behind           |
      | uni/infra/attentp-kube-cluster/provacc     | left behind           |
      | uni/infra/attentp-kube-cluster/gen-default | left behind           |
      | uni/infra/attentp-kube-cluster             | attribute annotation  |
    And the APIC holds no cluster information of "mykube"
    And the APIC has no user "mykube"

    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    And the tenant "mykube" holds exactly these bridge domains:
      | bridge domain                 | VRF               | subnets                  | L3Out        |
      | aci-containers-mykube-node-bd | common/mykube-vrf | 10.1.0.1/16              | mykube_l3out |
      | aci-containers-mykube-pod-bd  | common/mykube-vrf | 10.2.0.1/24, 10.2.1.1/24 | -            |
    And the APIC has the user "mykube" with the admin role and the certificate in "user-mykube.crt"
    And the APIC holds the cluster information of "mykube" with the generated key and certificate


  Scenario: Provisioning twice in a row recreates the user and changes nothing else
    Given the acc-provision configuration "mykube-vxlan.yaml"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds
    Given I have saved the APIC's configuration as "after the first run"
    When I provision the APIC with acc-provision
    Then acc-provision succeeds with these warnings:
      """
      WARN: User already exists (mykube), recreating user
      """
    And the APIC's configuration is as it was "after the first run", except:
      | object                  | change    |
      | uni/userext/user-mykube | recreated |
    And the APIC has the user "mykube" with the admin role and the certificate in "user-mykube.crt"


  Scenario: A wrong admin password stops acc-provision before it changes anything
    Given the acc-provision configuration "mykube-vxlan.yaml"
    And I have saved the APIC's configuration as "before provisioning"
    When I provision the APIC with acc-provision and the admin password "not-the-password"
    Then acc-provision fails
    And acc-provision reports the APIC's login refusal: error 401 "Username or password is incorrect - FAILED local authentication"
    And the APIC's configuration is as it was "before provisioning"


  Scenario: A missing AEP and VRF only draw warnings; the APIC then holds what acc-provision posted anyway
    Given the acc-provision configuration "mykube-vxlan.yaml" with these settings:
      | setting             | value      |
      | aci_config.aep      | kube-spare |
      | aci_config.vrf.name | spare-vrf  |
    When I provision the APIC with acc-provision
    Then acc-provision succeeds with these warnings:
      """
      WARN: AEP not defined in the APIC: kube-spare
      WARN: VRF not defined in the APIC: common/spare-vrf
      """
    # the AEP is created by acc-provision's own POST to uni/infra, with no interfaces behind it
    And the APIC holds these objects:
      | object                       | class           | properties                                          |
      | uni/infra/attentp-kube-spare | infraAttEntityP | annotation=orchestrator:aci-containers-controller   |
    And these relations are resolved:
      | relation                                                                | state  | target class | target                         |
      | uni/infra/attentp-kube-spare/rsdomP-[uni/vmmp-Kubernetes/dom-mykube]    | formed | vmmDomP      | uni/vmmp-Kubernetes/dom-mykube |
    And the bridge domains of tenant "mykube" point at the VRF "spare-vrf", which is missing
    When the fabric team creates the VRF "spare-vrf" in tenant "common"
    Then the bridge domains of tenant "mykube" are in the VRF "uni/tn-common/ctx-spare-vrf"


  Scenario: A POST the APIC refuses is retried, reported, and the rest is provisioned all the same
    Given the acc-provision configuration "mykube-vxlan.yaml" with these settings:
      | setting        | value        |
      | aci_config.aep | kube cluster |
    When I provision the APIC with acc-provision
    Then acc-provision fails
    And acc-provision reports:
      """
      ERR:  Max retries reached for POST request to /api/mo/uni/infra.json. Giving up.
      ERR:  Error in provisioning /api/mo/uni/infra.json: APIC REST Error: {'attributes': {'code': '801', 'text': "property name of attentp-kube cluster failed validation for value 'kube cluster'"}}
      """
    And the APIC holds no object "uni/infra/attentp-kube cluster"
    And no AEP is associated with the domain "uni/vmmp-Kubernetes/dom-mykube"
    And the APIC holds these objects:
      | object                         | class   | properties |
      | uni/tn-mykube                  | fvTenant | name=mykube |
      | uni/vmmp-Kubernetes/dom-mykube | vmmDomP  | mode=k8s    |
    And the APIC has the user "mykube" with the admin role and the certificate in "user-mykube.crt"
