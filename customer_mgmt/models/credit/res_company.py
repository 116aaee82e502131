from odoo import fields, models
from odoo.exceptions import AccessError


class ResCompany(models.Model):
    _inherit = "res.company"

    # Not required: a NOT NULL column would break the companies that other
    # modules' tests insert without knowing this field; empty means off.
    customer_credit_control = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        string="Credit Control",
        default="off",
        help="Off (or empty): Odoo's flows are unchanged. Warn: orders and invoices show the customer's "
        "exposure against its limit. Block: the checkpoints below refuse customers on hold or over their "
        "limit.",
        customer_setting=True,
    )
    customer_credit_check_order = fields.Boolean(
        string="Check at Order Confirmation",
        default=True,
        help="In block mode, orders of customers on hold or over their limit cannot be confirmed.",
    )
    customer_credit_check_delivery = fields.Boolean(
        string="Check at Delivery",
        help="In block mode, deliveries to customers on hold cannot be validated (needs Inventory).",
    )
    customer_credit_check_invoice = fields.Boolean(
        string="Check at Invoice Posting",
        help="In block mode, invoices of customers on hold cannot be posted.",
    )
    customer_credit_overdue_days = fields.Integer(
        string="Hold After Days Overdue",
        default=60,
        help="The credit review holds customers with an instalment overdue longer than this. 0: never.",
        customer_setting=(0, 3650),
    )
    customer_credit_second_level_amount = fields.Monetary(
        string="Second Approval Above",
        currency_field="currency_id",
        help="Credit applications for a higher limit also need a credit manager's approval. 0: never.",
        customer_setting=(0, None),
    )
    customer_credit_validity_months = fields.Integer(
        string="Credit Limit Validity (months)",
        default=12,
        help="Default validity of an approved credit limit; an expired limit puts the customer under review.",
        customer_setting=(1, 1200),
    )

    def _credit_controllers(self):
        """Credit controllers working in this company."""
        self.ensure_one()
        group = self.env.ref("customer_mgmt.group_credit_controller")
        return group.sudo().all_user_ids.filtered(lambda user: self in user.company_ids and user.active)

    def _is_credit_controller(self):
        return self.env.user.has_group("customer_mgmt.group_credit_controller")

    def _check_credit_controller(self):
        """Holds, releases, scorecards and credit applications are decided by
        credit controllers: every credit document and checkpoint asks here."""
        if not self._is_credit_controller():
            raise AccessError(
                self.env._(
                    "Only credit controllers hold and release customers and orders, confirm scorecards "
                    "and decide on credit applications."
                )
            )
