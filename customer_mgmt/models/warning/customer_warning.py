from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

MANAGER = "customer_mgmt.group_customer_manager"

WARNING_STATES = [
    ("open", "Open"),
    ("acknowledged", "Acknowledged"),
    ("resolved", "Resolved"),
    ("dismissed", "Dismissed"),
]
# a customer has at most one warning of a type per company in these states
LIVE_STATES = ("open", "acknowledged")
WARNING_SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
INCIDENT_KINDS = [
    ("theft", "Theft"),
    ("accident", "Accident"),
    ("family_split", "Family Split"),
    ("illness", "Serious Illness"),
    ("other", "Other"),
]
# what only the scan and the steps write
STEP_FIELDS = frozenset(
    {
        "partner_id",
        "company_id",
        "rule_id",
        "warning_type",
        "severity",
        "measured_value",
        "threshold_value",
        "resolved_value",
        "user_id",
        "date_deadline",
        "state",
        "acknowledged_date",
        "resolved_date",
        "dismissed_date",
        "escalated",
        "incident_kind",
        "description",
    }
)


class CustomerWarning(models.Model):
    """An early warning (预警) on a customer: raised by the daily scan when a
    rule's condition is met, or at once by a salesperson's incident report.

    ==========================  ===============================================
    Step                        Who
    ==========================  ===============================================
    raise, resolve by the scan  the scheduled action (superuser)
    acknowledge, resolve        the responsible, the customer's salesperson, a
                                sales manager
    dismiss (with a reason)     a sales manager
    ==========================  ===============================================

    A partial unique index keeps one open or acknowledged warning per customer,
    company and type, so that no rerun or concurrent run duplicates one."""

    _name = "customer.warning"
    _description = "Customer Warning"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_order, severity_order desc, date_deadline, id desc"
    _rec_name = "partner_id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    rule_id = fields.Many2one("customer.warning.rule", readonly=True, ondelete="restrict")
    warning_type = fields.Selection(
        selection="_selection_warning_type", string="Type", required=True, index=True, readonly=True
    )
    severity = fields.Selection(WARNING_SEVERITIES, required=True, default="medium", readonly=True)
    severity_order = fields.Integer(compute="_compute_orders", store=True)
    measured_value = fields.Float(string="Measured", readonly=True, digits=(16, 2))
    threshold_value = fields.Float(string="Threshold", readonly=True, digits=(16, 2))
    resolved_value = fields.Float(
        string="Measured at Resolution",
        readonly=True,
        digits=(16, 2),
        help="The figure the scan read when the condition was gone.",
    )
    summary = fields.Char(compute="_compute_summary", help="What was measured, in the reader's language.")
    description = fields.Text(readonly=True, help="The salesperson's report of a major incident.")
    incident_kind = fields.Selection(INCIDENT_KINDS, readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", index=True, readonly=True, tracking=True)
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    grade_id = fields.Many2one(related="partner_id.customer_grade_id", string="Grade")
    date_deadline = fields.Date(string="Deadline", readonly=True, index=True)
    state = fields.Selection(
        WARNING_STATES, required=True, default="open", readonly=True, copy=False, index=True, tracking=True
    )
    state_order = fields.Integer(compute="_compute_orders", store=True)
    acknowledged_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    dismissed_date = fields.Datetime(readonly=True, copy=False)
    dismiss_reason = fields.Text(copy=False, tracking=True)
    escalated = fields.Boolean(readonly=True, copy=False, index=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    credit_hold = fields.Boolean(related="partner_id.credit_hold")

    _live_uniq = models.UniqueIndex(
        "(partner_id, company_id, warning_type) WHERE state IN ('open', 'acknowledged')",
        "A customer has at most one open warning of each type per company.",
    )

    @api.model
    def _selection_warning_type(self):
        return self.env["customer.warning.rule"]._fields["warning_type"]._description_selection(self.env)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state", "severity")
    def _compute_orders(self):
        states = [state for state, _label in WARNING_STATES]
        severities = [severity for severity, _label in WARNING_SEVERITIES]
        for warning in self:
            warning.state_order = states.index(warning.state) if warning.state else 0
            warning.severity_order = severities.index(warning.severity) if warning.severity else 0

    @api.depends("warning_type", "measured_value", "threshold_value", "incident_kind")
    @api.depends_context("lang")
    def _compute_summary(self):
        sentences = self.env["customer.warning.rule"]._warning_sentences()
        kinds = dict(self._fields["incident_kind"]._description_selection(self.env))
        for warning in self:
            sentence = sentences.get(warning.warning_type) or ""
            if isinstance(sentence, tuple):
                # (when the figure is zero or more, when it is negative: an expiry passed)
                sentence = sentence[0] if warning.measured_value >= 0 else sentence[1]
            warning.summary = sentence % {
                "measured": warning._format_figure(abs(warning.measured_value)),
                "threshold": warning._format_figure(warning.threshold_value),
                "kind": kinds.get(warning.incident_kind, ""),
            }

    @api.model
    def _format_figure(self, value):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}".removesuffix(".0")

    @api.depends("date_deadline", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for warning in self:
            warning.is_overdue = (
                warning.state in LIVE_STATES and bool(warning.date_deadline) and warning.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("state", "in", LIVE_STATES), ("date_deadline", "<", fields.Date.context_today(self))]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # warnings are raised by the scan and the incident wizard, which run as superuser
        if not self.env.su:
            raise AccessError(
                self.env._("Warnings are raised by the warning scan or an incident report only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            forced = set(STEP_FIELDS.intersection(vals))
            if self.env.user.has_group(MANAGER):
                # a manager gives a warning another responsible (a hand-over does it too)
                forced.discard("user_id")
            forced = sorted(forced)
            if forced:
                raise AccessError(
                    self.env._(
                        "Warnings %(warnings)s: %(fields)s change through the warning's buttons and the scan "
                        "only.",
                        warnings=", ".join(self.mapped("display_name")),
                        fields=", ".join(forced),
                    )
                )
            if "dismiss_reason" in vals:
                self._check_can_dismiss()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_kept(self):
        if not self.env.su:
            raise UserError(self.env._("Warnings are kept: dismiss a warning instead of deleting it."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_acknowledge(self):
        self._check_can_handle(LIVE_STATES[:1], self.env._("acknowledge"))
        self._do_step("acknowledged", acknowledged_date=fields.Datetime.now())
        self._action_acknowledge()
        return True

    def action_resolve(self):
        self._check_can_handle(LIVE_STATES, self.env._("resolve"))
        self._do_step("resolved", resolved_date=fields.Datetime.now())
        self._close_activities(self.env._("Warning resolved."))
        self._action_resolve()
        return True

    def action_dismiss(self):
        self._check_can_dismiss()
        self._check_can_handle(LIVE_STATES, self.env._("dismiss"))
        without_reason = self.filtered(lambda w: not (w.dismiss_reason or "").strip())
        if without_reason:
            raise UserError(
                self.env._(
                    "Warning %(warning)s: give the reason for dismissing it first.",
                    warning=without_reason[0].display_name,
                )
            )
        self._do_step("dismissed", dismissed_date=fields.Datetime.now())
        self._close_activities(self.env._("Warning dismissed."))
        self._action_dismiss()
        return True

    def action_credit_hold(self):
        """The credit controller's one click from an incident: the customer's
        hold wizard, which checks the controller's right itself."""
        self.ensure_one()
        action = self.partner_id.action_credit_hold()
        action["context"] = {**action["context"], "default_reason": self.summary}
        return action

    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(self.env.ref("customer_mgmt.res_partner_view_form_customer").id, "form")],
        }

    def _action_acknowledge(self):
        """Hook after a warning was acknowledged."""

    def _action_resolve(self):
        """Hook after a warning was resolved by hand."""

    def _action_dismiss(self):
        """Hook after a warning was dismissed."""

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_can_handle(self, states, step):
        user = self.env.user
        is_manager = user.has_group(MANAGER)
        for warning in self:
            if warning.state not in states:
                raise UserError(
                    self.env._(
                        "Warning %(warning)s is %(state)s: it cannot %(step)s now.",
                        warning=warning.display_name,
                        state=warning._fields["state"].convert_to_export(warning.state, warning),
                        step=step,
                    )
                )
            owners = warning.user_id | warning.partner_id.commercial_partner_id.user_id
            if not (is_manager or self.env.su or user in owners):
                raise AccessError(
                    self.env._(
                        "Warning %(warning)s: only its responsible, the customer's salesperson or a sales "
                        "manager may %(step)s it.",
                        warning=warning.display_name,
                        step=step,
                    )
                )

    def _check_can_dismiss(self):
        if not (self.env.su or self.env.user.has_group(MANAGER)):
            raise AccessError(
                self.env._(
                    "Warnings %(warnings)s: only a sales manager may dismiss a warning.",
                    warnings=", ".join(self.mapped("display_name")),
                )
            )

    def _do_step(self, state, **dates):
        self.sudo().write({"state": state, **dates})

    def _close_activities(self, feedback):
        activities = self.sudo().activity_ids
        if activities:
            activities.action_feedback(feedback=feedback)

    def _compute_display_name(self):
        types = dict(self._fields["warning_type"]._description_selection(self.env))
        for warning in self:
            warning.display_name = (
                f"{types.get(warning.warning_type, '')} · {warning.partner_id.display_name}"
            )

    @api.model
    def _escalate_overdue(self, batch_size=5000):
        """Open warnings past their deadline escalate once: the flag, and an
        activity for each user of the rule's notified group (the sales managers
        by default) who works in the warning's company. Returns how many
        escalated."""
        self.env.flush_all()
        flagged = self.env.execute_query(
            SQL(
                """
                WITH due AS (
                    SELECT warning.id FROM customer_warning warning
                     WHERE warning.state = 'open' AND NOT warning.escalated
                       AND warning.date_deadline < %(today)s
                     ORDER BY warning.id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
                )
                UPDATE customer_warning warning SET escalated = TRUE, write_date = %(now)s
                  FROM due WHERE warning.id = due.id
                RETURNING warning.id, warning.company_id, warning.rule_id
                """,
                today=fields.Date.context_today(self),
                now=fields.Datetime.now(),
                limit=batch_size,
            )
        )
        self.invalidate_model(["escalated"])
        rules = (
            self.env["customer.warning.rule"]
            .sudo()
            .browse({rule_id for _w, _c, rule_id in flagged if rule_id})
        )
        notified = {rule.id: rule.notified_group_id for rule in rules if rule.notified_group_id}
        managers = self.env.ref(MANAGER)
        users_of = {}  # (group, company id) -> users
        rows = []
        for warning_id, company_id, rule_id in flagged:
            group = notified.get(rule_id, managers)
            if (group, company_id) not in users_of:
                users_of[group, company_id] = group.sudo().all_user_ids.filtered(
                    lambda user, company_id=company_id: (
                        user.active and not user.share and company_id in user.company_ids.ids
                    )
                )
            rows.extend((warning_id, user.id) for user in users_of[group, company_id])
        if rows:
            self._insert_activities(
                rows,
                lambda warning: warning.env._("Overdue warning: %(warning)s", warning=warning.display_name),
            )
        return len(flagged)

    @api.model
    def _insert_activities(self, rows, summary_of):
        """One to-do activity per (warning id, user id) of ``rows``, each in
        its user's language, due on the warning's deadline, inserted in one
        statement: a first scan raises thousands of warnings at once, and
        creating their activities through the ORM would take minutes."""
        users = self.env["res.users"].sudo().browse({user_id for _warning, user_id in rows})
        lang_of = {user.id: user.lang or self.env.lang for user in users}
        tz_of = {user.id: user.tz or None for user in users}
        today = fields.Date.context_today(self)
        values = []
        for lang in set(lang_of.values()):
            pairs = [(warning_id, user_id) for warning_id, user_id in rows if lang_of[user_id] == lang]
            warnings = self.sudo().with_context(lang=lang).browse([warning_id for warning_id, _user in pairs])
            texts = {
                w.id: (summary_of(w), w.partner_id.display_name, w.date_deadline or today) for w in warnings
            }
            values.extend(SQL("(%s, %s, %s, %s, %s, %s)", w, u, *texts[w], tz_of[u]) for w, u in pairs)
        self.env.execute_query(
            SQL(
                """
                INSERT INTO mail_activity (res_model_id, res_model, res_id, user_id, summary, res_name,
                                           date_deadline, user_tz, activity_type_id, automated, active,
                                           create_uid, write_uid, create_date, write_date)
                SELECT %(model)s, %(model_name)s, todo.res_id, todo.user_id, todo.summary, todo.res_name,
                       todo.date_deadline, todo.user_tz, %(type)s, TRUE, TRUE,
                       %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM (VALUES %(values)s) todo(res_id, user_id, summary, res_name, date_deadline, user_tz)
                """,
                model=self.env["ir.model"]._get_id(self._name),
                model_name=self._name,
                type=self.env.ref("mail.mail_activity_data_todo").id,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                values=SQL(", ").join(values),
            )
        )
        self.env["mail.activity"].invalidate_model()
        self.browse({warning_id for warning_id, _user in rows}).invalidate_recordset(["activity_ids"])

    @api.model
    def _cron_escalate_overdue(self, batch_size=5000):
        while count := self._escalate_overdue(batch_size):
            if not self.env["ir.cron"]._commit_progress(count):
                return
