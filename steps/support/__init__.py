"""What the step modules share: clients of the public interfaces (the APIC's REST API, the RHV
Manager through ovirtsdk4, the lab's /_sim control API, the `acisim nodeprep` command) and the
parsing of Gherkin tables. Steps hold the scenario's words; these modules hold the plumbing."""
