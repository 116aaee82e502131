from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL, float_compare

CREDIT_EVALUATION_STATES = [("draft", "Draft"), ("done", "Confirmed"), ("cancel", "Cancelled")]
NO_HISTORY_SCORE = 50.0
# Written only by the scorecard: its buttons and the figures from the customer's history.
SCORECARD_FIELDS = frozenset(
    {"state", "monthly_sales", "paid_invoice_count", "avg_days_to_pay", "avg_days_late", "overdue_share"}
)


class CustomerCreditEvaluation(models.Model):
    """A credit scorecard (信用分析评估表): weighted criteria give a credit
    grade and a suggested limit; payment ability comes from the customer's
    real invoices and payments.

    Who moves a scorecard, and from where:

    ========================  ======  ==================
    action                    from    who
    ========================  ======  ==================
    create / edit / refresh   draft   credit controller
    confirm                   draft   credit controller
    cancel                    draft   credit controller
    ========================  ======  ==================

    Each step is ``action_<step>``: ``_check_can_<step>`` refuses it
    (``AccessError`` for rights, ``UserError`` for state and bad data),
    ``_do_<step>`` moves the scorecard and ends with the empty hook
    ``_action_<step>``. Confirming sets the customer's credit grade.
    """

    _name = "customer.credit.evaluation"
    _description = "Credit Scorecard"
    _inherit = ["customer.credit.workflow.mixin", "mail.thread"]
    _state_subtypes = {
        "done": "customer_mgmt.mt_credit_evaluation_confirmed",
        "cancel": "customer_mgmt.mt_credit_evaluation_cancelled",
    }
    _order = "date desc, id desc"

    user_id = fields.Many2one("res.users", string="Evaluator", default=lambda self: self.env.user)
    date = fields.Date(required=True, default=fields.Date.context_today)
    state = fields.Selection(CREDIT_EVALUATION_STATES)
    line_ids = fields.One2many(
        "customer.credit.evaluation.line", "evaluation_id", string="Criteria", copy=True
    )
    total_score = fields.Float(compute="_compute_total_score", store=True, tracking=True)
    credit_grade_id = fields.Many2one("customer.credit.grade", compute="_compute_total_score", store=True)
    monthly_sales = fields.Monetary(
        string="Average Monthly Sales",
        readonly=True,
        help="Over the company's grading window, from posted invoices minus refunds, when the scorecard "
        "was made.",
    )
    suggested_limit = fields.Monetary(compute="_compute_total_score", store=True)
    paid_invoice_count = fields.Integer(string="Invoices Paid", readonly=True)
    avg_days_to_pay = fields.Float(string="Average Days to Pay", readonly=True, digits=(16, 1))
    avg_days_late = fields.Float(string="Average Days Late", readonly=True, digits=(16, 1))
    overdue_share = fields.Float(string="Overdue Share (%)", readonly=True, digits=(16, 1))
    notes = fields.Html()

    @api.depends("line_ids.score", "line_ids.weight", "monthly_sales", "company_id")
    def _compute_total_score(self):
        grades = self.env["customer.credit.grade"]
        for evaluation in self:
            total = sum(line.score * line.weight / 100 for line in evaluation.line_ids)
            evaluation.total_score = total
            grade = grades._for_score(total, evaluation.company_id) if evaluation.line_ids else grades
            evaluation.credit_grade_id = grade
            evaluation.suggested_limit = evaluation.currency_id.round(
                evaluation.monthly_sales * grade.limit_months
            )

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for evaluation in self:
            evaluation.display_name = f"{evaluation.partner_id.display_name} {evaluation.date or ''}"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(SCORECARD_FIELDS.intersection(vals) for vals in vals_list):
            raise UserError(
                self.env._("Scorecards start as drafts; their figures come from the customer's history.")
            )
        evaluations = super().create(vals_list)
        for evaluation in evaluations.filtered(lambda e: not e.line_ids):
            criteria = self.env["customer.credit.criterion"].search(
                [("company_id", "in", [evaluation.company_id.id, False])]
            )
            evaluation.line_ids = [
                Command.create({"criterion_id": criterion.id, "weight": criterion.weight})
                for criterion in criteria
            ]
        evaluations._refresh_figures()
        return evaluations

    def write(self, vals):
        if not self.env.su:
            if SCORECARD_FIELDS.intersection(vals):
                raise UserError(
                    self.env._(
                        "%(names)s: the figures come from the customer's history, the state from its "
                        "buttons.",
                        names=", ".join(self.mapped("display_name")),
                    )
                )
            self._check_draft()
        return super().write(vals)

    def _check_draft(self):
        for evaluation in self:
            if evaluation.state != "draft":
                raise UserError(
                    self.env._("Scorecard %(name)s is not a draft.", name=evaluation.display_name)
                )

    def action_refresh_figures(self):
        self.check_access("write")
        self.filtered(lambda e: e.state == "draft")._refresh_figures()
        return True

    def _refresh_figures(self):
        """Monthly sales and payment history from the customer's real invoices
        and payments; the computed criteria take their score from them."""
        for evaluation in self:
            sales_sql = self.env["res.partner"]._customer_sales_sql(evaluation.partner_id.ids)
            [(revenue,)] = self.env.execute_query(
                SQL(
                    "SELECT COALESCE(SUM(revenue), 0) FROM (%s) sales WHERE company_id = %s",
                    sales_sql,
                    evaluation.company_id.id,
                )
            )
            history = evaluation._payment_history()
            evaluation.sudo().write(
                {
                    "monthly_sales": revenue / evaluation.company_id.customer_grade_months,
                    "paid_invoice_count": history["count"],
                    "avg_days_to_pay": history["days_to_pay"],
                    "avg_days_late": history["days_late"],
                    "overdue_share": history["overdue_share"],
                }
            )
            score = evaluation._payment_history_score()
            evaluation.line_ids.filtered(lambda line: line.computed == "payment_history").sudo().score = score

    def _payment_history(self):
        """Amount-weighted days to pay and days late of the invoices paid in
        the last 12 months, and the share of open receivables now overdue."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        self.env.flush_all()
        [(count, days_to_pay, days_late)] = self.env.execute_query(
            SQL(
                """
            WITH paid AS (
                SELECT line.balance AS amount, move.invoice_date, line.date_maturity,
                       MAX(part.max_date) AS paid_date
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_account account ON account.id = line.account_id
                  JOIN account_partial_reconcile part ON part.debit_move_id = line.id
                 WHERE move.commercial_partner_id = %(partner)s AND move.company_id = %(company)s
                   AND move.move_type = 'out_invoice' AND move.state = 'posted'
                   AND account.account_type = 'asset_receivable' AND line.reconciled AND line.balance > 0
                   AND move.invoice_date > %(since)s
              GROUP BY line.id, move.invoice_date
            )
            SELECT COUNT(*), SUM(amount * (paid_date - invoice_date)) / NULLIF(SUM(amount), 0),
                   SUM(amount * GREATEST(paid_date - date_maturity, 0)) / NULLIF(SUM(amount), 0)
              FROM paid
                """,
                partner=self.partner_id.id,
                company=self.company_id.id,
                since=today - relativedelta(months=12),
            )
        )
        figure = self.partner_id._credit_figures(self.company_id)[self.partner_id.id]
        receivable = figure["receivable"]
        return {
            "count": count,
            "days_to_pay": float(days_to_pay or 0),
            "days_late": float(days_late or 0),
            "overdue_share": 100 * figure["overdue_amount"] / receivable if receivable > 0 else 0.0,
        }

    def _payment_history_score(self):
        """100 for customers who pay on time; two points off per average day
        late and half a point per percent of receivables overdue."""
        if not self.paid_invoice_count and not self.overdue_share:
            return NO_HISTORY_SCORE
        return max(0.0, min(100.0, 100 - 2 * self.avg_days_late - 0.5 * self.overdue_share))

    # ------------------------------------------------------------------
    # Actions: each step checks (_check_can_*), then moves (_do_*), which
    # ends with an empty hook (_action_*) for other modules.
    # ------------------------------------------------------------------
    def action_confirm(self):
        self._check_can_confirm()
        self._do_confirm()
        return True

    def action_cancel(self):
        self._check_can_cancel()
        self._do_cancel()
        return True

    def _check_can_confirm(self):
        self.company_id._check_credit_controller()
        self._check_draft()
        for evaluation in self:
            weights = sum(evaluation.line_ids.mapped("weight"))
            if float_compare(weights, 100, precision_digits=2):
                raise UserError(
                    self.env._(
                        "Scorecard %(name)s: the criteria weights add up to %(total)s%%, not 100%%.",
                        name=evaluation.display_name,
                        total=weights,
                    )
                )

    def _check_can_cancel(self):
        self.company_id._check_credit_controller()
        self._check_draft()

    def _do_confirm(self):
        self.sudo().write({"state": "done"})
        for evaluation in self:
            evaluation.partner_id.sudo().credit_grade_id = evaluation.credit_grade_id
            evaluation.partner_id.message_post(
                body=self.env._(
                    "Credit scorecard confirmed: %(score).1f points, credit grade %(grade)s.",
                    score=evaluation.total_score,
                    grade=evaluation.credit_grade_id.display_name or "-",
                )
            )
        self._action_confirm()

    def _do_cancel(self):
        self.sudo().write({"state": "cancel"})
        self._action_cancel()

    def _action_confirm(self):
        """Hook after scorecards are confirmed and the customers' credit grade set."""

    def _action_cancel(self):
        """Hook after scorecards are cancelled."""
