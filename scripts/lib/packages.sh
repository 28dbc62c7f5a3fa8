# System packages the python_script sandbox needs (crates/exec, docs/sandbox.md):
#   bubblewrap  - /usr/bin/bwrap builds the namespaces and the read-only root
#   python3     - Debian's /usr/bin/python3 (3.11 on bookworm), the only interpreter the
#                 sandbox runs; a pyenv or other python elsewhere is never mounted
#   procps      - /usr/bin/kill, used by the tests to clean up after weakened sandboxes
# No libseccomp-dev: the seccomp filter is hand-written BPF in sundial-sandbox-init.
# The tests need more (ensure_test_packages):
#   systemd     - systemd-analyze, which verifies the release archive's unit offline
#   curl, jq    - the shell examples of docs/api.md, which the api tests run
#   python3-aiosmtpd - the loopback SMTP relay of the email notification tests, imported by
#                 Debian's /usr/bin/python3 (the tests run that interpreter, not a pyenv one)

# The sandbox packages this host lacks, space-separated; empty when none is missing.
missing_sandbox_packages() {
    local missing=()
    command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
    [ -x /usr/bin/python3 ] || missing+=(python3)
    [ -x /usr/bin/kill ] || [ -x /bin/kill ] || missing+=(procps)
    echo "${missing[*]}"
}

# Installs the missing sandbox packages with apt-get: as root, with sudo when it needs no
# password or can ask for one on a terminal. Otherwise says what to install and returns 1.
ensure_sandbox_packages() {
    install_missing_packages "$(missing_sandbox_packages)"
}

# The sandbox packages and what the tests need besides them, installed as above.
ensure_test_packages() {
    ensure_sandbox_packages || return 1
    command -v systemd-analyze >/dev/null 2>&1 || install_missing_packages systemd || return 1
    local missing=()
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v jq >/dev/null 2>&1 || missing+=(jq)
    /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
    install_missing_packages "${missing[*]}"
}

# Installs the space-separated Debian packages in $1 (none when empty).
install_missing_packages() {
    local missing="$1"
    [ -n "$missing" ] || return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
            sudo=(sudo)
        else
            echo "these packages are missing: $missing" >&2
            echo "install them as root: apt-get install -y $missing (see docs/sandbox.md)" >&2
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "these packages are missing: $missing" >&2
        echo "this host has no apt-get: install them with its package manager (see docs/sandbox.md)" >&2
        return 1
    fi
    echo "== installing packages: $missing"
    "${sudo[@]}" apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}
