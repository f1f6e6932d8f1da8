# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_certkit_global_optspecs
    string join \n loglevel= q/quiet= h/help V/version
end

function __fish_certkit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_certkit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_certkit_using_subcommand
    set -l cmd (__fish_certkit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c certkit -n "__fish_certkit_needs_command" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_needs_command" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_needs_command" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "genkey" -d 'Generate a private key and a certificate signing request'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "gencert" -d 'Generate a key and a certificate signed by a CA (or a new CA)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "initca" -d 'Create a new self-signed certificate authority from a request'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "sign" -d 'Sign a certificate signing request with a CA'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "json" -d 'Write the key, CSR, certificate and bundle from cfssl JSON into files (cfssljson)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "k8s" -d 'Kubernetes CertificateSigningRequest objects, without base64 or jq'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "version" -d 'Print the version'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "key" -d 'Private key tools (convert between PKCS#1, SEC1, PKCS#8, PEM and DER)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "pkcs12" -d 'Bundle a private key, its certificate and CA chain into a PKCS#12 (.p12/.pfx) file'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "bundle" -d 'Build a certificate bundle: the chain from a certificate to a trusted root'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "certinfo" -d 'Describe certificates or a CSR as JSON (cfssl\'s fields and more)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "verify" -d 'Verify a certificate chain for a purpose, names and time (exit 0 when valid)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "selfsign" -d 'Generate a key and a self-signed certificate (for testing only)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "print-defaults" -d 'Print a default config or request to start from'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "gencsr" -d 'Generate a CSR for an existing private key'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "cluster" -d 'Create or renew a whole Kubernetes cluster PKI (kubeadm\'s layout)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "check-expiration" -d 'Report certificate expiry; exit 1 when any certificate expires within the window'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "renew" -d 'Renew a certificate in place: same subject, SANs and usages, fresh validity'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "batch" -d 'Generate keys and certificates for many requests, signed by one CA, in one process'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "mkbundle" -d 'Collect the valid certificates of files and directories into one PEM bundle'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "signer" -d 'Run a Kubernetes signer: sign approved CertificateSigningRequests and issue PodCertificateRequests for some signer names'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "gencrl" -d 'Generate a CRL (base64 DER) revoking the serial numbers in a file'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "ocspsign" -d 'Sign an OCSP response for a certificate (printed as {"ocspResponse": BASE64})'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "ocspserve" -d 'Serve OCSP responses over HTTP (RFC 5019: GET and POST)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "revoke" -d 'Revoke a certificate in the certificate database'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "crl" -d 'Generate a CRL (base64 DER) from the certificate database'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "ocsprefresh" -d 'Refresh the database\'s OCSP responses for every unexpired certificate of the CA'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "ocspdump" -d 'Print the database\'s unexpired OCSP responses, base64, one a line'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "serve" -d 'Serve cfssl\'s signing API (sign, authsign, info, health, newkey, newcert, init_ca, certinfo, bundle; revoke, crl with -db-config, and certadd with an auth_key on the default profile; ocspsign with -responder)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "info" -d 'Ask a remote cfssl API for its CA certificate and a profile\'s usages and expiry'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "multirootca" -d 'Serve several labeled CAs from a roots file (cfssl\'s multirootca: authsign and info)'
complete -c certkit -n "__fish_certkit_needs_command" -f -a "install-links" -d 'Link every cfssl binary name certkit answers to (cfssl, cfssljson, ...) to certkit in DIR'
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -l initca -d 'Also self-sign the CSR as a CA certificate (like gencert -initca)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -l key-format -d 'Private key structure: pkcs1 (RSA), sec1 (ECDSA) or pkcs8 (any; Java, netty). Default as cfssl: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519' -r -f -a "pkcs1\t'RSA keys as PKCS#1 (`RSA PRIVATE KEY`)'
sec1\t'ECDSA keys as SEC1 (`EC PRIVATE KEY`)'
pkcs8\t'Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want'"
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -l key-password-file -d 'Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC) with the password on the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand genkey" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s default profile' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l remote -d 'Remote cfssl API (HOST:PORT, IP:PORT or URL; "a,b" is a failover group tried in order); replaces the config\'s remotes' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l label -d 'Signer label on the remote (multirootca chooses its CA by it)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l tls-remote-ca -d 'CA certificates to trust for an https remote (default: the system\'s)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l mutual-tls-client-cert -d 'Client certificate for a remote that requires mutual TLS' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l mutual-tls-client-key -d 'Private key of -mutual-tls-client-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l initca -d 'Create a self-signed CA instead of signing with -ca' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l hostname -d 'Comma-separated hosts that replace the request\'s hosts' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l cn -d 'Common name that replaces the request\'s CN (as current cfssl)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l renewca -d 'Renew the CA given by -ca and -ca-key: same key, subject and pathlen, new validity' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l new-token-key -d 'With -initca -ca-key pkcs11:URI: first generate the CA key (the request\'s algo and size) inside the token, sensitive and not extractable' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l allow-beyond-ca-expiry -d 'Let the certificate outlive the CA as cfssl does (by default notAfter is capped at the CA\'s)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l allow-empty-subject -d 'Issue a certificate with an empty subject and no SAN as cfssl does (refused by default: RFC 5280 forbids it)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l key-format -d 'Private key structure: pkcs1 (RSA), sec1 (ECDSA) or pkcs8 (any; Java, netty). Default as cfssl: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519' -r -f -a "pkcs1\t'RSA keys as PKCS#1 (`RSA PRIVATE KEY`)'
sec1\t'ECDSA keys as SEC1 (`EC PRIVATE KEY`)'
pkcs8\t'Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want'"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l key-password-file -d 'Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC) with the password on the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l crl -d 'CRL distribution point URL that replaces the profile\'s crl_url (cfssl\'s CRL override)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l db-config -d 'Record the certificate in this certificate database (cfssl\'s db config JSON)' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand gencert" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand initca" -l key-format -d 'Private key structure: pkcs1 (RSA), sec1 (ECDSA) or pkcs8 (any; Java, netty). Default as cfssl: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519' -r -f -a "pkcs1\t'RSA keys as PKCS#1 (`RSA PRIVATE KEY`)'
sec1\t'ECDSA keys as SEC1 (`EC PRIVATE KEY`)'
pkcs8\t'Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want'"
complete -c certkit -n "__fish_certkit_using_subcommand initca" -l key-password-file -d 'Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC) with the password on the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand initca" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand initca" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand initca" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand initca" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s default profile' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l remote -d 'Remote cfssl API (HOST:PORT, IP:PORT or URL; "a,b" is a failover group tried in order); replaces the config\'s remotes' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l label -d 'Signer label on the remote (multirootca chooses its CA by it)' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l tls-remote-ca -d 'CA certificates to trust for an https remote (default: the system\'s)' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l mutual-tls-client-cert -d 'Client certificate for a remote that requires mutual TLS' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l mutual-tls-client-key -d 'Private key of -mutual-tls-client-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l hostname -d 'Comma-separated hosts that replace the CSR\'s SANs' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l csr -d 'CSR file (PEM), instead of the positional argument' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l bundle -d 'Intermediate certificates to append after the leaf in the status (PEM: the signing CA first, then each issuer in turn; checked by name and signature)' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l signer-name -d 'Sign only objects whose spec.signerName is NAME; Kubernetes\' built-in signers also get their rules' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l ignore-approval -d 'Sign objects that have no Approved condition (Denied and Failed ones are still refused)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l failed-condition -d 'Print an invalid request with a Failed condition (exit 0) instead of failing' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l allow-sha1 -d 'Accept a CSR signed with SHA-1 (refused by default: SHA-1 collisions are practical)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l allow-beyond-ca-expiry -d 'Let the certificate outlive the CA as cfssl does (by default notAfter is capped at the CA\'s)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l allow-empty-subject -d 'Issue a certificate with an empty subject and no SAN as cfssl does (refused by default: RFC 5280 forbids it)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l crl -d 'CRL distribution point URL that replaces the profile\'s crl_url (cfssl\'s CRL override)' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l db-config -d 'Record the certificate in this certificate database (cfssl\'s db config JSON)' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand sign" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand sign" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand sign" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand json" -s f -l f -d 'JSON input file, or - for standard input' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand json" -l bare -d 'The input is cfssl\'s plain output, not the API envelope {"success":..,"result":..}' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand json" -l stdout -d 'Print the contents on standard output instead of writing files' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand json" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand json" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand json" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand json" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -f -a "request" -d 'Print a certificates.k8s.io/v1 CertificateSigningRequest manifest'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -f -a "attach" -d 'Put a certificate (PEM chain) into a CertificateSigningRequest\'s status.certificate'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and not __fish_seen_subcommand_from request attach show" -f -a "show" -d 'Decode spec.request and status.certificate of CertificateSigningRequest objects'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -l name -d 'metadata.name of the object (a DNS subdomain, e.g. my-svc.my-namespace)' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -l signer-name -d 'spec.signerName, e.g. example.com/serving or kubernetes.io/kubelet-serving' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -l usages -d 'spec.usages, comma-separated' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -l expiration-seconds -d 'spec.expirationSeconds: the requested lifetime (at least 600)' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -l key-out -d 'Where to write the new private key (mode 0600) when INPUT is a request JSON' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -s o -l output -d 'Output format' -r -f -a "json\t''
yaml\t''"
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from request" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from attach" -l cert -d 'Certificate (PEM), optionally followed by its intermediates; its key must be the request\'s' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from attach" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from attach" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "json\t''
yaml\t''"
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from show" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand k8s; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand version" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand version" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand version" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand version" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand key; and not __fish_seen_subcommand_from convert" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand key; and not __fish_seen_subcommand_from convert" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand key; and not __fish_seen_subcommand_from convert" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand key; and not __fish_seen_subcommand_from convert" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand key; and not __fish_seen_subcommand_from convert" -f -a "convert" -d 'Convert a private key between PKCS#1, SEC1 and PKCS#8, PEM and DER, plain or encrypted'
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -l der -d 'Write DER instead of PEM' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -l out -d 'Output file, written atomically with mode 0600 (default: standard output)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -l key-format -d 'Private key structure: pkcs1 (RSA), sec1 (ECDSA) or pkcs8 (any; Java, netty). Default as cfssl: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519' -r -f -a "pkcs1\t'RSA keys as PKCS#1 (`RSA PRIVATE KEY`)'
sec1\t'ECDSA keys as SEC1 (`EC PRIVATE KEY`)'
pkcs8\t'Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want'"
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -l key-password-file -d 'Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC) with the password on the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -l key-in-password-file -d 'Password of an encrypted -key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand key; and __fish_seen_subcommand_from convert" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l cert -d 'Certificate (PEM) of the key; further CERTIFICATE blocks in it are taken as its chain' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l key -d 'Private key of the certificate (PEM or DER; PKCS#1, SEC1, PKCS#8, encrypted or not)' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l ca -d 'CA certificates (PEM) to include after the certificate, issuer first; repeatable' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l name -d 'Friendly name of the entry (the alias keytool shows)' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l password-file -d 'Password that protects the PKCS#12 file: first line of FILE, or env:VAR' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l out -d 'The PKCS#12 file to write (mode 0600, written atomically)' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l key-in-password-file -d 'Password of an encrypted -key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand pkcs12" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l cert -d 'Certificate to bundle: PEM (a chain in any order), DER, PKCS#7, or PKCS#12 (with its key; -password); - for standard input' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l domain -d 'Bundle the chain the TLS server NAME presents (NAME or NAME:PORT, default port 443); its certificate must be valid for NAME' -r
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l ip -d 'Connect to this IP address instead of resolving -domain (sent NAME is still -domain)' -r
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l key -d 'Private key (PEM) checked against the certificate and included in the output' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l ca-bundle -d 'Trusted roots (PEM)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l int-bundle -d 'Intermediate certificates to build the chain from (PEM)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l int-dir -d 'Directory of further intermediates (*.pem, *.crt, *.der)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l flavor -d 'Chain choice: ubiquitous (most trusted, needs -metadata), optimal (shortest, newest, strongest), force (as given)' -r -f -a "ubiquitous\t'Most trusted across platforms (needs metadata; else as optimal)'
optimal\t'Shortest, then newest, then strongest'
force\t'The given chain as is, if each certificate is signed by the next'"
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l metadata -d 'cfssl ubiquity metadata (JSON list of platforms and their root stores)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l password -d 'Password of a PKCS#12 -cert (as cfssl; visible to other users in ps: prefer -password-file)' -r
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l password-file -d 'Password of a PKCS#12 -cert, from the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l allow-sha1 -d 'Accept SHA-1 signatures and weak keys (RSA below 2048 bits, DSA, curves other than P-256/P-384/P-521) in the chain, as cfssl does (refused by default: verify\'s rules)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand bundle" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l cert -d 'Certificate(s): PEM (one or more), DER or PKCS#7; - for standard input' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l domain -d 'The certificate a TLS server presents, HOST or HOST:PORT (default port 443)' -r
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l csr -d 'Certificate signing request: PEM or DER; - for standard input. As `cfssl` (a symlink), in cfssl\'s shape: Go\'s x509.CertificateRequest fields first' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l serial -d 'Serial number (decimal) of a certificate recorded in -db-config (with -aki)' -r
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l aki -d 'Authority key identifier (hex, colons allowed) of the -serial certificate' -r
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand certinfo" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l ca-bundle -d 'Trusted roots (PEM)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l int-bundle -d 'Intermediate certificates (PEM)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l hostname -d 'DNS name or IP address the certificate must be valid for (repeatable: all of them)' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l ip -d 'IP address the certificate must be valid for (repeatable)' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l email -d 'Email address the certificate must be valid for (repeatable)' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l purpose -d 'Purpose (extended key usage) the certificate must be valid for' -r -f -a "server\t'TLS server (serverAuth EKU, when the leaf has an EKU extension)'
client\t'TLS client (clientAuth)'
code-signing\t'Code signing (codeSigning)'
email-protection\t'S/MIME (emailProtection)'
ocsp-signing\t'OCSP responder (OCSPSigning)'
time-stamping\t'Time stamping (timeStamping)'
any\t'No extended key usage check'"
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l key-usage -d 'Key usage the certificate must allow (repeatable)' -r -f -a "digital-signature\t''
content-commitment\t'also called nonRepudiation'
key-encipherment\t''
data-encipherment\t''
key-agreement\t''
key-cert-sign\t''
crl-sign\t''
encipher-only\t''
decipher-only\t''"
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l max-depth -d 'Most intermediates allowed in the chain (self-issued ones not counted)' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l crl -d 'CRL to check the chain against (PEM or DER; repeatable)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l at -d 'Verification time (RFC 3339), default now' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l ocsp -d 'Also ask an OCSP responder (--ocsp=URL, or --ocsp: the certificate\'s AIA responder) and refuse a revoked or unknown certificate' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l allow-sha1 -d 'Accept SHA-1 signatures and weak keys (RSA below 2048 bits, DSA, curves other than P-256/P-384/P-521) in the chain, as cfssl does (refused by default: verify\'s rules)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand verify" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand verify" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand verify" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s usages for 2190h' -r
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -l key-format -d 'Private key structure: pkcs1 (RSA), sec1 (ECDSA) or pkcs8 (any; Java, netty). Default as cfssl: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519' -r -f -a "pkcs1\t'RSA keys as PKCS#1 (`RSA PRIVATE KEY`)'
sec1\t'ECDSA keys as SEC1 (`EC PRIVATE KEY`)'
pkcs8\t'Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want'"
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -l key-password-file -d 'Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC) with the password on the first line of FILE (or env:VAR)' -r
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c certkit -n "__fish_certkit_using_subcommand selfsign" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand print-defaults" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand print-defaults" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand print-defaults" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand print-defaults" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -l key -d 'Private key (PEM) the CSR is for' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -l hostname -d 'Comma-separated hosts that replace the request\'s hosts' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -l cert -d 'Certificate (PEM) whose subject, hosts and CA settings the CSR repeats, instead of CSRJSON' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand gencsr" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -f -a "init" -d 'Write every CA, certificate and key of a cluster\'s PKI, all or nothing'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -f -a "renew" -d 'Renew the layout\'s leaf certificates in place (same subject, SANs, usages, key)'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and not __fish_seen_subcommand_from init renew print-defaults" -f -a "print-defaults" -d 'Print an example cluster spec'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l config -d 'Cluster spec JSON (see `certkit cluster print-defaults`), or - for standard input' -r
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l out -d 'The PKI directory to write (written whole, or not at all)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l force -d 'Replace an existing output directory' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l reuse-ca -d 'Keep the existing directory\'s CAs and service-account key; issue new leaves from them' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l cfssl-out -d 'Also write the set as cfssl request JSON, ca-config.json and gencert.sh into DIR' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l ca-key -d 'Make the CA NAME (ca, front-proxy-ca, etcd/ca) for a key already in a PKCS#11 token; NAME.key then holds the URI, never a key (repeatable)' -r
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l new-token-keys -d 'Generate each --ca-key key inside the token first (the spec\'s algorithm for that CA; sensitive, never extractable), as `gencert -initca -new-token-key` does' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -l out -d 'The PKI directory' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -l new-key -d 'Generate a new key like the old one, written beside the certificate (NAME.key for NAME.crt, NAME-key.pem for NAME.pem)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -l no-backup -d 'Do not keep the old certificate (and key) as NAME.bak' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from renew" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from print-defaults" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from print-defaults" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from print-defaults" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand cluster; and __fish_seen_subcommand_from print-defaults" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -l within -d 'The window, as a Go duration (720h, 90m): certificates expiring sooner make the exit status 1' -r
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand check-expiration" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s default profile' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l key -d 'Certify this private key (PEM) instead of the certificate\'s current key' -r
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l new-key -d 'Generate a new key like the old one, written beside the certificate (NAME.key for NAME.crt, NAME-key.pem for NAME.pem)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l no-backup -d 'Do not keep the old certificate (and key) as NAME.bak' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand renew" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand renew" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand renew" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand renew" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s default profile' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l out -d 'Directory the files are written to (created if missing)' -r
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l jobs -d 'Worker threads (default: one per CPU)' -r
complete -c certkit -n "__fish_certkit_using_subcommand batch" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand batch" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand batch" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand batch" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -s f -l f -d 'The bundle file to write' -r
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -l nw -d 'Number of workers (accepted as cfssl\'s mkbundle; certkit reads the files in order)' -r
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -l allow-sha1 -d 'Accept SHA-1 signatures and weak keys (RSA below 2048 bits, DSA, curves other than P-256/P-384/P-521) in the chain, as cfssl does (refused by default: verify\'s rules)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand mkbundle" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l signer-name -d 'spec.signerName values to sign for, comma-separated (e.g. example.com/serving)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s default profile' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l bundle -d 'Intermediate certificates to append after the leaf in the status (PEM: the signing CA first, then each issuer in turn; checked by name and signature)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l kubeconfig -d 'kubeconfig file (default: in-cluster configuration, then $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l leader-elect -d 'Sign only while holding a coordination.k8s.io Lease, so that several replicas are safe' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l leader-elect-lease-name -d 'Name of the Lease' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l leader-elect-namespace -d 'Namespace of the Lease (default: the pod\'s namespace, else default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l leader-elect-lease-duration -d 'How long a lease lasts without renewal before another replica takes over (Go duration)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l metrics-address -d 'Serve Prometheus metrics on ADDR (host:port) at /metrics' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l approve-kubelet-serving -d 'Approve kubernetes.io/kubelet-serving requests from a node for its own addresses; deny the others' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l kubelet-serving-dns -d 'With --approve-kubelet-serving: every DNS SAN must match this whole regular expression (the node\'s own addresses are written by the node itself)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l kubelet-serving-ips -d 'With --approve-kubelet-serving: every IP SAN must lie in one of these ranges (CIDR, comma-separated)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l kubelet-serving-max-sans -d 'With --approve-kubelet-serving: the most SANs a serving request may carry' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l approve-kubelet-client -d 'Approve kubernetes.io/kube-apiserver-client-kubelet requests whose requester may create certificatesigningrequests/selfnodeclient (renewal) or /nodeclient (bootstrap)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l cluster-trust-bundle -d 'Publish the CA as a ClusterTrustBundle per signer name when the server offers the API' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l reload-interval -d 'How often the CA, key and config files are checked for changes (Go duration)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l concurrency -d 'Requests signed at once' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-certificates -d 'Also issue certificates.k8s.io/v1 PodCertificateRequests (podCertificate volumes) for the signer names' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l trust-domain -d 'SPIFFE trust domain of pod certificates: URI SAN spiffe://DOMAIN/ns/NAMESPACE/sa/SERVICEACCOUNT' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-common-name -d 'Subject CN of pod certificates, a template over {namespace}, {pod}, {serviceaccount} (default: empty subject)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-dns-name -d 'A DNS SAN of pod certificates, a template over {namespace}, {pod}, {serviceaccount} (e.g. \'{serviceaccount}.{namespace}.svc\'); repeatable; the profile\'s name_whitelist applies' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-key-types -d 'Key types issued for pods, comma-separated; others are Denied with reason UnsupportedKeyType' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-refresh-fraction -d 'Ask kubelets to refresh at this fraction of the lifetime (0 to 1), kept 10 minutes from either end (default: 0.5 to 0.8 at random)' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-verify -d 'Issue only when the pod exists with the request\'s UID, on the request\'s node, as the request\'s service account (needs get on pods)' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l pod-user-annotations -d 'Read the userAnnotations key certkit.dev/dns-names (comma-separated DNS names, issued only under a profile name_whitelist); other keys are ignored' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand signer" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand signer" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand signer" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand gencrl" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand gencrl" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand gencrl" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand gencrl" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand gencrl" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l ca -d 'The CA whose certificates the responses are about' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l responder -d 'The responder certificate: the CA itself, or one it issued for OCSP signing' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l responder-key -d 'The responder certificate\'s private key: a PEM file or a pkcs11: URI' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l interval -d 'How long signed responses are valid, thisUpdate to nextUpdate (a Go duration; default 96h)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l config -d 'Signing config whose "ocsp" section (CACertFile, ResponderCertFile, KeyFile, Interval) gives the flags not given' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l cert -d 'The certificate to give a status for' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l status -d 'good, revoked or unknown' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l reason -d 'Revocation reason: a name (keyCompromise, superseded, ...) or its RFC 5280 code' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l revoked-at -d 'Revocation date (YYYY-MM-DD) or now' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand ocspsign" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l address -d 'Address to bind' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l port -d 'Port to bind (0: any free port, logged at start)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l responses -d 'File of base64 OCSP responses (as ocspsign and ocspdump print them)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l ca -d 'The CA whose certificates the responses are about' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l responder -d 'The responder certificate: the CA itself, or one it issued for OCSP signing' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l responder-key -d 'The responder certificate\'s private key: a PEM file or a pkcs11: URI' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l interval -d 'How long signed responses are valid, thisUpdate to nextUpdate (a Go duration; default 96h)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l config -d 'Signing config whose "ocsp" section (CACertFile, ResponderCertFile, KeyFile, Interval) gives the flags not given' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l tls-cert -d 'Serve HTTPS with this certificate (PEM)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l tls-key -d 'Private key of -tls-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l max-connections -d 'Most connections served at once, at least 1 (more wait to be accepted)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand ocspserve" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -l serial -d 'The certificate\'s serial number (decimal)' -r
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -l aki -d 'The certificate\'s authority key identifier (hex, colons allowed)' -r
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -l reason -d 'Reason: a name (keyCompromise, superseded, cessationOfOperation, ...) or its RFC 5280 code' -r
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand crl" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand crl" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand crl" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand crl" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand crl" -l expiry -d 'Time from now until the CRL\'s nextUpdate (a Go duration)' -r
complete -c certkit -n "__fish_certkit_using_subcommand crl" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand crl" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand crl" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand crl" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l ca -d 'The CA whose certificates the responses are about' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l responder -d 'The responder certificate: the CA itself, or one it issued for OCSP signing' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l responder-key -d 'The responder certificate\'s private key: a PEM file or a pkcs11: URI' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l interval -d 'How long signed responses are valid, thisUpdate to nextUpdate (a Go duration; default 96h)' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l config -d 'Signing config whose "ocsp" section (CACertFile, ResponderCertFile, KeyFile, Interval) gives the flags not given' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand ocsprefresh" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand ocspdump" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspdump" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand ocspdump" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand ocspdump" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand ocspdump" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l address -d 'Address to listen on' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l port -d 'Port to listen on' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l ca -d 'CA certificate (PEM) to sign with' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l ca-key -d 'CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l ca-key-password-file -d 'Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l config -d 'Signing configuration (cfssl config JSON: profiles, auth_keys)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l db-config -d 'Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l ca-bundle -d 'Roots for the bundle endpoint (default: the system\'s, /etc/ssl/certs/ca-certificates.crt); with -int-bundle, sign answers "bundle": true' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l int-bundle -d 'Intermediates for the bundle endpoint; with -ca-bundle, sign answers "bundle": true' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l int-dir -d 'Directory of further intermediates for the bundler (*.pem, *.crt, *.der)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l metadata -d 'cfssl ubiquity metadata for the bundler\'s ubiquitous flavor (JSON list of platforms)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l responder -d 'OCSP responder certificate for the ocspsign endpoint (without it: no ocspsign)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l responder-key -d 'Private key of -responder: a PEM file or a pkcs11: URI' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l remote -d 'Forward sign, authsign, info and newcert to this cfssl server (HOST:PORT, IP:PORT or URL; "a,b" tried in order); no -ca-key needed' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l tls-remote-ca -d 'CA certificates to trust for an https remote (default: the system\'s)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l mutual-tls-client-cert -d 'Client certificate for a remote that requires mutual TLS' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l mutual-tls-client-key -d 'Private key of -mutual-tls-client-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l tls-cert -d 'Serve HTTPS with this certificate (PEM)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l tls-key -d 'Private key of -tls-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l mutual-tls-ca -d 'Require client certificates issued by these CAs (PEM)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l mutual-tls-cn -d 'Regular expression a client certificate\'s whole CN must match (anchored at both ends; else 403)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l admin-cn -d 'Only clients whose certificate\'s whole CN matches this regular expression may call -admin-endpoints (else 403)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l admin-endpoints -d 'The endpoints -admin-cn guards, comma-separated' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l min-tls-version -d 'Lowest TLS version accepted: 1.2 or 1.3' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l max-connections -d 'Most connections served at once, at least 1 (more wait to be accepted)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l max-crl-expiry -d 'Longest validity a GET crl?expiry= may ask for (longer is capped, as is anything past the CA\'s notAfter)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l max-body-bytes -d 'Largest request body accepted, in bytes (larger: 413)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l disable -d 'Endpoints to turn off, comma-separated (e.g. newcert,newkey; as cfssl 1.6.5)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-profile -d 'The signing profile ACME certificates are issued under (default: the config\'s default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-directories -d 'More directories, one per profile named (comma-separated), at /acme/PROFILE/directory' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-http01-port -d 'The port http-01 validation connects to (RFC 8555: 80)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-tlsalpn01-port -d 'The port tls-alpn-01 validation connects to (RFC 8737: 443)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-dns-resolver -d 'The DNS server (IP:PORT) dns-01 asks for _acme-challenge TXT records; without it dns-01 and wildcards are not offered' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-resolve -d 'Validate NAME at IP (repeatable, as curl\'s --resolve); such an address may be loopback or private' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-eab-keys -d 'External Account Binding: a JSON object of key id to base64url HMAC key; new accounts must be bound to one' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-orders-per-hour -d 'New orders allowed per account and per client address in an hour (counted in the database, shared by replicas)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-failures-per-hour -d 'Failed validations allowed per account in an hour (counted in the database); beyond, its challenges are refused (rateLimited)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme-allowed-domains -d 'The identifiers orders may name, comma-separated: NAME exactly, .SUFFIX (any name under it), /REGEX/ (whole name), or an IP or CIDR network; others are rejectedIdentifier at new-order (default: what the profile allows)' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand serve" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand serve" -l acme -d 'Serve ACME (RFC 8555) at /acme/directory: certbot, lego and cert-manager get certificates from this CA (needs -db-config)'
complete -c certkit -n "__fish_certkit_using_subcommand serve" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand serve" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand info" -l config -d 'Signing configuration (cfssl config JSON); default: cfssl\'s default profile' -r -F
complete -c certkit -n "__fish_certkit_using_subcommand info" -l profile -d 'Signing profile from the config (default: signing.default)' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -l remote -d 'Remote cfssl API (HOST:PORT, IP:PORT or URL; "a,b" is a failover group tried in order); replaces the config\'s remotes' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -l label -d 'Signer label on the remote (multirootca chooses its CA by it)' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -l tls-remote-ca -d 'CA certificates to trust for an https remote (default: the system\'s)' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -l mutual-tls-client-cert -d 'Client certificate for a remote that requires mutual TLS' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -l mutual-tls-client-key -d 'Private key of -mutual-tls-client-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand info" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand info" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand info" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -s a -d 'Listening address (host:port; :port for every interface)' -r
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -l roots -d 'Roots file: INI sections [label] with private, certificate, config, nets, dbconfig' -r
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -s l -d 'The label an empty request label means' -r
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -l tls-cert -d 'Serve HTTPS with this certificate (PEM)' -r
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -l tls-key -d 'Private key of -tls-cert' -r
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand multirootca" -s V -l version -d 'Print version'
complete -c certkit -n "__fish_certkit_using_subcommand install-links" -l force -d 'Replace files and links of those names that are not links to certkit' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand install-links" -l list -d 'Print the names, one per line, and make no links' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand install-links" -l loglevel -d 'Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal' -r
complete -c certkit -n "__fish_certkit_using_subcommand install-links" -s q -l quiet -d 'Print nothing on stderr but errors: no info or warning lines, no progress' -r -f -a "true\t''
false\t''"
complete -c certkit -n "__fish_certkit_using_subcommand install-links" -s h -l help -d 'Print help'
complete -c certkit -n "__fish_certkit_using_subcommand install-links" -s V -l version -d 'Print version'
