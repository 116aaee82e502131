from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from .customer_support_activity import COST_STATES

VENDOR_BILL_TYPES = ("in_invoice", "in_refund")


class CustomerSupportCost(models.Model):
    """An actual cost of a support activity, in company currency: typed in,
    or taken from a line of a posted vendor bill or from an expense of the
    activity's company, each counted once.

    Costs are recorded once the manager approved the activity (nothing is
    spent before the approval) and are frozen once it is evaluated or
    cancelled, whoever records them. A vendor refund line is a negative cost;
    every other cost is positive, and never more than the bill line or the
    expense it comes from.
    """

    _name = "customer.support.cost"
    _description = "Customer Support Cost"
    _order = "date desc, id desc"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    activity_id = fields.Many2one(
        "customer.support.activity", string="Support Activity", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="activity_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="activity_id.currency_id")
    date = fields.Date(
        compute="_compute_from_source", store=True, readonly=False, precompute=True, required=True
    )
    description = fields.Char(
        compute="_compute_from_source", store=True, readonly=False, precompute=True, required=True
    )
    amount = fields.Monetary(
        compute="_compute_from_source",
        store=True,
        readonly=False,
        precompute=True,
        help="In company currency; from the vendor bill line (untaxed) or the expense when one is chosen.",
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Vendor Bill Line",
        index="btree_not_null",
        copy=False,
        ondelete="restrict",
        domain="[('company_id', '=', company_id), ('parent_state', '=', 'posted'), "
        "('move_id.move_type', 'in', ('in_invoice', 'in_refund')), ('display_type', '=', 'product')]",
    )
    expense_id = fields.Many2one(
        "hr.expense",
        index="btree_not_null",
        copy=False,
        ondelete="restrict",
        domain="[('company_id', '=', company_id), ('state', '!=', 'refused')]",
    )
    source_reference = fields.Char(
        string="Source", compute="_compute_source_reference", help="The vendor bill or the expense."
    )

    # a bill line or an expense is counted once (the checks in create and write say it more clearly;
    # these hold against two transactions at the same time)
    _move_line_uniq = models.Constraint(
        "UNIQUE(move_line_id)", "A vendor bill line is the cost of one support activity only."
    )
    _expense_uniq = models.Constraint(
        "UNIQUE(expense_id)", "An expense is the cost of one support activity only."
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("move_line_id", "expense_id")
    def _compute_from_source(self):
        for cost in self:
            line, expense = cost.move_line_id, cost.expense_id
            if line:
                # the untaxed amount in company currency: negative on a vendor refund
                cost.amount = line.balance
                cost.date = line.date
                cost.description = line.name or line.move_id.name
            elif expense:
                cost.amount = expense.total_amount
                cost.date = expense.date
                cost.description = expense.name
            else:
                cost.amount = cost.amount
                cost.date = cost.date or fields.Date.context_today(cost)
                cost.description = cost.description

    @api.depends("move_line_id", "expense_id")
    def _compute_source_reference(self):
        # read as the superuser: salespeople may not read vendor bills or other people's expenses
        for cost, cost_sudo in zip(self, self.sudo(), strict=True):
            cost.source_reference = cost_sudo.move_line_id.move_id.name or cost_sudo.expense_id.name or False

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("amount", "move_line_id", "expense_id", "activity_id")
    def _check_source(self):
        """The bill line or expense is of the activity's company and posted (not
        refused); the amount is positive (negative for a vendor refund line) and
        no more than its source's."""
        for cost in self.sudo():
            activity, line, expense = cost.activity_id, cost.move_line_id, cost.expense_id
            if line and expense:
                raise ValidationError(
                    self.env._(
                        "Support activity %(activity)s, cost %(cost)s: take it from a vendor bill line or "
                        "from an expense, not both.",
                        activity=activity.name,
                        cost=cost.description,
                    )
                )
            if line and (
                line.move_id.move_type not in VENDOR_BILL_TYPES
                or line.parent_state != "posted"
                or line.display_type != "product"
            ):
                raise ValidationError(
                    self.env._(
                        "Support activity %(activity)s: %(line)s is not a line of a posted vendor bill or "
                        "refund.",
                        activity=activity.name,
                        line=line.display_name,
                    )
                )
            if expense and expense.state == "refused":
                raise ValidationError(
                    self.env._(
                        "Support activity %(activity)s: the expense %(expense)s was refused.",
                        activity=activity.name,
                        expense=expense.name,
                    )
                )
            source_company = (line or expense).company_id
            if source_company and source_company != activity.company_id:
                raise ValidationError(
                    self.env._(
                        "Support activity %(activity)s: %(document)s belongs to %(company)s, the activity to "
                        "%(activity_company)s.",
                        activity=activity.name,
                        document=line.display_name if line else expense.name,
                        company=source_company.name,
                        activity_company=activity.company_id.name,
                    )
                )
            cost._check_amount()

    def _check_amount(self):
        self.ensure_one()
        currency = self.currency_id
        refund = self.move_line_id.move_id.move_type == "in_refund"
        sign = -1 if refund else 1
        if currency.compare_amounts(sign * self.amount, 0) <= 0:
            message = (
                self.env._(
                    "Support activity %(activity)s, cost %(cost)s: a vendor refund line is a negative cost.",
                    activity=self.activity_id.name,
                    cost=self.description,
                )
                if refund
                else self.env._(
                    "Support activity %(activity)s, cost %(cost)s: the amount must be positive.",
                    activity=self.activity_id.name,
                    cost=self.description,
                )
            )
            raise ValidationError(message)
        source_amount = self.move_line_id.balance if self.move_line_id else self.expense_id.total_amount
        if (self.move_line_id or self.expense_id) and currency.compare_amounts(
            abs(self.amount), abs(source_amount)
        ) > 0:
            raise ValidationError(
                self.env._(
                    "Support activity %(activity)s, cost %(cost)s: %(amount)s is more than the "
                    "%(available)s of the bill line or expense it comes from.",
                    activity=self.activity_id.name,
                    cost=self.description,
                    amount=format_amount(self.env, self.amount, currency),
                    available=format_amount(self.env, abs(source_amount), currency),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_activities_open(
            self.env["customer.support.activity"].browse(
                [vals["activity_id"] for vals in vals_list if vals.get("activity_id")]
            )
        )
        self._refuse_counted_twice(
            [vals["move_line_id"] for vals in vals_list if vals.get("move_line_id")],
            [vals["expense_id"] for vals in vals_list if vals.get("expense_id")],
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_activities_open(self.activity_id)
        if "activity_id" in vals and any(cost.activity_id.id != vals["activity_id"] for cost in self):
            raise UserError(
                self.env._(
                    "Support activities %(names)s: a cost stays on the activity it was recorded for.",
                    names=", ".join(self.activity_id.mapped("name")),
                )
            )
        self._refuse_counted_twice(
            [vals["move_line_id"]] * len(self) if vals.get("move_line_id") else [],
            [vals["expense_id"]] * len(self) if vals.get("expense_id") else [],
        )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen(self):
        self._check_activities_open(self.activity_id)

    def _check_activities_open(self, activities):
        """Costs are recorded, changed and removed while the activity is
        approved or done: not before the approval, not once it is evaluated
        or cancelled."""
        for activity in activities.sudo():
            if activity.state in COST_STATES:
                continue
            if activity.state == "evaluated":
                message = self.env._(
                    "Support activity %(name)s is evaluated: its costs are frozen.", name=activity.name
                )
            elif activity.state == "cancelled":
                message = self.env._(
                    "Support activity %(name)s is cancelled: no costs are recorded on it.", name=activity.name
                )
            else:
                message = self.env._(
                    "Support activity %(name)s is not approved yet: costs are recorded once a sales manager "
                    "approved its budget.",
                    name=activity.name,
                )
            raise UserError(message)

    def _refuse_counted_twice(self, move_line_ids, expense_ids):
        """A vendor bill line or an expense is the cost of one support activity
        only: refuse one given twice or already recorded on another cost."""
        Cost = self.sudo().with_context(active_test=False)
        for fname, ids in (("move_line_id", move_line_ids), ("expense_id", expense_ids)):
            if not ids:
                continue
            taken = Cost.search([(fname, "in", ids), ("id", "not in", self.ids)], limit=1)
            if taken:
                raise ValidationError(
                    self.env._(
                        "%(document)s is already a cost of support activity %(activity)s: a vendor bill line "
                        "or an expense counts once.",
                        document=taken[fname].display_name,
                        activity=taken.activity_id.name,
                    )
                )
            if len(ids) != len(set(ids)):
                raise ValidationError(
                    self.env._(
                        "%(document)s is given more than once as a support cost: a vendor bill line or an "
                        "expense counts once.",
                        document=Cost[fname].browse(next(i for i in ids if ids.count(i) > 1)).display_name,
                    )
                )
