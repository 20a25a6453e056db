"""The lab's Kubernetes API server: kinds as data (kinds.py), the object store and its watches (model/),
the facade (service.py), the HTTP layer kubectl talks to (rest.py) and the kubeconfig for it."""
