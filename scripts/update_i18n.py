#!/usr/bin/env python3
"""Upgrade customer_mgmt in a database where it is installed, refresh
customer_mgmt/i18n/customer_mgmt.pot from it, merge it into zh_CN.po (keeping
existing translations), and list the terms still to translate.

    python3 scripts/update_i18n.py DATABASE [--db_host=... --db_user=...]
"""

import io
import sys
from pathlib import Path

import polib

import odoo
from odoo.tools.translate import trans_export

I18N = Path(__file__).resolve().parent.parent / "customer_mgmt" / "i18n"


def export_pot(dbname, options):
    # field labels and help texts are exported from the database: upgrade it first
    odoo.tools.config.parse_config(["-d", dbname, *options])
    registry = odoo.modules.registry.Registry.new(
        dbname, update_module=True, upgrade_modules=["customer_mgmt"]
    )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        buffer = io.BytesIO()
        trans_export(False, ["customer_mgmt"], buffer, "po", env)
    return polib.pofile(buffer.getvalue().decode())


def main():
    pot = export_pot(sys.argv[1], sys.argv[2:])
    pot.save(str(I18N / "customer_mgmt.pot"))
    po_path = I18N / "zh_CN.po"
    po = polib.pofile(str(po_path))
    po.merge(pot)
    po.obsolete_entries().clear()
    po[:] = [entry for entry in po if not entry.obsolete]
    po.metadata["Language"] = "zh_CN"
    po.metadata["PO-Revision-Date"] = pot.metadata.get("PO-Revision-Date", "")
    po.save(str(po_path))
    missing = [e.msgid for e in po if not e.msgstr]
    print(f"{len(pot)} terms, {len(missing)} without zh_CN translation")
    for msgid in missing:
        print("  -", msgid.replace("\n", "\\n")[:100])


if __name__ == "__main__":
    main()
