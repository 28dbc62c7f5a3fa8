//! The sandbox helper, built for the `exec` crate's own tests (see `exec::python::init`).

fn main() {
    exec::python::init::main()
}
