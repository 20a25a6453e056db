@rhv @apic
Feature: The APIC's Red Hat VMM domain: the RHV Manager's inventory, and EPGs as logical networks
  As a network engineer who runs Red Hat Virtualization on an ACI fabric
  I want the APIC to read the RHV Manager's inventory and to turn each EPG I associate with the
  Red Hat VMM domain into a logical network with its own VLAN
  So that one association is the whole provisioning of a VM network, as on a real fabric

  The domain takes its VLANs from a dynamic pool of ten (1200 to 1209). Its controller names the RHV
  Manager under test (its address and port) and the data center "Default", with the engine's admin
  user as its credential. The tenant "bdd-vmm" has one VRF, one bridge domain and the application
  profile "shop" with the EPGs "web" and "db". The APIC reads the engine on its own schedule: a step
  that waits for it lets the lab clock move on in the simulator, and waits on real gear. Every domain,
  tenant, network and NIC a scenario creates is removed when it ends.

  Background:
    Given I am logged in to the APIC as the admin user
    And I am connected to the RHV Manager as the admin user
    And the APIC has no Red Hat VMM domain "bdd-rhv"


  Scenario: The controller comes online with the RHV Manager's hosts, VMs and NICs
    When I create the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" on the RHV Manager for the data center "Default"
    Then the controller "rhvm" of the domain "bdd-rhv" becomes online
    And the controller "rhvm" of the domain "bdd-rhv" names the RHV Manager's product as its vendor
    And the inventory of the controller "rhvm" of the domain "bdd-rhv" lists every host of the data center "Default" with its NICs
    And the inventory of the controller "rhvm" of the domain "bdd-rhv" lists every VM of the data center "Default" on the host it runs on
    And the inventory of the controller "rhvm" of the domain "bdd-rhv" lists every VM NIC of the data center "Default" by its MAC


  Scenario: A wrong password takes the controller offline with F0130 until the credential is fixed
    When I create the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" on the RHV Manager for the data center "Default", with the password "not-the-password"
    Then the controller "rhvm" of the domain "bdd-rhv" becomes offline
    And the controller "rhvm" of the domain "bdd-rhv" carries the fault "F0130" with cause "connect-failed" and severity "major"
    And a class query of faultInst with the code "F0130" finds the fault of the controller "rhvm" of the domain "bdd-rhv"

    When I give the credential of the domain "bdd-rhv" the RHV Manager's admin password
    Then the controller "rhvm" of the domain "bdd-rhv" becomes online
    And the controller "rhvm" of the domain "bdd-rhv" carries no fault "F0130" any more
    And a class query of faultInst with the code "F0130" no longer finds the fault of the controller "rhvm" of the domain "bdd-rhv"


  Scenario: An EPG associated by a REST POST becomes a logical network with a VLAN of the pool
    Given the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" online for the data center "Default"
    And the tenant "bdd-vmm" with the application profile "shop" and the EPGs "web" and "db"
    When I post the association of the EPG "bdd-vmm/shop/web" with the domain "bdd-rhv"
    Then the APIC accepts the change
    And the APIC gives the EPG "bdd-vmm/shop/web" a VLAN from 1200 to 1209 in the domain "bdd-rhv"
    And the data center "Default" gets the logical network of the EPG "bdd-vmm/shop/web" with the VLAN the APIC gave it
    And the logical network of the EPG "bdd-vmm/shop/web" is attached to every cluster of the data center "Default"
    And the logical network of the EPG "bdd-vmm/shop/web" has a vNIC profile of its own name


  Scenario: Ansible's aci_epg_to_domain with vm_provider redhat associates the EPG, and a second run changes nothing
    Given the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" online for the data center "Default"
    And the tenant "bdd-vmm" with the application profile "shop" and the EPGs "web" and "db"
    When I run aci_epg_to_domain for the EPG "bdd-vmm/shop/web" and the Red Hat domain "bdd-rhv"
    Then the playbook succeeds and reports a change
    When I run aci_epg_to_domain for the EPG "bdd-vmm/shop/web" and the Red Hat domain "bdd-rhv"
    Then the playbook succeeds and reports no change
    And the APIC gives the EPG "bdd-vmm/shop/web" a VLAN from 1200 to 1209 in the domain "bdd-rhv"
    And the data center "Default" gets the logical network of the EPG "bdd-vmm/shop/web" with the VLAN the APIC gave it
    And the logical network of the EPG "bdd-vmm/shop/web" is attached to every cluster of the data center "Default"
    And the logical network of the EPG "bdd-vmm/shop/web" has a vNIC profile of its own name


  Scenario: Two EPGs of one domain get two different VLANs and two networks
    Given the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" online for the data center "Default"
    And the tenant "bdd-vmm" with the application profile "shop" and the EPGs "web" and "db"
    When I post the association of the EPG "bdd-vmm/shop/web" with the domain "bdd-rhv"
    And I post the association of the EPG "bdd-vmm/shop/db" with the domain "bdd-rhv"
    Then the APIC gives the EPG "bdd-vmm/shop/web" a VLAN from 1200 to 1209 in the domain "bdd-rhv"
    And the APIC gives the EPG "bdd-vmm/shop/db" a VLAN from 1200 to 1209 in the domain "bdd-rhv"
    And the EPGs "bdd-vmm/shop/web" and "bdd-vmm/shop/db" have different VLANs in the domain "bdd-rhv"
    And the data center "Default" gets the logical network of the EPG "bdd-vmm/shop/web" with the VLAN the APIC gave it
    And the data center "Default" gets the logical network of the EPG "bdd-vmm/shop/db" with the VLAN the APIC gave it


  Scenario: Taking the association away removes the logical network
    Given the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" online for the data center "Default"
    And the tenant "bdd-vmm" with the application profile "shop" and the EPGs "web" and "db"
    And the EPG "bdd-vmm/shop/web" is associated with the domain "bdd-rhv" and its logical network is in the data center "Default"
    When I delete the association of the EPG "bdd-vmm/shop/web" with the domain "bdd-rhv"
    Then the APIC accepts the change
    And the domain "bdd-rhv" no longer records a VLAN for the EPG "bdd-vmm/shop/web"
    And the logical network of the EPG "bdd-vmm/shop/web" leaves the data center "Default"
    And no cluster of the data center "Default" lists the logical network of the EPG "bdd-vmm/shop/web"
    And no vNIC profile of the logical network of the EPG "bdd-vmm/shop/web" is left


  Scenario: A logical network a VM NIC still uses is kept, with a fault on the EPG, until the NIC moves off it
    Given the Red Hat VMM domain "bdd-rhv" with the VLAN pool "bdd-rhv-pool" from VLAN 1200 to 1209 and the controller "rhvm" online for the data center "Default"
    And the tenant "bdd-vmm" with the application profile "shop" and the EPGs "web" and "db"
    And the EPG "bdd-vmm/shop/web" is associated with the domain "bdd-rhv" and its logical network is in the data center "Default"
    And the VM "vm1" has a NIC "bdd-web0" on the vNIC profile of the EPG "bdd-vmm/shop/web"
    When I delete the association of the EPG "bdd-vmm/shop/web" with the domain "bdd-rhv"
    Then the APIC accepts the change
    And the EPG "bdd-vmm/shop/web" raises a fault about its logical network
    And the data center "Default" still has the logical network of the EPG "bdd-vmm/shop/web"

    When I unplug the NIC "bdd-web0" from the VM "vm1" and remove it
    Then the logical network of the EPG "bdd-vmm/shop/web" leaves the data center "Default"
    And the EPG "bdd-vmm/shop/web" no longer carries that fault
