from odoo import fields, models


class CustomerCertificateType(models.Model):
    _name = "customer.certificate.type"
    _description = "Customer Certificate Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    expiry_warning_days = fields.Integer(
        string="Warn Before Expiry (days)",
        default=30,
        help="Certificates of this type are flagged as expiring this many days before their expiry date.",
    )
    active = fields.Boolean(default=True)

    _name_uniq = models.Constraint("UNIQUE(name)", "A certificate type with this name already exists.")
