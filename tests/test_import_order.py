"""`app.py` must monkey-patch before ssl or urllib3 is imported (else HTTPS recurses).

The probe process turns gevent's MonkeyPatchWarning (ssl imported before patching) into an
error, and records whether ssl and socket were patched whenever our code or a client library
is imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import builtins, sys
seen = []
real_import = builtins.__import__
def spy(name, *args, **kwargs):
    if name.split(".")[0] in ("urllib3", "kubernetes", "startpunkt", "flask"):
        from gevent import monkey
        seen.append((name, monkey.is_module_patched("ssl"), monkey.is_module_patched("socket")))
    return real_import(name, *args, **kwargs)
builtins.__import__ = spy
import os
os.environ["STARTPUNKT_KUBERNETES_ENABLED"] = "false"
import app
unpatched = [s for s in seen if not (s[1] and s[2])]
print("seen", len(seen), "unpatched", unpatched)
sys.exit(1 if unpatched or not seen else 0)
"""


def test_app_patches_before_ssl_and_urllib3_are_imported(tmp_path):
    result = subprocess.run(
        [sys.executable, "-W", "error::gevent.monkey.MonkeyPatchWarning", "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unpatched []" in result.stdout


def test_first_statement_of_app_py_patches():
    source = (ROOT / "app.py").read_text()
    code = [line for line in source.split('"""', 2)[2].splitlines() if line.strip()]
    assert code[:2] == ["from gevent import monkey", "monkey.patch_all()"]
