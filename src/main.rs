fn main() {
    std::process::exit(irsa_lint::cli::main());
}
