@rhv
Feature: RHV Manager inventory, logical networks and live migration over the oVirt Engine API
  As a virtualization or network engineer who automates Red Hat Virtualization
  I want the RHV Manager's API to answer ovirtsdk4 the way the real engine does
  So that what I script against the lab works unchanged against the engine

  The default lab's RHV Manager has one data center "Default" holding one cluster "Default",
  two hosts host1 (192.168.10.11) and host2 (192.168.10.12) cabled to the fabric's leaves, the
  management network ovirtmgmt, vm1 running on host1 and vm2 powered off.
  Every network and NIC a scenario creates is removed when it ends, a VM it migrates is moved
  back, and a host it puts in maintenance is activated again.

  Background:
    Given I am connected to the RHV Manager as the admin user


  Scenario: The data center and its cluster are listed
    When I list the data centers
    Then the data center "Default" is listed with status "up"
    And the data center "Default" holds the cluster "Default"
    And the data center "Default" has the logical network "ovirtmgmt"
    When I list the clusters
    Then the cluster "Default" is listed in the data center "Default"
    And the cluster "Default" has "ovirtmgmt" as its management network


  Scenario Outline: The hosts of the cluster are up
    When I list the hosts
    Then the host "<host>" is listed in the cluster "Default" with status "up"
    And the host "<host>" has the address "<address>"
    And a search for hosts with "status=up" finds the host "<host>"

    Examples:
      | host  | address       |
      | host1 | 192.168.10.11 |
      | host2 | 192.168.10.12 |


  Scenario Outline: The virtual machines are listed with their state and where they run
    When I list the virtual machines
    Then the VM "<vm>" is listed in the cluster "Default" with status "<status>"
    And the VM "<vm>" runs on <runs on>

    Examples:
      | vm  | status | runs on       |
      | vm1 | up     | host "host1"  |
      | vm2 | down   | no host       |


  Scenario Outline: A logical network with a VLAN is created, attached to the cluster and removed (<network>)
    Given the data center "Default" has no logical network "<network>"
    When I create the logical network "<network>" with VLAN <vlan> in the data center "Default"
    Then the data center "Default" has the logical network "<network>" with VLAN <vlan>
    And the network "<network>" has <vdsm name> as its VDSM name
    And the network "<network>" has a vNIC profile of the same name

    When I attach the network "<network>" to the cluster "Default"
    Then the cluster "Default" lists the network "<network>" as not required

    When I remove the network "<network>"
    Then the engine accepts it
    And the data center "Default" has no logical network "<network>" any more
    And the cluster "Default" no longer lists the network "<network>"
    And no vNIC profile "<network>" is left

    Examples: plain names are used as they are on the hosts
      | network     | vlan | vdsm name    |
      | bdd-net-web | 1101 | its own name |
      | bdd-net-db  | 1102 | its own name |

    Examples: an ACI EPG's tenant|app|epg name gets a VDSM name made from the network's id
      | network        | vlan | vdsm name                        |
      | bdd\|shop\|web | 1103 | "on" and 13 characters of its id |


  Scenario: A logical network that a VM's NIC uses cannot be removed
    Given the data center "Default" has no logical network "bdd-net-inuse"
    And the logical network "bdd-net-inuse" with VLAN 1110 is attached to the cluster "Default"
    And the VM "vm2" has a NIC "bdd-nic-inuse" on the vNIC profile "bdd-net-inuse"

    When I remove the network "bdd-net-inuse"
    Then the engine refuses it with HTTP 409 and the reason "Operation Failed"
    And the fault detail is:
      """
      [Cannot remove Network. This logical network is used by virtual machine: vm2
       - Please remove it from this virtual machine and try again.]
      """
    And the data center "Default" has the logical network "bdd-net-inuse" with VLAN 1110

    When I remove the NIC "bdd-nic-inuse" from the VM "vm2"
    And I remove the network "bdd-net-inuse"
    Then the engine accepts it
    And the data center "Default" has no logical network "bdd-net-inuse" any more


  Scenario: A logical network's name is unique in its data center
    Given the data center "Default" has no logical network "bdd-net-twice"
    And the logical network "bdd-net-twice" with VLAN 1120 is attached to the cluster "Default"
    When I create the logical network "bdd-net-twice" with VLAN 1121 in the data center "Default"
    Then the engine refuses it with HTTP 409 and the reason "Operation Failed"
    And the fault detail is:
      """
      [Cannot add Network. The name of the logical network 'bdd-net-twice' is already used by an existing logical network in the same data-center.
      -Please choose a different name.]
      """
    And the data center "Default" has the logical network "bdd-net-twice" with VLAN 1120


  Scenario: The management network cannot be removed
    When I remove the network "ovirtmgmt"
    Then the engine refuses it with HTTP 409 and the reason "Operation Failed"
    And the fault detail is:
      """
      [The Management Network ('ovirtmgmt') is mandatory and cannot be removed.]
      """
    And the data center "Default" has the logical network "ovirtmgmt"


  @sim
  Scenario Outline: A running VM migrates live to the other host (<how>)
    Given the lab clock moves only when told to
    And the VM "vm1" is up on the host "host1"
    When I migrate the VM "vm1" <how>
    Then the engine reports the job "<job>" as started
    And the VM "vm1" is migrating, still on the host "host1"

    When the lab clock moves on by 60 seconds
    Then the VM "vm1" is up on the host "host2"
    And the job "<job>" has finished
    And the events about the VM "vm1" since the migration began are, oldest first:
      | code | host  | description begins with                                                                     |
      | 62   | host1 | Migration started (VM: vm1, Source: host1, Destination: host2, User: admin@internal-authz). |
      | 63   | host2 | Migration completed (VM: vm1, Source: host1, Destination: host2, Duration:                  |

    Examples:
      | how                                  | job                            |
      | to the host "host2"                  | Migrating VM vm1 to Host host2 |
      | and let the engine choose the host   | Migrating VM vm1               |


  Scenario Outline: A migration the engine cannot do is refused with its fault (<case>)
    Given the VM "<vm>" is <vm state>
    And the host "<destination>" is <host state>
    When I migrate the VM "<vm>" to the host "<destination>"
    Then the engine refuses it with HTTP 409 and the reason "Operation Failed"
    And the fault detail is "<detail>"
    And the VM "<vm>" is still <vm state>
    And no migration of the VM "<vm>" was logged

    Examples:
      | case                      | vm  | vm state               | destination | host state | detail                                                   |
      | the VM is down            | vm2 | down                   | host1       | up         | [Cannot migrate VM. VM is not running.]                  |
      | the VM already runs there | vm1 | up on the host "host1" | host1       | up         | [Cannot migrate VM. source and destination is the same.] |

    @sim
    Examples: a host in maintenance takes no VMs
      | case                       | vm  | vm state               | destination | host state     | detail                                                                       |
      | the host is in maintenance | vm1 | up on the host "host1" | host2       | in maintenance | [Cannot migrate VM. Operation can be performed only when Host status is Up.] |
