"""The photo store in an S3-compatible bucket (boto3): AWS S3, MinIO, Garage, Ceph RGW, ...

`LESSONLOOP_PHOTO_STORE=s3://bucket/prefix` chooses it; `PHOTO_S3_ENDPOINT_URL` points it at a
server other than AWS, `PHOTO_S3_REGION` and `PHOTO_S3_ADDRESSING_STYLE` say the rest (see
docs/photos.md). Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role): they are never in our configuration.
Each PUT carries its Content-MD5, so the server refuses bytes damaged on the way; boto3's
newer default checksums are sent only when required, which every S3-compatible server accepts.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from server.photos.storage import check_key

MISSING = {"NoSuchKey", "404", "NotFound"}


def parse_url(url: str) -> tuple[str, str]:
    """`s3://bucket/prefix` -> (bucket, "prefix/"); the prefix may be empty."""
    parts = urlsplit(url)
    bucket, prefix = parts.netloc, parts.path.strip("/")
    if parts.scheme != "s3" or not bucket or parts.query or parts.fragment or ".." in prefix:
        raise ValueError(f"LESSONLOOP_PHOTO_STORE is not s3://bucket/prefix: {url!r}")
    return bucket, f"{prefix}/" if prefix else ""


class S3Store:
    """Photos as objects `<prefix><key>` in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, url: str, config: Mapping[str, Any]) -> S3Store:
        bucket, prefix = parse_url(url)
        settings = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 4, "mode": "standard"},
            s3={"addressing_style": config.get("PHOTO_S3_ADDRESSING_STYLE") or "auto"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=config.get("PHOTO_S3_ENDPOINT_URL") or None,
            region_name=config.get("PHOTO_S3_REGION") or None,
            config=settings,
        )
        return cls(client, bucket, prefix)

    def _key(self, key: str) -> str:  # the prefix is the operator's; the key is checked
        return self.prefix + "/".join(check_key(key))

    def put(self, key: str, data: bytes) -> None:
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentMD5=md5)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in MISSING:
                return None
            raise
        body: bytes = answer["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
