//! `sundial-sandbox-init`: pid 1 of every `python_script` sandbox (see `exec::python::init`).
//! `sundial` finds it next to its own executable.

fn main() {
    exec::python::init::main()
}
