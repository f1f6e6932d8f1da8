//! certkit signer: a Kubernetes controller that signs approved
//! CertificateSigningRequests for its signer names, with the policy
//! `certkit sign` applies to objects (`certkit_core::k8s`).
