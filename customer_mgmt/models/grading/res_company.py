from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_grade_months = fields.Integer(
        string="Grading Window (months)",
        default=12,
        help="Monthly average sales and gross margin are taken over this many months up to the day of "
        "grading.",
        customer_setting=(1, 1200),
    )
    customer_abc_a_cutoff = fields.Float(
        string="ABC: A up to (%)",
        default=75.0,
        help="Customers making the first this-many percent of cumulative sales are A customers.",
        customer_setting=(0, 100),
    )
    customer_abc_b_cutoff = fields.Float(
        string="ABC: B up to (%)",
        default=95.0,
        help="The following customers up to this cumulative percentage are B customers; the rest are C.",
        customer_setting=(0, 100),
    )

    @api.constrains("customer_abc_a_cutoff", "customer_abc_b_cutoff")
    def _check_customer_abc_cutoffs(self):
        for company in self:
            if not 0 < company.customer_abc_a_cutoff < company.customer_abc_b_cutoff <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: ABC cut-offs need 0 < A (%(a)s%%) < B (%(b)s%%) <= 100.",
                        company=company.name,
                        a=company.customer_abc_a_cutoff,
                        b=company.customer_abc_b_cutoff,
                    )
                )
