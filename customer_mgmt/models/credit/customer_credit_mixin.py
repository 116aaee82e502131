from odoo import fields, models


class CustomerCreditMixin(models.AbstractModel):
    """What investigations, scorecards and applications have in common: the
    commercial customer they are about and the company whose credit it is."""

    _name = "customer.credit.mixin"
    _description = "Customer Credit Document"
    _inherit = ["customer.document.mixin"]

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
