import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

SUPPORT_ACTIVITY_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("done", "Done"),
    ("evaluated", "Evaluated"),
    ("cancelled", "Cancelled"),
]
# the manager's approval holds in these states: their costs are support spent on the customer
APPROVED_STATES = ("approved", "done", "evaluated")
# costs are recorded in these states only: never before the approval, frozen once evaluated
COST_STATES = ("approved", "done")
FINAL_STATES = ("evaluated", "cancelled")
SUPPORT_RATINGS = [
    ("0", "Not rated"),
    ("1", "Poor"),
    ("2", "Fair"),
    ("3", "Good"),
    ("4", "Very good"),
    ("5", "Excellent"),
]
MANAGER = "customer_mgmt.group_customer_manager"

# Who writes what, enforced in create() and write() (the views only mirror it):
# the stage and its bookkeeping, moved by the steps only
STEP_FIELDS = ("state", "approver_id", "approval_date")
# computed from the cost lines; the spend figures and the warnings read them
COMPUTED_FIELDS = ("amount_cost", "is_over_budget")


class CustomerSupportActivity(models.Model):
    """Support given to a customer (对客户的支持管理): advertising, promotion,
    staff or vehicles, planned with a budget that a manager approves before
    anything is spent, its actual costs, and the evaluation of its effect.

    Who moves an activity, and from where:

    ==============  ===========================  ==========================================
    action          from                         who
    ==============  ===========================  ==========================================
    submit          draft                        the customer's salesperson, manager
    approve         submitted                    manager
    refuse          submitted (back to draft)    manager, with a reason
    done            approved                     the customer's salesperson, manager
    evaluate        done                         the customer's salesperson, manager, with
                                                 the evaluation and the rating
    cancel          draft, submitted             the customer's salesperson, manager
    cancel          approved, done               manager
    ==============  ===========================  ==========================================

    Each step is ``action_<step>``: ``_check_can_<step>`` refuses it
    (``AccessError`` for rights, ``UserError`` for state and missing data),
    ``_do_<step>`` moves the activity and ends with the empty hook
    ``_action_<step>``. The approval is an activity for the managers of the
    company, scheduled at submission and marked done when one of them decides;
    a refusal is posted on the chatter with its reason.

    What ``create`` and ``write`` refuse, whoever calls them (the superuser
    aside), so that no RPC call goes around the steps:

    - a new activity is a draft; its reference comes from the sequence;
    - the stage fields change only through the steps, the computed cost and
      over-budget flag are never written by hand;
    - from the approval on, what the manager approved (``_approved_fields``:
      customer, company, type, plan, dates and budget) is changed by a manager
      only; evaluated and cancelled activities by a manager only;
    - the refusal reason is the manager's to write;
    - someone who is not a manager plans support only for their own or
      unassigned customers, also when changing the customer.

    Costs (``customer.support.cost``) are recorded once the activity is
    approved and until it is evaluated, whoever records them.
    """

    _name = "customer.support.activity"
    _description = "Customer Support Activity"
    _inherit = ["customer.document.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, tracking=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        SUPPORT_ACTIVITY_STATES,
        string="Status",
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand=True,
    )
    partner_id = fields.Many2one(domain="[('is_customer_card', '=', True)]")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    type_id = fields.Many2one(
        "customer.support.type",
        string="Support Type",
        required=True,
        index=True,
        tracking=True,
        domain="[('company_id', 'in', (company_id, False))]",
    )
    plan = fields.Text(help="What is done, where, and the effect expected of it.")
    date_start = fields.Date(
        string="Start Date", required=True, tracking=True, default=fields.Date.context_today
    )
    date_end = fields.Date(string="End Date", required=True, tracking=True)
    amount_budget = fields.Monetary(string="Budget", tracking=True)
    cost_ids = fields.One2many("customer.support.cost", "activity_id", string="Costs")
    amount_cost = fields.Monetary(
        string="Actual Cost",
        compute="_compute_amount_cost",
        store=True,
        help="Sum of the cost lines, in company currency.",
    )
    is_over_budget = fields.Boolean(
        string="Over Budget",
        compute="_compute_is_over_budget",
        store=True,
        help="The actual cost exceeds the approved budget.",
    )
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approval_date = fields.Datetime(readonly=True, copy=False)
    refuse_reason = fields.Text(
        string="Refusal Reason", copy=False, help="Why the manager sends the plan back to draft."
    )
    # effect evaluation (效果评估)
    evaluation = fields.Text(copy=False, help="What the support achieved, against the plan.")
    rating = fields.Selection(SUPPORT_RATINGS, copy=False, tracking=True)
    evaluation_months = fields.Integer(
        default=3,
        help="The customer's sales in this many months after the end date are compared with the same "
        "number of months before the start date.",
    )
    sales_before = fields.Monetary(
        compute="_compute_sales_figures",
        help="Untaxed posted invoices minus refunds of the customer and its contacts in the months before "
        "the start date, in company currency.",
    )
    sales_after = fields.Monetary(
        compute="_compute_sales_figures",
        help="Untaxed posted invoices minus refunds of the customer and its contacts in the months after "
        "the end date, in company currency.",
    )
    sales_change = fields.Float(
        string="Sales Change (%)",
        compute="_compute_sales_figures",
        help="Sales after against sales before, in percent; 0 until the end date has passed or when there "
        "were no sales before.",
    )
    is_manager = fields.Boolean(compute="_compute_is_manager", help="Technical: the user is a sales manager.")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("partner_id")
    def _compute_user_id(self):
        for activity in self:
            activity.user_id = (
                activity.partner_id.commercial_partner_id.user_id or activity.user_id or self.env.user
            )

    @api.depends("cost_ids.amount")
    def _compute_amount_cost(self):
        for activity in self:
            activity.amount_cost = sum(activity.cost_ids.mapped("amount"))

    @api.depends("amount_cost", "amount_budget", "currency_id")
    def _compute_is_over_budget(self):
        for activity in self:
            currency = activity.currency_id or self.env.company.currency_id
            activity.is_over_budget = (
                currency.compare_amounts(activity.amount_cost, activity.amount_budget) > 0
            )

    @api.depends("partner_id", "company_id", "date_start", "date_end", "evaluation_months")
    def _compute_sales_figures(self):
        figures = self._sales_before_after()
        today = fields.Date.context_today(self)
        for key, activity in enumerate(self):
            before, after = figures.get(key, (0.0, 0.0))
            activity.sales_before = before
            activity.sales_after = after
            ended = activity.date_end and activity.date_end < today
            activity.sales_change = 100 * (after - before) / before if before > 0 and ended else 0.0

    @api.depends_context("uid")
    def _compute_is_manager(self):
        self.is_manager = self.env.user.has_group(MANAGER)

    def _sales_before_after(self):
        """{position of the activity in self: (sales before, sales after)}, in
        one query for every activity of self, saved or not: the untaxed posted
        invoices minus refunds of the customer (its contacts included) in the
        company of the activity, in company currency, over the evaluation
        months before the start date and after the end date."""
        activities = [
            {
                "key": key,
                "partner_id": activity.partner_id.commercial_partner_id.id,
                "company_id": activity.company_id.id,
                "date_start": fields.Date.to_string(activity.date_start),
                "date_end": fields.Date.to_string(activity.date_end),
                "months": activity.evaluation_months,
            }
            for key, activity in enumerate(self)
            if activity.partner_id
            and activity.company_id
            and activity.date_start
            and activity.date_end
            and activity.evaluation_months > 0
        ]
        if not activities:
            return {}
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "state",
                "move_type",
                "invoice_date",
                "amount_untaxed_signed",
            ]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT activity.key,
                   COALESCE(SUM(move.amount_untaxed_signed)
                            FILTER (WHERE move.invoice_date < activity.date_start), 0),
                   COALESCE(SUM(move.amount_untaxed_signed)
                            FILTER (WHERE move.invoice_date > activity.date_end), 0)
              FROM jsonb_to_recordset(%(activities)s::jsonb)
                   AS activity(key int, partner_id int, company_id int, date_start date, date_end date,
                               months int)
              JOIN account_move move
                ON move.commercial_partner_id = activity.partner_id
               AND move.company_id = activity.company_id
               AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND ((move.invoice_date < activity.date_start
                     AND move.invoice_date
                         >= (activity.date_start - make_interval(months => activity.months))::date)
                    OR (move.invoice_date > activity.date_end
                        AND move.invoice_date
                            <= (activity.date_end + make_interval(months => activity.months))::date))
          GROUP BY activity.key
                """,
                activities=json.dumps(activities),
            )
        )
        return {key: (before, after) for key, before, after in rows}

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for activity in self:
            if activity.date_end < activity.date_start:
                raise ValidationError(
                    self.env._(
                        "Support activity %(name)s: the end date cannot be before the start date.",
                        name=activity.name,
                    )
                )

    @api.constrains("amount_budget")
    def _check_amount_budget(self):
        for activity in self:
            if activity.amount_budget < 0:
                raise ValidationError(
                    self.env._(
                        "Support activity %(name)s: the budget cannot be negative.", name=activity.name
                    )
                )

    @api.constrains("evaluation_months")
    def _check_evaluation_months(self):
        for activity in self:
            if not 1 <= activity.evaluation_months <= 36:
                raise ValidationError(
                    self.env._(
                        "Support activity %(name)s: the effect is evaluated over 1 to 36 months.",
                        name=activity.name,
                    )
                )

    @api.constrains("company_id", "type_id")
    def _check_company(self):
        for activity in self.sudo():
            if activity.type_id.company_id and activity.type_id.company_id != activity.company_id:
                raise ValidationError(
                    self.env._(
                        "Support activity %(name)s: the support type %(type)s belongs to another company.",
                        name=activity.name,
                        type=activity.type_id.display_name,
                    )
                )
        # the costs were checked against the company they had: again against the new one
        self.cost_ids._check_source()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._refuse_workflow_values(vals_list)
        partners = self.env["res.partner"].browse(
            [vals["partner_id"] for vals in vals_list if vals.get("partner_id")]
        )
        for vals in vals_list:
            if not self.env.su or vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("customer.support.activity") or "/"
            if vals.get("partner_id"):
                # about the customer, whichever of its contacts was chosen
                vals["partner_id"] = partners.browse(vals["partner_id"]).commercial_partner_id.id
        if not self.env.su:
            self._ensure_own_customers(partners)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._refuse_write(vals)
        if vals.get("partner_id"):
            vals = {
                **vals,
                "partner_id": self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id,
            }
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        submitted = self.filtered(lambda a: a.state != "draft")
        if submitted:
            raise UserError(
                self.env._(
                    "Support activities %(names)s were submitted: cancel them instead of deleting them.",
                    names=", ".join(submitted.mapped("name")),
                )
            )

    def _refuse_workflow_values(self, vals_list):
        """A new activity is a draft with the sequence's reference: refuse
        any other stage, its bookkeeping or a chosen reference."""
        for vals in vals_list:
            forced = [
                fname
                for fname in (*STEP_FIELDS, *COMPUTED_FIELDS, "refuse_reason")
                if vals.get(fname) and not (fname == "state" and vals[fname] == "draft")
            ]
            if vals.get("name", "/") != "/":
                forced.append("name")
            if forced:
                raise UserError(
                    self.env._(
                        "A support activity starts as a draft: %(fields)s are set by its steps, not when it "
                        "is created.",
                        fields=self._field_labels(forced),
                    )
                )

    def _refuse_write(self, vals):
        """Refuse a write that goes around the steps (see the class docstring)."""
        names = ", ".join(self.mapped("name"))
        if "name" in vals and any(activity.name != vals["name"] for activity in self):
            raise UserError(
                self.env._(
                    "Support activities %(names)s: the reference comes from the sequence and never changes.",
                    names=names,
                )
            )
        if set(STEP_FIELDS) & set(vals):
            raise UserError(
                self.env._(
                    "The status of support activities %(names)s changes only through their buttons.",
                    names=names,
                )
            )
        computed = [fname for fname in COMPUTED_FIELDS if fname in vals and self._changes(fname, vals[fname])]
        if computed:
            raise UserError(
                self.env._(
                    "Support activities %(names)s: %(fields)s are computed from the cost lines, not set by "
                    "hand.",
                    names=names,
                    fields=self._field_labels(computed),
                )
            )
        if self.env.user.has_group(MANAGER):
            return
        finished = self.filtered(lambda a: a.state in FINAL_STATES)
        if finished:
            raise AccessError(
                self.env._(
                    "Support activities %(names)s are evaluated or cancelled: only a sales manager changes "
                    "them.",
                    names=", ".join(finished.mapped("name")),
                )
            )
        approved = self.filtered(lambda a: a.state in APPROVED_STATES)
        frozen = [
            fname
            for fname in self._approved_fields()
            if fname in vals and approved._changes(fname, vals[fname])
        ]
        if frozen:
            raise AccessError(
                self.env._(
                    "Support activities %(names)s are approved: %(fields)s stay as the manager approved them "
                    "unless a sales manager changes them.",
                    names=", ".join(approved.mapped("name")),
                    fields=self._field_labels(frozen),
                )
            )
        if "refuse_reason" in vals:
            raise AccessError(
                self.env._(
                    "Support activities %(names)s: the refusal reason is the sales manager's to write.",
                    names=names,
                )
            )
        if vals.get("partner_id"):
            self._ensure_own_customers(self.env["res.partner"].browse(vals["partner_id"]))

    def _changes(self, fname, value):
        """Whether writing ``value`` to ``fname`` changes one of the activities."""
        field = self._fields[fname]
        return any(
            field.convert_to_record(field.convert_to_cache(value, activity), activity) != activity[fname]
            for activity in self
        )

    def _ensure_own_customers(self, partners):
        """Someone who is not a manager plans support only for their own or
        unassigned customers (judged on the commercial partner)."""
        if self.env.user.has_group(MANAGER):
            return
        for customer in partners.sudo().commercial_partner_id:
            salesperson = customer.user_id
            if salesperson and salesperson != self.env.user:
                raise AccessError(
                    self.env._(
                        "You plan support only for your own or unassigned customers, and %(customer)s is "
                        "followed by %(salesperson)s.",
                        customer=customer.display_name,
                        salesperson=salesperson.name,
                    )
                )

    def _approved_fields(self):
        """What the manager approves, changed by a manager only from the
        approval on. Modules that add to the decision extend this list."""
        return ["partner_id", "company_id", "type_id", "plan", "date_start", "date_end", "amount_budget"]

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
