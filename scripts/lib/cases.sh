# Shared by the differential scripts (interop.sh, c-interop.sh); source it, don't run it.
# select_cases: fills the array `selected` with the entries of `CASES` ("name|...") whose name is
# in `wanted` (all of them when `wanted` is empty); exits 2 naming the script when none match.
select_cases() {
  selected=()
  local entry name
  for entry in "${CASES[@]}"; do
    name="${entry%%|*}"
    if [[ ${#wanted[@]} -eq 0 ]] || [[ " ${wanted[*]} " == *" $name "* ]]; then
      selected+=("$entry")
    fi
  done
  if [[ ${#selected[@]} -eq 0 ]]; then
    echo "error: none of \`${wanted[*]}\` is a case of $0" >&2
    exit 2
  fi
}
