#!/usr/bin/env bash
# Shared setup for scripts/demo.sh and scripts/test.sh: checks Odoo 19 and
# PostgreSQL, installs the PyPI dependencies (and Chromium for the tours).
# Sourced, not run.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
DB_HOST=${PGHOST:-127.0.0.1}
DB_PORT=${PGPORT:-5432}
DB_USER=${PGUSER:-$(id -un)}
export PGHOST=$DB_HOST PGPORT=$DB_PORT PGUSER=$DB_USER

die() { echo "ERROR: $*" >&2; exit 1; }

odoo_version=$("$PYTHON" -c 'import odoo.release as r; print(r.version)' 2>/dev/null) || die \
"Odoo 19.0 is not installed in '$PYTHON'.
Install Odoo 19.0 Community into this Python first, for example from a checkout of the 19.0 branch:
    pip install -r requirements.txt   # Odoo's own requirements
    pip install .                     # with the addons/ folder moved into odoo/addons
(see README.md, 'Requirements'); then run this command again."
[[ $odoo_version == 19.0* ]] || die "'$PYTHON' has Odoo $odoo_version; customer_mgmt needs Odoo 19.0."
[[ $DB_USER != postgres ]] || die "Odoo refuses the 'postgres' role: set PGUSER to another PostgreSQL role."
psql -d postgres -c 'SELECT 1' >/dev/null 2>&1 || die \
"cannot reach PostgreSQL at $DB_HOST:$DB_PORT as role '$DB_USER' (set PGHOST, PGPORT, PGUSER)."

# Odoo's addons live in site-packages/odoo/addons; the OCA wheels install there too.
ODOO_ADDONS=$("$PYTHON" -c 'import odoo.addons, os; print(os.pathsep.join(p for p in odoo.addons.__path__))' | tr ':' ',')
ADDONS_PATH="$REPO_DIR,$ODOO_ADDONS"

install_requirements() {
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$REPO_DIR/$1" \
        || die "could not install the Python packages of $1"
}

odoo_cmd() {
    "$PYTHON" -m odoo "$@" --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" \
        --addons-path="$ADDONS_PATH"
}
