from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_new_months = fields.Integer(
        string="New Customer Period (months)",
        default=12,
        help="A customer whose first trade is within this many months is a new customer; "
        "older ones are old customers.",
    )
    customer_former_months = fields.Integer(
        string="Former Customer Period (months)",
        default=12,
        help="A customer who traded before but not in this many months is a former customer.",
    )

    @api.constrains("customer_new_months", "customer_former_months")
    def _check_customer_periods(self):
        for company in self:
            if min(company.customer_new_months, company.customer_former_months) <= 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the new and former customer periods must be positive.",
                        company=company.name,
                    )
                )
