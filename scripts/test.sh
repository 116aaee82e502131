#!/usr/bin/env bash
# Runs the whole test suite: lint, then the module's tests with pytest-odoo
# against a freshly created database (module and demo data installed).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
install_requirements requirements-test.txt
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    echo "Installing Chromium for the browser tours..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
        >/dev/null || die "Chromium is needed for the tours: install the Debian packages chromium and chromium-driver."
fi

cd "$REPO_DIR"
echo "== lint"
pre-commit run --all-files --show-diff-on-failure
"$PYTHON" scripts/gen_readme.py --check

TEST_DB=${TEST_DB:-customer_mgmt_test_$$}
cleanup() { dropdb --if-exists "$TEST_DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
echo "== installing customer_mgmt and customer_mgmt_stock with demo data in $TEST_DB"
install_log=$(mktemp)
odoo_cmd -d "$TEST_DB" -i customer_mgmt,customer_mgmt_stock --with-demo --stop-after-init --log-level=warn 2>&1 | tee "$install_log"
# Odoo carries on without the demo data when it fails to load: that is a failure here.
if grep -q "demo data failed to install" "$install_log"; then
    die "the demo data of a module failed to load (see above)"
fi

echo "== upstream suites: Odoo's sale and OCA's contract pass as they do without customer_mgmt"
bash "$REPO_DIR/scripts/test_upstream.sh"

echo "== tests"
report=$(mktemp --suffix=.xml)
"$PYTHON" -m pytest customer_mgmt/tests customer_mgmt_stock/tests -p no:cacheprovider -p no:benchmark --junitxml="$report" \
    --odoo-database="$TEST_DB" --odoo-addons-path="$ADDONS_PATH" --odoo-http \
    --odoo-extra="db_host=$DB_HOST" --odoo-extra="db_port=$DB_PORT" --odoo-extra="db_user=$DB_USER" \
    --odoo-extra="http-interface=127.0.0.1" --odoo-log-level=warn "$@"
# A skipped test (for example a tour without a browser) is a failure here, never a silent pass.
"$PYTHON" - "$report" <<'PY'
import sys
import xml.etree.ElementTree as ET

suite = ET.parse(sys.argv[1]).getroot()
suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
if int(suite.get("skipped", 0)):
    sys.exit(f"{suite.get('skipped')} test(s) were skipped: the suite must run every test")
PY
