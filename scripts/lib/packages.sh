# System packages the python_script sandbox needs (crates/exec, docs/sandbox.md):
#   bubblewrap  - /usr/bin/bwrap builds the namespaces and the read-only root
#   python3     - Debian's /usr/bin/python3 (3.11 on bookworm), the only interpreter the
#                 sandbox runs; a pyenv or other python elsewhere is never mounted
#   procps      - /usr/bin/kill, used by the tests to clean up after weakened sandboxes
# No libseccomp-dev: the seccomp filter is hand-written BPF in sundial-sandbox-init.

ensure_sandbox_packages() {
    local missing=()
    command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
    [ -x /usr/bin/python3 ] || missing+=(python3)
    [ -x /usr/bin/kill ] || [ -x /bin/kill ] || missing+=(procps)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "== installing sandbox packages: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}
