#!/usr/bin/env bash
# Known vulnerabilities in the installed dependencies (pip-audit), when its vulnerability
# service can be reached. Fails only on a vulnerability found; an unreachable service is said,
# not treated as a pass or a failure.
set -uo pipefail
bin=$(dirname "$0")/../../.venv/bin
out=$(timeout 300 "$bin/pip-audit" --local --skip-editable --progress-spinner off 2>&1)
status=$?
if [[ $status -eq 124 ]]; then
  echo "pip-audit: the vulnerability service did not answer in time; dependencies not audited"
  exit 0
fi
if grep -q "could not be audited" <<<"$out" && ! grep -qiE "found [1-9][0-9]* known vulnerabilit" <<<"$out"; then
  echo "pip-audit: the vulnerability service could not be reached; dependencies not audited"
  exit 0
fi
echo "$out" | tail -n 20
exit $status
