#!/usr/bin/env bash
# Runs the test suites of the modules we depend on and extend (Odoo's sale, OCA's
# contract) twice: on a database with their modules only, and on one where
# customer_mgmt is installed too. Fails when a test fails with customer_mgmt that
# passes without it. Upgrading the modules with --test-enable runs their
# at-install tests in a registry that does not know our fields yet, as a
# database that installs them after us would.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

SUITES=${UPSTREAM_SUITES:-sale,contract}
BASE_MODULES="sale_management,account,mail,hr,contract,report_xlsx"
tags=$(echo "$SUITES" | sed 's/\([^,]*\)/\/\1/g')
logs=$(mktemp -d)
databases=()
cleanup() {
    for db in "${databases[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# Failing tests of a run, one "module: Class.test" a line.
failures() {
    grep -oE "ERROR [^ ]+ odoo\.addons\.[a-z_]+\.tests\.[a-z_.]+: (FAIL|ERROR): [A-Za-z0-9_.]+|ERROR: setUpClass \([a-z_.A-Z0-9]+\)" "$1" \
        | sed -E 's/^ERROR [^ ]+ odoo\.addons\.([a-z_]+)\.tests\.[a-z_.]+: (FAIL|ERROR): /\1: /' | sort -u || true
}

run_suites() {
    local name=$1 modules=$2 db="customer_mgmt_upstream_${1}_$$"
    databases+=("$db")
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    echo "== upstream tests ($SUITES) $name customer_mgmt: installing $modules"
    odoo_cmd -d "$db" -i "$modules" --stop-after-init --log-level=warn >"$logs/$name-install.log" 2>&1 \
        || { tail -50 "$logs/$name-install.log"; die "could not install $modules"; }
    odoo_cmd -d "$db" -u "$SUITES" --test-enable --test-tags "$tags" --stop-after-init \
        --http-interface=127.0.0.1 --http-port=$((8070 + ${#databases[@]})) --log-level=test \
        >"$logs/$name.log" 2>&1 || true
    grep -E "odoo\.tests\.(stats|result): " "$logs/$name.log" | sed -E 's/.*odoo\.tests\.[a-z]+: /  /' || true
    failures "$logs/$name.log" >"$logs/$name.failures"
}

run_suites without "$BASE_MODULES"
run_suites with "$BASE_MODULES,customer_mgmt"

new=$(comm -13 "$logs/without.failures" "$logs/with.failures")
if [[ -n $new ]]; then
    echo "Tests of $SUITES that fail only with customer_mgmt installed:" >&2
    echo "$new" >&2
    for test in $(echo "$new" | sed -E 's/^[a-z_]+: //; s/^ERROR: setUpClass \(//; s/\)$//'); do
        grep -n -A 30 "$test" "$logs/with.log" | grep -E "Traceback|Error|assert" | head -5 >&2 || true
    done
    exit 1
fi
echo "Upstream tests ($SUITES): $(wc -l <"$logs/without.failures") failing without customer_mgmt, none more with it."
