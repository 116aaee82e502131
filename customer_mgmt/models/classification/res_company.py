from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_new_months = fields.Integer(
        string="New Customer Period (months)",
        default=12,
        help="A customer whose first trade is within this many months is a new customer; "
        "older ones are old customers.",
        customer_setting=(1, 1200),
    )
    customer_former_months = fields.Integer(
        string="Former Customer Period (months)",
        default=12,
        help="A customer who traded before but not in this many months is a former customer.",
        customer_setting=(1, 1200),
    )
