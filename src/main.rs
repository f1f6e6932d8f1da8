fn main() {
    std::process::exit(certkit::main_with_args(std::env::args_os().collect()));
}
