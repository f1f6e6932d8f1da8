/// Every heap block is wiped when it is freed: key material passes
/// through buffers certkit does not own (serde_json's scratch space while
/// it unescapes a key in cfssl's JSON, the `pem` crate's strings, a
/// `Vec` left behind when it grows), and wiping each of them by hand
/// cannot be complete. `tests/hardening/memory.rs` checks the result in
/// a core dump. AWS-LC's own allocations are cleansed by AWS-LC.
#[global_allocator]
static ALLOC: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

fn main() {
    std::process::exit(certkit::main_with_args(std::env::args_os().collect()));
}
