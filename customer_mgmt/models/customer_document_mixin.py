from odoo import fields, models


class CustomerDocumentMixin(models.AbstractModel):
    """A document about one customer: credit investigations, scorecards and
    applications, complaints. Each model narrows the domain of the customers
    it may be about."""

    _name = "customer.document.mixin"
    _description = "Customer Document"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
