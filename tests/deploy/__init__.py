"""Tests of deploy/: CRDs, plain manifests and the Helm chart, checked without a cluster."""
