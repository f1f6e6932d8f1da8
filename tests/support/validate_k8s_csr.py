"""Validates a certificates.k8s.io/v1 CertificateSigningRequest manifest
(JSON on stdin) with the Kubernetes Python client's models: the model's own
deserialisation (types, required fields, the base64 pattern of
spec.request), then a walk that refuses any field the models do not
define, and the API server's rules the models leave out (the usage enum,
expirationSeconds >= 600). Exits non-zero with the reason on failure."""

import json
import re
import sys

from kubernetes import client

# certificates.k8s.io/v1 KeyUsage values, as the API server accepts them.
USAGES = {
    "signing", "digital signature", "content commitment", "key encipherment",
    "key agreement", "data encipherment", "cert sign", "crl sign",
    "encipher only", "decipher only", "any", "server auth", "client auth",
    "code signing", "email protection", "s/mime", "ipsec end system",
    "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
    "microsoft sgc", "netscape sgc",
}


def fail(msg):
    sys.exit(f"invalid CertificateSigningRequest: {msg}")


def walk(data, type_name, path):
    """Refuses keys the model for type_name does not define, recursively."""
    optional = re.fullmatch(r"Optional\[(.*)\]", type_name)
    if optional:
        return walk(data, optional.group(1), path)
    listed = re.fullmatch(r"List\[(.*)\]", type_name)
    if listed:
        for i, item in enumerate(data):
            walk(item, listed.group(1), f"{path}[{i}]")
        return
    mapped = re.fullmatch(r"Dict\[str, (.*)\]", type_name)
    if mapped:
        for key, item in data.items():
            walk(item, mapped.group(1), f"{path}.{key}")
        return
    model = getattr(client.models, type_name, None)
    if model is None:
        return  # a primitive: the model deserialisation checked its type
    by_json_name = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key, value in data.items():
        if key not in by_json_name:
            fail(f"{path}.{key}: not a field of {type_name}")
        if value is not None:
            walk(value, model.openapi_types[by_json_name[key]], f"{path}.{key}")


def main():
    data = json.load(sys.stdin)
    try:
        obj = client.V1CertificateSigningRequest.from_dict(data)
    except Exception as e:  # pydantic reports every violation in one error
        fail(str(e))
    walk(data, "V1CertificateSigningRequest", "")
    if obj.api_version != "certificates.k8s.io/v1" or obj.kind != "CertificateSigningRequest":
        fail(f"apiVersion/kind is {obj.api_version}/{obj.kind}")
    if not obj.metadata or not obj.metadata.name:
        fail("metadata.name is missing")
    if not obj.spec.usages:
        fail("spec.usages is empty")
    for usage in obj.spec.usages:
        if usage not in USAGES:
            fail(f"spec.usages: {usage!r} is not a certificates.k8s.io/v1 KeyUsage")
    if obj.spec.expiration_seconds is not None and obj.spec.expiration_seconds < 600:
        fail("spec.expirationSeconds is below 600")
    print("valid")


main()
