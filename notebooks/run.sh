#!/usr/bin/env bash
# Executes every notebook in this directory headless, against the working
# tree's packages (each notebook's first cell points its module at ..), and
# fails if any cell fails. The committed notebooks are left untouched: the
# executed copies, with their outputs, go to --out DIR (default: a fresh
# temporary directory, printed at the end). It also fails when a committed
# notebook carries outputs, which would go stale.
#
#   notebooks/setup.sh                 # once: Jupyter, GoNB, gopls, goimports
#   notebooks/run.sh [--out DIR] [NOTEBOOK...]
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$(go env GOPATH)/bin:$PATH"

out=""
notebooks=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out="$2"; shift 2 ;;
	-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) notebooks+=("$1"); shift ;;
	esac
done
[ ${#notebooks[@]} -gt 0 ] || notebooks=([0-9]*.ipynb)
[ -n "$out" ] || out="$(mktemp -d)"
mkdir -p "$out"

for cmd in jupyter gonb; do
	command -v "$cmd" >/dev/null || { echo "run.sh: $cmd not found: run notebooks/setup.sh first" >&2; exit 1; }
done

# Committed notebooks carry no outputs.
python3 - "${notebooks[@]}" <<'PY'
import json, sys
dirty = [p for p in sys.argv[1:] if any(c.get("outputs") or c.get("execution_count") for c in json.load(open(p))["cells"] if c["cell_type"] == "code")]
if dirty:
    sys.exit("run.sh: %s carr%s outputs; clear them: jupyter nbconvert --clear-output --inplace %s" % (", ".join(dirty), "ies" if len(dirty) == 1 else "y", " ".join(dirty)))
PY

failed=()
for nb in "${notebooks[@]}"; do
	start=$SECONDS
	# GoNB logs to stderr; keep it for a failure, show nbconvert's verdict.
	if jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1200 \
		--output-dir "$out" "$nb" >"$out/${nb%.ipynb}.log" 2>&1; then
		echo "ok    $nb ($((SECONDS - start)) s)"
	else
		echo "FAIL  $nb ($((SECONDS - start)) s):"
		grep -v '^[IWE][0-9]\{4\} ' "$out/${nb%.ipynb}.log" | tail -40 | sed 's/^/      /'
		failed+=("$nb")
	fi
done
echo "executed notebooks: $out"
[ ${#failed[@]} -eq 0 ] || { echo "run.sh: ${#failed[@]} notebook(s) failed: ${failed[*]}" >&2; exit 1; }
