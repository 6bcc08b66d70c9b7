#!/usr/bin/env bash
# The shell steps of the GitHub Action (action.yml), kept in a file so that tests/action.rs can run
# them with GitHub's environment variables set. One subcommand per step:
#
#   run.sh plan      which irsa-lint to use, where it lives, its cache key (step outputs)
#   run.sh install   download and verify the release binary, or build it where no release exists
#   run.sh lint      run it on every path, write the `findings` and `sarif-file` outputs
#
# Inputs come from the environment (INPUT_*), never from interpolation into a script's text, so a
# crafted input cannot inject shell code. Written for bash 3.2 (macOS runners): no mapfile, and
# empty arrays expanded with ${a[@]+"${a[@]}"}.
set -euo pipefail

# The repository releases are downloaded from and built from: the action's own, else ours.
repository="${ACTION_REPOSITORY:-}"
[ -n "$repository" ] || repository="irsa-lint/irsa-lint"

die() {
  echo "::error title=irsa-lint action::$*" >&2
  exit 2
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# The version to use: the `version` input, else the ref the action was used at (`@v0.1.0`).
version() {
  local v="${INPUT_VERSION:-}"
  [ -n "$v" ] || v="${ACTION_REF:-}"
  printf '%s' "$v"
}

# A version that a release can exist for: a `v` tag such as v0.1.0.
is_release_tag() {
  [[ "$1" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]
}

# The Rust target of the runner's OS and architecture, as the release assets are named.
target() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

exe() {
  if [ "${RUNNER_OS:-}" = Windows ]; then echo irsa-lint.exe; else echo irsa-lint; fi
}

cargo_bin() {
  if command -v cargo >/dev/null 2>&1; then
    command -v cargo
  elif [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    echo "${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
  else
    die "no release binary for this runner and no cargo to build irsa-lint (set up Rust first, or use a released version)"
  fi
}

plan() {
  local v key
  v="$(version)"
  if is_release_tag "$v" && [ -n "$(target)" ]; then
    key="irsa-lint-${RUNNER_OS}-${RUNNER_ARCH}-${v}"
  else
    # Built from the action's checkout: the binary depends on its sources and lock file only.
    key=$(cd "$GITHUB_ACTION_PATH" && find Cargo.toml Cargo.lock build.rs src rules -type f \
      | LC_ALL=C sort | while IFS= read -r f; do printf '%s ' "$f"; sha256 <"$f"; done \
      | sha256 | cut -c1-16)
    key="irsa-lint-${RUNNER_OS}-${RUNNER_ARCH}-src-${key}"
  fi
  output version "$v"
  output key "$key"
  output dir "${RUNNER_TEMP:?}/irsa-lint/bin"
}

# The SHA-256 of standard input, in hex (macOS has shasum, not sha256sum).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | cut -d' ' -f1
  else
    shasum -a 256 | cut -d' ' -f1
  fi
}

# Downloads the release asset into $dir; returns 3 when the release has no such asset (HTTP 404),
# and stops the step on any other failure, a checksum mismatch above all.
download() {
  local v="$1" dir="$2" target asset url tmp status
  target="$(target)"
  if [ "${RUNNER_OS}" = Windows ]; then asset="irsa-lint-${v}-${target}.zip"; else asset="irsa-lint-${v}-${target}.tar.gz"; fi
  # IRSA_LINT_RELEASES_URL: another place holding the same assets (a mirror; the tests).
  url="${IRSA_LINT_RELEASES_URL:-https://github.com/${repository}/releases/download}/${v}/${asset}"
  tmp="$(mktemp -d)"
  status=$(curl -sSL --retry 3 -o "$tmp/$asset" -w '%{http_code}' "$url") || die "could not download $url"
  if [ "$status" = 404 ]; then
    return 3
  fi
  case "$status:$url" in
    200:* | 000:file://*) ;;
    *) die "downloading $url: HTTP $status" ;;
  esac
  curl -fsSL --retry 3 -o "$tmp/$asset.sha256" "$url.sha256" || die "could not download $url.sha256"
  local want got
  want="$(cut -d' ' -f1 <"$tmp/$asset.sha256" | tr -d '\r\n')"
  got="$(sha256 <"$tmp/$asset")"
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    die "checksum mismatch for $asset: expected $want, got $got"
  fi
  echo "$asset: SHA-256 $got verified"
  mkdir -p "$dir"
  if [ "${RUNNER_OS}" = Windows ]; then
    if command -v unzip >/dev/null 2>&1; then
      (cd "$tmp" && unzip -o -q "$asset")
    else
      (cd "$tmp" && 7z x -y "$asset" >/dev/null)
    fi
  else
    tar -xzf "$tmp/$asset" -C "$tmp"
  fi
  cp "$tmp/$(exe)" "$dir/$(exe)"
  chmod +x "$dir/$(exe)"
}

install() {
  local v dir cargo
  v="$(version)"
  dir="${INPUT_DIR:?}"
  if [ -x "$dir/$(exe)" ]; then
    echo "irsa-lint restored from the cache"
    return 0
  fi
  if is_release_tag "$v" && [ -n "$(target)" ]; then
    if download "$v" "$dir"; then
      return 0
    fi
    echo "no release asset of irsa-lint $v for $(target): building it with cargo"
    cargo="$(cargo_bin)"
    "$cargo" install --locked --root "$dir/.." --git "https://github.com/${repository}" --tag "$v" irsa-lint
  else
    # A branch, a commit or a local checkout (`uses: ./`): build the action's own sources.
    echo "irsa-lint ${v:-(local)} has no release: building it from the action's checkout with cargo"
    cargo="$(cargo_bin)"
    "$cargo" install --locked --root "$dir/.." --path "$GITHUB_ACTION_PATH"
  fi
  # `cargo install --root R` writes R/bin/irsa-lint, and $dir is R/bin (see plan).
  [ -x "$dir/$(exe)" ] || die "cargo install did not produce $dir/$(exe)"
}

# Each non-blank line of $1 followed by a NUL: leading and trailing blanks (YAML indentation) and
# a CR removed, the spaces inside kept.
lines0() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -z "$line" ] || printf '%s\0' "$line"
  done <<<"$1"
}

