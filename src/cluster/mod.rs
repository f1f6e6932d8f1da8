//! A whole kubeadm-layout cluster PKI from one spec: which certificates
//! (`layout`), the input (`spec`), building and writing them (`build`,
//! `keygen`, `output_dir`), the same set as cfssl inputs (`cfssl_out`),
//! and renewing the layout's leaves in place (`renew`).

pub mod build;
pub mod cfssl_out;
pub mod keygen;
pub mod layout;
pub mod output_dir;
pub mod renew;
pub mod spec;
