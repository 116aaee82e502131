import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .customer_warning import LIVE_STATES, MANAGER, WARNING_SEVERITIES

_logger = logging.getLogger(__name__)

THRESHOLD_FIELDS = (
    "threshold_amount",
    "threshold_percent",
    "threshold_days",
    "threshold_factor",
    "threshold_count",
)


class CustomerWarningRule(models.Model):
    """The thresholds, severity and deadline of a warning type, for one
    company or shared by all (a company's own rule replaces the shared one).

    A scanned type is a selection value plus one method,
    ``_warning_rows_<type>(company)``, returning the statement that measures
    the customers of ``company``: columns ``partner_id`` (a commercial
    partner), ``measured``, ``threshold`` and ``met``. Its sentence and the
    thresholds it reads come from ``_warning_sentences`` and
    ``_warning_thresholds``. The scan itself never changes for a new type."""

    _name = "customer.warning.rule"
    _description = "Customer Warning Rule"
    _order = "sequence, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    warning_type = fields.Selection([("major_incident", "Major Incident")], string="Type", required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty for a rule shared by every company without its own."
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", help="Amounts are in the company's currency."
    )
    severity = fields.Selection(WARNING_SEVERITIES, required=True, default="medium")
    deadline_days = fields.Integer(
        string="Deadline (days)",
        default=7,
        help="Days the responsible has to act before the warning escalates.",
    )
    snooze_days = fields.Integer(
        string="Quiet after Dismissal (days)",
        default=30,
        help="A dismissed warning is not raised again for the customer during these days.",
    )
    threshold_amount = fields.Monetary(string="Amount", currency_field="currency_id")
    threshold_percent = fields.Float(string="Percent")
    threshold_days = fields.Integer(string="Days")
    threshold_factor = fields.Float(string="Factor", digits=(16, 2))
    threshold_count = fields.Integer(string="Count")
    thresholds_used = fields.Char(compute="_compute_thresholds_used")
    fallback_user_id = fields.Many2one(
        "res.users",
        string="Responsible without Salesperson",
        domain=[("share", "=", False)],
        help="Responsible of the warnings of customers who have no salesperson.",
    )
    notified_group_id = fields.Many2one(
        "res.groups",
        string="Escalate to",
        help="Users notified when a warning passes its deadline; the sales managers when empty.",
    )
    note = fields.Text(string="What It Measures", translate=True)
    warning_count = fields.Integer(compute="_compute_warning_count", string="Open Warnings")

    _type_company_uniq = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (warning_type, company_id)",
        "There is one rule per warning type and company (and one shared rule per type).",
    )

    # ------------------------------------------------------------------
    # Compute and constraints
    # ------------------------------------------------------------------
    @api.depends("company_id")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = (rule.company_id or self.env.company).currency_id

    @api.depends("warning_type")
    def _compute_thresholds_used(self):
        used = self._warning_thresholds()
        for rule in self:
            rule.thresholds_used = ",".join(used.get(rule.warning_type, ()))

    def _compute_warning_count(self):
        counts = dict(
            self.env["customer.warning"]._read_group(
                [("rule_id", "in", self.ids), ("state", "in", LIVE_STATES)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.warning_count = counts.get(rule, 0)

    @api.constrains("deadline_days", "snooze_days", *THRESHOLD_FIELDS)
    def _check_thresholds(self):
        for rule in self:
            negative = [
                rule._fields[fname].get_description(self.env)["string"]
                for fname in ("deadline_days", "snooze_days", *THRESHOLD_FIELDS)
                if rule[fname] < 0
            ]
            if negative:
                raise ValidationError(
                    self.env._(
                        "Warning rule %(rule)s: %(fields)s cannot be negative.",
                        rule=rule.display_name,
                        fields=", ".join(negative),
                    )
                )

    # ------------------------------------------------------------------
    # Extension points
    # ------------------------------------------------------------------
    @api.model
    def _warning_sentences(self):
        """{type: what was measured, with %(measured)s (its absolute value),
        %(threshold)s and %(kind)s}, in the reader's language; or a pair of
        sentences for a figure zero or more and a negative one."""
        return {"major_incident": self.env._("Major incident reported: %(kind)s")}

    @api.model
    def _warning_thresholds(self):
        """{type: the threshold fields its rule reads}, shown on the rule."""
        return {}

    def _warning_responsible_sql(self):
        """The responsible of a new warning on the customer ``partner``."""
        return SQL("COALESCE(partner.user_id, %s)", self.fallback_user_id.id or None)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_scan_now(self):
        if not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only a sales manager may run the warning scan."))
        counts = self.sudo()._scan()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Warning scan done: %(raised)s raised, %(resolved)s resolved.",
                    raised=counts["raised"],
                    resolved=counts["resolved"],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_warnings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.customer_warning_action")
        action["domain"] = [("rule_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # The scan
    # ------------------------------------------------------------------
    @api.model
    def _scan_plan(self):
        """(rule, company) pairs to scan: for each company, each scanned type's
        own rule of the company, else the shared one."""
        rules = self.search([("warning_type", "in", list(self._scanned_types()))], order="company_id, id")
        plan = []
        for company in self.env["res.company"].search([("active", "=", True)]):
            chosen = {}
            for rule in rules:
                if rule.company_id == company or (not rule.company_id and rule.warning_type not in chosen):
                    chosen[rule.warning_type] = rule
            plan.extend((rule, company) for rule in chosen.values())
        return plan

    @api.model
    def _scanned_types(self):
        return {
            value
            for value, _label in self._fields["warning_type"].selection
            if hasattr(self, f"_warning_rows_{value}")
        }

    @api.model
    def _scan(self, progress=None):
        """Refresh the figures the rules read, then scan every (rule,
        company). ``progress(done, remaining)`` is called after each; the
        scheduled action commits there, so that a run stopped halfway and
        restarted rescans from the start while the unique index leaves
        nothing twice. Returns the counts raised and resolved."""
        self.env["res.partner"]._refresh_purchase_rhythm()
        plan = self._scan_plan()
        counts = {"raised": 0, "resolved": 0}
        for done, (rule, company) in enumerate(plan, start=1):
            raised, resolved = rule.with_company(company)._scan_company(company)
            counts["raised"] += raised
            counts["resolved"] += resolved
            if progress and not progress(1, len(plan) - done):
                break
        return counts

    @api.model
    def _cron_scan(self):
        cron = self.env["ir.cron"]
        self.sudo()._scan(lambda done, remaining: cron._commit_progress(done, remaining=remaining))
        self.env["customer.warning"].sudo()._cron_escalate_overdue()

    def _scan_company(self, company):
        """Raise the warnings of the customers of ``company`` who meet the
        rule and have none open of its type, resolve the open ones whose
        condition is gone. Returns (raised, resolved)."""
        self.ensure_one()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS customer_warning_scan"))
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE customer_warning_scan ON COMMIT DROP AS %s",
                getattr(self, f"_warning_rows_{self.warning_type}")(company),
            )
        )
        cr.execute(SQL("ANALYZE customer_warning_scan"))
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        # each new warning and its responsible's activity in one statement, the
        # activity's summary in the responsible's language
        [(raised, notified)] = self.env.execute_query(
            SQL(
                """
                WITH raised AS (
                    INSERT INTO customer_warning (partner_id, company_id, rule_id, warning_type, severity,
                                                  severity_order, state, state_order, measured_value,
                                                  threshold_value, user_id, date_deadline, escalated,
                                                  create_uid, write_uid, create_date, write_date)
                    SELECT scan.partner_id, %(company)s, %(rule)s, %(type)s, %(severity)s, %(severity_order)s,
                           'open', 0, scan.measured, scan.threshold, %(responsible)s, %(deadline)s, FALSE,
                           %(uid)s, %(uid)s, %(now)s, %(now)s
                      FROM customer_warning_scan scan
                      JOIN res_partner partner ON partner.id = scan.partner_id
                     WHERE scan.met
                       AND NOT EXISTS (
                            SELECT FROM customer_warning dismissed
                             WHERE dismissed.partner_id = scan.partner_id
                               AND dismissed.company_id = %(company)s
                               AND dismissed.warning_type = %(type)s AND dismissed.state = 'dismissed'
                               AND dismissed.dismissed_date >= %(quiet_since)s)
                        ON CONFLICT (partner_id, company_id, warning_type)
                           WHERE state IN ('open', 'acknowledged')
                        DO NOTHING
                    RETURNING id, user_id, partner_id, date_deadline
                ), notified AS (
                    INSERT INTO mail_activity (res_model_id, res_model, res_id, user_id, summary, res_name,
                                               date_deadline, user_tz, activity_type_id, automated, active,
                                               create_uid, write_uid, create_date, write_date)
                    SELECT %(model)s, 'customer.warning', raised.id, raised.user_id,
                           COALESCE(label.text, %(label)s) || ' · ' || partner.complete_name,
                           partner.complete_name,
                           raised.date_deadline, person.tz, %(todo)s, TRUE, TRUE,
                           %(uid)s, %(uid)s, %(now)s, %(now)s
                      FROM raised
                      JOIN res_partner partner ON partner.id = raised.partner_id
                      JOIN res_users users ON users.id = raised.user_id
                      JOIN res_partner person ON person.id = users.partner_id
                      LEFT JOIN (VALUES %(labels)s) label(lang, text) ON label.lang = person.lang
                    RETURNING id
                )
                SELECT (SELECT COUNT(*) FROM raised), (SELECT COUNT(*) FROM notified)
                """,
                company=company.id,
                rule=self.id,
                type=self.warning_type,
                severity=self.severity,
                severity_order=[value for value, _label in WARNING_SEVERITIES].index(self.severity),
                responsible=self._warning_responsible_sql(),
                deadline=today + timedelta(days=self.deadline_days),
                uid=self.env.uid,
                now=now,
                quiet_since=now - timedelta(days=self.snooze_days),
                model=self.env["ir.model"]._get_id("customer.warning"),
                todo=self.env.ref("mail.mail_activity_data_todo").id,
                label=self._type_label(self.env.lang),
                labels=SQL(", ").join(
                    SQL("(%s, %s)", code, self._type_label(code))
                    for code, _name in self.env["res.lang"].get_installed()
                ),
            )
        )
        resolved = self.env.execute_query(
            SQL(
                """
                UPDATE customer_warning warning
                   SET state = 'resolved', state_order = 2, resolved_date = %(now)s,
                       resolved_value = gone.measured, write_uid = %(uid)s, write_date = %(now)s
                  FROM (SELECT live.id, scan.measured
                          FROM customer_warning live
                          LEFT JOIN customer_warning_scan scan ON scan.partner_id = live.partner_id
                         WHERE live.company_id = %(company)s AND live.warning_type = %(type)s
                           AND live.state IN %(live)s AND scan.met IS NOT TRUE) gone
                 WHERE warning.id = gone.id
                RETURNING warning.id
                """,
                company=company.id,
                type=self.warning_type,
                live=LIVE_STATES,
                uid=self.env.uid,
                now=now,
            )
        )
        warnings = self.env["customer.warning"]
        warnings.invalidate_model()
        self.env["mail.activity"].invalidate_model()
        if resolved:
            in_company_lang = warnings.with_context(lang=company.partner_id.lang or self.env.lang)
            in_company_lang.browse([warning_id for (warning_id,) in resolved])._close_activities(
                in_company_lang.env._("The condition is gone: resolved by the warning scan.")
            )
        _logger.info(
            "Warning scan %s in %s: %s raised (%s activities), %s resolved",
            self.warning_type,
            company.name,
            raised,
            notified,
            len(resolved),
        )
        return raised, len(resolved)

    def _type_label(self, lang):
        """The label of the rule's type in ``lang``."""
        rule = self.with_context(lang=lang)
        return dict(rule._fields["warning_type"]._description_selection(rule.env))[self.warning_type]

    # ------------------------------------------------------------------
    # Tooling for the rows of the types
    # ------------------------------------------------------------------
    @api.model
    def _customers_sql(self, company):
        """The active commercial partners ``company`` may trade with: for the
        figures a company has of its own (its sales, its credit limit)."""
        return SQL(
            """SELECT partner.* FROM res_partner partner
                WHERE partner.parent_id IS NULL AND partner.active
                  AND (partner.company_id IS NULL OR partner.company_id = %s)""",
            company.id,
        )

    @api.model
    def _home_customers_sql(self, company):
        """The active commercial partners whose home is ``company``: for what
        the customer has once whatever the company (its card, certificates,
        rhythm), so that a partner shared by several companies is warned once,
        in its own company, else its salesperson's, else the first company."""
        first_company = self.env["res.company"].sudo().search([], order="id", limit=1)
        return SQL(
            """SELECT partner.* FROM res_partner partner
                 LEFT JOIN res_users salesperson ON salesperson.id = partner.user_id
                WHERE partner.parent_id IS NULL AND partner.active
                  AND COALESCE(partner.company_id, salesperson.company_id, %s) = %s""",
            first_company.id,
            company.id,
        )

    @api.model
    def _sales_sql(self, company, date_from, date_to):
        """Invoiced sales (posted customer invoices minus refunds, untaxed, in
        company currency) of ``company`` by commercial partner between the
        dates, both included: columns ``partner_id`` and ``amount``."""
        return SQL(
            """SELECT move.commercial_partner_id AS partner_id, SUM(-line.balance) AS amount
                 FROM account_move_line line
                 JOIN account_move move ON move.id = line.move_id
                WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
                  AND move.company_id = %s AND line.display_type = 'product'
                  AND move.invoice_date BETWEEN %s AND %s
                GROUP BY move.commercial_partner_id""",
            company.id,
            date_from,
            date_to,
        )
