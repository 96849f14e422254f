"""Blobs in an S3-compatible bucket (AWS, MinIO, NCP, Ceph) through boto3, with signed URLs."""

import os
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from media.errors import NOT_FOUND, MediaError
from media.keys import check_range, not_found, validate_key
from media.sources import Source

MAX_URL_SECONDS = 7 * 24 * 3600  # the SigV4 ceiling
_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """One bucket, optionally under a key prefix; no network traffic until the first call."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
    ) -> None:
        self.bucket = bucket
        self.prefix = validate_key(prefix.strip("/")) + "/" if prefix.strip("/") else ""
        self._client = _client(endpoint_url, region, access_key, secret_key)

    def put(self, key: str, src: Source) -> None:
        """Upload (multipart when large); S3 makes the object visible only when complete."""
        name = self._name(key)
        if isinstance(src, str | os.PathLike):
            self._client.upload_file(os.fspath(src), self.bucket, name)
        elif isinstance(src, bytes | bytearray | memoryview):
            self._client.put_object(Bucket=self.bucket, Key=name, Body=bytes(src))
        else:
            self._client.upload_fileobj(src, self.bucket, name)

    def open(self, key: str) -> BinaryIO:
        """The object's body as a stream (not seekable); the caller closes it."""
        return self._call(key, "get_object")["Body"]

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        try:
            self._call(key, "head_object")
        except MediaError as exc:
            if exc.code != NOT_FOUND:
                raise
            return False
        return True

    def size(self, key: str) -> int:
        """The object's Content-Length."""
        return self._call(key, "head_object")["ContentLength"]

    def delete(self, key: str) -> None:
        """Delete the object (S3 deletes are idempotent)."""
        self._client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """GET with an HTTP Range; a start at or past the end reads nothing."""
        check_range(start, end)
        if start == end:
            self.size(key)  # a missing blob is still an error
            return b""
        try:
            body = self._call(key, "get_object", Range=f"bytes={start}-{end - 1}")["Body"]
        except ClientError as exc:
            if _code(exc) == "InvalidRange":  # start is past the end of the object
                return b""
            raise
        with body:
            return body.read()

    def url_for(
        self, key: str, expires: int, *, content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None:
        """A presigned GET URL valid for ``expires`` seconds (1 s to 7 days); S3 answers it
        with the given Content-Type and Content-Disposition (signed into the URL)."""
        if not 0 < expires <= MAX_URL_SECONDS:
            raise ValueError(f"expires must be 1..{MAX_URL_SECONDS} seconds, not {expires}")
        params = {"Bucket": self.bucket, "Key": self._name(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    def _name(self, key: str) -> str:
        """The object name: prefix plus validated key."""
        return self.prefix + validate_key(key)

    def _call(self, key: str, operation: str, **params: str) -> dict:
        """Call a read operation on one object, turning a 404 into the not-found MediaError."""
        method = getattr(self._client, operation)
        try:
            return method(Bucket=self.bucket, Key=self._name(key), **params)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise not_found(key) from None
            raise


def _code(exc: ClientError) -> str:
    """The S3 error code of a failed call."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def _client(endpoint: str | None, region: str | None, access: str | None, secret: str | None):
    """A thread-safe S3 client; path-style addressing for custom endpoints (MinIO, NCP)."""
    session = boto3.session.Session(
        aws_access_key_id=access, aws_secret_access_key=secret, region_name=region
    )
    style = "path" if endpoint else "auto"
    config = Config(
        signature_version="s3v4", s3={"addressing_style": style}, retries={"mode": "standard"}
    )
    return session.client("s3", endpoint_url=endpoint, config=config)
