# The OpenAPI document as the server serves it, for the checks of scripts/check-openapi and
# scripts/test-web. Source from the repository root.

# Where the tools and the dumped document live: the cargo target directory (ignored by git).
openapi_tools_dir() {
    local target_dir="${CARGO_TARGET_DIR:-target}"
    case "$target_dir" in /*) ;; *) target_dir="$(pwd)/$target_dir" ;; esac
    mkdir -p "$target_dir/openapi"
    echo "$target_dir/openapi"
}

# Writes the document `sundial openapi` prints (the one `/api/openapi.json` serves) to the file
# `$1`. Fails when the command fails or prints nothing, so no check ever reads an empty file.
dump_openapi() {
    local doc="$1"
    if ! cargo run --quiet --locked -p sundial -- openapi >"$doc" || [ ! -s "$doc" ]; then
        echo "error: \`sundial openapi\` printed no document" >&2
        return 1
    fi
}
