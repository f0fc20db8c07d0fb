"""The artifact bucket: ``--bucket NAME``, or a managed one made on first use.

The managed bucket is named from the account and region, so every checkout
of the project finds the same bucket without configuration, and it is set up
the way a bucket holding deployable code should be: encrypted, public access
blocked, TLS-only, and old objects expired (they are content-addressed, so
nothing is ever overwritten and the bucket would otherwise only grow).

Uploads are skipped when the key already exists (HEAD first): keys are
content hashes, so an existing key already holds exactly these bytes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .errors import DeployError

log = logging.getLogger(__name__)

#: Managed bucket name: ``<prefix>-<account>-<region>`` (at most 63 characters).
MANAGED_BUCKET_PREFIX = "userapi-artifacts"
#: Tag marking buckets this tool created (and may configure).
MANAGED_TAG = {"Key": "ManagedBy", "Value": "userapi-deploy"}
#: Code zips: long enough that a rollback months later still finds the old code.
ARTIFACT_EXPIRY_DAYS = 365
#: Templates are read once, while CloudFormation creates the change set.
TEMPLATE_EXPIRY_DAYS = 30
TEMPLATE_PREFIX = "templates/"


def managed_bucket_name(account_id: str, region: str) -> str:
    """The bucket every deploy in this account and region shares."""
    return f"{MANAGED_BUCKET_PREFIX}-{account_id}-{region}"


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def bucket_exists(s3: Any, name: str) -> bool:
    """True when the bucket exists and we may use it; False when it does not exist."""
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as error:
        code = _error_code(error)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return False
        if code in ("403", "AccessDenied", "Forbidden"):
            raise DeployError(
                f"access denied to bucket {name!r}: it belongs to another account "
                "or your credentials may not use it"
            ) from None
        raise
    return True


def _tls_only_policy(name: str) -> str:
    arn = f"arn:aws:s3:::{name}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def _lifecycle() -> dict[str, Any]:
    def expire(rule_id: str, prefix: str, days: int) -> dict[str, Any]:
        return {
            "ID": rule_id,
            "Filter": {"Prefix": prefix},
            "Status": "Enabled",
            "Expiration": {"Days": days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }

    return {
        "Rules": [
            expire("expire-old-artifacts", "artifacts/", ARTIFACT_EXPIRY_DAYS),
            expire("expire-old-templates", TEMPLATE_PREFIX, TEMPLATE_EXPIRY_DAYS),
        ]
    }


def create_managed_bucket(s3: Any, name: str, region: str, tls_only: bool = True) -> None:
    """Create and lock down the managed bucket.

    ``tls_only=False`` only for a plain-HTTP ``--endpoint-url`` (a local
    emulator): the TLS-only policy would deny every request this tool makes.
    """
    kwargs: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    if tls_only:
        s3.put_bucket_policy(Bucket=name, Policy=_tls_only_policy(name))
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=_lifecycle())
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [MANAGED_TAG]})


def resolve_bucket(
    s3: Any, sts: Any, region: str, requested: str | None, tls_only: bool = True
) -> tuple[str, bool]:
    """The bucket to use and whether it was created now."""
    if requested:
        if not bucket_exists(s3, requested):
            raise DeployError(f"bucket {requested!r} does not exist (check --bucket and --region)")
        return requested, False
    account_id = sts.get_caller_identity()["Account"]
    name = managed_bucket_name(account_id, region)
    if bucket_exists(s3, name):
        return name, False
    create_managed_bucket(s3, name, region, tls_only)
    return name, True


@dataclass(frozen=True)
class Upload:
    """What ``upload_once`` did: the object and the bytes actually sent."""

    bucket: str
    key: str
    bytes_sent: int

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def object_exists(s3: Any, bucket: str, key: str) -> bool:
    """HEAD the key: content-addressed keys that exist hold exactly our bytes."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if _error_code(error) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def upload_once(s3: Any, bucket: str, key: str, data: bytes, content_type: str) -> Upload:
    """Put ``data`` at ``key`` unless it is already there."""
    if object_exists(s3, bucket, key):
        log.debug("s3://%s/%s exists, not uploading", bucket, key)
        return Upload(bucket, key, 0)
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType=content_type,
        ServerSideEncryption="AES256",
    )
    return Upload(bucket, key, len(data))


def template_url(bucket: str, key: str, region: str) -> str:
    """The S3 URL CloudFormation reads a large template from (path style, like SAM).

    Always the AWS form, even with ``--endpoint-url``: CloudFormation (and
    AWS-compatible endpoints such as moto) resolve it inside the service.
    """
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://s3.{region}.{suffix}/{bucket}/{key}"
