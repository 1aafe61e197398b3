"""Hostile manifests that the file source's tests and the live server's tests both feed.

Finding 1 of issue 12: a 461-byte alias bomb expands to 43 million strings; the file source
must refuse it before it expands, and the server must survive it with its worker and memory.
"""

from __future__ import annotations

BOMB = """\
apiVersion: startpunkt.ullberg.us/v1alpha4
kind: Application
metadata: {name: bomb}
spec:
  name: Bomb
  url: https://bomb.example.com
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  info: &i [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""
"""An Application whose `info` is 9**8 strings once its aliases are expanded."""
