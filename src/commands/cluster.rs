//! `cluster`: a whole kubeadm-layout cluster PKI from one spec
//! (`init`), renewing its leaves (`renew`), and an example spec
//! (`print-defaults`).

use super::renew::RotationFlags;
use crate::common::{emit, print_stdout};
use crate::values::GoBool;
use certkit_core::cluster::spec::EXAMPLE_SPEC;
use certkit_core::error::Result;
use certkit_files::cluster::init::InitOptions;
use certkit_ops::cluster as ops;
use std::path::PathBuf;

/// Create or renew a whole Kubernetes cluster PKI (kubeadm's layout)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A cluster's PKI from an edited example spec, then its expiry dates:
    certkit cluster print-defaults > cluster.json
    certkit cluster init -config cluster.json --out cluster-pki
    certkit check-expiration cluster-pki")]
pub struct Args {
    #[command(subcommand)]
    pub command: ClusterCommand,
}

/// The cluster subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ClusterCommand {
    Init(InitArgs),
    Renew(RenewArgs),
    PrintDefaults(PrintDefaultsArgs),
}

/// Write every CA, certificate and key of a cluster's PKI, all or nothing
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Start from the example spec, edit it, then make the PKI in ./pki:
    certkit cluster print-defaults > cluster.json
    certkit cluster init -config cluster.json
  Replace the leaves but keep the CAs (and sa.key) of an existing PKI
  (on a control-plane node, --out /etc/kubernetes/pki):
    certkit cluster init -config cluster.json --out pki --reuse-ca
  Also keep the set as cfssl inputs, e.g. in git:
    certkit cluster init -config cluster.json --out pki2 --cfssl-out pki-cfssl && ls pki-cfssl

FILES:
  ca, front-proxy-ca, etcd/ca (CAs); apiserver, apiserver-kubelet-client,
  front-proxy-client, etcd/server, etcd/peer, etcd/healthcheck-client,
  apiserver-etcd-client: each NAME.crt and NAME.key (0600); sa.key, sa.pub.

CA KEYS IN A TOKEN:
  --ca-key 'ca=pkcs11:token=k8s;object=ca?module-path=...&pin-source=file:/etc/certkit/pin'
  makes the root CA for a key already in a PKCS#11 token (--new-token-keys: generated
  there first); ca.key then holds that URI, never a key, and `cluster renew` and
  --reuse-ca sign through the token.")]
pub struct InitArgs {
    /// Cluster spec JSON (see `certkit cluster print-defaults`), or - for standard input
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub config: String,

    /// The PKI directory to write (written whole, or not at all)
    #[arg(long, value_name = "DIR", default_value = "./pki")]
    pub out: PathBuf,

    /// Replace an existing output directory
    #[arg(long, go_bool())]
    pub force: bool,

    /// Keep the existing directory's CAs and service-account key; issue new leaves from them
    #[arg(long = "reuse-ca", go_bool())]
    pub reuse_ca: bool,

    /// Also write the set as cfssl request JSON, ca-config.json and gencert.sh into DIR
    #[arg(long = "cfssl-out", value_name = "DIR")]
    pub cfssl_out: Option<PathBuf>,

    /// Make the CA NAME (ca, front-proxy-ca, etcd/ca) for a key already in a PKCS#11 token;
    /// NAME.key then holds the URI, never a key (repeatable)
    #[arg(long = "ca-key", value_name = "NAME=pkcs11:URI")]
    pub ca_key: Vec<String>,

    /// Generate each --ca-key key inside the token first (the spec's algorithm for that CA;
    /// sensitive, never extractable), as `gencert -initca -new-token-key` does
    #[arg(long = "new-token-keys", go_bool())]
    pub new_token_keys: bool,
}

/// Renew the layout's leaf certificates in place (same subject, SANs, usages, key)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Renew every leaf before it expires, from cron (kubeadm: --out /etc/kubernetes/pki):
    certkit check-expiration pki --within 720h || certkit cluster renew all --out pki
  Renew the etcd server certificate with a new key:
    certkit cluster renew etcd/server --out pki --new-key")]
pub struct RenewArgs {
    /// `all`, or one leaf: apiserver, apiserver-kubelet-client, front-proxy-client,
    /// etcd/server, etcd/peer, etcd/healthcheck-client, apiserver-etcd-client
    #[arg(value_name = "NAME")]
    pub which: String,

    /// The PKI directory
    #[arg(long, value_name = "DIR", default_value = "./pki")]
    pub out: PathBuf,

    #[command(flatten)]
    pub rotation: RotationFlags,
}

/// Print an example cluster spec
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
    certkit cluster print-defaults > cluster.json")]
pub struct PrintDefaultsArgs {}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        ClusterCommand::Init(a) => run_init(a),
        ClusterCommand::Renew(a) => run_renew(a),
        ClusterCommand::PrintDefaults(_) => print_stdout(example_spec()),
    }
}

fn run_init(args: InitArgs) -> Result<()> {
    let opts = InitOptions {
        out: args.out.clone(),
        force: args.force,
        reuse_ca: args.reuse_ca,
    };
    emit(ops::init_from_spec(
        &args.config,
        &opts,
        args.cfssl_out.as_deref(),
        ops::TokenCas {
            keys: &args.ca_key,
            generate: args.new_token_keys,
        },
    )?)
}

fn run_renew(args: RenewArgs) -> Result<()> {
    let backup = !args.rotation.no_backup;
    emit(ops::renew(
        &args.out,
        &args.which,
        args.rotation.new_key,
        backup,
    )?)
}

/// The example spec; `certkit print-defaults cluster` prints it too.
pub fn example_spec() -> &'static str {
    EXAMPLE_SPEC
}
