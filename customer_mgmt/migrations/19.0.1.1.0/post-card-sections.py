"""The card sections moved from res_partner's columns to customer.card:
copy what was filled into one card per partner. The old columns stay (Odoo
does not drop them) until a later cleanup."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.customer_mgmt.models.card.customer_card import CARD_SECTION_FIELDS


def migrate(cr, version):
    columns = sorted(fname for fname in CARD_SECTION_FIELDS if column_exists(cr, "res_partner", fname))
    if not columns:
        return
    names = SQL(", ").join(SQL.identifier(fname) for fname in columns)
    cr.execute(
        SQL(
            """INSERT INTO customer_card
                          (partner_id, %(names)s, create_uid, create_date, write_uid, write_date)
               SELECT p.id, %(values)s, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
                 FROM res_partner p
                WHERE (%(filled)s)
                  AND NOT EXISTS (SELECT 1 FROM customer_card card WHERE card.partner_id = p.id)""",
            names=names,
            values=SQL(", ").join(SQL("p.%s", SQL.identifier(fname)) for fname in columns),
            filled=SQL(" OR ").join(SQL("p.%s IS NOT NULL", SQL.identifier(fname)) for fname in columns),
        )
    )
