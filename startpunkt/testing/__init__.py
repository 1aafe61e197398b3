"""Test doubles that are real enough to run against: used by tests/ and by bench/.

`startpunkt.testing.kubeapi` is a Kubernetes API server of our own (list, watch, get,
discovery) for the unmodified kubernetes client, since no kube-apiserver can run here.
"""
