"""Drives the rate limits of `serve -acme` replicas with certbot's own ACME
library (acme.jws over josepy): new orders that are never finished, and
one http-01 challenge answered with nothing listening (a quick failed
validation). Prints one `case status type retry-after` line per request;
the Rust test (`rate_limits_*` in acme.rs) asserts.

    rate_cases.py CA STATE first BASE_A BASE_B
        one account; order 1 on A, its http-01 validation fails; orders 2
        (on B), 3 (on A), 4 (on B) and 5 (on A); order 2's challenge on B.
    rate_cases.py CA STATE again BASE
        the same account (its key in STATE) on a replica started since:
        a new order, and order 2's challenge.
    rate_cases.py CA STATE race BASE_A BASE_B N
        one account; N new orders at once, alternately on A and B (each
        from its own thread and connection, released together): prints
        `race STATUS TYPE` per order.
"""
import threading
import json
import sys
import time
from urllib.parse import urlsplit

import josepy as jose
import requests
from acme import jws as acme_jws
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ca, state_path, phase, bases = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
session = requests.Session()
session.verify = ca


class Replica:
    """One replica: its directory and the account's URL there (a kid is
    an account URL under the replica's own base)."""

    def __init__(self, base, key, create):
        self.base = base
        self.key = key
        self.directory = session.get(base + "/acme/directory", timeout=20).json()
        payload = {"termsOfServiceAgreed": True} if create else {"onlyReturnExisting": True}
        answer = self.post(self.directory["newAccount"], payload, kid=None)
        assert answer.status_code in (200, 201), answer.text
        self.kid = answer.headers["Location"]

    def post(self, url, payload, kid=""):
        nonce = session.head(self.directory["newNonce"], timeout=20).headers["Replay-Nonce"]
        body = b"" if payload is None else json.dumps(payload).encode()
        signed = acme_jws.JWS.sign(body, self.key, jose.ES256, jose.b64decode(nonce), url=url,
                                   kid=self.kid if kid == "" else kid).json_dumps()
        return session.post(url, data=signed,
                            headers={"Content-Type": "application/jose+json"}, timeout=30)

    def order(self, case):
        answer = self.post(self.directory["newOrder"],
                           {"identifiers": [{"type": "dns", "value": "acme.test"}]})
        report(case, answer)
        return answer

    def challenge(self, case, authz_path):
        authz = self.post(self.base + authz_path, None).json()
        http01 = next(c for c in authz["challenges"] if c["type"] == "http-01")
        answer = self.post(http01["url"], {})
        report(case, answer)
        return answer


def report(case, answer):
    try:
        kind = answer.json().get("type", "-")
    except ValueError:
        kind = "-"
    print(case, answer.status_code, kind, answer.headers.get("Retry-After", "-"), flush=True)


def authz_path(order):
    return urlsplit(order.json()["authorizations"][0]).path


if phase == "first":
    key = ec.generate_private_key(ec.SECP256R1())
    a = Replica(bases[0], jose.JWKEC(key=key), create=True)
    b = Replica(bases[1], a.key, create=False)
    first = authz_path(a.order("order-1-on-a"))
    a.challenge("challenge-1-on-a", first)
    status = "pending"
    for _ in range(120):
        status = a.post(a.base + first, None).json()["status"]
        if status not in ("pending", "processing"):
            break
        time.sleep(0.25)
    print("validation-1", status, flush=True)
    second = authz_path(b.order("order-2-on-b"))
    a.order("order-3-on-a")
    b.order("order-4-on-b")
    a.order("order-5-on-a")
    b.challenge("challenge-2-on-b", second)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    with open(state_path, "w") as state:
        json.dump({"key": pem, "authz": second}, state)
elif phase == "again":
    with open(state_path) as state:
        saved = json.load(state)
    key = serialization.load_pem_private_key(saved["key"].encode(), password=None)
    c = Replica(bases[0], jose.JWKEC(key=key), create=False)
    c.order("order-6-after-restart")
    c.challenge("challenge-2-after-restart", saved["authz"])
elif phase == "race":
    key = jose.JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    replicas = [Replica(bases[0], key, create=True)]
    replicas.append(Replica(bases[1], key, create=False))
    count = int(bases[2])
    start = threading.Barrier(count)
    answers = [None] * count

    def order(n):
        replica = replicas[n % 2]
        url = replica.directory["newOrder"]
        nonce = requests.head(replica.directory["newNonce"], timeout=20).headers["Replay-Nonce"]
        payload = json.dumps({"identifiers": [{"type": "dns", "value": "acme.test"}]}).encode()
        body = acme_jws.JWS.sign(payload, key, jose.ES256, jose.b64decode(nonce), url=url,
                                 kid=replica.kid).json_dumps()
        start.wait(timeout=60)
        answers[n] = requests.post(url, data=body, timeout=60,
                                   headers={"Content-Type": "application/jose+json"})

    threads = [threading.Thread(target=order, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for answer in answers:
        report("race", answer)
else:
    sys.exit("phase: first, again or race")
