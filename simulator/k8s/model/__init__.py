"""The Kubernetes API's model: the store with its resourceVersions and watches, patch formats, selectors,
object metadata rules and the cluster's reactions to writes. Plain Python, no HTTP."""
