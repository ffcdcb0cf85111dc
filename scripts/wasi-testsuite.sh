#!/usr/bin/env bash
# Runs the prebuilt wasm32-wasip1 tests of WebAssembly/wasi-testsuite (branch
# `prod/testsuite-base`) on our runtime through `cargo wasix run-wasm`, prints a table and a final
# `N passed, M failed` line, and refreshes the table in docs/wasi-testsuite.md.
#
# Usage: scripts/wasi-testsuite.sh [--no-doc] [--keep] PATH [NAME ...]
#
#   PATH   where the tests are: a checkout of the branch (or any directory below it holding
#          `manifest.json` suites), an archive of it (.tar, .tar.gz, .tgz, .zip), or a git
#          repository (bare or not) that has the branch; then `git archive $WASI_TESTSUITE_REF`
#          (default prod/testsuite-base) extracts it.
#   NAME   run only tests whose name (file name without .wasm) is one of these; a filtered run
#          does not touch the doc.
#   --no-doc  do not rewrite the table in docs/wasi-testsuite.md.
#   --keep    keep the temporary copy of the tests (its path is printed) for debugging.
#
# The tests are never run in place: the suites are copied (or extracted) into a temporary
# directory first, because tests write into the directory mounted at `/`. The binaries are not
# ours and never enter this repository. Environment:
#   CARGO_WASIX_BIN         the cargo-wasix binary (default: build and use target/debug/cargo-wasix)
#   WASI_TESTSUITE_REF      git ref to archive when PATH is a repository (prod/testsuite-base)
#   WASI_TESTSUITE_TIMEOUT  seconds per test (default 60; the first run of a module compiles it)
#
# Semantics follow the suite's own runner (test-runner/wasi_test_runner/test_case.py and
# test_suite_runner.py; doc/specification.md):
#   - a test is every `*.wasm` of a directory holding `manifest.json` whose version is
#     wasm32-wasip1 (or, without a version, whose directory is not named for another version);
#   - its `.json` (optional) gives `args`, `env` (exactly the guest environment), `root` (a
#     directory relative to the test, preopened as the guest's `/`), `exit_code` (default 0),
#     `stdout`/`stderr` (checked only when present); the operation form (`operations`: run,
#     read, wait) is accepted, anything else there (sockets, http, stdin writes) is reported as
#     unsupported and counts as failed;
#   - a `read` compares the first len(payload) bytes of the stream with the payload (the runner
#     reads exactly that many characters), so extra output after it is not a failure;
#   - `*.cleanup` files and directories under the root are removed before and after each test.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
doc="$repo/docs/wasi-testsuite.md"
timeout_s="${WASI_TESTSUITE_TIMEOUT:-60}"
ref="${WASI_TESTSUITE_REF:-prod/testsuite-base}"

write_doc=1
keep=0
src=""
filters=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-doc) write_doc=0 ;;
    --keep) keep=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "error: unknown option \`$1\`" >&2
      exit 2
      ;;
    *)
      if [[ -z "$src" ]]; then src="$1"; else filters+=("$1"); fi
      ;;
  esac
  shift
done
if [[ -z "$src" ]]; then
  echo "error: the path of the tests is missing" >&2
  echo "usage: $0 [--no-doc] [--keep] PATH [NAME ...]" >&2
  echo "help: get the branch with \`git clone -b prod/testsuite-base --depth 1 https://github.com/WebAssembly/wasi-testsuite\`" >&2
  exit 2
fi
[[ ${#filters[@]} -gt 0 ]] && write_doc=0
for tool in jq cmp timeout; do
  if ! command -v "$tool" > /dev/null; then
    echo "error: \`$tool\` is needed and was not found in PATH" >&2
    exit 2
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/wasi-testsuite.XXXXXX")"
if [[ $keep -eq 1 ]]; then
  echo "keeping the copy of the tests in $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

# --- get a private copy of the tests ---------------------------------------------------------
tests="$work/tests"
mkdir -p "$tests"
if [[ -f "$src" ]]; then
  case "$src" in
    *.zip) unzip -q "$src" -d "$tests" ;;
    *.tar | *.tar.gz | *.tgz | *.tar.xz | *.tar.zst) tar -xf "$src" -C "$tests" ;;
    *)
      echo "error: \`$src\` is not a directory or a .tar/.tar.gz/.tgz/.zip archive" >&2
      exit 2
      ;;
  esac
