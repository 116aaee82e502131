"""The card sections and the figures behind the grade moved from
res_partner's columns to customer.card: copy them into one card per partner
(the figures from commercial partners only: contacts had copies). The old
columns stay (Odoo does not drop them) until a later cleanup."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.customer_mgmt.models.card.customer_card import CARD_SECTION_FIELDS
from odoo.addons.customer_mgmt.models.grading.customer_card import GRADE_FIGURES


def migrate(cr, version):
    sections = sorted(fname for fname in CARD_SECTION_FIELDS if column_exists(cr, "res_partner", fname))
    figures = sorted(fname for fname in GRADE_FIGURES if column_exists(cr, "res_partner", fname))
    if not sections and not figures:
        return

    def filled(columns):
        return SQL(" OR ").join(
            [SQL("FALSE")] + [SQL("p.%s IS NOT NULL", SQL.identifier(c)) for c in columns]
        )

    columns = sections + figures
    cr.execute(
        SQL(
            """INSERT INTO customer_card
                          (partner_id, %(names)s, create_uid, create_date, write_uid, write_date)
               SELECT p.id, %(values)s, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
                 FROM res_partner p
                WHERE ((%(sections)s) OR (p.id = p.commercial_partner_id AND (%(figures)s)))
                  AND NOT EXISTS (SELECT 1 FROM customer_card card WHERE card.partner_id = p.id)""",
            names=SQL(", ").join(SQL.identifier(c) for c in columns),
            values=SQL(", ").join(SQL("p.%s", SQL.identifier(c)) for c in columns),
            sections=filled(sections),
            figures=filled(figures),
        )
    )
