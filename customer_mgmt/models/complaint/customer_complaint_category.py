from odoo import fields, models


class CustomerComplaintCategory(models.Model):
    """Kind of complaint (seed 002): product quality, sales contract, transport, service."""

    _name = "customer.complaint.category"
    _description = "Complaint Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
