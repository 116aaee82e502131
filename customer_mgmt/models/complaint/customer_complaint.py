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
    # Actions
    # ------------------------------------------------------------------
    def action_accept(self):
        self._check_transition(("recorded",), (SERVICE, MANAGER))
        self._move_to("accepted")
        self._notify_customer("customer_mgmt.mail_template_complaint_accepted")

    def action_reject(self):
        self._check_transition(("recorded",), (SERVICE, MANAGER), required=("validity_reason",))
        self._move_to("rejected")
        self._notify_customer("customer_mgmt.mail_template_complaint_rejected")

    def action_assign(self):
        self._check_transition(("accepted",), (SERVICE, MANAGER), required=("department_id", "user_id"))
        self._move_to("assigned")
        for complaint in self:
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=complaint.user_id.id,
                date_deadline=complaint.deadline and complaint.deadline.date(),
                summary=self.env._("Analyse complaint %(name)s", name=complaint.name),
            )

    def action_analyse(self):
        self._check_transition(("assigned",), (MANAGER,), responsible=True, required=("root_cause",))
        self._move_to("analysed")

    def action_propose(self):
        self._check_transition(("analysed",), (MANAGER,), responsible=True, required=("solution",))
        self._move_to("proposed")

    def action_approve(self):
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
        self._move_to("approved", approver_id=self.env.uid)

    def action_send_back(self):
        self._check_transition(("proposed",), (MANAGER,), required=("approval_remark",))
        self._move_to("analysed")

    def action_implement(self):
        self._check_transition(
            ("approved",), (MANAGER,), responsible=True, required=("implementation_notes",)
        )
        self._move_to("implemented")

    def action_close(self):
        self._check_transition(("implemented",), (SERVICE, MANAGER), required=("evaluation", "satisfaction"))
        self._move_to("closed", closed_date=fields.Datetime.now())
        self._notify_customer("customer_mgmt.mail_template_complaint_closed")

    def action_cancel(self):
        self._check_transition(
            [s for s, _label in OPEN_STATES], (SERVICE, MANAGER), required=("cancel_reason",)
        )
        self._move_to("cancelled")

    def action_reopen(self):
        self._check_transition(("closed",), (MANAGER,), required=("reopen_reason",))
        self._move_to("assigned", closed_date=False)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_transition(self, from_states, groups, responsible=False, required=()):
        """Refuse the move unless every complaint is in one of ``from_states``,
        the user is in one of ``groups`` (or is the complaint's responsible when
        ``responsible``) and the ``required`` fields are filled."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        for complaint in self:
            if complaint.state not in from_states:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s is %(state)s: this step needs it to be %(expected)s.",
                        name=complaint.name,
                        state=labels[complaint.state],
                        expected=" / ".join(labels[s] for s in from_states),
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
                        state=labels[complaint.state],
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

    def _move_to(self, state, **values):
        self.sudo().write({"state": state, "escalated": False, **values})
        self._set_stage_deadline()
        self._action_moved(state)

    def _action_moved(self, state):
        """Hook for other modules after a complaint changed stage."""

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
                    stage=dict(complaint._fields["state"]._description_selection(self.env))[complaint.state],
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
