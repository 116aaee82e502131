from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount, format_date

CREDIT_APPLICATION_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
CREDIT_MANAGER = "customer_mgmt.group_credit_manager"
APPROVAL_ACTIVITY = "mail.mail_activity_data_todo"
# Written only by the workflow methods.
WORKFLOW_FIELDS = frozenset(
    {"state", "first_approver_id", "first_approval_date", "approver_id", "approval_date", "current_limit"}
)


class CustomerCreditApplication(models.Model):
    """A request for a customer's credit limit, validity and payment terms
    (客户授信申请表), decided by credit controllers.

    Who moves an application, and from where:

    ================  ==========  ==========================================================
    action            from        who
    ================  ==========  ==========================================================
    create / edit     draft       the requester (a salesperson of the customer), credit
                                  controller; once submitted, credit controllers only
    submit            draft       whoever may edit it
    approve           submitted   credit controller; above the company's second-level
                                  amount a credit manager then gives the second approval,
                                  and never the first approver
    reject (reason)   submitted   credit controller
    reset to draft    rejected    whoever may edit it
    ================  ==========  ==========================================================

    Each step is ``action_<step>``: ``_check_can_<step>`` refuses it
    (``AccessError`` for rights, ``UserError`` for state and missing data),
    ``_do_<step>`` moves the application and ends with the empty hook
    ``_action_<step>``. The approval is an activity for the credit
    controllers (then for the credit managers), marked done when they decide;
    a rejection is posted to the requester with its reason.
    """

    _name = "customer.credit.application"
    _description = "Credit Application"
    _inherit = ["customer.credit.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _state_subtypes = {
        "approved": "customer_mgmt.mt_credit_application_approved",
        "rejected": "customer_mgmt.mt_credit_application_rejected",
        "draft": "customer_mgmt.mt_credit_application_reset",
    }
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    user_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, tracking=True
    )
    state = fields.Selection(CREDIT_APPLICATION_STATES)
    current_limit = fields.Monetary(string="Limit When Submitted", readonly=True, copy=False)
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
            raise UserError(self.env._("Credit applications start as drafts."))
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.credit.application") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if WORKFLOW_FIELDS.intersection(vals):
                raise UserError(
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

    # ------------------------------------------------------------------
    # Actions: each step checks (_check_can_*), then moves (_do_*), which
    # ends with an empty hook (_action_*) for other modules.
    # ------------------------------------------------------------------
    def action_submit(self):
        self._check_can_submit()
        self._do_submit()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_reject(self):
        self._check_can_reject()
        self._do_reject()
        return True

    def action_reset_draft(self):
        self._check_can_reset_draft()
        self._do_reset_draft()
        return True

    # ------------------------------------------------------------------
    # Checks: raise AccessError for rights, UserError for state and data
    # ------------------------------------------------------------------
    def _check_can_submit(self):
        self.check_access("write")
        self._check_state("draft")
        for application in self:
            if not (application.justification or "").strip():
                raise UserError(
                    self.env._("Credit application %(name)s needs a justification.", name=application.name)
                )

    def _check_can_approve(self):
        self.company_id._check_credit_controller()
        self._check_state("submitted")
        today = fields.Date.context_today(self)
        for application in self:
            if application.date_end <= today:
                raise UserError(
                    self.env._(
                        "Credit application %(name)s: the validity date must be in the future.",
                        name=application.name,
                    )
                )
            if not (application.needs_second_approval and application.first_approver_id):
                continue
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

    def _check_can_reject(self):
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

    def _check_can_reset_draft(self):
        self.check_access("write")
        self._check_state("rejected")

    def _check_state(self, *states):
        state_field = self._fields["state"]
        for application in self:
            if application.state not in states:
                raise UserError(
                    self.env._(
                        "Credit application %(name)s is %(state)s and cannot do that.",
                        name=application.name,
                        state=state_field.convert_to_export(application.state, application),
                    )
                )

    # ------------------------------------------------------------------
    # Doers: write, log, then call the hook
    # ------------------------------------------------------------------
    def _do_submit(self):
        for application in self:
            partner = application.partner_id.with_company(application.company_id).sudo()
            application.sudo().write({"state": "submitted", "current_limit": partner.credit_limit})
            application._schedule_approval(application.company_id._credit_controllers())
        self._action_submit()

    def _do_approve(self):
        """First approval of the applications above the company's second-level
        amount (the credit managers are asked for the second one); final
        approval of the others, which sets the customer's credit."""
        first = self.filtered(lambda a: a.needs_second_approval and not a.first_approver_id)
        if first:
            first.sudo().write(
                {"first_approver_id": self.env.uid, "first_approval_date": fields.Datetime.now()}
            )
            first._feedback_approval()
            managers = self.env.ref(CREDIT_MANAGER).sudo().all_user_ids
            for application in first:
                application._schedule_approval(
                    managers.filtered(
                        lambda user, app=application: (
                            app.company_id in user.company_ids and user != self.env.user
                        )
                    )
                )
                application.message_post(
                    body=self.env._("First approval given; a credit manager must give the second approval.")
                )
        approved = self - first
        if approved:
            approved.sudo().write(
                {"state": "approved", "approver_id": self.env.uid, "approval_date": fields.Datetime.now()}
            )
            approved._feedback_approval()
            for application in approved:
                application._apply()
            approved._action_approve()

    def _do_reject(self):
        self.sudo().write(
            {"state": "rejected", "approver_id": self.env.uid, "approval_date": fields.Datetime.now()}
        )
        self._feedback_approval()
        for application in self:
            # in the requester's language: the message is for them
            application.with_context(lang=application.user_id.lang or self.env.lang).message_post_with_source(
                "customer_mgmt.customer_credit_application_message_reject",
                subtype_xmlid="mail.mt_comment",
            )
        self._action_reject()

    def _do_reset_draft(self):
        self.sudo().write(
            {
                "state": "draft",
                "first_approver_id": False,
                "first_approval_date": False,
                "approver_id": False,
                "approval_date": False,
            }
        )
        self._action_reset_draft()

    # ------------------------------------------------------------------
    # Hooks for other modules, called once the step is done
    # ------------------------------------------------------------------
    def _action_submit(self):
        """Hook after applications are submitted for approval."""

    def _action_approve(self):
        """Hook after applications are finally approved and their credit set on the customer."""

    def _action_reject(self):
        """Hook after applications are rejected."""

    def _action_reset_draft(self):
        """Hook after rejected applications are reset to draft."""

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _schedule_approval(self, users):
        """The approval: an activity for each of ``users``, done when one of
        them decides."""
        self.ensure_one()
        for user in users:
            self.sudo().activity_schedule(
                APPROVAL_ACTIVITY,
                summary=self.env._("Approve credit application"),
                user_id=user.id,
            )

    def _feedback_approval(self):
        self.sudo().activity_feedback(
            [APPROVAL_ACTIVITY], feedback=self.env._("Decided by %(user)s", user=self.env.user.name)
        )

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
        partner.message_post(
            body=self.env._(
                "Credit limit %(limit)s valid until %(date)s approved (%(name)s).",
                limit=format_amount(self.env, self.requested_limit, self.currency_id),
                date=format_date(self.env, self.date_end),
                name=self.name,
            )
        )