lint() {
  local bin="${IRSA_LINT_BIN:-}"
  [ -n "$bin" ] || bin="${INPUT_DIR:?}/$(exe)"
  local report="${RUNNER_TEMP:?}/irsa-lint-report.json"
  local args=(--format github --fail-on "${INPUT_FAIL_ON:-warning}" --format "json:$report")
  if [ "${INPUT_FAIL_ON_EMPTY:-true}" != "false" ]; then
    args+=(--fail-on-empty)
  fi
  if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    args+=(--format "sarif:$INPUT_SARIF_FILE")
  fi
  if [ -n "${INPUT_CONFIG:-}" ]; then
    args+=(--config "$INPUT_CONFIG")
  fi

  # paths: one path per line when the input has several lines (a YAML block; spaces kept),
  # else separated by spaces and tabs.
  local paths=() p
  local raw="${INPUT_PATHS:-}"
  if [[ "$raw" == *$'\n'* ]]; then
    while IFS= read -r -d '' p; do paths+=("$p"); done < <(lines0 "$raw")
  else
    # No globbing: `k8s/*` is irsa-lint's to read, as typed.
    set -f
    for p in $raw; do paths+=("$p"); done
    set +f
  fi
  [ "${#paths[@]}" -gt 0 ] || paths=(.)

  # args: one argument per line when the input has several lines, else split as a shell would
  # (quotes and backslashes honoured; nothing is evaluated: xargs only splits).
  local extra=()
  raw="${INPUT_ARGS:-}"
  if [[ "$raw" == *$'\n'* ]]; then
    while IFS= read -r -d '' p; do extra+=("$p"); done < <(lines0 "$raw")
  elif [ -n "${raw//[[:space:]]/}" ]; then
    local split
    split="$(mktemp)"
    printf '%s\n' "$raw" | xargs printf '%s\0' >"$split" || die "cannot split the args input (an unbalanced quote?): $raw"
    while IFS= read -r -d '' p; do extra+=("$p"); done <"$split"
    rm -f "$split"
  fi

  local status=0
  "$bin" "${args[@]}" ${extra[@]+"${extra[@]}"} -- "${paths[@]}" || status=$?

  local findings=0 n key
  if [ -f "$report" ]; then
    for key in errors warnings infos; do
      # Keys are unescaped quotes, which a JSON string cannot hold: only the summary's match.
      n="$(grep -o "\"$key\": *[0-9]*" "$report" | head -n 1 | grep -o '[0-9]*$' || true)"
      findings=$((findings + ${n:-0}))
    done
  fi
  output findings "$findings"
  output sarif-file "${INPUT_SARIF_FILE:-}"
  return "$status"
}

case "${1:-}" in
  plan) plan ;;
  install) install ;;
  lint) lint ;;
  *) die "usage: run.sh plan|install|lint" ;;
esac
