from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain


class CustomerHandoverWizard(models.TransientModel):
    """Move a salesperson's customers and their open work to a successor
    (当业务员请假或辞职时, 接替者可以为该客户继续服务)."""

    _name = "customer.handover.wizard"
    _description = "Customer Hand-over"

    from_user_id = fields.Many2one("res.users", string="From Salesperson", required=True)
    to_user_id = fields.Many2one(
        "res.users", string="Successor", required=True, domain=[("share", "=", False)]
    )
    reason = fields.Selection(
        [("leave", "Leave"), ("resignation", "Resignation"), ("reorganisation", "Reorganisation")],
        required=True,
        default="leave",
    )
    note = fields.Text()
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        compute="_compute_partner_ids",
        store=True,
        readonly=False,
        domain="[('is_customer_card', '=', True), ('user_id', '=', from_user_id)]",
        help="Customers to hand over; by default all customers of the salesperson.",
    )

    @api.depends("from_user_id")
    def _compute_partner_ids(self):
        for wizard in self:
            wizard.partner_ids = (
                self.env["res.partner"].search(
                    [("is_customer_card", "=", True), ("user_id", "=", wizard.from_user_id.id)]
                )
                if wizard.from_user_id
                else False
            )

    @api.model
    def _handover_targets(self):
        """Records that follow their customer to the successor:
        (model, salesperson field, customer field, extra domain).
        Other features of the module extend this list."""
        return [
            ("sale.order", "user_id", "partner_id", [("state", "in", ("draft", "sent"))]),
            (
                "customer.complaint",
                "user_id",
                "partner_id",
                [("state", "not in", ("rejected", "closed", "cancelled"))],
            ),
            ("customer.warning", "user_id", "partner_id", [("state", "in", ("open", "acknowledged"))]),
            (
                "customer.support.activity",
                "user_id",
                "partner_id",
                [("state", "in", ("draft", "submitted", "approved", "done"))],
            ),
        ]

    def action_handover(self):
        self.ensure_one()
        if not self.env.user.has_group("customer_mgmt.group_customer_manager"):
            raise AccessError(self.env._("Only sales managers can hand customers over."))
        if self.from_user_id == self.to_user_id:
            raise UserError(
                self.env._("The successor must be another user than %(user)s.", user=self.from_user_id.name)
            )
        customers = self.partner_ids.commercial_partner_id
        if not customers:
            raise UserError(
                self.env._("%(user)s has no customers to hand over.", user=self.from_user_id.name)
            )
        foreign = customers.filtered(lambda p: p.user_id != self.from_user_id)
        if foreign:
            raise UserError(
                self.env._(
                    "%(customers)s are not customers of %(user)s.",
                    customers=", ".join(foreign.mapped("display_name")),
                    user=self.from_user_id.name,
                )
            )
        contacts = self.env["res.partner"].search(
            [("commercial_partner_id", "in", customers.ids), ("user_id", "=", self.from_user_id.id)]
        )
        contacts.write({"user_id": self.to_user_id.id})
        all_contacts = self.env["res.partner"].search([("commercial_partner_id", "in", customers.ids)])
        activity_domain = Domain("res_model", "=", "res.partner") & Domain("res_id", "in", all_contacts.ids)
        for model, user_field, partner_field, extra_domain in self._handover_targets():
            records = self.env[model].search(
                Domain(partner_field, "in", all_contacts.ids)
                & Domain(user_field, "=", self.from_user_id.id)
                & Domain(extra_domain)
            )
            records.write({user_field: self.to_user_id.id})
            activity_domain |= Domain("res_model", "=", model) & Domain("res_id", "in", records.ids)
        activities = self.env["mail.activity"].search(
            activity_domain & Domain("user_id", "=", self.from_user_id.id)
        )
        activities.write({"user_id": self.to_user_id.id})
        reason = self._fields["reason"].convert_to_export(self.reason, self)
        body = self.env._(
            "Customer handed over from %(from_user)s to %(to_user)s (%(reason)s). %(note)s",
            from_user=self.from_user_id.name,
            to_user=self.to_user_id.name,
            reason=reason,
            note=self.note or "",
        )
        customers._message_log_batch({customer.id: body for customer in customers})
        return {"type": "ir.actions.act_window_close"}
