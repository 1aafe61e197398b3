"""Test doubles that are real enough to run against, and the helpers tests/ and bench/ share.

`testkit.kubeapi` is a Kubernetes API server of our own (list, watch, get,
discovery) for the unmodified kubernetes client, since no kube-apiserver can run here. `live`
starts real gunicorn; `wait` polls with a deadline; `items`, `snapshot` and `configmap` build
catalog items, read a catalog and lay out a kubelet ConfigMap volume.
"""
