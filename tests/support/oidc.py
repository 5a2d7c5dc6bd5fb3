"""The test OpenID provider (tests/support/oidc_provider.mjs) as a Python object: started on a
free loopback port, its users and clients given by the test, its signing keys readable."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "support" / "oidc_provider.mjs"
INSTALL = "run `npm ci` in the repository (or `make test`, which does it)"

# The test users: a verified teacher, an unverified email, someone of another domain.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "teacher1": {"email": "t.one@school.test", "email_verified": True, "name": "Tess One"},
    "newcomer": {"email": "new.person@school.test", "email_verified": True, "name": "Nia New"},
    "unverified": {"email": "t.two@school.test", "email_verified": False, "name": "Tom Two"},
    "outsider": {"email": "someone@elsewhere.test", "email_verified": True, "name": "Ola Out"},
}
CLIENT_ID = "lessonloop"
CLIENT_SECRET = "lessonloop-test-secret"
OTHER_CLIENT_ID = "another-app"


def require_node() -> str:
    """The node binary, or a loud failure that says how to install what is missing."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"node is missing: install Node.js 20 or later, then {INSTALL}.")
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").exists():
        raise RuntimeError(f"the npm package oidc-provider is missing: {INSTALL}.")
    return node


class OidcProvider:
    """node oidc-provider on 127.0.0.1:<free port>; start(), stop()."""

    def __init__(self, workdir: Path, redirect_uris: list[str]) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.jwks_path = workdir / "provider-jwks.json"
        self.config = {
            "port": self.port,
            "jwks_out": str(self.jwks_path),
            "accounts": ACCOUNTS,
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                },
                {
                    "client_id": OTHER_CLIENT_ID,
                    "client_secret": "another-secret",
                    "redirect_uris": redirect_uris,
                },
            ],
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "oidc-provider.log"

    def start(self) -> OidcProvider:
        node = require_node()
        self.workdir.mkdir(parents=True, exist_ok=True)
        config_path = self.workdir / "oidc-provider.json"
        config_path.write_text(json.dumps(self.config))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [node, str(SCRIPT), str(config_path)], cwd=ROOT, stdout=log, stderr=log
            )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited:\n{self.log.read_text()[-2000:]}")
            if "READY" in self.log.read_text():
                return
            time.sleep(0.05)
        raise RuntimeError(f"the OpenID provider did not start; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def private_jwks(self) -> dict[str, Any]:
        """The provider's own signing keys (private parts included), as it generated them."""
        keys: dict[str, Any] = json.loads(self.jwks_path.read_text())
        return keys

    def set_account(self, sub: str, claims: dict[str, Any] | None) -> None:
        """Add or replace a user (claims), or remove one (None): the account is gone."""
        data = None if claims is None else json.dumps(claims).encode()
        request = urllib.request.Request(
            f"{self.issuer}/_test/accounts/{sub}",
            data=data,
            method="DELETE" if claims is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204
