"""How the APIC's managers reach other systems: real clients of their public APIs (the oVirt REST API),
so the same code manages the lab's own RHV Manager and a real engine."""
