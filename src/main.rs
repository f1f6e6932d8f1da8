fn main() {
    std::process::exit(certkit::cli::main_with_args(std::env::args_os().collect()));
}
