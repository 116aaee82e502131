from odoo import fields, models


class CustomerCreditHoldLog(models.Model):
    _name = "customer.credit.hold.log"
    _description = "Credit Hold Log"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", required=True, default=lambda self: self.env.user)
    action = fields.Selection(
        [
            ("hold", "Hold"),
            ("release", "Release"),
            ("auto_hold", "Automatic hold"),
            ("auto_release", "Automatic release"),
            ("order_release", "One-time order release"),
            ("order_release_void", "One-time release voided"),
        ],
        required=True,
    )
    reason = fields.Char(required=True)
    order_id = fields.Many2one("sale.order", index="btree_not_null", ondelete="set null")
    currency_id = fields.Many2one(related="company_id.currency_id")
    exposure = fields.Monetary()
    credit_limit = fields.Monetary()
    overdue_amount = fields.Monetary()
    overdue_days = fields.Integer()
