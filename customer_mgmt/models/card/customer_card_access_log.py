from odoo import fields, models


class CustomerCardAccessLog(models.Model):
    """Who read the confidential section of which card, and when (专人负责, 严格控制借阅)."""

    _name = "customer.card.access.log"
    _description = "Confidential Card Access Log"
    _order = "access_date desc, id desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    # The company the reader worked in: the log is seen there only.
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    access_date = fields.Datetime(string="When", required=True, readonly=True, default=fields.Datetime.now)
    access_type = fields.Selection(
        [("read", "Read"), ("export", "Export"), ("group", "Grouping")],
        required=True,
        readonly=True,
        default="read",
    )
    contact_count = fields.Integer(string="Contacts Read", readonly=True)
    field_names = fields.Char(string="Fields", readonly=True)
