@nodeprep
Feature: Prepare the Kubernetes nodes' networking for the ACI fabric
  As a platform engineer who puts Kubernetes nodes on an ACI fabric
  I want each node's uplink, infra VLAN and node VLAN rendered from the cluster's acc-provision file, then checked
  So that the CNI's OpFlex agent finds its infra VLAN, DHCP lease, MTU and multicast route on day one

  `acisim nodeprep render` writes a node's /etc/network/interfaces stanza, its dhclient file and a
  netplan equivalent from the same file acc-provision reads. The lab (`acisim nodeprep lab`, root)
  builds a leaf and the nodes as network namespaces joined by veth uplinks, with real Linux
  networking: on the leaf, dnsmasq serves the infra VLAN as the fabric does (TEP addresses, routes
  to the OpFlex peer 10.0.0.30 in options 121 and 249) and the node subnet's gateway answers; in
  each node the rendered files are applied and `acisim nodeprep check` runs inside it; node1 runs
  the API server. Where the kernel has no 802.1Q the VLAN subinterfaces are macvlan stand-ins, and
  the report says so. Every lab is taken down after its scenario, and nothing of it may remain.

  Background:
    Given the cluster's acc-provision file "mykube-vxlan.yaml"
    And I am logged in to the APIC as the admin user
    And the fabric's infra VLAN on the APIC is the file's infra_vlan


  Scenario: Render node1's network configuration
    When I render the configuration of node "node1" with uplink "ens192", MAC "00:50:56:aa:bb:01" and address "10.1.0.101"
    Then the rendering wrote the interfaces file, the dhclient file for ens192.3967 and the netplan file
    And the uplink ens192 comes up with MTU 1600
    And ens192.3967 takes its address by DHCP, with MTU 1600 and the route 224.0.0.0/4 through it
    And ens192.4001 has the address 10.1.0.101/16, MTU 1600 and the default route via 10.1.0.1
    And both VLAN subinterfaces are VLANs of ens192
    # the seed workflow's dhclient file (research: cni-nodeprep.md B1, nodeprep-demo.sh), in its order
    And the dhclient file for ens192.3967 says exactly:
      | statement                                                                     |
      | send dhcp-client-identifier 01:00:50:56:aa:bb:01;                             |
      | request subnet-mask, domain-name, domain-name-servers, host-name;            |
      | send host-name "node1";                                                       |
      | option rfc3442-classless-static-routes code 121 = array of unsigned integer 8; |
      | option ms-classless-static-routes code 249 = array of unsigned integer 8;     |
      | option wpad code 252 = string;                                                |
      | also request rfc3442-classless-static-routes;                                 |
      | also request ms-classless-static-routes;                                      |
      | also request static-routes;                                                   |
      | also request wpad;                                                            |
      | also request ntp-servers;                                                     |
    And the netplan file describes these VLANs on ens192, which comes up with MTU 1600:
      | interface   | VLAN | MTU  | address       | routes                |
      | ens192.3967 | 3967 | 1600 | DHCP          | 224.0.0.0/4           |
      | ens192.4001 | 4001 | 1600 | 10.1.0.101/16 | default via 10.1.0.1  |


  Scenario Outline: Bad input for a node is refused with one clear line
    When I render the configuration of node "node1" with uplink "<uplink>", MAC "<mac>" and address "<address>"
    Then the rendering is refused with "<error>"

    Examples:
      | uplink        | mac               | address      | error                                                                      |
      | ens192        | 00:50:56:aa:bb:01 | 10.7.0.101   | node IP 10.7.0.101 is outside the node subnet 10.1.0.0/16                  |
      | ens192        | 00:50:56:aa:bb:01 | 10.1.0.1     | node IP 10.1.0.1 is the node subnet's gateway                              |
      | ens192        | 00:50:56:aa:bb    | 10.1.0.101   | MAC address '00:50:56:aa:bb' is malformed                                  |
      | enp175s0f1np1 | 00:50:56:aa:bb:01 | 10.1.0.101   | uplink 'enp175s0f1np1' is too long: subinterface enp175s0f1np1.4001 exceeds 15 characters |


  Scenario: Two prepared nodes pass every check
    Given a lab of 2 nodes prepared from the cluster's file
    When I check the lab
    Then every check passes on every node
    And the report says which kind of VLAN subinterface was used
    And each node holds the TEP address the fabric's DHCP keeps for its own client identifier:
      | node  | TEP address |
      | node1 | 10.0.0.101  |
      | node2 | 10.0.0.102  |
    And each node's lease carries subnet-mask, domain-name, domain-name-servers, ntp-servers, wpad, rfc3442-classless-static-routes and ms-classless-static-routes, and no routers
    And on the infra VLAN a DF ping of 1572 bytes reaches the OpFlex peer 10.0.0.30 and one of 1573 bytes does not
    And multicast sent by node1 reaches node2 over the infra VLAN
    And each node's default route goes via the node subnet gateway 10.1.0.1 on ens192.4001
    And node2 reaches the API server on node1 over the node VLAN ens192.4001
    When I take the lab down
    Then no namespace or process of the lab is left


  Scenario Outline: A preparation mistake is caught on its node, with the reason
    Given a lab of 2 nodes prepared from the cluster's file, where node2 has <mistake>
    When I check the lab
    Then node2's check "<check>" fails saying "<reason>"
    And every other check of node2 passes
    And every check of node1 passes
    And the lab check exits 1

    Examples:
      | mistake                         | check                    | reason                                                   |
      | its leaf port left at MTU 1500  | infra MTU path           | DF ping of 1572 bytes to OpFlex peer 10.0.0.30 failed    |
      | no multicast route              | multicast route          | no route 224.0.0.0/4 dev ens192.3967                     |
      | a wrong DHCP client identifier  | DHCP client identifier   | but ens192.3967 has MAC                                  |
      | Open vSwitch running            | Open vSwitch not running | Open vSwitch is running on this node: ovsdb-server       |
