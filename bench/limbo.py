#!/usr/bin/env python3
"""certkit and openssl on x509-limbo, in one run, as a markdown table.

Runs every SERVER and CLIENT case of ../shared/limbo/limbo.json.gz (or
LIMBO=path) through `certkit verify` (target/release/certkit, or
CERTKIT=path) and `openssl verify -x509_strict -partial_chain
-auth_level 2`, each case's files written once and both tools run on
them back to back. A case a tool cannot express (openssl: several names
of one kind, required key usages) is counted as such, not run.

    bench/limbo.py            the table
    bench/limbo.py -v         also every wrong verdict, per tool
"""
import concurrent.futures
import datetime
import gzip
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMBO = os.environ.get("LIMBO", os.path.join(REPO, "..", "shared", "limbo", "limbo.json.gz"))
CERTKIT = os.environ.get("CERTKIT", os.path.join(REPO, "target", "release", "certkit"))

PURPOSES = {
    "serverAuth": "server", "clientAuth": "client", "codeSigning": "code-signing",
    "emailProtection": "email-protection", "OCSPSigning": "ocsp-signing",
    "timeStamping": "time-stamping", "anyExtendedKeyUsage": "any",
}
OPENSSL_PURPOSES = {"serverAuth": "sslserver", "clientAuth": "sslclient"}
KEY_USAGES = {
    "digitalSignature": "digital-signature", "contentCommitment": "content-commitment",
    "keyEncipherment": "key-encipherment", "dataEncipherment": "data-encipherment",
    "keyAgreement": "key-agreement", "keyCertSign": "key-cert-sign", "cRLSign": "crl-sign",
    "encipherOnly": "encipher-only", "decipherOnly": "decipher-only",
}


def names(case):
    found = [case["expected_peer_name"]] if case["expected_peer_name"] else []
    return found + (case["expected_peer_names"] or [])


def eku(case):
    if case["extended_key_usage"]:
        return case["extended_key_usage"][0]
    return "clientAuth" if case["validation_kind"] == "CLIENT" else "serverAuth"


def write_files(case, d):
    def put(name, pems):
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write("\n".join(pems))
        return path
    return {
        "roots": put("roots.pem", case["trusted_certs"]),
        "ints": put("ints.pem", case["untrusted_intermediates"]) if case["untrusted_intermediates"] else None,
        "crls": [put(f"crl{i}.pem", [c]) for i, c in enumerate(case["crls"])],
        "leaf": put("leaf.pem", [case["peer_certificate"]]),
    }


def epoch(case):
    t = case["validation_time"]
    if not t:
        return None
    return int(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp())


def certkit_args(case, f):
    args = [CERTKIT, "verify", "-ca-bundle", f["roots"]]
    if f["ints"]:
        args += ["-int-bundle", f["ints"]]
    for crl in f["crls"]:
        args += ["-crl", crl]
    for n in names(case):
        args += [{"DNS": "-hostname", "IP": "-ip"}.get(n["kind"], "-email"), n["value"]]
    args += ["-purpose", PURPOSES[eku(case)]]
    for ku in case["key_usage"]:
        args += ["-key-usage", KEY_USAGES[ku]]
    if case["max_chain_depth"] is not None:
        args += ["-max-depth", str(case["max_chain_depth"])]
    if case["validation_time"]:
        args += ["-at", case["validation_time"]]
    return args + [f["leaf"]]


def openssl_args(case, f):
    """openssl verify's command line, or None when it cannot say it."""
    ns = names(case)
    kinds = [n["kind"] for n in ns]
    if case["key_usage"] or len(kinds) != len(set(kinds)) or eku(case) not in OPENSSL_PURPOSES:
        return None
    args = ["openssl", "verify", "-x509_strict", "-partial_chain", "-auth_level", "2",
            "-CAfile", f["roots"], "-purpose", OPENSSL_PURPOSES[eku(case)]]
    if f["ints"]:
        args += ["-untrusted", f["ints"]]
    if f["crls"]:
        args += ["-crl_check"] + [a for crl in f["crls"] for a in ("-CRLfile", crl)]
    for n in ns:
        args += [{"DNS": "-verify_hostname", "IP": "-verify_ip"}.get(n["kind"], "-verify_email"), n["value"]]
    if case["max_chain_depth"] is not None:
        args += ["-verify_depth", str(case["max_chain_depth"])]
    if epoch(case) is not None:
        args += ["-attime", str(epoch(case))]
    return args + [f["leaf"]]


def run(args):
    if args is None:
        return None
    out = subprocess.run(args, capture_output=True, timeout=60)
    return out.returncode == 0


def judge(case):
    with tempfile.TemporaryDirectory() as d:
        f = write_files(case, d)
        return case, run(certkit_args(case, f)), run(openssl_args(case, f))


def main():
    verbose = "-v" in sys.argv[1:]
    with gzip.open(LIMBO) as fh:
        cases = [c for c in json.load(fh)["testcases"] if c["validation_kind"] in ("SERVER", "CLIENT")]
    tally = {tool: {"right": 0, "wrong accept": 0, "wrong reject": 0, "not expressible": 0}
             for tool in ("certkit", "openssl")}
    wrong = {"certkit": [], "openssl": []}
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for case, *verdicts in pool.map(judge, cases):
            want = case["expected_result"] == "SUCCESS"
            for tool, ok in zip(("certkit", "openssl"), verdicts):
                if ok is None:
                    kind = "not expressible"
                elif ok == want:
                    kind = "right"
                else:
                    kind = "wrong accept" if ok else "wrong reject"
                    wrong[tool].append(f"{kind}: {case['id']}")
                tally[tool][kind] += 1
    openssl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    print(f"x509-limbo, {len(cases)} cases, {datetime.date.today()}; {openssl}\n")
    print("| tool | right | wrong accept | wrong reject | not expressible |")
    print("|---|---|---|---|---|")
    labels = {"certkit": "certkit verify", "openssl": "openssl verify -x509_strict -partial_chain -auth_level 2"}
    for tool, t in tally.items():
        print(f"| {labels[tool]} | {t['right']:,} | {t['wrong accept']:,} | {t['wrong reject']:,} | {t['not expressible']:,} |")
    if verbose:
        for tool, lines in wrong.items():
            for line in sorted(lines):
                print(f"{tool} {line}")


if __name__ == "__main__":
    main()
