#!/usr/bin/env python3
"""Upgrade customer_mgmt and customer_mgmt_stock in a database where they are
installed with their demo data (the demo products' names are terms too),
refresh each addon's i18n/<addon>.pot from it, merge it into its zh_CN.po
(keeping existing translations), and list the terms still to translate.

    python3 scripts/update_i18n.py DATABASE [--db_host=... --db_user=...]
"""

import io
import sys
from pathlib import Path

import polib

import odoo
from odoo.tools.translate import trans_export

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["customer_mgmt", "customer_mgmt_stock"]


def export_pots(dbname, options):
    # field labels and help texts are exported from the database: upgrade it first
    odoo.tools.config.parse_config(["-d", dbname, *options])
    registry = odoo.modules.registry.Registry.new(dbname, update_module=True, upgrade_modules=ADDONS)
    pots = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for addon in ADDONS:
            buffer = io.BytesIO()
            trans_export(False, [addon], buffer, "po", env)
            pots[addon] = polib.pofile(buffer.getvalue().decode())
    return pots


def main():
    for addon, pot in export_pots(sys.argv[1], sys.argv[2:]).items():
        i18n = ROOT / addon / "i18n"
        pot.save(str(i18n / f"{addon}.pot"))
        po_path = i18n / "zh_CN.po"
        po = polib.pofile(str(po_path))
        po.merge(pot)
        po[:] = [entry for entry in po if not entry.obsolete]
        po.metadata["Language"] = "zh_CN"
        po.metadata["PO-Revision-Date"] = pot.metadata.get("PO-Revision-Date", "")
        po.save(str(po_path))
        missing = [e.msgid for e in po if not e.msgstr]
        print(f"{addon}: {len(pot)} terms, {len(missing)} without zh_CN translation")
        for msgid in missing:
            print("  -", msgid.replace("\n", "\\n")[:100])


if __name__ == "__main__":
    main()
