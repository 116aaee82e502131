from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.classification.res_partner import CUSTOMER_CHANNELS
from ..models.planning.customer_sales_plan import MANAGER, month_start

# Months planned at once, at most: a slip of the year is refused rather than
# planned for every customer.
MAX_MONTHS = 24


class CustomerSalesPlanGenerate(models.TransientModel):
    """Draft monthly plans for many customers at once (managers only): a
    month's target is what the customer was invoiced in the same month a
    year earlier, grown by a percentage and rounded. The plans are written
    in one SQL statement; plans that exist already are left as they are."""

    _name = "customer.sales.plan.generate"
    _description = "Generate Sales Plans"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        default=lambda self: self._default_partner_ids(),
        domain="[('is_customer_card', '=', True)]",
        help="The customers to plan; empty: every customer of the grade, channel and salesperson chosen.",
    )
    grade_id = fields.Many2one("customer.grade")
    customer_channel = fields.Selection(CUSTOMER_CHANNELS, string="Channel")
    user_id = fields.Many2one("res.users", string="Salesperson", domain=[("share", "=", False)])
    month_from = fields.Date(
        string="From Month",
        required=True,
        default=lambda self: self._default_month(),
        help="Any day stands for its month.",
    )
    month_to = fields.Date(
        string="To Month",
        required=True,
        default=lambda self: self._default_month(),
        help="Any day stands for its month.",
    )
    growth = fields.Float(string="Growth (%)", default=10.0, help="Added to last year's invoiced amount.")
    rounding = fields.Float(
        string="Round To",
        default=100.0,
        help="Targets are rounded to the nearest multiple of this amount (0: to the cent).",
    )
    include_without_sales = fields.Boolean(
        string="Customers Without Sales Last Year",
        help="Also plan customers that were not invoiced in the same month last year, with a target of 0.",
    )

    @api.model
    def _default_partner_ids(self):
        """The customers selected in a list of partners."""
        if self.env.context.get("active_model") != "res.partner":
            return False
        return self.env["res.partner"].browse(self.env.context.get("active_ids", [])).commercial_partner_id

    @api.model
    def _default_month(self):
        return month_start(fields.Date.context_today(self))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_generate(self):
        self.ensure_one()
        self._check_can_generate()
        customers = self._customers()
        plans = self._insert_plans(customers)
        return self._result_action(plans)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_can_generate(self):
        if not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only sales managers generate sales plans."))
        self.env["customer.sales.plan"].check_access("create")
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You generate sales plans for your own companies only, not for %(company)s.",
                    company=self.company_id.name,
                )
            )
        month_from, month_to = month_start(self.month_from), month_start(self.month_to)
        if month_to < month_from:
            raise UserError(self.env._("The last month to plan comes before the first one."))
        months = (month_to.year - month_from.year) * 12 + month_to.month - month_from.month + 1
        if months > MAX_MONTHS:
            raise UserError(
                self.env._(
                    "Sales plans are generated for at most %(max)s months at once, not %(months)s.",
                    max=MAX_MONTHS,
                    months=months,
                )
            )
        if self.growth <= -100:
            raise UserError(
                self.env._("A growth of %(growth)s %% leaves nothing to sell.", growth=self.growth)
            )
        if self.rounding < 0:
            raise UserError(self.env._("Targets cannot be rounded to a negative amount."))
        if not (self.partner_ids or self.grade_id or self.customer_channel or self.user_id):
            raise UserError(self.env._("Choose the customers, or a grade, a channel or a salesperson."))

    def _customers(self):
        """The customers to plan, as the manager may read them: those chosen
        (their commercial partners), else every customer of the criteria;
        either way those of the grade, channel and salesperson chosen, shared
        or of the wizard's company."""
        domain = Domain("is_customer_card", "=", True) & Domain(
            "company_id", "in", [self.company_id.id, False]
        )
        if self.partner_ids:
            domain &= Domain("id", "in", self.partner_ids.commercial_partner_id.ids)
        else:
            domain &= Domain("customer_rank", ">", 0)
        if self.grade_id:
            domain &= Domain("customer_grade_id", "=", self.grade_id.id)
        if self.customer_channel:
            domain &= Domain("customer_channel", "=", self.customer_channel)
        if self.user_id:
            domain &= Domain("user_id", "=", self.user_id.id)
        return self.env["res.partner"].search(domain)

    def _insert_plans(self, customers):
        """Draft plans of ``customers`` for each month, in one statement: the
        target is last year's invoiced amount of the month (the plans' own
        definition, customer.sales.plan._invoiced_sql) grown and rounded;
        customers without sales then are skipped unless asked for; existing
        plans are left untouched (ON CONFLICT DO NOTHING). Returns the new
        plans."""
        if not customers:
            return self.env["customer.sales.plan"]
        Plan = self.env["customer.sales.plan"]
        Plan._flush_sales_data()
        Plan.flush_model()
        currency = self.company_id.currency_id
        grown = SQL("GREATEST(invoiced.amount_last_year, 0) * (1 + %s::numeric / 100)", self.growth)
        target = (
            SQL("ROUND(%s / %s::numeric) * %s::numeric", grown, self.rounding, self.rounding)
            if self.rounding
            else SQL("ROUND(%s, %s)", grown, currency.decimal_places)
        )
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO customer_sales_plan (
                    partner_id, company_id, user_id, month, amount_target, state,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT plan.partner_id, plan.company_id, customer.user_id, plan.month, %(target)s, 'draft',
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM (
                    SELECT customer_id AS partner_id, %(company)s AS company_id, month::date AS month
                      FROM unnest(%(customers)s::int[]) AS customer_id,
                           generate_series(
                               %(month_from)s::timestamp, %(month_to)s::timestamp, INTERVAL '1 month'
                           ) AS month
                  ) AS plan
                  JOIN res_partner customer ON customer.id = plan.partner_id
            CROSS JOIN LATERAL (%(invoiced)s) AS invoiced
                 WHERE %(include_all)s OR invoiced.amount_last_year > 0
           ON CONFLICT (partner_id, company_id, month) DO NOTHING
             RETURNING id
                """,
                target=target,
                uid=self.env.uid,
                company=self.company_id.id,
                customers=customers.ids,
                month_from=month_start(self.month_from),
                month_to=month_start(self.month_to),
                invoiced=Plan._invoiced_sql("plan"),
                include_all=self.include_without_sales,
            )
        )
        plans = Plan.browse(plan_id for (plan_id,) in rows)
        if plans:
            body = Markup("<p>%s</p>") % self.env._(
                "Generated by %(user)s: the same month's invoicing last year plus %(growth)s %%, rounded to "
                "%(rounding)s.",
                user=self.env.user.name,
                growth=self.growth,
                rounding=self.rounding,
            )
            plans._message_log_batch(dict.fromkeys(plans.ids, body))
        return plans

    def _result_action(self, plans):
        """Say how many plans were created, and open them."""
        if not plans:
            message = self.env._(
                "No new sales plan: the plans exist already, or the customers had no sales in those months "
                "last year."
            )
            return self._notification(message, "warning", {"type": "ir.actions.act_window_close"})
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.customer_sales_plan_action")
        action.update(
            {
                "domain": [("id", "in", plans.ids)],
                "context": {"create": False},
                "target": "main",
            }
        )
        message = self.env._(
            "%(count)s draft sales plans created for %(customers)s customers.",
            count=len(plans),
            customers=len(plans.partner_id),
        )
        return self._notification(message, "success", action)

    def _notification(self, message, kind, next_action):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Generate Sales Plans"),
                "message": message,
                "type": kind,
                "sticky": False,
                "next": next_action,
            },
        }
