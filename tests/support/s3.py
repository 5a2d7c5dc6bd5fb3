"""A real S3-compatible server on loopback for the photo tests: moto's standalone server
(`python -m moto.server`, from PyPI: pinned in pyproject.toml, installed by `make setup`).

It speaks S3's HTTP protocol (SigV4-signed requests, XML answers) to boto3 like any bucket
server; the app under test talks to it over real HTTP exactly as it would to AWS or MinIO.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from tests.support.postgres import free_port

# moto accepts any key pair; these are what the app's boto3 finds in its environment.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "lessonloop-test",
    "AWS_SECRET_ACCESS_KEY": "lessonloop-test-secret",
    "AWS_DEFAULT_REGION": "eu-west-2",
}
REGION = CREDENTIALS["AWS_DEFAULT_REGION"]


class S3Server:
    """moto's S3 server in its own process; start(), stop(), bucket() for a fresh bucket."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> S3Server:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto's S3 server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"moto's S3 server did not answer; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def bucket(self) -> str:
        """A new, empty bucket of its own."""
        name = "photos-" + uuid.uuid4().hex[:12]
        where = {"LocationConstraint": REGION}
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration=where)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every object's key in the bucket under the prefix (without it), sorted."""
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        found = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return sorted(key[len(prefix) :] for key in found)
