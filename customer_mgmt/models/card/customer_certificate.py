from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL


class CustomerCertificate(models.Model):
    """Business licence, trading permit, GSP... of a customer (营业执照, 经营许可证)."""

    _name = "customer.certificate"
    _description = "Customer Certificate"
    _order = "expiry_date, id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('is_customer_card', '=', True)]",
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)
    type_id = fields.Many2one("customer.certificate.type", required=True)
    number = fields.Char(required=True)
    issuer = fields.Char(help="Authority that issued the certificate.")
    issue_date = fields.Date()
    expiry_date = fields.Date(index=True, help="Leave empty for a certificate that does not expire.")
    attachment_ids = fields.Many2many("ir.attachment", string="Scans")
    state = fields.Selection(
        [("valid", "Valid"), ("expiring", "Expiring"), ("expired", "Expired")],
        compute="_compute_state",
        search="_search_state",
    )

    @api.constrains("issue_date", "expiry_date")
    def _check_dates(self):
        for cert in self:
            if cert.issue_date and cert.expiry_date and cert.expiry_date < cert.issue_date:
                raise ValidationError(
                    self.env._(
                        "Certificate %(number)s of %(customer)s expires (%(expiry)s) before it is issued "
                        "(%(issue)s).",
                        number=cert.number,
                        customer=cert.partner_id.display_name,
                        expiry=cert.expiry_date,
                        issue=cert.issue_date,
                    )
                )

    @api.depends("expiry_date", "type_id.expiry_warning_days")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for cert in self:
            if not cert.expiry_date:
                cert.state = "valid"
            elif cert.expiry_date < today:
                cert.state = "expired"
            elif cert.expiry_date <= today + timedelta(days=cert.type_id.expiry_warning_days):
                cert.state = "expiring"
            else:
                cert.state = "valid"

    def _search_state(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        # The warning period is per type: compare dates in SQL rather than per record.
        expiring = SQL(
            """SELECT cert.id FROM customer_certificate cert
               JOIN customer_certificate_type ctype ON ctype.id = cert.type_id
               WHERE cert.expiry_date >= %(today)s
                 AND cert.expiry_date <= %(today)s + ctype.expiry_warning_days""",
            today=today,
        )
        domains = {
            "expired": Domain("expiry_date", "<", today),
            "expiring": Domain("id", "in", expiring),
            "valid": Domain("expiry_date", "=", False)
            | (Domain("expiry_date", ">=", today) & Domain("id", "not in", expiring)),
        }
        return Domain.OR(domains[state] for state in value)
