from odoo import fields, models


class CustomerSupportType(models.Model):
    """Kind of support given to customers (对客户的支持): advertising,
    promotion, staff, vehicles... Shared by every company when it has none."""

    _name = "customer.support.type"
    _description = "Customer Support Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the type between the companies."
    )
    active = fields.Boolean(default=True)
