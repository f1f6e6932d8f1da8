//! Writing a cluster PKI: the directory staged and swapped in whole
//! (`init`, over `crate::output_dir`), the same set as cfssl inputs (`cfssl_out`), and
//! renewing the layout's leaves in place (`renew`).

pub mod cfssl_out;
pub mod init;
pub mod renew;
