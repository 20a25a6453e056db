@rhv @apic
Feature: Endpoints of RHV VMs on the fabric, found by name, IP or MAC, and followed through live migration
  As a fabric administrator who runs Red Hat Virtualization on a two-pod ACI fabric
  I want to find a VM's endpoint by its name, IP or MAC and see its hypervisor, RHV Manager and leaf port
  So that I know where a VM is on the fabric, also after it moved to another host, cluster or pod

  The lab is scenarios/rhv-two-pod.yaml: the RHV data center "MultiPod" has the cluster "Stretched"
  (rhv-s1 and rhv-s2 in pod 1, rhv-s3 and rhv-s4 in pod 2) and one cluster per pod, "Pod1" (rhv-a1,
  rhv-a2) and "Pod2" (rhv-b1, rhv-b2); every host's eno1 is cabled to port eth1/11 of a leaf of its pod.
  The EPG "web" of the tenant "bdd-mig" is associated with the Red Hat VMM domain "bdd-mp" (VLAN pool
  1300 to 1319, immediate resolution), and the VMs web-s1 and web-s2 (on rhv-s1), web-a1 (on rhv-a1) and
  web-b1 (on rhv-b1) each get a NIC "web0" on the EPG's vNIC profile, hot-plugged with ovirtsdk4.
  "The port facing a host" is the path its NICs hear over LLDP. A step that waits for the APIC or for
  a migration's job lets the lab clock move on in the simulator, and waits on real gear. Every VM a
  scenario moves is moved back, every host it puts in maintenance is activated again.

  Background:
    Given I am logged in to the APIC as the admin user
    And I am connected to the RHV Manager as the admin user


  Rule: Every host sees on which leaf port it is cabled, and so does the APIC

    Scenario: Every host NIC facing the fabric hears its leaf over LLDP, and the APIC records the adjacency
      Given the APIC has no Red Hat VMM domain "bdd-mp"
      And the Red Hat VMM domain "bdd-mp" with the VLAN pool "bdd-mp-pool" from VLAN 1300 to 1319 and the controller "rhvm" online for the data center "MultiPod"
      Then the host NICs hear these leaves over LLDP:
        | host   | nic  | system name | port id | port description                            |
        | rhv-s1 | eno1 | leaf-101    | eth1/11 | topology/pod-1/paths-101/pathep-[eth1/11]  |
        | rhv-s2 | eno1 | leaf-102    | eth1/11 | topology/pod-1/paths-102/pathep-[eth1/11]  |
        | rhv-s3 | eno1 | leaf-1101   | eth1/11 | topology/pod-2/paths-1101/pathep-[eth1/11] |
        | rhv-s4 | eno1 | leaf-1102   | eth1/11 | topology/pod-2/paths-1102/pathep-[eth1/11] |
        | rhv-a1 | eno1 | leaf-103    | eth1/11 | topology/pod-1/paths-103/pathep-[eth1/11]  |
        | rhv-a2 | eno1 | leaf-104    | eth1/11 | topology/pod-1/paths-104/pathep-[eth1/11]  |
        | rhv-b1 | eno1 | leaf-1103   | eth1/11 | topology/pod-2/paths-1103/pathep-[eth1/11] |
        | rhv-b2 | eno1 | leaf-1104   | eth1/11 | topology/pod-2/paths-1104/pathep-[eth1/11] |
      And the controller "rhvm" of the domain "bdd-mp" records for every host the leaf ports its NICs hear over LLDP


  Rule: The endpoints of the EPG web follow its VMs

    Background:
      Given the APIC has no Red Hat VMM domain "bdd-mp"
      And the Red Hat VMM domain "bdd-mp" with the VLAN pool "bdd-mp-pool" from VLAN 1300 to 1319 and the controller "rhvm" online for the data center "MultiPod"
      And the tenant "bdd-mig" with the application profile "shop" and the EPGs "web"
      And the EPG "bdd-mig/shop/web" is associated with the domain "bdd-mp" and its logical network is in the data center "MultiPod"
      And these VMs have a NIC on the vNIC profile of the EPG "bdd-mig/shop/web":
        | vm     | nic  |
        | web-s1 | web0 |
        | web-s2 | web0 |
        | web-a1 | web0 |
        | web-b1 | web0 |
      And the EPG "bdd-mig/shop/web" has an endpoint for each of those NICs


    Scenario Outline: An endpoint is found by the <key> of its VM and shows its hypervisor, RHV Manager and leaf port
      When I look up the endpoint of the VM "web-s1" by its <key>
      Then I find one endpoint, under the EPG "bdd-mig/shop/web", learned from the VMM domain with the EPG's VLAN
      And it names the VM "web-s1", the host "rhv-s1" and the controller "rhvm"
      And its hypervisor relation points at the host "rhv-s1" in the inventory of the controller "rhvm" of the domain "bdd-mp"
      And its leaf paths are the ports facing the host "rhv-s1"

      Examples:
        | key  |
        | name |
        | MAC  |


    Scenario: An endpoint is found by the IP address the guest reports
      Given the NIC "nic1" of the VM "web-ip" is moved onto the vNIC profile of the EPG "bdd-mig/shop/web"
      When I look up the endpoint by the IP address the guest of the VM "web-ip" reports on its NIC "nic1"
      Then I find one endpoint, under the EPG "bdd-mig/shop/web", learned from the VMM domain with the EPG's VLAN
      And it names the VM "web-ip", the host "rhv-s2" and the controller "rhvm"
      And its leaf paths are the ports facing the host "rhv-s2"


    Scenario Outline: A live migration <how>: the endpoint follows the VM and the tracker shows the move
      Given the VM "<vm>" is up on the host "<source>"
      When I migrate the VM "<vm>" to the host "<destination>"<into cluster>
      And the migration's job ends
      Then the migration's job has finished
      And the VM "<vm>" is up on the host "<destination>"
      And the endpoint of the VM "<vm>" follows it to the host "<destination>"
      And the endpoint tracker shows the endpoint of the VM "<vm>" detached from the ports facing "<source>" and attached to the ports facing "<destination>"

      Examples:
        | how                                       | vm     | source | destination | into cluster                 |
        | within a cluster and a pod                | web-s1 | rhv-s1 | rhv-s2      |                              |
        | within the stretched cluster across pods  | web-s1 | rhv-s1 | rhv-s3      |                              |
        | across clusters within a pod              | web-a1 | rhv-a1 | rhv-s2      | , into the cluster "Stretched" |
        | across clusters and pods                  | web-a1 | rhv-a1 | rhv-b2      | , into the cluster "Pod2"      |


    @sim
    Scenario: While the VM migrates its endpoint stays on the source host
      Given the lab clock moves only when told to
      When I migrate the VM "web-s1" to the host "rhv-s3"
      Then the VM "web-s1" is migrating, still on the host "rhv-s1"
      When I trigger an inventory sync of the controller
      Then the endpoint of the VM "web-s1" is still on the host "rhv-s1"
      When the migration's job ends
      Then the VM "web-s1" is up on the host "rhv-s3"
      And the endpoint of the VM "web-s1" follows it to the host "rhv-s3"


    Scenario: Each move the APIC saw shows in the endpoint tracker, newest last
      When I migrate the VM "web-s2" to the host "rhv-s2"
      And the migration's job ends
      Then the endpoint of the VM "web-s2" follows it to the host "rhv-s2"
      When I migrate the VM "web-s2" to the host "rhv-s4"
      And the migration's job ends
      Then the endpoint of the VM "web-s2" follows it to the host "rhv-s4"
      And the endpoint tracker of the VM "web-s2" ends with these moves, oldest first:
        | action   | ports facing |
        | detached | rhv-s1       |
        | attached | rhv-s2       |
        | detached | rhv-s2       |
        | attached | rhv-s4       |


    Scenario: A host put in maintenance moves every VM away, and every endpoint follows
      Given the VM "web-s1" is up on the host "rhv-s1"
      And the VM "web-s2" is up on the host "rhv-s1"
      When I put the host "rhv-s1" into maintenance
      And the host "rhv-s1" reaches maintenance
      Then no VM runs on the host "rhv-s1"
      And the endpoint of the VM "web-s1" follows it to the host it runs on now
      And the endpoint of the VM "web-s2" follows it to the host it runs on now
      And no endpoint of the EPG "bdd-mig/shop/web" is on the ports facing "rhv-s1"


    @sim
    Scenario: A failed migration leaves the endpoint where it was
      Given the next migration of the VM "web-s1" fails with "the destination refused the incoming VM"
      When I migrate the VM "web-s1" to the host "rhv-s2"
      And the migration's job ends
      Then the migration's job has failed
      And the VM "web-s1" is still up on the host "rhv-s1"
      And after the controller's next look at the RHV Manager the endpoint of the VM "web-s1" is still on the host "rhv-s1"
      And the endpoint tracker shows no move of the endpoint of the VM "web-s1" since the migration began
