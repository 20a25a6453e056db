@apic
Feature: APIC basics over the REST API
  As a network engineer who automates an ACI fabric
  I want the APIC's REST API to answer the way the real controller does
  So that what I script against the lab works unchanged on the fabric

  The default lab is one pod with one controller (node 1), two spines (201, 202)
  and four leaves (101 to 104); the tenants common, infra and mgmt always exist.
  Every tenant a scenario creates is deleted again when the scenario ends.

  Background:
    Given I am logged in to the APIC as the admin user


  Scenario: Build a tenant with one paste, read it back and delete it
    Given the APIC has no tenant "bdd-basics-shop"
    When I post this configuration to "uni":
      """
      {"fvTenant": {"attributes": {"name": "bdd-basics-shop"}, "children": [
        {"fvCtx": {"attributes": {"name": "shop-vrf"}}},
        {"fvBD": {"attributes": {"name": "shop-bd"}, "children": [
          {"fvRsCtx": {"attributes": {"tnFvCtxName": "shop-vrf"}}}]}},
        {"fvAp": {"attributes": {"name": "shop-app"}, "children": [
          {"fvAEPg": {"attributes": {"name": "web"}, "children": [
            {"fvRsBd": {"attributes": {"tnFvBDName": "shop-bd"}}}]}}]}}]}}
      """
    Then the APIC accepts the change

    When I query the object "uni/tn-bdd-basics-shop" with its full subtree
    Then the answer holds 1 object
    And the subtree of "uni/tn-bdd-basics-shop" contains:
      | class   | path                      |
      | fvTenant|                           |
      | fvCtx   | ctx-shop-vrf              |
      | fvBD    | BD-shop-bd                |
      | fvRsCtx | BD-shop-bd/rsctx          |
      | fvAp    | ap-shop-app               |
      | fvAEPg  | ap-shop-app/epg-web       |
      | fvRsBd  | ap-shop-app/epg-web/rsbd  |

    When I query the class "fvTenant" with the filter 'eq(fvTenant.name,"bdd-basics-shop")'
    Then the answer names exactly the tenants bdd-basics-shop

    And these relations are resolved:
      | relation                                       | state  | target class | target                             |
      | uni/tn-bdd-basics-shop/BD-shop-bd/rsctx        | formed | fvCtx        | uni/tn-bdd-basics-shop/ctx-shop-vrf |
      | uni/tn-bdd-basics-shop/ap-shop-app/epg-web/rsbd | formed | fvBD         | uni/tn-bdd-basics-shop/BD-shop-bd  |

    When I query the object "uni/tn-bdd-basics-shop" as XML
    Then the XML answer holds a "fvTenant" element named "bdd-basics-shop" with dn "uni/tn-bdd-basics-shop"

    When I delete "uni/tn-bdd-basics-shop"
    Then the APIC accepts the change
    When I query the object "uni/tn-bdd-basics-shop"
    Then the answer is empty


  Scenario Outline: Filter tenants by name
    When I query the class "fvTenant" with the filter '<filter>'
    Then the answer includes the tenants <included>
    And the answer leaves out the tenants <left out>

    Examples: comparisons
      | filter                                                   | included            | left out            |
      | eq(fvTenant.name,"common")                               | common              | infra, mgmt         |
      | ne(fvTenant.name,"common")                               | infra, mgmt         | common              |
      | wcard(fvTenant.name,"mg")                                | mgmt                | common, infra       |

    Examples: combinations
      | filter                                                   | included            | left out            |
      | or(eq(fvTenant.name,"infra"),eq(fvTenant.name,"mgmt"))   | infra, mgmt         | common              |
      | and(ne(fvTenant.name,"infra"),ne(fvTenant.name,"mgmt"))  | common              | infra, mgmt         |
      | and(wcard(fvTenant.name,"m"),ne(fvTenant.name,"common")) | mgmt                | common, infra       |


  Scenario Outline: Count the fabric nodes of one role
    When I query the class "fabricNode" with the filter 'eq(fabricNode.role,"<role>")'
    Then the answer holds <count> objects
    And every object in the answer is a "fabricNode" whose role is "<role>"
    And the node ids in the answer are <ids>

    Examples:
      | role       | count | ids                |
      | leaf       | 4     | 101, 102, 103, 104 |
      | spine      | 2     | 201, 202           |
      | controller | 1     | 1                  |


  Scenario Outline: List the direct children of an object by class
    When I query the children of "<parent>" of class "<class>"
    Then the answer holds <count> objects
    And every object in the answer is a "<class>" directly under "<parent>"

    Examples:
      | parent         | class      | count |
      | topology       | fabricPod  | 1     |
      | topology/pod-1 | fabricNode | 7     |


  Scenario: Narrow the children of the pod with a filter
    When I query the children of "topology/pod-1" of class "fabricNode" with the filter 'eq(fabricNode.role,"spine")'
    Then the answer holds 2 objects
    And the node ids in the answer are 201, 202


  Scenario Outline: A bad write is refused whole, with APIC's error code and text (<case>)
    Given the APIC has no tenant "<tenant>"
    When I post this configuration to "uni":
      """
      <payload>
      """
    Then the APIC refuses it with HTTP 400 and error code "<code>"
    And the error text begins with "<text>"
    And there is still no tenant "<tenant>" on the APIC

    Examples:
      | case                       | tenant             | code | text                                                                                                             | payload                                                                                                                                                      |
      | unknown class              | bdd-reject-class   | 122  | unknown managed object class fvFoobar                                                                            | {"fvTenant":{"attributes":{"name":"bdd-reject-class"},"children":[{"fvCtx":{"attributes":{"name":"vrf1"}}},{"fvFoobar":{"attributes":{"name":"x"}}}]}}        |
      | unknown attribute          | bdd-reject-attr    | 400  | unknown attribute 'description' in element 'fvTenant'                                                            | {"fvTenant":{"attributes":{"name":"bdd-reject-attr","description":"web shop"},"children":[{"fvCtx":{"attributes":{"name":"vrf1"}}}]}}                          |
      | bad value                  | bdd-reject-enum    | 120  | unknown property value strict, name pcEnfPref, class fvCtx                                                       | {"fvTenant":{"attributes":{"name":"bdd-reject-enum"},"children":[{"fvCtx":{"attributes":{"name":"vrf1","pcEnfPref":"strict"}}}]}}                             |
      | children before attributes | bdd-reject-order   | 400  | invalid data at line '1'. Attributes are missing, tag 'attributes' must be specified first, before any other tag | {"fvTenant":{"children":[{"fvCtx":{"attributes":{"name":"vrf1"}}}],"attributes":{"name":"bdd-reject-order"}}}                                                 |


  @auth
  Scenario: A wrong password is refused
    When I log in as the admin user with the password "not-the-password"
    Then the APIC refuses it with HTTP 401 and error code "401"
    And the error text is "Username or password is incorrect - FAILED local authentication"


  @auth
  Scenario: A request without the session cookie is refused
    When I query the class "fvTenant" without a session cookie
    Then the APIC refuses it with HTTP 403 and error code "403"
    And the error text is "Need a valid webtoken cookie (named APIC-Cookie) or a signed request with signature in the cookie APIC-Request-Signature for all REST API requests"


  @auth @sim
  Scenario: An idle session times out
    Given my session stays idle for longer than its refresh timeout
    When I query the class "fvTenant"
    Then the APIC refuses it with HTTP 403 and error code "403"
    And the error text is "Token was invalid (Error: Token timeout)"
