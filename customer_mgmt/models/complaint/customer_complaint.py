from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime

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
# the manager's approval holds from these states on (until a reopen)
APPROVED_STATES = ("approved", "implemented", "closed")
COMPLAINT_PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]

SERVICE = "customer_mgmt.group_customer_service"
MANAGER = "customer_mgmt.group_customer_manager"

# Who writes what, enforced in create() and write() (the views only mirror it):
# the stage and its bookkeeping, moved by the steps only
STEP_FIELDS = ("state", "approver_id", "deadline", "escalated", "closed_date")
# computed from the complaint; the approval check reads them
COMPUTED_FIELDS = ("return_window_days", "return_out_of_window")
# filled by the steps after the recording, never when a complaint is created
HANDLING_FIELDS = (
    "user_id",
    "department_id",
    "root_cause",
    "solution",
    "approval_remark",
    "implementation_notes",
    "evaluation",
    "satisfaction",
    "reopen_reason",
)
# the assignment: customer service or a manager only
ASSIGN_FIELDS = ("department_id", "user_id")


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

    What ``create`` and ``write`` refuse, whoever calls them (the superuser
    aside), so that no RPC call goes around the steps:

    - a new complaint is recorded, nothing more: its stage fields and what the
      later steps fill in (responsible, department, analysis, solution,
      approval remark, closing) are refused unless empty (``STEP_FIELDS``,
      ``HANDLING_FIELDS``), and no default (context or user's) fills them;
    - the stage fields change only through the steps; the computed return
      window is never written with another value than it computes, and the
      approval judges the window again from the complaint;
    - the department and the responsible are written by customer service or a
      manager only (the assignment), the approval remark by a manager only;
    - from approval on, what the manager approved (``_approved_fields``) stays
      as approved; finished complaints change only once a manager reopens
      them;
    - a user who is neither customer service nor a manager records
      complaints only for their own or unassigned customers (judged on the
      customer's commercial partner, whichever contact is chosen), also when
      changing the customer; the complainant is a contact of the customer;
    - the reference comes from the sequence: never chosen, never changed;
    - the date received, from which the return window is judged, is now when
      a salesperson records the complaint (whatever they send); customer
      service or a manager may set or correct it until the approval, never to
      a date in the future.

    A new priority moves the deadline of the current stage: the stage keeps
    its start and gets the hours of the new priority.

    The customer is e-mailed when the complaint is accepted or rejected and
    when it is closed. Past its stage deadline a complaint escalates once per
    stage to the responsible user's manager (最忌讳投诉没有下文).
    """

    _name = "customer.complaint"
    _description = "Customer Complaint"
    _inherit = ["customer.document.mixin", "mail.thread", "mail.activity.mixin"]
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
    partner_id = fields.Many2one(domain="[('is_customer_card', '=', True)]")
    contact_id = fields.Many2one(
        "res.partner",
        string="Complainant",
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="Who complained; receives the replies (the customer itself when empty).",
    )
    salesperson_id = fields.Many2one(related="partner_id.commercial_partner_id.user_id", string="Salesperson")
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
    received_date = fields.Datetime(
        string="Received On",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the complaint reached us; its return window is judged from it. Set when the complaint is "
        "recorded; customer service or a manager corrects it until the approval.",
    )
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
    department_id = fields.Many2one("hr.department", tracking=True, copy=False)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        domain=[("share", "=", False)],
        index=True,
        copy=False,
    )
    validity_reason = fields.Text(string="Decision Reason", help="Why the complaint is accepted or not.")
    root_cause = fields.Text(copy=False)
    solution = fields.Text(string="Proposed Solution", copy=False)
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approval_remark = fields.Text(copy=False)
    implementation_notes = fields.Text(copy=False)
    evaluation = fields.Text(copy=False, help="Summary and evaluation of the handling (总结评价).")
    satisfaction = fields.Selection(
        [
            ("very_satisfied", "Very satisfied"),
            ("satisfied", "Satisfied"),
            ("neutral", "Neutral"),
            ("dissatisfied", "Dissatisfied"),
        ],
        string="Customer Satisfaction",
        tracking=True,
        copy=False,
    )
    cancel_reason = fields.Text()
    reopen_reason = fields.Text(copy=False)
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
    can_assign = fields.Boolean(
        compute="_compute_can_assign", help="Technical: the user is customer service or manages complaints."
    )
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
        help="Date of the invoice or order of the goods; the return window runs from it (never from a "
        "later date than the invoice's or the order's).",
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

    @api.depends_context("uid")
    def _compute_can_assign(self):
        self.can_assign = self._is_complaint_officer()

    @api.depends("invoice_id.invoice_date", "sale_order_id.date_order")
    def _compute_purchase_date(self):
        for complaint in self:
            complaint.purchase_date = complaint._document_purchase_date()

    def _computed_values(self):
        """What the return window fields of the complaint compute to."""
        self.ensure_one()
        return {
            "return_window_days": self._return_window(),
            "return_out_of_window": self._is_return_out_of_window(),
        }

    @api.depends(
        "return_type",
        "purchase_date",
        "invoice_id.invoice_date",
        "sale_order_id.date_order",
        "received_date",
        "partner_id.customer_grade_id.return_window_days",
        "company_id.customer_return_window_days",
    )
    def _compute_return_window(self):
        for complaint in self:
            complaint.update(complaint._computed_values())

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id", "contact_id")
    def _check_contact_of_customer(self):
        for complaint in self.sudo():
            customer = complaint.partner_id.commercial_partner_id
            if complaint.contact_id and complaint.contact_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Complaint %(name)s: the complainant %(contact)s is not a contact of the customer "
                        "%(customer)s.",
                        name=complaint.name,
                        contact=complaint.contact_id.display_name,
                        customer=customer.display_name,
                    )
                )

    @api.constrains("received_date")
    def _check_received_date(self):
        now = fields.Datetime.now()
        for complaint in self.filtered(lambda c: c.received_date > now):
            raise ValidationError(
                self.env._(
                    "Complaint %(name)s: it cannot have been received on %(date)s, which is in the future.",
                    name=complaint.name,
                    date=format_datetime(self.env, complaint.received_date),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._refuse_workflow_values(vals_list)
            default_partner = self.env.context.get("default_partner_id")
            self._ensure_own_customers(
                self.env["res.partner"].browse(
                    [partner for vals in vals_list if (partner := vals.get("partner_id", default_partner))]
                )
            )
        now = fields.Datetime.now()
        officer = self.env.su or self._is_complaint_officer()
        for vals in vals_list:
            if not self.env.su or vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.complaint") or "/"
            vals["state"] = "recorded"  # a complaint always starts as recorded, whatever the defaults
            if not officer:
                # received now: a salesperson cannot back-date it (nor a default)
                vals["received_date"] = now
            if not self.env.su:
                # the steps fill these: no default (from the context or the user's) either
                for fname in (*STEP_FIELDS, *HANDLING_FIELDS):
                    vals.setdefault(fname, False)
        complaints = super().create(vals_list)
        complaints._set_stage_deadline()
        return complaints

    def write(self, vals):
        if not self.env.su:
            self._refuse_write(vals)
        repriced, previous_hours = self.browse(), {}
        if "priority" in vals:
            repriced = self.filtered(lambda c: c.priority != vals["priority"])
            previous_hours = repriced._stage_hours()
        result = super().write(vals)
        if repriced:
            repriced._move_stage_deadline(previous_hours)
        return result

    def _refuse_workflow_values(self, vals_list):
        """A new complaint is recorded, nothing more: refuse any value but the
        empty one (which forms send) for the fields the steps fill, and a
        reference other than the sequence's."""
        for vals in vals_list:
            if vals.get("name", "/") != "/":
                raise UserError(
                    self.env._(
                        "Complaint %(reference)s: the reference of a complaint comes from its sequence, it "
                        "cannot be chosen.",
                        reference=vals["name"],
                    )
                )
            forced = [
                fname
                for fname in (*STEP_FIELDS, *COMPUTED_FIELDS, *HANDLING_FIELDS)
                if vals.get(fname) and not (fname == "state" and vals[fname] == "recorded")
            ]
            if forced:
                customer = self.env["res.partner"].sudo().browse(vals.get("partner_id"))
                raise UserError(
                    self.env._(
                        "The complaint of %(customer)s is recorded first: %(fields)s are set by the steps "
                        "that follow, not when it is created.",
                        customer=customer.display_name or "-",
                        fields=self._field_labels(forced),
                    )
                )

    def _refuse_write(self, vals):
        """Refuse a write that goes around the steps (see the class docstring)."""
        names = ", ".join(self.mapped("name"))
        if "name" in vals and any(complaint.name != vals["name"] for complaint in self):
            raise UserError(
                self.env._(
                    "Complaints %(complaints)s: the reference comes from the sequence and never changes.",
                    complaints=names,
                )
            )
        if set(STEP_FIELDS) & set(vals):
            raise UserError(
                self.env._(
                    "The stage of complaints %(complaints)s changes only through their buttons.",
                    complaints=names,
                )
            )
        if computed := [
            fname
            for fname in COMPUTED_FIELDS
            if fname in vals
            for complaint in self
            if self._fields[fname].convert_to_cache(vals[fname], complaint)
            != complaint._computed_values()[fname]
        ]:
            raise UserError(
                self.env._(
                    "Complaints %(complaints)s: %(fields)s are computed from the complaint, not set by hand.",
                    complaints=names,
                    fields=self._field_labels(list(dict.fromkeys(computed))),
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
        approved = self.filtered(lambda c: c.state in APPROVED_STATES)
        frozen = [fname for fname in self._approved_fields() if fname in vals]
        if approved and frozen:
            raise UserError(
                self.env._(
                    "Complaints %(complaints)s are approved: %(fields)s stay as the manager approved them "
                    "(a manager can reopen a closed complaint).",
                    complaints=", ".join(approved.mapped("name")),
                    fields=self._field_labels(frozen),
                )
            )
        if set(ASSIGN_FIELDS) & set(vals) and not self._is_complaint_officer():
            raise AccessError(
                self.env._(
                    "Complaints %(complaints)s: only customer service or a manager assigns the department "
                    "and the responsible.",
                    complaints=names,
                )
            )
        if "received_date" in vals and not self._is_complaint_officer():
            raise AccessError(
                self.env._(
                    "Complaints %(complaints)s: only customer service or a manager corrects the date a "
                    "complaint was received.",
                    complaints=names,
                )
            )
        if "approval_remark" in vals and not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._(
                    "Complaints %(complaints)s: the approval remark is the manager's to write.",
                    complaints=names,
                )
            )
        if "partner_id" in vals:
            self._ensure_own_customers(self.env["res.partner"].browse(vals["partner_id"]), self)

    def _ensure_own_customers(self, partners, complaints=None):
        """Someone who is neither customer service nor a manager records
        complaints only for their own or unassigned customers: refuse
        ``partners`` (the customers of new complaints, or the new customer of
        ``complaints``) followed by another salesperson."""
        if self._is_complaint_officer():
            return
        for customer in partners.sudo().commercial_partner_id:
            salesperson = customer.user_id
            if not salesperson or salesperson == self.env.user:
                continue
            if complaints:
                raise AccessError(
                    self.env._(
                        "Complaints %(complaints)s: you record complaints only for your own or unassigned "
                        "customers, and %(customer)s is followed by %(salesperson)s.",
                        complaints=", ".join(complaints.mapped("name")),
                        customer=customer.display_name,
                        salesperson=salesperson.name,
                    )
                )
            raise AccessError(
                self.env._(
                    "You record complaints only for your own or unassigned customers, and %(customer)s is "
                    "followed by %(salesperson)s.",
                    customer=customer.display_name,
                    salesperson=salesperson.name,
                )
            )

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

    def _document_purchase_date(self):
        """The date of the invoice, else of the order, of the goods."""
        self.ensure_one()
        complaint = self.sudo()
        order_date = complaint.sale_order_id.date_order
        return complaint.invoice_id.invoice_date or (order_date and order_date.date())

    def _return_window(self):
        """Days of the customer's grade, else of the company, to return goods."""
        self.ensure_one()
        complaint = self.sudo()
        return (
            complaint.partner_id.customer_grade_id.return_window_days
            or complaint.company_id.customer_return_window_days
        )

    def _is_return_out_of_window(self):
        """The complaint asks for a return or exchange after the window: from
        the purchase date entered, never later than the invoice's or order's."""
        self.ensure_one()
        if not self.return_type:
            return False
        purchase_dates = [day for day in (self.purchase_date, self._document_purchase_date()) if day]
        if not purchase_dates:
            return False
        return (self.received_date.date() - min(purchase_dates)).days > self._return_window()

    def _approved_fields(self):
        """What the manager approves, frozen from approval on: the solution, the
        remark, the return decision and the purchase date its window runs from
        (with the documents, the customer and the company the window comes
        from). Modules that add amounts to the decision extend this list."""
        return [
            "solution",
            "approval_remark",
            "return_type",
            "product_id",
            "purchase_date",
            "invoice_id",
            "sale_order_id",
            "received_date",
            "partner_id",
            "company_id",
        ]

    def _is_complaint_officer(self):
        """The user is customer service or a manager: assigns complaints and
        records them for any customer."""
        return self.env.user.has_group(SERVICE) or self.env.user.has_group(MANAGER)

    def _field_labels(self, fnames):
        """The labels of ``fnames``, in the user's language, for a message."""
        return ", ".join(self._fields[fname].get_description(self.env)["string"] for fname in fnames)

    def formatted_read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        groups = super().formatted_read_group(domain, groupby, aggregates, having, offset, limit, order)
        if groupby and groupby[0] == "state":
            for group in groups:
                group["__fold"] = group["state"] in FINAL_STATES
        return groups
