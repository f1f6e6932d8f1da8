//! A whole kubeadm-layout cluster PKI from one spec: which certificates
//! (`layout`), the input (`spec`), and building them in memory (`build`,
//! `keygen`). Writing the directory, the cfssl inputs and renewing in
//! place are `certkit_files::cluster`'s.

pub mod build;
pub mod keygen;
pub mod layout;
pub mod spec;
