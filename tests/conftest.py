"""Shared fixtures. The test process is gevent-patched first, like the production worker."""

from gevent import monkey

monkey.patch_all()
