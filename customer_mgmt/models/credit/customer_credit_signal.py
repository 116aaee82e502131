from odoo import fields, models


class CustomerCreditSignal(models.Model):
    _name = "customer.credit.signal"
    _description = "Credit Risk Signal"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
