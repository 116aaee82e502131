from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_amount, format_list

# Written only by the credit methods (hold, release, application approval, review).
CREDIT_FIELDS = frozenset(
    {
        "credit_hold",
        "credit_hold_auto",
        "credit_hold_reason",
        "credit_hold_date",
        "credit_limit_date_end",
        "credit_review_required",
        "credit_grade_id",
    }
)
# Who reads a customer's credit figures: its salespeople, credit control and accounting.
CREDIT_FIGURE_GROUPS = (
    "customer_mgmt.group_customer_user,customer_mgmt.group_credit_controller,"
    "account.group_account_invoice,account.group_account_readonly"
)
NO_CREDIT_FIGURES = dict.fromkeys(
    ("limit", "exposure", "receivable", "draft_invoices", "orders", "overdue_amount", "overdue_days"), 0
)


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "customer.credit.computed.inputs"]

    # ------------------------------------------------------------------
    # Credit (资信管理): exposure, holds, limit validity
    # ------------------------------------------------------------------
    credit_exposure = fields.Monetary(
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        currency_field="credit_currency_id",
        help="Open receivables + draft customer invoices + confirmed orders not yet invoiced, "
        "in company currency, for the commercial partner.",
    )
    credit_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        currency_field="credit_currency_id",
    )
    credit_draft_invoices = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        currency_field="credit_currency_id",
    )
    credit_uninvoiced_orders = fields.Monetary(
        string="Orders Not Invoiced",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        currency_field="credit_currency_id",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        currency_field="credit_currency_id",
        help="Credit limit minus exposure; empty when the customer has no limit.",
    )
    credit_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        currency_field="credit_currency_id",
    )
    credit_overdue_days = fields.Integer(
        string="Days Overdue",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        help="Days past the due date of the oldest unpaid invoice instalment.",
    )
    credit_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_credit_figures",
        groups=CREDIT_FIGURE_GROUPS,
        search="_search_credit_over_limit",
    )
    credit_currency_id = fields.Many2one("res.currency", compute="_compute_credit_currency_id")
    credit_hold = fields.Boolean(tracking=True, copy=False, index=True)
    credit_hold_auto = fields.Boolean(
        string="Automatic Hold",
        copy=False,
        help="Put on hold by the credit review; released automatically once the customer is back "
        "within policy. A manual hold stays until a credit controller releases it.",
    )
    credit_hold_reason = fields.Char(string="Hold Reason", tracking=True, copy=False)
    credit_hold_date = fields.Datetime(string="On Hold Since", copy=False)
    credit_limit_date_end = fields.Date(
        string="Credit Limit Valid Until",
        tracking=True,
        copy=False,
        help="Set by the approved credit application.",
    )
    credit_review_required = fields.Boolean(
        copy=False,
        help="The credit limit has expired: a new credit application is due.",
    )
    credit_grade_id = fields.Many2one(
        "customer.credit.grade", tracking=True, copy=False, index="btree_not_null"
    )
    credit_hold_log_ids = fields.One2many("customer.credit.hold.log", "partner_id", string="Hold Log")
    credit_application_ids = fields.One2many("customer.credit.application", "partner_id")
    credit_evaluation_ids = fields.One2many("customer.credit.evaluation", "partner_id")
    credit_investigation_ids = fields.One2many("customer.credit.investigation", "partner_id")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_credit_currency_id(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_credit_figures(self):
        company = self.env.company
        figures = self.commercial_partner_id._origin._credit_figures(company)
        for partner in self:
            # A customer being created has no figures yet.
            figure = figures.get(partner.commercial_partner_id._origin.id, NO_CREDIT_FIGURES)
            limit = figure["limit"]
            partner.credit_exposure = figure["exposure"]
            partner.credit_receivable = figure["receivable"]
            partner.credit_draft_invoices = figure["draft_invoices"]
            partner.credit_uninvoiced_orders = figure["orders"]
            partner.credit_overdue_amount = figure["overdue_amount"]
            partner.credit_overdue_days = figure["overdue_days"]
            partner.credit_available = limit - figure["exposure"] if limit else 0.0
            partner.credit_over_limit = (
                bool(limit) and company.currency_id.compare_amounts(figure["exposure"], limit) > 0
            )

    def _search_credit_over_limit(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        ids = self.env["customer.credit.exposure"]._over_limit_ids(self.env.company)
        positive = (operator == "in") == (True in value)
        return Domain("id", "in" if positive else "not in", ids)

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + sorted(CREDIT_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._check_credit_limit_value(vals)
        # Forms send every field's default on creation: only a value set is refused.
        if not self.env.su and any(
            vals.get(name) for vals in vals_list for name in (*CREDIT_FIELDS, "credit_limit")
        ):
            self.browse()._check_credit_write_access(
                {name for vals in vals_list for name, value in vals.items() if value}
            )
        return super().create(vals_list)

    def write(self, vals):
        self._check_credit_limit_value(vals)
        if not self.env.su and (CREDIT_FIELDS.intersection(vals) or "credit_limit" in vals):
            self._check_credit_write_access(vals)
        companies = self._credit_blocking_companies() if {"parent_id", "is_company"} & set(vals) else None
        if not companies:
            return super().write(vals)
        before = {partner: partner.commercial_partner_id for partner in self}
        candidates = self.browse(vals.get("parent_id")).commercial_partner_id | self
        figures_before = {company: candidates._credit_figures(company) for company in companies}
        with self.env.cr.savepoint():  # a refused move is undone
            res = super().write(vals)
            self._credit_check_move(before, figures_before)
        return res

    @api.model
    def _customer_kept_by(self):
        return [*super()._customer_kept_by(), ("customer.credit.hold.log", self.env._("the credit hold log"))]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_credit_hold(self):
        return self._credit_wizard_action("hold")

    def action_credit_release(self):
        return self._credit_wizard_action("release")

    def _credit_wizard_action(self, action):
        self.env.company._check_credit_controller()
        wizard = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_mgmt.customer_credit_action_wizard_action"
        )
        wizard["context"] = {"default_action": action, "default_partner_ids": self.commercial_partner_id.ids}
        return wizard

    def action_view_credit_hold_log(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_mgmt.customer_credit_hold_log_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id[:1].id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _credit_figures(self, company, exclude_order_ids=()):
        """{partner id: figures} of the commercial partners ``self`` in
        ``company``: see ``customer.credit.exposure``."""
        return self.env["customer.credit.exposure"]._figures(self, company, exclude_order_ids)

    def _credit_policy_breach(self, company, figure):
        """Why the customer is outside the company's credit policy, or ''."""
        currency, limit = company.currency_id, figure["limit"]
        if limit and currency.compare_amounts(figure["exposure"], limit) > 0:
            return self.env._(
                "Exposure %(exposure)s exceeds the credit limit %(limit)s.",
                exposure=format_amount(self.env, figure["exposure"], currency),
                limit=format_amount(self.env, limit, currency),
            )
        max_days = company.customer_credit_overdue_days
        if max_days and figure["overdue_days"] > max_days:
            return self.env._(
                "%(amount)s overdue for %(days)s days (policy: %(max)s days).",
                amount=format_amount(self.env, figure["overdue_amount"], currency),
                days=figure["overdue_days"],
                max=max_days,
            )
        return ""

    def _check_credit_limit_value(self, vals):
        if (vals.get("credit_limit") or 0.0) < 0:
            raise ValidationError(
                self.env._(
                    "The credit limit of %(customers)s cannot be negative (%(limit)s).",
                    customers=format_list(self.env, self.mapped("display_name")) or vals.get("name", ""),
                    limit=vals["credit_limit"],
                )
            )

    def _check_credit_write_access(self, vals):
        """Holds, credit grades and limit validity change only through the
        credit actions; while the company's credit control is on, the credit
        limit changes only through an approved credit application (which
        writes it as superuser), for everyone, credit controllers included."""
        customers = format_list(self.env, self.mapped("display_name")) or self.env._("a new customer")
        if CREDIT_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "Credit holds, grades and limit validity of %(customers)s change only through the credit "
                    "actions (hold, release, approved applications).",
                    customers=customers,
                )
            )
        if self.env.company.customer_credit_control in ("warn", "block"):
            raise AccessError(
                self.env._(
                    "Credit control is on: the credit limit of %(customers)s changes only through an "
                    "approved credit application.",
                    customers=customers,
                )
            )

    def _credit_blocking_companies(self):
        return self.env["res.company"].sudo().search([("customer_credit_control", "=", "block")])

    def _credit_check_move(self, before, figures_before):
        """A contact moved to another commercial partner (``before``: partner
        -> its former one) takes what it owes with it: the customer it joins
        is judged as an order would be (``figures_before``: company -> figures
        before the move), and nothing moves into or out of a customer on hold
        but by a credit controller."""
        moved = self.filtered(lambda partner: partner.commercial_partner_id != before[partner])
        if not moved:
            return
        exposure_model = self.env["customer.credit.exposure"]
        joined = moved.commercial_partner_id
        held = (joined | self.browse().union(*(before[partner] for partner in moved))).filtered("credit_hold")
        if held and not self.env.company._is_credit_controller():
            raise UserError(
                self.env._(
                    "%(contacts)s cannot move into or out of %(customers)s, on credit hold: ask a credit "
                    "controller.",
                    contacts=format_list(self.env, moved.mapped("display_name")),
                    customers=format_list(self.env, held.mapped("display_name")),
                )
            )
        refusals = []
        for company, figures in figures_before.items():
            for customer_id, figure in exposure_model._figures(joined, company, lock=True).items():
                previous = figures.get(customer_id, {}).get("exposure", 0.0)
                added = figure["exposure"] - previous
                if company.currency_id.compare_amounts(added, 0.0) > 0:
                    refusals.append(
                        exposure_model._refusal_message(
                            format_list(self.env, moved.mapped("display_name")),
                            {**figure, "hold": False},
                            company,
                            exposure=previous,
                            amount=added,
                        )
                    )
        if any(refusals):
            raise UserError("\n".join(filter(None, refusals)))

    def _credit_hold(self, reason, auto=False, figures=None):
        """Put the commercial partners on hold (manual unless ``auto``) and log it.
        A manual hold replaces an automatic one, never the reverse."""
        return self._credit_set_hold(
            True, reason, auto, figures, lambda p: not p.credit_hold or (p.credit_hold_auto and not auto)
        )

    def _credit_release(self, reason, auto=False, figures=None):
        return self._credit_set_hold(False, reason, auto, figures, lambda p: p.credit_hold)

    def _credit_set_hold(self, hold, reason, auto, figures, concerned):
        if not auto:
            self.env.company._check_credit_controller()
        if not (reason or "").strip():
            raise UserError(
                self.env._(
                    "Give the reason for holding %(customers)s.",
                    customers=format_list(self.env, self.mapped("display_name")),
                )
                if hold
                else self.env._(
                    "Give the reason for releasing %(customers)s.",
                    customers=format_list(self.env, self.mapped("display_name")),
                )
            )
        partners = self.commercial_partner_id.filtered(concerned)
        partners.sudo().write(
            {
                "credit_hold": hold,
                "credit_hold_auto": hold and auto,
                "credit_hold_reason": hold and reason,
                "credit_hold_date": hold and fields.Datetime.now(),
            }
        )
        action = ("auto_" if auto else "") + ("hold" if hold else "release")
        partners._credit_log(action, reason, figures)
        return partners

    def _credit_log(self, action, reason, figures=None, order=None):
        """One hold-log line per partner with its figures at this moment."""
        company = order.company_id if order else self.env.company
        figures = figures or self._credit_figures(company)
        self.env["customer.credit.hold.log"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "action": action,
                    "reason": reason,
                    "user_id": self.env.uid,
                    "order_id": order.id if order else False,
                    "exposure": figures[partner.id]["exposure"],
                    "credit_limit": figures[partner.id]["limit"],
                    "overdue_amount": figures[partner.id]["overdue_amount"],
                    "overdue_days": figures[partner.id]["overdue_days"],
                }
                for partner in self
            ]
        )

    def _credit_review(self, companies):
        """Apply the credit policy of ``companies`` to the commercial partners
        ``self``. A hold is on the partner, not per company: it is held when it
        is outside the policy of any of the companies it trades with, and its
        automatic hold is released only once it is within all of them. Expired
        limits are flagged. Idempotent, so a cron run can be repeated. The
        reasons are written in the language of the company whose policy
        decides, whoever runs the review (the scheduled action runs as OdooBot)."""
        figures, breaches = {}, {}  # company -> its figures; partner -> (company, reason)
        for company in companies:
            partners = self.filtered(lambda p, c=company: not p.company_id or p.company_id == c)
            figures[company] = partners._credit_figures(company)
            in_company_lang = partners.with_context(lang=company.partner_id.lang or self.env.lang)
            for partner in in_company_lang:
                reason = partner._credit_policy_breach(company, figures[company][partner.id])
                if reason and partner not in breaches:
                    breaches[partner.with_env(self.env)] = (company, reason)
        to_hold = defaultdict(list)
        for partner, company_reason in breaches.items():
            if not partner.credit_hold:
                to_hold[company_reason].append(partner.id)
        for (company, reason), ids in to_hold.items():
            self.browse(ids).with_company(company)._credit_hold(reason, auto=True, figures=figures[company])
        to_release = self.filtered(lambda p: p.credit_hold and p.credit_hold_auto and p not in breaches)
        for company, partners in to_release.grouped(lambda p: p.company_id or companies[0]).items():
            in_company_lang = self.with_context(lang=company.partner_id.lang or self.env.lang)
            partners.with_company(company)._credit_release(
                in_company_lang.env._("Back within the credit policy."), auto=True
            )
        today = fields.Date.context_today(self)
        expired = self.filtered(
            lambda p: (
                p.credit_limit_date_end and p.credit_limit_date_end < today and not p.credit_review_required
            )
        )
        if expired:
            expired.sudo().credit_review_required = True
            expired._credit_schedule_review(companies)

    def _credit_schedule_review(self, companies):
        for user in self.env["res.users"].union(*(company._credit_controllers() for company in companies)):
            in_user_lang = self.sudo().with_context(lang=user.lang or self.env.lang)
            in_user_lang.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=in_user_lang.env._("Credit limit expired: review the customer's credit"),
                user_id=user.id,
            )

    @api.model
    def _cron_credit_review(self, batch_size=1000):
        """Daily credit review of every company that has credit control on,
        batch by batch of customers (each batch for all those companies), so
        an interrupted run still covers every company; safe to rerun."""
        companies = self.env["res.company"].search([("customer_credit_control", "in", ("warn", "block"))])
        if not companies:
            return
        domain = Domain("parent_id", "=", False) & Domain("company_id", "in", [*companies.ids, False])
        domain &= (
            Domain("customer_rank", ">", 0)
            | Domain("credit_hold", "=", True)
            | Domain("credit_limit_date_end", "!=", False)
        )
        last_id = 0
        while partners := self.search(domain & Domain("id", ">", last_id), limit=batch_size, order="id"):
            partners._credit_review(companies)
            last_id = partners[-1].id
            remaining = self.search_count(domain & Domain("id", ">", last_id))
            if not self.env["ir.cron"]._commit_progress(len(partners), remaining=remaining):
                return
