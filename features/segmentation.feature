@rhv @apic
Feature: Segmentation of the RHV-on-ACI application: who may talk to whom, and which rule says so
  As a fabric administrator who runs a three-tier application on RHV VMs and bare-metal database servers
  I want to ask the fabric whether one endpoint may reach another on a port, and which rule decides
  So that I know my contracts let the outside reach only the frontend, and that they still hold after a VM moved

  The lab is scenarios/rhv-two-pod.yaml (features/migration.feature describes it): the cluster "Stretched"
  has rhv-s1 and rhv-s2 in pod 1 (leaves 101 and 102) and rhv-s3 and rhv-s4 in pod 2 (leaves 1101 and 1102).
  The tenant "bdd-seg" has one VRF and one bridge domain with the subnet 10.10.0.1/24. The EPGs "frontend"
  (the reverse proxies) and "web" (the application) are associated with the Red Hat VMM domain "bdd-seg";
  the VM web-s2 is the reverse proxy, with a NIC on the frontend's vNIC profile, and the VMs web-s1 and
  web-a1 run the application, each with a NIC on the web's profile. The EPG "db" is on a physical domain
  with a static path to the bare-metal database server on leaf 102, port eth1/20. The L3Out "internet"
  has the external EPG "internet", whose import-security subnet 0.0.0.0/0 classifies every outside address,
  and the external EPG "partners" for 203.0.113.0/24, which no contract names: an outside address belongs to
  the external EPG of its longest matching prefix.

  A verdict is the simulator's answer to "may A talk to B" (POST /_sim/fabric/flow, or `acisim fabric flow`),
  computed from the zoning rules the leaves hold: a real fabric answers it only by sending traffic, so
  against real gear those steps fail and say so. The VMs are found by name (or by the MAC of their NIC), the
  database by its EPG and the outside by an address. A deciding rule that lives on a leaf is also read back from that leaf over REST (its
  actrlRule, as `show zoning-rule` lists it there). "The leaf facing a host" is the leaf of the ports its NICs
  hear over LLDP.

  Background:
    Given I am logged in to the APIC as the admin user
    And I am connected to the RHV Manager as the admin user
    And the APIC has no Red Hat VMM domain "bdd-seg"
    And the Red Hat VMM domain "bdd-seg" with the VLAN pool "bdd-seg-pool" from VLAN 1320 to 1339 and the controller "rhvm" online for the data center "MultiPod"
    And the tenant "bdd-seg" with the application profile "shop" and the EPGs "frontend", "web" and "db"
    And the bridge domain of the tenant "bdd-seg" has the subnet "10.10.0.1/24"
    And the EPG "bdd-seg/shop/web" isolates its endpoints from each other
    And the EPG "bdd-seg/shop/frontend" is associated with the domain "bdd-seg" and its logical network is in the data center "MultiPod"
    And the EPG "bdd-seg/shop/web" is associated with the domain "bdd-seg" and its logical network is in the data center "MultiPod"
    And the EPG "bdd-seg/shop/db" is on the physical domain "bdd-seg-metal" with a static path to "topology/pod-1/paths-102/pathep-[eth1/20]" on VLAN 2020
    And the tenant "bdd-seg" has the L3Out "internet" with the external EPG "internet" for the subnet "0.0.0.0/0"
    And the L3Out "internet" of the tenant "bdd-seg" has the external EPG "partners" for the subnet "203.0.113.0/24"
    And the tenant "bdd-seg" has these contracts, each with one subject applied both ways with reverse filter ports:
      | contract             | consumer                 | provider | filter   | protocol | port |
      | internet-to-frontend | external EPG internet    | frontend | https    | tcp      | 443  |
      | frontend-to-web      | frontend                 | web      | web-8080 | tcp      | 8080 |
      | web-to-db            | web                      | db       | pgsql    | tcp      | 5432 |
    And these VMs have a NIC on the vNIC profile of their EPG:
      | vm     | nic  | epg                   |
      | web-s2 | fe0  | bdd-seg/shop/frontend |
      | web-s1 | web0 | bdd-seg/shop/web      |
      | web-a1 | web0 | bdd-seg/shop/web      |
    And each of those NICs has an endpoint under its EPG


  Scenario: The outside reaches only the frontend, the frontend the web tier, the web tier the database
    Then these flows are decided so:
      | from                   | to                     | flow     | verdict | by                            | reply  |
      | address 198.51.100.7   | VM web-s2              | tcp/443  | permit  | contract internet-to-frontend | permit |
      | VM web-s2              | VM web-s1              | tcp/8080 | permit  | contract frontend-to-web      | permit |
      | VM web-s1              | EPG bdd-seg/shop/db    | tcp/5432 | permit  | contract web-to-db            | permit |
      | MAC of VM web-s1       | EPG bdd-seg/shop/db    | tcp/5432 | permit  | contract web-to-db            | permit |
      | address 198.51.100.7   | VM web-s2              | tcp/80   | deny    | the default rule              | deny   |
      | address 198.51.100.7   | VM web-s1              | tcp/8080 | deny    | the default rule              | deny   |
      | address 198.51.100.7   | EPG bdd-seg/shop/db    | tcp/5432 | deny    | the default rule              | deny   |
      | VM web-s2              | EPG bdd-seg/shop/db    | tcp/5432 | deny    | the default rule              | deny   |
      | VM web-s2              | VM web-s1              | tcp/443  | deny    | the default rule              | deny   |
      | VM web-s1              | VM web-s2              | tcp/8080 | deny    | the default rule              | deny   |
      | EPG bdd-seg/shop/db    | VM web-s1              | tcp/8080 | deny    | the default rule              | deny   |


  Scenario: An outside address belongs to the external EPG of its longest matching prefix
    Then these flows are decided so:
      | from                 | to        | flow    | verdict | by                            | reply  |
      | address 198.51.100.7 | VM web-s2 | tcp/443 | permit  | contract internet-to-frontend | permit |
      | address 203.0.113.9  | VM web-s2 | tcp/443 | deny    | the default rule              | deny   |
      | VM web-s2            | address 203.0.113.9 | tcp/443 | deny | the default rule         | deny   |


  Scenario: The command line gives the same verdicts, with an exit status a script can test
    When I ask acisim fabric flow from the VM "web-s2" to the VM "web-s1" on tcp/8080
    Then it exits with 0 for permit, by the contract "frontend-to-web"
    When I ask acisim fabric flow from the VM "web-s1" to the VM "web-s2" on tcp/8080
    Then it exits with 1 for deny, by the default rule


  Scenario: Endpoints of the web tier do not talk to each other: intra-EPG isolation
    Then these flows are decided so:
      | from      | to        | flow     | verdict | by                  | reply |
      | VM web-s1 | VM web-a1 | tcp/8080 | deny    | intra-EPG isolation | deny  |
      | VM web-a1 | VM web-s1 | tcp/22   | deny    | intra-EPG isolation | deny  |


  Scenario Outline: A live migration <how> keeps the verdicts, and the enforcing leaf follows the VM
    Given the VM "web-s1" is up on the host "rhv-s1"
    And the flow from the VM "web-s1" to the EPG "bdd-seg/shop/db" on tcp/5432 is enforced on the leaf facing the host "rhv-s1"
    When I migrate the VM "web-s1" to the host "<destination>"
    And the migration's job ends
    Then the VM "web-s1" is up on the host "<destination>"
    And the endpoint of the VM "web-s1" follows it to the host "<destination>"
    And these flows are decided so:
      | from      | to                  | flow     | verdict | by                       | reply  |
      | VM web-s2 | VM web-s1           | tcp/8080 | permit  | contract frontend-to-web | permit |
      | VM web-s1 | EPG bdd-seg/shop/db | tcp/5432 | permit  | contract web-to-db       | permit |
      | VM web-s1 | VM web-s2           | tcp/8080 | deny    | the default rule         | deny   |
      | VM web-s1 | VM web-a1           | tcp/8080 | deny    | intra-EPG isolation      | deny   |
    And the flow from the VM "web-s1" to the EPG "bdd-seg/shop/db" on tcp/5432 is enforced on the leaf facing the host "<destination>"

    Examples:
      | how                                      | destination |
      | within the cluster and the pod           | rhv-s2      |
      | within the stretched cluster across pods | rhv-s3      |


  Scenario: Breaking it on purpose: a subject without its filter permits nothing
    Given these flows are decided so:
      | from      | to        | flow     | verdict | by                       | reply  |
      | VM web-s2 | VM web-s1 | tcp/8080 | permit  | contract frontend-to-web | permit |
    When I remove the filter "web-8080" from the subject of the contract "frontend-to-web" of the tenant "bdd-seg"
    Then these flows are decided so:
      | from      | to                  | flow     | verdict | by                 | reply  |
      | VM web-s2 | VM web-s1           | tcp/8080 | deny    | the default rule   | deny   |
      | VM web-s1 | EPG bdd-seg/shop/db | tcp/5432 | permit  | contract web-to-db | permit |
