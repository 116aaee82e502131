from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

COMPLAINT_STATES = [
    ("recorded", "Recorded"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("assigned", "Assigned"),
    ("analysed", "Cause Analysed"),
    ("proposed", "Solution Proposed"),
    ("approved", "Approved"),
    ("implemented", "Implemented"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
FINAL_STATES = ("rejected", "closed", "cancelled")
OPEN_STATES = [state for state in COMPLAINT_STATES if state[0] not in FINAL_STATES]
COMPLAINT_PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]

SERVICE = "customer_mgmt.group_customer_service"
MANAGER = "customer_mgmt.group_customer_manager"


class CustomerComplaint(models.Model):
    """A customer complaint and its handling (seed 002, 客户投诉处理程序).

    Who moves a complaint, and from where:

    ==========================  ==================  ===================================
    action                      from                who
    ==========================  ==================  ===================================
    accept / reject             recorded            customer service, manager
    assign (department, user)   accepted            customer service, manager
    analyse (root cause)        assigned            the responsible user, manager
    propose (solution)          analysed            the responsible user, manager
    approve / send back         proposed            manager
    implement                   approved            the responsible user, manager
    close (evaluation)          implemented         customer service, manager
    cancel (reason)             any open state      customer service, manager
    reopen (reason)             closed              manager
    ==========================  ==================  ===================================

    Each step is ``action_<step>``: ``_check_can_<step>`` refuses it
    (``AccessError`` for rights, ``UserError`` for state and missing data),
    ``_do_<step>`` moves the complaint and ends with the empty hook
    ``_action_<step>``. Assigning gives the responsible user an activity,
    marked done when the root cause is analysed.

    The customer is e-mailed when the complaint is accepted or rejected and
    when it is closed. Past its stage deadline a complaint escalates once per
    stage to the responsible user's manager (最忌讳投诉没有下文).
    """

    _name = "customer.complaint"
    _description = "Customer Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, received_date desc, id desc"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        COMPLAINT_STATES,
        default="recorded",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_customer_card', '=', True)]",
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Complainant",
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="Who complained; receives the replies (the customer itself when empty).",
    )
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    category_id = fields.Many2one("customer.complaint.category", required=True, tracking=True)
    channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "E-mail"),
            ("visit", "Visit"),
            ("letter", "Letter"),
            ("portal", "Website"),
            ("other", "Other"),
        ],
        default="phone",
        required=True,
    )
    priority = fields.Selection(COMPLAINT_PRIORITIES, default="0", required=True, tracking=True)
    description = fields.Html(required=True)
    received_date = fields.Datetime(string="Received On", required=True, default=fields.Datetime.now)
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", domain="[('partner_id.commercial_partner_id', '=', partner_id)]"
    )
    invoice_id = fields.Many2one(
        "account.move",
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice')]",
    )
    contract_id = fields.Many2one(
        "contract.contract",
        domain="[('partner_id.commercial_partner_id', '=', partner_id)]",
    )
    product_id = fields.Many2one("product.product")
    delivery_reference = fields.Char(help="Delivery note or waybill concerned.")
    department_id = fields.Many2one("hr.department", tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, domain=[("share", "=", False)], index=True
    )
    validity_reason = fields.Text(string="Decision Reason", help="Why the complaint is accepted or not.")
    root_cause = fields.Text()
    solution = fields.Text(string="Proposed Solution")
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approval_remark = fields.Text()
    implementation_notes = fields.Text()
    evaluation = fields.Text(help="Summary and evaluation of the handling (总结评价).")
    satisfaction = fields.Selection(
        [
            ("very_satisfied", "Very satisfied"),
            ("satisfied", "Satisfied"),
            ("neutral", "Neutral"),
            ("dissatisfied", "Dissatisfied"),
        ],
        string="Customer Satisfaction",
        tracking=True,
    )
    cancel_reason = fields.Text()
    reopen_reason = fields.Text()
    deadline = fields.Datetime(
        string="Stage Deadline",
        readonly=True,
        copy=False,
        index=True,
        help="When the current stage must be done.",
    )
    escalated = fields.Boolean(
        readonly=True, copy=False, help="Escalated for missing the current stage deadline."
    )
    closed_date = fields.Datetime(readonly=True, copy=False)
    is_manager = fields.Boolean(compute="_compute_is_manager", help="Technical: the user manages complaints.")
    # returns and exchanges (退换货管理)
    return_type = fields.Selection(
        [("return", "Return"), ("exchange", "Exchange")],
        string="Asks For",
        help="Set when the customer asks to return or exchange goods.",
    )
    purchase_date = fields.Date(
        compute="_compute_purchase_date",
        store=True,
        readonly=False,
        help="Date of the invoice or order of the goods; the return window runs from it.",
    )
    return_window_days = fields.Integer(compute="_compute_return_window", store=True)
    return_out_of_window = fields.Boolean(
        string="Outside Return Window",
        compute="_compute_return_window",
        store=True,
        help="Returns and exchanges outside the window of the customer's grade need the manager's approval "
        "with a remark.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends_context("uid")
    def _compute_is_manager(self):
        self.is_manager = self.env.user.has_group(MANAGER)

    @api.depends("invoice_id.invoice_date", "sale_order_id.date_order")
    def _compute_purchase_date(self):
        for complaint in self:
            complaint.purchase_date = complaint.invoice_id.invoice_date or (
                complaint.sale_order_id.date_order and complaint.sale_order_id.date_order.date()
            )

    @api.depends(
        "return_type", "purchase_date", "received_date", "partner_id.customer_grade_id", "company_id"
    )
    def _compute_return_window(self):
        for complaint in self:
            grade_window = complaint.partner_id.customer_grade_id.return_window_days
            window = grade_window or complaint.company_id.customer_return_window_days
            complaint.return_window_days = window
            complaint.return_out_of_window = bool(
                complaint.return_type
                and complaint.purchase_date
                and (complaint.received_date.date() - complaint.purchase_date).days > window
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.complaint") or "/"
            vals.pop("state", None)  # a complaint always starts as recorded
        complaints = super().create(vals_list)
        complaints._set_stage_deadline()
        return complaints

    def write(self, vals):
        if not self.env.su:
            if {"state", "approver_id", "deadline", "escalated", "closed_date"} & set(vals):
                raise UserError(
                    self.env._(
                        "The stage of complaints %(complaints)s changes only through their buttons.",
                        complaints=", ".join(self.mapped("name")),
                    )
                )
            finished = self.filtered(lambda c: c.state in FINAL_STATES)
            if finished and set(vals) - {"reopen_reason"}:
                raise UserError(
                    self.env._(
                        "Complaints %(complaints)s are finished: a manager reopens them before they change.",
                        complaints=", ".join(finished.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_processed(self):
        processed = self.filtered(lambda c: c.state != "recorded")
        if processed:
            raise UserError(
                self.env._(
                    "Complaints %(complaints)s are being handled: cancel them with a reason instead of "
                    "deleting them.",
                    complaints=", ".join(processed.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions: each step checks (_check_can_*), then moves (_do_*), which
    # ends with an empty hook (_action_*) for other modules.
    # ------------------------------------------------------------------
    def action_accept(self):
        self._check_can_accept()
        self._do_accept()
        return True

    def action_reject(self):
        self._check_can_reject()
        self._do_reject()
        return True

    def action_assign(self):
        self._check_can_assign()
        self._do_assign()
        return True

    def action_analyse(self):
        self._check_can_analyse()
        self._do_analyse()
        return True

    def action_propose(self):
        self._check_can_propose()
        self._do_propose()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_send_back(self):
        self._check_can_send_back()
        self._do_send_back()
        return True

    def action_implement(self):
        self._check_can_implement()
        self._do_implement()
        return True

    def action_close(self):
        self._check_can_close()
        self._do_close()
        return True

    def action_cancel(self):
        self._check_can_cancel()
        self._do_cancel()
        return True

    def action_reopen(self):
        self._check_can_reopen()
        self._do_reopen()
        return True

    # ------------------------------------------------------------------
    # Checks: raise AccessError for rights, UserError for state and data
    # ------------------------------------------------------------------
    def _check_can_accept(self):
        self._check_transition(("recorded",), (SERVICE, MANAGER))

    def _check_can_reject(self):
        self._check_transition(("recorded",), (SERVICE, MANAGER), required=("validity_reason",))

    def _check_can_assign(self):
        self._check_transition(("accepted",), (SERVICE, MANAGER), required=("department_id", "user_id"))

    def _check_can_analyse(self):
        self._check_transition(("assigned",), (MANAGER,), responsible=True, required=("root_cause",))

    def _check_can_propose(self):
        self._check_transition(("analysed",), (MANAGER,), responsible=True, required=("solution",))

    def _check_can_approve(self):
        self._check_transition(("proposed",), (MANAGER,))
        outside = self.filtered(lambda c: c.return_out_of_window and not (c.approval_remark or "").strip())
        if outside:
            raise UserError(
                self.env._(
                    "%(complaints)s ask for a return or exchange outside the return window: explain the "
                    "exception in the approval remark.",
                    complaints=", ".join(outside.mapped("name")),
                )
            )

    def _check_can_send_back(self):
        self._check_transition(("proposed",), (MANAGER,), required=("approval_remark",))

    def _check_can_implement(self):
        self._check_transition(
            ("approved",), (MANAGER,), responsible=True, required=("implementation_notes",)
        )

    def _check_can_close(self):
        self._check_transition(("implemented",), (SERVICE, MANAGER), required=("evaluation", "satisfaction"))

    def _check_can_cancel(self):
        self._check_transition(
            [s for s, _label in OPEN_STATES], (SERVICE, MANAGER), required=("cancel_reason",)
        )

    def _check_can_reopen(self):
        self._check_transition(("closed",), (MANAGER,), required=("reopen_reason",))

    def _check_transition(self, from_states, groups, responsible=False, required=()):
        """Refuse the move unless every complaint is in one of ``from_states``,
        the user is in one of ``groups`` (or is the complaint's responsible when
        ``responsible``) and the ``required`` fields are filled."""
        state_field = self._fields["state"]
        for complaint in self:
            state = state_field.convert_to_export(complaint.state, complaint)
            if complaint.state not in from_states:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s is %(state)s: this step needs it to be %(expected)s.",
                        name=complaint.name,
                        state=state,
                        expected=" / ".join(state_field.convert_to_export(s, complaint) for s in from_states),
                    )
                )
            allowed = any(self.env.user.has_group(group) for group in groups) or (
                responsible and complaint.user_id == self.env.user
            )
            if not allowed:
                raise AccessError(
                    self.env._(
                        "You are not allowed to move complaint %(name)s from %(state)s.",
                        name=complaint.name,
                        state=state,
                    )
                )
            missing = [
                complaint._fields[fname].get_description(self.env)["string"]
                for fname in required
                if not (complaint[fname].strip() if isinstance(complaint[fname], str) else complaint[fname])
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s: fill in %(fields)s first.",
                        name=complaint.name,
                        fields=", ".join(missing),
                    )
                )

    # ------------------------------------------------------------------
    # Doers: write, log, tell the customer, then call the hook
    # ------------------------------------------------------------------
    def _do_accept(self):
        self._move_to("accepted")
        self._notify_customer("customer_mgmt.mail_template_complaint_accepted")
        self._action_accept()

    def _do_reject(self):
        self._move_to("rejected")
        self._notify_customer("customer_mgmt.mail_template_complaint_rejected")
        self._action_reject()

    def _do_assign(self):
        self._move_to("assigned")
        self._schedule_analysis()
        self._action_assign()

    def _do_analyse(self):
        self._move_to("analysed")
        self._feedback_analysis()
        self._action_analyse()

    def _do_propose(self):
        self._move_to("proposed")
        self._action_propose()

    def _do_approve(self):
        self._move_to("approved", approver_id=self.env.uid)
        self._action_approve()

    def _do_send_back(self):
        self._move_to("analysed")
        self._action_send_back()

    def _do_implement(self):
        self._move_to("implemented")
        self._action_implement()

    def _do_close(self):
        self._move_to("closed", closed_date=fields.Datetime.now())
        self._notify_customer("customer_mgmt.mail_template_complaint_closed")
        self._action_close()

    def _do_cancel(self):
        # the responsible user no longer has a complaint to analyse
        for complaint in self.filtered("user_id"):
            complaint.sudo().activity_unlink(["mail.mail_activity_data_todo"], user_id=complaint.user_id.id)
        self._move_to("cancelled")
        self._action_cancel()

    def _do_reopen(self):
        self._move_to("assigned", closed_date=False)
        self._schedule_analysis()
        self._action_reopen()

    # ------------------------------------------------------------------
    # Hooks for other modules, called once the step is done
    # ------------------------------------------------------------------
    def _action_accept(self):
        """Hook after complaints are accepted."""

    def _action_reject(self):
        """Hook after complaints are rejected."""

    def _action_assign(self):
        """Hook after complaints are assigned to a responsible user."""

    def _action_analyse(self):
        """Hook after the root cause of complaints is analysed."""

    def _action_propose(self):
        """Hook after a solution is proposed for complaints."""

    def _action_approve(self):
        """Hook after the solution of complaints is approved."""

    def _action_send_back(self):
        """Hook after the solution of complaints is sent back for analysis."""

    def _action_implement(self):
        """Hook after the solution of complaints is implemented."""

    def _action_close(self):
        """Hook after complaints are closed."""

    def _action_cancel(self):
        """Hook after complaints are cancelled."""

    def _action_reopen(self):
        """Hook after complaints are reopened."""

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _move_to(self, state, **values):
        self.sudo().write({"state": state, "escalated": False, **values})
        self._set_stage_deadline()

    def _schedule_analysis(self):
        """The assignment: an activity for the responsible user, done when the
        root cause is analysed."""
        for complaint in self:
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=complaint.user_id.id,
                date_deadline=complaint.deadline and complaint.deadline.date(),
                summary=self.env._("Analyse complaint %(name)s", name=complaint.name),
            )

    def _feedback_analysis(self):
        for complaint in self:
            complaint.sudo().activity_feedback(["mail.mail_activity_data_todo"], user_id=complaint.user_id.id)

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "state" not in init_values:
            return super()._track_subtype(init_values)
        match self.state:
            case "accepted":
                return self.env.ref("customer_mgmt.mt_complaint_accepted")
            case "rejected":
                return self.env.ref("customer_mgmt.mt_complaint_rejected")
            case "closed":
                return self.env.ref("customer_mgmt.mt_complaint_closed")
            case "cancelled":
                return self.env.ref("customer_mgmt.mt_complaint_cancelled")
            case "assigned" if init_values["state"] == "closed":
                return self.env.ref("customer_mgmt.mt_complaint_reopened")
            case _:
                return super()._track_subtype(init_values)

    def _set_stage_deadline(self):
        rules = {
            (rule.company_id, rule.state, rule.priority): rule.hours
            for rule in self.env["customer.complaint.deadline"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        }
        now = fields.Datetime.now()
        for complaint in self:
            hours = rules.get((complaint.company_id, complaint.state, complaint.priority))
            complaint.sudo().deadline = hours and now + timedelta(hours=hours)

    def _notify_customer(self, template_xmlid):
        """E-mail the customer from the chatter, in the customer's language."""
        template = self.env.ref(template_xmlid)
        for complaint in self:
            complaint.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    def _escalation_managers(self):
        """The manager of each complaint's responsible user: their employee's
        manager, else their department's manager; else the leader of the
        sales team of the customer's salesperson."""
        users = self.user_id
        employees = self.env["hr.employee"].sudo().search([("user_id", "in", users.ids)])
        manager_of = {}
        for employee in employees:
            manager = employee.parent_id.user_id or employee.department_id.manager_id.user_id
            if manager and manager != employee.user_id:
                manager_of[employee.user_id] = manager
        return {
            complaint: manager_of.get(complaint.user_id)
            or complaint.department_id.manager_id.user_id
            or complaint.partner_id.user_id.sale_team_id.user_id
            for complaint in self
        }

    def _escalate(self):
        managers = self._escalation_managers()
        sales_managers = self.env.ref(MANAGER).sudo().user_ids.filtered(lambda u: not u.share)
        for complaint, manager in managers.items():
            company = complaint.company_id
            manager = (
                manager or sales_managers.filtered(lambda u, company=company: company in u.company_ids)[:1]
            )
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(manager or self.env.user).id,
                summary=self.env._("Complaint %(name)s is overdue", name=complaint.name),
                note=self.env._(
                    "The %(stage)s stage of complaint %(name)s from %(customer)s passed its deadline.",
                    stage=complaint._fields["state"].convert_to_export(complaint.state, complaint),
                    name=complaint.name,
                    customer=complaint.partner_id.display_name,
                ),
            )
        self.sudo().write({"escalated": True})

    @api.model
    def _cron_escalate_overdue(self, batch_size=200):
        """Escalate, once per stage, the complaints past their stage deadline."""
        domain = (
            Domain("state", "in", [s for s, _label in OPEN_STATES])
            & Domain("deadline", "<", fields.Datetime.now())
            & Domain("escalated", "=", False)
        )
        while complaints := self.search(domain, limit=batch_size, order="deadline"):
            complaints._escalate()
            if not self.env["ir.cron"]._commit_progress(len(complaints), remaining=self.search_count(domain)):
                break

    def formatted_read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        groups = super().formatted_read_group(domain, groupby, aggregates, having, offset, limit, order)
        if groupby and groupby[0] == "state":
            for group in groups:
                group["__fold"] = group["state"] in FINAL_STATES
        return groups