elif [[ -d "$src" ]] && [[ -n "$(find "$src" -name manifest.json -print -quit)" ]]; then
  cp -a "$src/." "$tests/"
elif git --git-dir="$src" rev-parse --verify -q "$ref^{commit}" > /dev/null 2>&1 ||
  git -C "$src" rev-parse --verify -q "$ref^{commit}" > /dev/null 2>&1; then
  gitdir="$(git -C "$src" rev-parse --git-dir 2> /dev/null || echo "$src")"
  [[ "$gitdir" = /* ]] || gitdir="$src/$gitdir"
  git --git-dir="$gitdir" archive "$ref" tests | tar -x -C "$tests"
else
  echo "error: no test suite (manifest.json) under \`$src\`, and it is no git repository with \`$ref\`" >&2
  echo "help: pass a checkout of the prod/testsuite-base branch, or set WASI_TESTSUITE_REF" >&2
  exit 2
fi

# Suites: directories with a manifest.json for wasm32-wasip1.
suites=()
while IFS= read -r -d '' manifest; do
  dir="$(dirname "$manifest")"
  version="$(jq -r '.version // empty' "$manifest")"
  if [[ -z "$version" ]]; then
    case "$(basename "$dir")" in
      wasm32-wasip2 | wasm32-wasip3) continue ;;
    esac
  elif [[ "$version" != wasm32-wasip1 ]]; then
    continue
  fi
  suites+=("$dir")
done < <(find "$tests" -name manifest.json -print0 | sort -z)
if [[ ${#suites[@]} -eq 0 ]]; then
  echo "error: no wasm32-wasip1 suite (manifest.json) under \`$src\`" >&2
  exit 2
fi

if [[ -n "${CARGO_WASIX_BIN:-}" ]]; then
  bin="$(realpath "$CARGO_WASIX_BIN")"
else
  echo "building cargo-wasix ..." >&2
  (cd "$repo" && cargo build -q -p cargo-wasix)
  bin="$repo/target/debug/cargo-wasix"
fi

# --- one test ----------------------------------------------------------------------------------
# Sets `result` (pass/FAIL) and `detail`.
cleanup_outputs() {
  [[ -n "$1" && -d "$1" ]] || return 0
  find "$1" -name '*.cleanup' ! -type l -prune -exec rm -rf {} +
}

run_one() {
  local wasm="$1" json="${1%.wasm}.json" out="$work/out" err="$work/err" exp="$work/exp"
  local spec='{}'
  [[ -f "$json" ]] && spec="$(cat "$json")"
  result=FAIL
  detail=""

  # The operation form, reduced to what a p1 command test can use: one run, reads, one wait.
  local run_cfg checks
  if jq -e 'has("operations") or has("proposals") or has("servers")' <<< "$spec" > /dev/null; then
    local unsupported
    unsupported="$(jq -r '[(.operations // [])[] | .type | select(. != "run" and . != "read" and . != "wait")]
      + (if (.proposals // []) == [] then [] else ["proposals"] end)
      + (if (.servers // []) == [] then [] else ["servers"] end) | unique | join(",")' <<< "$spec")"
    if [[ -n "$unsupported" ]]; then
      detail="unsupported in this script: $unsupported"
      return
    fi
    if [[ "$(jq '[.operations[] | select(.type == "run")] | length' <<< "$spec")" != 1 ]]; then
      detail="unsupported in this script: more than one run"
      return
    fi
    run_cfg="$(jq -c '.operations[] | select(.type == "run")' <<< "$spec")"
    checks="$(jq -c '[.operations[] | select(.type != "run")
      | if .type == "read" then {read: (.id // "stdout"), payload: (.payload // "")}
        else {exit_code: (.exit_code // 0)} end]' <<< "$spec")"
  else
    run_cfg="$spec"
    checks="$(jq -c '[(if has("stdout") then {read: "stdout", payload: .stdout} else empty end),
      (if has("stderr") then {read: "stderr", payload: .stderr} else empty end),
      {exit_code: (.exit_code // 0)}]' <<< "$spec")"
  fi

  local -a args=() env=() flags=()
  readarray -d '' args < <(jq -j '(.args // [])[] | tostring, "\u0000"' <<< "$run_cfg")
  readarray -d '' env < <(jq -j '(.env // {}) | to_entries[] | "\(.key)=\(.value)\u0000"' <<< "$run_cfg")
  local e
  for e in "${env[@]}"; do flags+=(--env "$e"); done
  local root
  root="$(jq -r '.root // empty' <<< "$run_cfg")"
  if [[ -n "$root" ]]; then
    root="$(dirname "$wasm")/$root"
    flags+=(--mapdir "/:$root")
  fi

  cleanup_outputs "$root"
  local code=0
  timeout "$timeout_s" "$bin" wasix run-wasm "${flags[@]}" "$wasm" -- "${args[@]}" \
    < /dev/null > "$out" 2> "$err" || code=$?
  cleanup_outputs "$root"
  if [[ $code -eq 124 ]]; then
    detail="timed out after ${timeout_s}s"
    return
  fi

  local n i check stream
  n="$(jq length <<< "$checks")"
  for ((i = 0; i < n; i++)); do
    check="$(jq -c ".[$i]" <<< "$checks")"
    if jq -e 'has("exit_code")' <<< "$check" > /dev/null; then
      local want
      want="$(jq -r .exit_code <<< "$check")"
      if [[ "$code" != "$want" ]]; then
        detail="exit code $code, expected $want"
        [[ -s "$err" ]] && detail+="; stderr: $(grep -v '^\s*$' "$err" | head -n 2 | tr '\n' ' ' | cut -c1-240)"
        return
      fi
    else
      stream="$(jq -r .read <<< "$check")"
      jq -j .payload <<< "$check" > "$exp"
      local got="$out"
      [[ "$stream" == stderr ]] && got="$err"
      if ! cmp -s -n "$(stat -c %s "$exp")" "$exp" "$got"; then
        detail="$stream differs: expected $(jq -c .payload <<< "$check"), got $(head -c 120 "$got" | jq -Rsc .)"
        return
      fi
    fi
  done
  result=pass
}

# --- all tests ---------------------------------------------------------------------------------
passed=0
failed=0
rows=()
for suite in "${suites[@]}"; do
  suite_name="$(jq -r '.name // empty' "$suite/manifest.json")"
  [[ -n "$suite_name" ]] || suite_name="${suite#"$tests"/}"
  while IFS= read -r -d '' wasm; do
    name="$(basename "$wasm" .wasm)"
    if [[ ${#filters[@]} -gt 0 ]] && [[ " ${filters[*]} " != *" $name "* ]]; then
      continue
    fi
    run_one "$wasm"
    if [[ $result == pass ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
    row="| $suite_name | \`$name\` | $result | ${detail//|/\\|} |"
    rows+=("$row")
    echo "$row"
  done < <(find "$suite" -maxdepth 1 -name '*.wasm' -print0 | sort -z)
done
summary="$passed passed, $failed failed"

if [[ $write_doc -eq 1 ]]; then
  begin='<!-- wasi-testsuite table: begin (written by scripts/wasi-testsuite.sh) -->'
  end='<!-- wasi-testsuite table: end -->'
  if [[ ! -f "$doc" ]] || ! grep -qF "$begin" "$doc" || ! grep -qF "$end" "$doc"; then
    echo "warning: $doc has no table markers; the table is not written" >&2
  else
    table="$work/table.md"
    {
      echo "$begin"
      echo
      echo "Run on $(date -u +%Y-%m-%d) against \`$ref\`$(git --git-dir="${gitdir:-/nonexistent}" rev-parse --short "$ref" 2> /dev/null | sed 's/^/ (commit `/; s/$/`)/'): **$summary**."
      echo
      echo "| suite | test | result | detail |"
      echo "|---|---|---|---|"
      printf '%s\n' "${rows[@]}"
      echo
      echo "$end"
    } > "$table"
    awk -v begin="$begin" -v end="$end" -v table="$table" '
      $0 == begin { while ((getline line < table) > 0) print line; skip = 1; next }
      $0 == end { skip = 0; next }
      !skip { print }
    ' "$doc" > "$work/doc.md"
    cp "$work/doc.md" "$doc"
    echo "wrote the table to ${doc#"$repo"/}" >&2
  fi
fi

echo "$summary"
[[ $failed -eq 0 ]]
