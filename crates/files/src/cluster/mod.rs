//! Writing a cluster PKI: the directory staged and swapped in whole
//! (`output_dir`, `init`), the same set as cfssl inputs (`cfssl_out`), and
//! renewing the layout's leaves in place (`renew`).

pub mod cfssl_out;
pub mod init;
pub mod ops;
pub mod output_dir;
pub mod renew;
