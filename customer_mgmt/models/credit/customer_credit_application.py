from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount, format_date

CREDIT_MANAGER = "customer_mgmt.group_credit_manager"
# Written only by the workflow methods.
WORKFLOW_FIELDS = frozenset(
    {"state", "first_approver_id", "first_approval_date", "approver_id", "approval_date", "current_limit"}
)


class CustomerCreditApplication(models.Model):
    _name = "customer.credit.application"
    _description = "Credit Application"
    _inherit = ["customer.credit.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    user_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, tracking=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    current_limit = fields.Monetary(string="Limit When Submitted", readonly=True)
    requested_limit = fields.Monetary(required=True, tracking=True)
    payment_term_id = fields.Many2one("account.payment.term", string="Payment Terms", tracking=True)
    date_end = fields.Date(
        string="Valid Until",
        required=True,
        tracking=True,
        default=lambda self: (
            fields.Date.context_today(self)
            + relativedelta(months=self.env.company.customer_credit_validity_months)
        ),
    )
    justification = fields.Text(required=True)
    evaluation_id = fields.Many2one(
        "customer.credit.evaluation",
        string="Scorecard",
        domain="[('partner_id', '=', partner_id), ('state', '=', 'done')]",
    )
    credit_grade_id = fields.Many2one(related="evaluation_id.credit_grade_id")
    suggested_limit = fields.Monetary(related="evaluation_id.suggested_limit")
    needs_second_approval = fields.Boolean(compute="_compute_needs_second_approval", store=True)
    first_approver_id = fields.Many2one("res.users", readonly=True, copy=False)
    first_approval_date = fields.Datetime(readonly=True, copy=False)
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approval_date = fields.Datetime(readonly=True, copy=False)
    rejection_reason = fields.Text(tracking=True, copy=False)

    @api.depends("requested_limit", "company_id.customer_credit_second_level_amount")
    def _compute_needs_second_approval(self):
        for application in self:
            threshold = application.company_id.customer_credit_second_level_amount
            application.needs_second_approval = bool(threshold) and application.requested_limit > threshold

    @api.constrains("requested_limit")
    def _check_requested_limit(self):
        for application in self:
            if application.requested_limit < 0:
                raise ValidationError(
                    self.env._(
                        "Credit application %(name)s for %(customer)s: the requested limit cannot be "
                        "negative.",
                        name=application.name,
                        customer=application.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(WORKFLOW_FIELDS.intersection(vals) for vals in vals_list):
            raise AccessError(self.env._("Credit applications start as drafts."))
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.credit.application") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if WORKFLOW_FIELDS.intersection(vals):
                raise AccessError(
                    self.env._(
                        "%(names)s: submit, approve or reject credit applications with their buttons.",
                        names=", ".join(self.mapped("name")),
                    )
                )
            if not self.env.user.has_group("customer_mgmt.group_credit_controller") and self.filtered(
                lambda application: application.state != "draft"
            ):
                raise AccessError(
                    self.env._(
                        "%(names)s: only drafts can be edited by their requester.",
                        names=", ".join(self.mapped("name")),
                    )
                )
        return super().write(vals)

    def _check_state(self, *states):
        for application in self:
            if application.state not in states:
                raise UserError(
                    self.env._(
                        "Credit application %(name)s is %(state)s and cannot do that.",
                        name=application.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[application.state],
                    )
                )

    def action_submit(self):
        self.check_access("write")
        self._check_state("draft")
        for application in self:
            if not (application.justification or "").strip():
                raise UserError(
                    self.env._("Credit application %(name)s needs a justification.", name=application.name)
                )
            partner = application.partner_id.with_company(application.company_id).sudo()
            application.sudo().write({"state": "submitted", "current_limit": partner.credit_limit})
            application._schedule_approval(application.company_id._credit_controllers())
        return True

    def _schedule_approval(self, users):
        self.ensure_one()
        for user in users:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Approve credit application"),
                user_id=user.id,
            )

    def action_approve(self):
        self.company_id._check_credit_controller()
        self._check_state("submitted")
        for application in self:
            if application.date_end <= fields.Date.context_today(self):
                raise UserError(
                    self.env._(
                        "Credit application %(name)s: the validity date must be in the future.",
                        name=application.name,
                    )
                )
            if application.needs_second_approval and not application.first_approver_id:
                application.sudo().write(
                    {"first_approver_id": self.env.uid, "first_approval_date": fields.Datetime.now()}
                )
                application._close_activities()
                managers = (
                    self.env.ref(CREDIT_MANAGER)
                    .sudo()
                    .all_user_ids.filtered(
                        lambda user, app=application: (
                            app.company_id in user.company_ids and user != self.env.user
                        )
                    )
                )
                application._schedule_approval(managers)
                application.message_post(
                    body=self.env._("First approval given; a credit manager must give the second approval.")
                )
                continue
            if application.needs_second_approval:
                if not self.env.user.has_group(CREDIT_MANAGER):
                    raise AccessError(
                        self.env._(
                            "Credit application %(name)s is above %(amount)s: a credit manager gives the "
                            "second approval.",
                            name=application.name,
                            amount=application.company_id.customer_credit_second_level_amount,
                        )
                    )
                if application.first_approver_id == self.env.user:
                    raise AccessError(
                        self.env._(
                            "Credit application %(name)s: the second approval must come from another person.",
                            name=application.name,
                        )
                    )
            application._apply()
        return True

    def _apply(self):
        """Write the approved limit (Odoo's own credit limit), its validity and
        the payment terms on the customer."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()
        vals = {
            "credit_limit": self.requested_limit,
            "credit_limit_date_end": self.date_end,
            "credit_review_required": False,
        }
        if self.payment_term_id:
            vals["property_payment_term_id"] = self.payment_term_id.id
        partner.write(vals)
        self.sudo().write(
            {"state": "approved", "approver_id": self.env.uid, "approval_date": fields.Datetime.now()}
        )
        self._close_activities()
        partner.message_post(
            body=self.env._(
                "Credit limit %(limit)s valid until %(date)s approved (%(name)s).",
                limit=format_amount(self.env, self.requested_limit, self.currency_id),
                date=format_date(self.env, self.date_end),
                name=self.name,
            )
        )

    def _close_activities(self):
        self.sudo().activity_ids.action_feedback(
            feedback=self.env._("Decided by %(user)s", user=self.env.user.name)
        )

    def action_reject(self):
        self.company_id._check_credit_controller()
        self._check_state("submitted")
        for application in self:
            if not (application.rejection_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Credit application %(name)s: write the rejection reason first.",
                        name=application.name,
                    )
                )
        self.sudo().write(
            {"state": "rejected", "approver_id": self.env.uid, "approval_date": fields.Datetime.now()}
        )
        self._close_activities()
        return True

    def action_reset_draft(self):
        self.check_access("write")
        self._check_state("rejected")
        self.sudo().write({"state": "draft", "first_approver_id": False, "approver_id": False})
        return True
