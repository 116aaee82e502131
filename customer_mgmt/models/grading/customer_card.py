from odoo import api, fields, models
from odoo.exceptions import AccessError

from .res_partner import ABC_CLASSES

# The figures behind a customer's grade, kept with the card sections (only the
# customer's own salesperson and the readers of all cards see them); the grade
# itself stays on the partner, for everyone. Written by the regrade only.
GRADE_FIGURES = frozenset({"monthly_avg_sales", "gross_margin", "abc_class"})


class CustomerCard(models.Model):
    _inherit = "customer.card"

    currency_id = fields.Many2one(related="partner_id.currency_id")
    monthly_avg_sales = fields.Monetary(
        string="Monthly Average Sales",
        readonly=True,
        copy=False,
        help="Untaxed posted customer invoices minus refunds over the grading window, divided by its "
        "months, in company currency.",
    )
    gross_margin = fields.Float(
        string="Gross Margin (%)",
        digits=(5, 2),
        readonly=True,
        copy=False,
        aggregator="avg",
        help="(Sales - cost at invoice time) / sales over the grading window.",
    )
    abc_class = fields.Selection(
        ABC_CLASSES,
        string="ABC Class",
        readonly=True,
        index=True,
        copy=False,
        help="A: the biggest customers making the first share of cumulative sales (about 75%); "
        "B: the next share (about 20%); C: the rest, future potential.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(GRADE_FIGURES.intersection(vals) for vals in vals_list):
            self._check_grade_figures_write()
        return super().create(vals_list)

    def write(self, vals):
        if GRADE_FIGURES.intersection(vals):
            self._check_grade_figures_write()
        return super().write(vals)

    def _check_grade_figures_write(self):
        if not self.env.su:
            raise AccessError(self.env._("The figures of a grade are computed by the regrade."))
