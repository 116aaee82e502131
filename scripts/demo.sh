#!/usr/bin/env bash
# Creates (or updates) the demo database with customer_mgmt and its demo data,
# then serves it on http://localhost:8069 (login admin / admin).
# DEMO_DB and DEMO_PORT choose another database name and HTTP port.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
install_requirements requirements.txt

DEMO_DB=${DEMO_DB:-customer_mgmt_demo}
DEMO_PORT=${DEMO_PORT:-8069}
if psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'" | grep -q 1; then
    echo "Updating customer_mgmt in the existing database $DEMO_DB..."
    odoo_cmd -d "$DEMO_DB" -u customer_mgmt --stop-after-init
else
    echo "Creating the demo database $DEMO_DB (a few minutes)..."
    # The demo company is a Chinese distributor: with the Chinese localisation (l10n_cn, not a
    # dependency of the module), customer_mgmt's demo data gives it the Chinese chart of accounts.
    odoo_cmd -d "$DEMO_DB" -i customer_mgmt,l10n_cn --with-demo --load-language=zh_CN --stop-after-init
fi
echo "Serving $DEMO_DB on http://localhost:$DEMO_PORT (login admin, password admin)"
exec "$PYTHON" -m odoo -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --http-interface=127.0.0.1 --http-port="$DEMO_PORT" \
    --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --addons-path="$ADDONS_PATH"
