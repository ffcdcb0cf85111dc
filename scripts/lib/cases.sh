# Shared by the acceptance scripts (interop.sh, c-interop.sh, real-crates.sh); source it, don't
# run it.

# parse_case_args ARGS...: case names go to the array `wanted`; -h/--help prints the script's
# header comment; `--install-wasmer` sets install=1 when the script set ALLOW_INSTALL=1; any
# other option exits 2.
parse_case_args() {
  wanted=()
  local arg
  for arg in "$@"; do
    case "$arg" in
      --install-wasmer) if [[ ${ALLOW_INSTALL:-0} == 1 ]]; then install=1; else unknown_option "$arg"; fi ;;
      -h | --help)
        sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
      -*) unknown_option "$arg" ;;
      *) wanted+=("$arg") ;;
    esac
  done
}

unknown_option() {
  echo "error: unknown option \`$1\`" >&2
  exit 2
}

# select_cases: fills the array `selected` with the entries of `CASES` ("name|..." or
# "name ...") whose name is in `wanted` (all of them when `wanted` is empty); exits 2 naming the
# script when none match.
select_cases() {
  selected=()
  local entry name
  for entry in "${CASES[@]}"; do
    name="${entry%%[| ]*}"
    if [[ ${#wanted[@]} -eq 0 ]] || [[ " ${wanted[*]} " == *" $name "* ]]; then
      selected+=("$entry")
    fi
  done
  if [[ ${#selected[@]} -eq 0 ]]; then
    echo "error: none of \`${wanted[*]}\` is a case of $0" >&2
    exit 2
  fi
}
