from odoo import api, fields, models


class CustomerCreditInvestigation(models.Model):
    _name = "customer.credit.investigation"
    _description = "Credit Investigation"
    _inherit = ["customer.credit.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(string="Subject", required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Reported By", default=lambda self: self.env.user, tracking=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    source = fields.Selection(
        [
            ("bank", "Bank / financial institution"),
            ("agency", "Credit agency"),
            ("association", "Industry association"),
            ("internal", "Own investigation"),
        ],
        required=True,
        default="internal",
        tracking=True,
    )
    report_type = fields.Selection(
        [("periodic", "Periodic written report"), ("daily", "Daily report"), ("urgent", "Urgent report")],
        required=True,
        default="periodic",
        tracking=True,
    )
    signal_ids = fields.Many2many("customer.credit.signal", string="Risk Signals")
    findings = fields.Html(required=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")

    @api.model_create_multi
    def create(self, vals_list):
        investigations = super().create(vals_list)
        investigations.filtered(lambda inv: inv.report_type == "urgent")._notify_credit_controllers()
        return investigations

    def write(self, vals):
        newly_urgent = (
            self.filtered(lambda inv: inv.report_type != "urgent")
            if vals.get("report_type") == "urgent"
            else self.browse()
        )
        res = super().write(vals)
        newly_urgent._notify_credit_controllers()
        return res

    def _notify_credit_controllers(self):
        """Urgent reports reach the credit controllers at once (紧急报告)."""
        for investigation in self:
            controllers = investigation.company_id._credit_controllers()
            investigation.message_subscribe(partner_ids=controllers.partner_id.ids)
            investigation.message_post(
                body=self.env._(
                    "Urgent credit report on %(customer)s: %(subject)s",
                    customer=investigation.partner_id.display_name,
                    subject=investigation.name,
                ),
                partner_ids=controllers.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
