"""Drives `serve -acme` with certbot's own ACME library (acme.jws over
josepy) to check what no whole client exercises: bad nonces, nonce reuse,
a wrong `url`, a tampered signature, the content type, an unsupported
algorithm, RS256 and ES384 account keys, key rollover and deactivation.
Prints one `case status type` line per request; the Rust test asserts."""
import json
import sys

import josepy as jose
import requests
from acme import jws as acme_jws
from cryptography.hazmat.primitives.asymmetric import ec, rsa

base, ca = sys.argv[1], sys.argv[2]
session = requests.Session()
session.verify = ca
directory = session.get(base + "/acme/directory", timeout=20).json()


def fresh_nonce():
    return session.head(directory["newNonce"], timeout=20).headers["Replay-Nonce"]


def post(case, url, payload, key, alg, kid=None, nonce=None, signed_url=None,
         content_type="application/jose+json", tamper=False):
    nonce = nonce or fresh_nonce()
    body = acme_jws.JWS.sign(payload, key, alg, jose.b64decode(nonce),
                             url=signed_url or url, kid=kid).json_dumps()
    if tamper:
        parsed = json.loads(body)
        parsed["signature"] = ("A" if parsed["signature"][0] != "A" else "B") + parsed["signature"][1:]
        body = json.dumps(parsed)
    response = session.post(url, data=body, headers={"Content-Type": content_type}, timeout=20)
    try:
        kind = response.json().get("type", "-")
    except ValueError:
        kind = "-"
    nonce_sent = "nonce" if response.headers.get("Replay-Nonce") else "no-nonce"
    print(case, response.status_code, kind, nonce_sent, flush=True)
    return response


def json_bytes(obj):
    return json.dumps(obj).encode()


es256 = jose.JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
account = post("new-account", directory["newAccount"], json_bytes({"termsOfServiceAgreed": True}),
               es256, jose.ES256)
kid = account.headers["Location"]

post("bad-nonce", kid, b"", es256, jose.ES256, kid=kid, nonce="AAAAAAAAAAAAAAAAAAAAAA")
reused = fresh_nonce()
post("first-use", kid, b"", es256, jose.ES256, kid=kid, nonce=reused)
post("reused-nonce", kid, b"", es256, jose.ES256, kid=kid, nonce=reused)
post("wrong-url", kid, b"", es256, jose.ES256, kid=kid, signed_url=directory["newOrder"])
post("tampered", kid, b"", es256, jose.ES256, kid=kid, tamper=True)
post("content-type", kid, b"", es256, jose.ES256, kid=kid, content_type="application/json")

rsa_key = jose.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
post("rs512", directory["newAccount"], json_bytes({"termsOfServiceAgreed": True}), rsa_key, jose.RS512)
post("rs256", directory["newAccount"], json_bytes({"termsOfServiceAgreed": True}), rsa_key, jose.RS256)

# Key rollover (RFC 8555 7.3.5) to an ES384 key.
es384 = jose.JWKEC(key=ec.generate_private_key(ec.SECP384R1()))
inner = acme_jws.JWS.sign(
    json_bytes({"account": kid, "oldKey": es256.public_key().to_partial_json()}),
    es384, jose.ES384, None, url=directory["keyChange"]).json_dumps().encode()
post("key-change", directory["keyChange"], inner, es256, jose.ES256, kid=kid)
existing = json_bytes({"onlyReturnExisting": True})
found = post("new-key-finds-account", directory["newAccount"], existing, es384, jose.ES384)
print("same-account", found.headers.get("Location") == kid, flush=True)
post("old-key-finds-none", directory["newAccount"], existing, es256, jose.ES256)

post("deactivate", kid, json_bytes({"status": "deactivated"}), es384, jose.ES384, kid=kid)
post("order-after-deactivation", directory["newOrder"],
     json_bytes({"identifiers": [{"type": "dns", "value": "acme.test"}]}), es384, jose.ES384, kid=kid)
