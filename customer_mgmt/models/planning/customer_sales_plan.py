from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.orm.models import parse_read_group_spec
from odoo.tools import SQL, float_compare, format_amount

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from .account_move import SALES_MOVES

SALES_PLAN_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("closed", "Closed"),
]
MANAGER = "customer_mgmt.group_customer_manager"
APPROVAL_ACTIVITY = "customer_mgmt.mail_activity_type_sales_plan_approval"
# Written by the steps only (Approve, Close, Reset to Draft)
STEP_FIELDS = frozenset({"state", "approver_id", "approval_date"})
# The figures computed from invoices and orders, in one query for all the
# plans read (``_actuals_sql``); also summed by _read_group (pivot, graph,
# grouped lists) through the same query.
ACTUAL_FIELDS = ("amount_invoiced", "amount_last_year", "amount_ordered")
# Working days when the company's calendar says nothing simple: Monday to Friday
DEFAULT_WEEKDAYS = frozenset(range(5))


def month_start(day):
    """The first day of the month of ``day`` (a date or its ISO string)."""
    return fields.Date.to_date(day).replace(day=1)


class CustomerSalesPlan(models.Model):
    """A customer's sales target for one month (销售计划), approved by a
    manager and followed against posted invoices and confirmed orders.

    Who moves a plan, and from where:

    ==================  ==================  ========================================
    action              from                who
    ==================  ==================  ========================================
    create / edit       draft               the customer's salesperson (own or
                                            unassigned customers), manager
    request approval    draft               whoever may edit it: an activity for a
                                            manager
    approve             draft               manager (marks the approval activity
                                            done)
    close               approved            manager
    reset to draft      approved, closed    manager
    edit                approved, closed    manager only (target, month, customer,
                                            category lines: tracked)
    delete              draft               whoever may edit it
    ==================  ==================  ========================================

    Each step is ``action_<step>``: ``_check_can_<step>`` refuses it
    (``AccessError`` for rights, ``UserError`` for state), ``_do_<step>``
    moves the plan and ends with the empty hook ``_action_<step>``.

    What ``create`` and ``write`` refuse or correct, whoever calls them (the
    superuser aside), so that no RPC call goes around the steps: the state and
    the approval fields (the steps write them); computed and related fields
    (the salesperson is the customer's, the currency the company's); a plan of
    another salesperson's customer, for a salesperson; any change of an
    approved or closed plan or of its lines, for whoever is no manager. A plan
    of a contact is the plan of its commercial partner; any day of a month is
    the first day of that month. The record rules say the same (salespeople
    read their own and unassigned customers' plans, change their drafts only).

    Actuals (``amount_invoiced``, ``amount_last_year``, ``amount_ordered``) are
    computed for all the plans read in one SQL query (``_actuals_sql``):

    - invoiced: posted customer invoices minus refunds of the plan's company
      dated (invoice date) in the month, to the customer or any of its
      contacts; their product lines' ``balance``, i.e. untaxed, in company
      currency at the invoice's rate (the sales figure the grading reads too);
    - last year: the same for the same month a year earlier;
    - ordered: confirmed orders (state ``sale``) of the customer or its
      contacts, of the plan's company, dated (order date, in the reader's time
      zone) in the month: untaxed amount converted at the order's rate.
    """

    _name = "customer.sales.plan"
    _description = "Customer Sales Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "month desc, id desc"
    _check_company_auto = True
    # salespeople comment on their approved plans, which they cannot edit
    _mail_post_access = "read"
    _rec_names_search = ["partner_id"]

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # indexed by _partner_company_month_uniq, which starts with it
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        domain="[('is_customer_card', '=', True)]",
        help="The customer (a company, or an individual): a contact's plan is its company's.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, tracking=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        related="partner_id.user_id",
        string="Salesperson",
        store=True,
        index=True,
    )
    month = fields.Date(
        required=True,
        index=True,
        tracking=True,
        default=lambda self: month_start(fields.Date.context_today(self)),
        help="The first day of the month planned: any day given stands for its month.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_target = fields.Monetary(string="Target", tracking=True, help="Untaxed, in company currency.")
    line_ids = fields.One2many("customer.sales.plan.line", "plan_id", string="Category Targets", copy=True)
    state = fields.Selection(
        SALES_PLAN_STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approval_date = fields.Datetime(readonly=True, copy=False)
    note = fields.Text()
    amount_invoiced = fields.Monetary(
        string="Invoiced",
        compute="_compute_actuals",
        aggregator="sum",
        help="Posted customer invoices minus refunds of the month, untaxed, in company currency.",
    )
    amount_last_year = fields.Monetary(
        string="Invoiced Last Year",
        compute="_compute_actuals",
        aggregator="sum",
        help="Invoiced in the same month a year earlier.",
    )
    amount_ordered = fields.Monetary(
        string="Ordered",
        compute="_compute_actuals",
        aggregator="sum",
        help="Confirmed sales orders of the month, untaxed, in company currency.",
    )
    progress = fields.Float(
        string="Invoiced %",
        compute="_compute_actuals",
        help="Invoiced, in percent of the target.",
    )
    expected_progress = fields.Float(
        string="Expected %",
        compute="_compute_expected_progress",
        help="Where the plan should be today, pro rata of the working days of the month elapsed: "
        "100 for a past month, 0 for a future one.",
    )
    is_manager = fields.Boolean(
        compute="_compute_is_manager", help="Technical: the user manages sales plans."
    )

    _partner_company_month_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id, month)",
        "A customer has one sales plan per month and company: this customer's plan for that month "
        "already exists.",
    )
    _month_first_day = models.Constraint(
        "CHECK(EXTRACT(DAY FROM month) = 1)",
        "The month of a sales plan is stored as the first day of that month.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("partner_id", "month")
    def _compute_display_name(self):
        for plan in self:
            month = plan.month and month_start(plan.month).strftime("%Y-%m")
            plan.display_name = " ".join(name for name in (plan.partner_id.display_name, month) if name)

    @api.depends_context("uid")
    def _compute_is_manager(self):
        self.is_manager = self.env.user.has_group(MANAGER)

    @api.depends("partner_id", "company_id", "month", "amount_target")
    @api.depends_context("tz")
    def _compute_actuals(self):
        figures = self._actual_figures()
        for index, plan in enumerate(self):
            currency = plan.currency_id
            invoiced, last_year, ordered = (
                currency.round(amount) for amount in figures.get(index, (0.0, 0.0, 0.0))
            )
            plan.amount_invoiced = invoiced
            plan.amount_last_year = last_year
            plan.amount_ordered = ordered
            plan.progress = 100.0 * invoiced / plan.amount_target if plan.amount_target > 0 else 0.0

    @api.depends("month", "company_id")
    @api.depends_context("tz")  # today
    def _compute_expected_progress(self):
        today = fields.Date.context_today(self)
        for plan in self:
            plan.expected_progress = (
                100.0 * self._expected_ratio(plan.month, today, plan.company_id) if plan.month else 0.0
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("amount_target")
    def _check_amount_target(self):
        for plan in self.filtered(lambda p: p.amount_target < 0):
            raise ValidationError(
                self.env._(
                    "Sales plan %(plan)s: the target cannot be negative (%(amount)s).",
                    plan=plan.display_name,
                    amount=format_amount(self.env, plan.amount_target, plan.currency_id),
                )
            )

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for plan in self.filtered(lambda p: p.partner_id != p.partner_id.commercial_partner_id):
            raise ValidationError(
                self.env._(
                    "Sales plan %(plan)s: plans are made for the customer %(customer)s, not for its "
                    "contact %(contact)s.",
                    plan=plan.display_name,
                    customer=plan.partner_id.commercial_partner_id.display_name,
                    contact=plan.partner_id.display_name,
                )
            )

    @api.constrains("amount_target", "line_ids")
    def _check_line_targets(self):
        for plan in self:
            total = sum(plan.line_ids.mapped("amount_target"))
            if float_compare(total, plan.amount_target, precision_rounding=plan.currency_id.rounding) > 0:
                raise ValidationError(
                    self.env._(
                        "Sales plan %(plan)s: the category targets add up to %(lines)s, more than the "
                        "plan's target of %(target)s.",
                        plan=plan.display_name,
                        lines=format_amount(self.env, total, plan.currency_id),
                        target=format_amount(self.env, plan.amount_target, plan.currency_id),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalised(vals) for vals in vals_list]
        if not self.env.su:
            for vals in vals_list:
                if vals.get("state", "draft") != "draft":
                    raise UserError(self.env._("Sales plans start as drafts: a manager approves them."))
                self._refuse_forced_fields(vals)
            default_partner = self.env.context.get("default_partner_id")
            self._ensure_own_customers(
                self.env["res.partner"].browse(
                    [partner for vals in vals_list if (partner := vals.get("partner_id", default_partner))]
                )
            )
        for vals in vals_list:
            vals["state"] = "draft"  # whatever the defaults
        return super().create(vals_list)

    def write(self, vals):
        vals = self._normalised(vals)
        if not self.env.su:
            self._refuse_write(vals)
        return super().write(vals)

    def _normalised(self, vals):
        """``vals`` with the customer's commercial partner for a contact and the
        first day of the month for any day of it."""
        vals = dict(vals)
        if vals.get("partner_id"):
            partner = self.env["res.partner"].sudo().browse(vals["partner_id"])
            vals["partner_id"] = partner.commercial_partner_id.id or vals["partner_id"]
        if vals.get("month"):
            vals["month"] = month_start(vals["month"])
        return vals

    def _refuse_forced_fields(self, vals):
        """The steps' fields and the computed ones are never written by hand
        (falsy values aside, which forms and imports send)."""
        forced = [
            fname
            for fname, value in vals.items()
            if fname in self._fields
            and fname != "state"  # see create()
            and (fname in STEP_FIELDS or self._fields[fname].compute)
            and value
        ]
        if forced:
            raise UserError(
                self.env._(
                    "New sales plans: %(fields)s are set by the approval steps or computed, not written by "
                    "hand.",
                    fields=self._field_labels(forced),
                )
            )

    def _refuse_write(self, vals):
        names = ", ".join(self.mapped("display_name"))
        if STEP_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "Sales plans %(plans)s: their state changes only through their buttons (Approve, "
                    "Close, Reset to Draft).",
                    plans=names,
                )
            )
        if computed := [fname for fname in vals if fname in self._fields and self._fields[fname].compute]:
            raise UserError(
                self.env._(
                    "Sales plans %(plans)s: %(fields)s are computed, not written by hand.",
                    plans=names,
                    fields=self._field_labels(computed),
                )
            )
        if self.env.user.has_group(MANAGER):
            return
        if decided := self.filtered(lambda p: p.state != "draft"):
            raise AccessError(
                self.env._(
                    "Sales plans %(plans)s are approved or closed: only a sales manager changes them.",
                    plans=", ".join(decided.mapped("display_name")),
                )
            )
        if vals.get("partner_id"):
            self._ensure_own_customers(self.env["res.partner"].browse(vals["partner_id"]))

    def _ensure_own_customers(self, partners):
        """A salesperson (no manager) plans only their own or unassigned
        customers, judged on the commercial partner of ``partners``."""
        if self.env.su or self.env.user.has_group(MANAGER):
            return
        for customer in partners.sudo().commercial_partner_id:
            if customer.user_id and customer.user_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "You plan only your own or unassigned customers, and %(customer)s is followed by "
                        "%(salesperson)s.",
                        customer=customer.display_name,
                        salesperson=customer.user_id.name,
                    )
                )

    def _ensure_lines_editable(self):
        """The category targets of approved or closed plans are changed by a
        manager only (customer.sales.plan.line's create, write and unlink)."""
        if self.env.su or self.env.user.has_group(MANAGER):
            return
        if decided := self.sudo().filtered(lambda plan: plan.state != "draft"):
            raise AccessError(
                self.env._(
                    "Sales plans %(plans)s are approved or closed: only a sales manager changes their "
                    "category targets.",
                    plans=", ".join(decided.mapped("display_name")),
                )
            )

    def unlink(self):
        # before the record rules, which refuse it to salespeople too, to say why
        if not self.env.su and not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._unlink_except_decided()
        return super().unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if decided := self.filtered(lambda p: p.state != "draft"):
            raise UserError(
                self.env._(
                    "Sales plans %(plans)s are approved or closed: a manager resets them to draft before "
                    "they can be deleted.",
                    plans=", ".join(decided.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _expected_ratio(self, month, today, company=None):
        """Share (0..1) of ``month`` that should be sold by ``today``: the
        working days of the month up to and including ``today`` over all the
        working days of the month; 1 for a past month, 0 for a future one.
        Working days are the weekdays of ``company``'s working schedule (the
        current company's by default) when it is a simple weekly one, else
        Monday to Friday; public holidays are not taken out."""
        first = month_start(month)
        today = fields.Date.to_date(today)
        following = first + relativedelta(months=1)
        if today < first:
            return 0.0
        if today >= following:
            return 1.0
        weekdays = self._working_weekdays(company or self.env.company)
        days = [first + timedelta(days=offset) for offset in range((following - first).days)]
        working = [day for day in days if day.weekday() in weekdays] or days
        return sum(1 for day in working if day <= today) / len(working)

    @api.model
    def _working_weekdays(self, company):
        """Weekdays (0 = Monday) of the company's working schedule, when it is a
        simple weekly one (else Monday to Friday)."""
        calendar = company.sudo().resource_calendar_id
        if not calendar or calendar.two_weeks_calendar or calendar.flexible_hours:
            return DEFAULT_WEEKDAYS
        weekdays = {
            int(attendance.dayofweek)
            for attendance in calendar.attendance_ids
            if attendance.day_period != "lunch"
        }
        return frozenset(weekdays) or DEFAULT_WEEKDAYS

    def _actual_figures(self):
        """{index in self: (invoiced, invoiced last year, ordered)} of the plans
        that have a customer, a company and a month (new ones included), in
        one query whatever their number."""
        rows = [
            (index, plan.partner_id.commercial_partner_id.id, plan.company_id.id, month_start(plan.month))
            for index, plan in enumerate(self)
            if plan.partner_id and plan.company_id and plan.month
        ]
        if not rows:
            return {}
        self._flush_sales_data()
        keys, partners, companies, months = (list(column) for column in zip(*rows, strict=True))
        result = self.env.execute_query(
            SQL(
                """
                SELECT sales_plan.key, actuals.amount_invoiced, actuals.amount_last_year,
                       actuals.amount_ordered
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::date[])
                       AS sales_plan(key, partner_id, company_id, month)
            CROSS JOIN LATERAL (%s) AS actuals
                """,
                keys,
                partners,
                companies,
                months,
                self._actuals_sql("sales_plan"),
            )
        )
        return {key: (invoiced, last_year, ordered) for key, invoiced, last_year, ordered in result}

    @api.model
    def _flush_sales_data(self):
        """Write what the actuals' queries read and the ORM still holds."""
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["account.move"].flush_model(
            ["commercial_partner_id", "company_id", "state", "move_type", "invoice_date"]
        )
        self.env["account.move.line"].flush_model(["move_id", "display_type", "balance", "product_id"])
        self.env["sale.order"].flush_model(
            ["partner_id", "company_id", "state", "date_order", "amount_untaxed", "currency_rate"]
        )

    @api.model
    def _invoiced_sql(self, alias):
        """SQL giving ``amount_invoiced`` and ``amount_last_year`` for the plan
        row ``alias`` (its ``partner_id``, a commercial partner, its
        ``company_id`` and its ``month``, a first day): posted invoices minus
        refunds, product lines' balance (untaxed, company currency). Reads
        through the index of ``account_move.py`` (SALES_MOVES)."""
        return SQL(
            """
            SELECT COALESCE(SUM(-line.balance) FILTER (WHERE move.invoice_date >= %(month)s), 0)
                       AS amount_invoiced,
                   COALESCE(SUM(-line.balance) FILTER (WHERE move.invoice_date < %(month)s), 0)
                       AS amount_last_year
              FROM account_move move
              JOIN account_move_line line ON line.move_id = move.id AND line.display_type = 'product'
             WHERE move.commercial_partner_id = %(partner)s
               AND move.company_id = %(company)s
               AND %(sales_moves)s
               AND (move.invoice_date >= %(month)s
                    AND move.invoice_date < (%(month)s + INTERVAL '1 month')::date
                    OR move.invoice_date >= (%(month)s - INTERVAL '1 year')::date
                    AND move.invoice_date < (%(month)s - INTERVAL '11 months')::date)
            """,
            month=SQL.identifier(alias, "month"),
            partner=SQL.identifier(alias, "partner_id"),
            company=SQL.identifier(alias, "company_id"),
            sales_moves=SQL(SALES_MOVES.format(alias="move.")),  # pylint: disable=sql-injection
        )

    @api.model
    def _ordered_sql(self, alias):
        """SQL giving ``amount_ordered`` for the plan row ``alias``: confirmed
        orders of the customer or its contacts dated in the month (in the
        reader's time zone), untaxed, converted at the order's rate."""
        return SQL(
            """
            SELECT COALESCE(SUM(sale.amount_untaxed / COALESCE(NULLIF(sale.currency_rate, 0), 1)), 0)
                       AS amount_ordered
              FROM sale_order sale
              JOIN res_partner buyer ON buyer.id = sale.partner_id
             WHERE buyer.commercial_partner_id = %(partner)s
               AND sale.company_id = %(company)s
               AND sale.state = 'sale'
               AND sale.date_order >= (%(month)s::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
               AND sale.date_order
                   < ((%(month)s + INTERVAL '1 month')::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
            """,
            month=SQL.identifier(alias, "month"),
            partner=SQL.identifier(alias, "partner_id"),
            company=SQL.identifier(alias, "company_id"),
            tz=self.env.tz.zone,
        )

    @api.model
    def _actuals_sql(self, alias):
        """SQL giving one row of ACTUAL_FIELDS for the plan row ``alias``: the
        lateral subquery of the compute and of _read_group."""
        return SQL(
            "SELECT * FROM (%s) AS invoiced, (%s) AS ordered",
            self._invoiced_sql(alias),
            self._ordered_sql(alias),
        )

    def _read_group_select(self, aggregate_spec, query):
        """Sum (or average, min, max) the actuals over the plans of each group
        (pivot, graph, grouped lists), from the same query as the compute."""
        fname, property_name, func = parse_read_group_spec(aggregate_spec)
        if fname not in ACTUAL_FIELDS or property_name or func not in ("sum", "avg", "min", "max"):
            return super()._read_group_select(aggregate_spec, query)
        self._flush_sales_data()
        alias = f"{self._table}__actuals"
        query.add_join("LEFT JOIN", alias, SQL("LATERAL (%s)", self._actuals_sql(self._table)), SQL("TRUE"))
        return SQL("%s(%s)", SQL(func.upper()), SQL.identifier(alias, fname))  # pylint: disable=sql-injection

    def _field_labels(self, fnames):
        """The labels of ``fnames``, in the user's language, for a message."""
        return ", ".join(self._fields[fname].get_description(self.env)["string"] for fname in fnames)
