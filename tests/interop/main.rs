//! certkit side by side with another implementation or checker: Debian's
//! cfssl 1.2.0 and current cfssl, openssl, Java's keytool, pkilint and
//! x509-limbo. These tools must be installed (scripts/test installs
//! them); a missing one fails the test, except current cfssl, which is
//! skipped with a SKIP line when it cannot be built.

// If you're comparing `bundle` with cfssl's, it goes in here.
mod bundle;
// If you're exchanging keys, CSRs or certificates with cfssl or
// cfssljson (both ways), it goes in here.
mod cfssl;
// If you're checking that certkit under the cfssl names accepts a command
// line cfssl accepts and writes the same files, it goes in here.
mod cfssl_leniency;
// If you're comparing one of cfssl's last flags or request fields (issue
// 30: -crl, extensions, bundle of PKCS#12, certinfo -db-config,
// encrypted_key, -remote failover) with cfssl 1.6.5 and 1.2.0, it goes in here.
mod cfssl_parity;
// If you're comparing certkit under another cfssl name or output shape
// (`cfssl-certinfo`, `mkbundle`, `cfssl-newkey`...), it goes in here.
mod cfssl_names;
// If you're running a script in a shape found in public repositories
// against certkit and cfssl, it goes in here.
mod cfssl_scripts;
// If you're checking a key format against openssl, it goes in here.
mod key_formats;
// If you're checking x509-limbo's path-validation cases, it goes in here.
mod limbo;
// If you're checking PKCS#12 against openssl or keytool, it goes in here.
mod pkcs12;
// If you're adding a test of a CA key in a PKCS#11 token (SoftHSM2) with
// pkcs11-tool or openssl's PKCS#11 engine, it goes in here.
mod pkcs11;
// If you're adding a test of `certkit cluster` with its CA keys in a
// SoftHSM2 token, it goes in here.
mod pkcs11_cluster;
// If you're comparing an issued certificate with cfssl's, field by field
// (and pkilint on it), it goes in here.
mod policy;
// If you're reading a live TLS server (`-domain`, `-ip`), it goes in here.
mod tls_domain;
// If you're comparing `verify` with `openssl verify`, it goes in here.
mod verify;
