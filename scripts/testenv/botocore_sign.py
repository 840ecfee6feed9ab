#!/usr/bin/env python3
"""Signs S3 requests with botocore's own Signature V4 signer, for the Swift signer's tests.

Reads a JSON array of cases from the file named as the argument (or standard input) and prints a JSON array of results, one per case:

  case:   {"method", "endpoint" ("http://host:port" or "https://host"), "addressing" ("path" or
           "virtual"), "bucket", "key" (null for bucket requests), "params" ([[name, value], ...],
           raw), "headers" ([[name, value], ...]), "body_hex", "region", "access_key",
           "secret_key", "token" (or null), "unsigned" (UNSIGNED-PAYLOAD), "timestamp"
           ("20260102T030405Z")}
  result: {"url", "authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}

The URL is built the way botocore builds S3 URLs: the key percent-encoded with
botocore.utils.percent_encode(key, safe="/~"), the bucket in the path or the host. The signature
comes from botocore.auth.S3SigV4Auth at the case's fixed timestamp.

Run with the project's virtualenv: .venv/bin/python scripts/testenv/botocore_sign.py [CASES.json]
"""
import datetime
import json
import sys

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode
except ImportError as error:  # pragma: no cover - the message is the point
    sys.stderr.write(f"botocore_sign.py: botocore is missing ({error}); run scripts/setup.sh\n")
    sys.exit(3)


def sign(case):
    stamp = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *args, **kwargs: stamp
    scheme, _, authority = case["endpoint"].partition("://")
    key = case.get("key")
    encoded_key = percent_encode(key, safe="/~") if key is not None else None
    if case["addressing"] == "virtual":
        url = f"{scheme}://{case['bucket']}.{authority}/" + (encoded_key or "")
    else:
        url = f"{scheme}://{authority}/{case['bucket']}" + (f"/{encoded_key}" if encoded_key is not None else "")
    body = bytes.fromhex(case.get("body_hex") or "")
    request = AWSRequest(method=case["method"], url=url, data=body, params=[tuple(p) for p in case.get("params", [])])
    for name, value in case.get("headers", []):
        request.headers[name] = value
    if case.get("unsigned"):
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    botocore.auth.S3SigV4Auth(credentials, "s3", case["region"]).add_auth(request)
    return {
        "url": url,
        "authorization": request.headers["Authorization"],
        "x-amz-date": request.headers["X-Amz-Date"],
        "x-amz-content-sha256": request.headers["X-Amz-Content-SHA256"],
        "x-amz-security-token": request.headers.get("X-Amz-Security-Token"),
    }


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as source:
            cases = json.load(source)
    else:
        cases = json.load(sys.stdin)
    json.dump([sign(case) for case in cases], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
