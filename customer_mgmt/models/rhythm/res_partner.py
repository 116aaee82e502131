import json
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_date

# the frequency trend compares the purchase days of the last 90 days with the 90 before
TREND_DAYS = 90
GRAPH_MONTHS = 24
RHYTHM_COLUMNS = (
    "purchase_day_count",
    "purchase_amount",
    "purchase_product_count",
    "purchase_category_count",
    "purchase_gap_avg",
    "purchase_gap_median",
    "purchase_gap_p90",
    "last_purchase_date",
    "purchase_days_recent",
    "purchase_days_previous",
)


class ResPartner(models.Model):
    """Purchase rhythm (客户考勤): how often, how much and what each customer
    buys, from posted customer invoices; stored on the commercial partner by
    the warning scan in one statement for all customers, so that the churn and
    frequency warnings judge each customer against its own rhythm."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    purchase_day_count = fields.Integer(
        string="Purchase Days", readonly=True, help="Days with a posted invoice within the grading window."
    )
    purchase_amount = fields.Monetary(
        string="Purchased", readonly=True, help="Invoiced minus refunded, untaxed, within the grading window."
    )
    purchase_product_count = fields.Integer(string="Products Bought", readonly=True)
    purchase_category_count = fields.Integer(string="Product Categories Bought", readonly=True)
    purchase_gap_avg = fields.Float(string="Average Gap (days)", readonly=True, digits=(16, 1))
    purchase_gap_median = fields.Float(string="Median Gap (days)", readonly=True, digits=(16, 1))
    purchase_gap_p90 = fields.Float(
        string="Longest Usual Gap (days)",
        readonly=True,
        digits=(16, 1),
        help="The customer's own 90th percentile of the days between two purchase days.",
    )
    last_purchase_date = fields.Date(readonly=True)
    days_since_purchase = fields.Integer(
        string="Days since Last Purchase", compute="_compute_days_since_purchase"
    )
    purchase_days_recent = fields.Integer(string="Purchase Days, Last 90 Days", readonly=True)
    purchase_days_previous = fields.Integer(string="Purchase Days, 90 Days Before", readonly=True)
    purchase_frequency_trend = fields.Float(
        string="Frequency Trend (%)",
        compute="_compute_purchase_frequency_trend",
        help="Purchase days of the last 90 days against the 90 days before: -50 means half as often.",
    )
    purchase_monthly_graph = fields.Text(compute="_compute_purchase_monthly_graph", compute_sudo=False)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("last_purchase_date")
    def _compute_days_since_purchase(self):
        today = fields.Date.context_today(self)
        for partner in self:
            last = partner.commercial_partner_id.last_purchase_date
            partner.days_since_purchase = (today - last).days if last else 0

    @api.depends("purchase_days_recent", "purchase_days_previous")
    def _compute_purchase_frequency_trend(self):
        for partner in self:
            previous = partner.purchase_days_previous
            partner.purchase_frequency_trend = (
                100.0 * (partner.purchase_days_recent - previous) / previous if previous else 0.0
            )

    @api.depends_context("uid", "lang")
    def _compute_purchase_monthly_graph(self):
        """Monthly invoiced sales over 24 months for the dashboard graph
        widget, for the customers whose card the user may read: one query
        for all of them."""
        today = fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=GRAPH_MONTHS - 1)
        readable = self.filtered(lambda p: p.commercial_partner_id.can_read_card_sections)
        sales = {
            (partner, month.replace(day=1)): amount
            for partner, month, amount in self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", readable.commercial_partner_id.ids),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("invoice_date", ">=", first),
                ],
                ["commercial_partner_id", "invoice_date:month"],
                ["amount_untaxed_signed:sum"],
            )
        }
        months = [first + relativedelta(months=offset) for offset in range(GRAPH_MONTHS)]
        labels = [format_date(self.env, month, date_format="yy/MM") for month in months]
        for partner in self:
            if partner not in readable:
                partner.purchase_monthly_graph = False
                continue
            commercial = partner.commercial_partner_id.sudo()
            values = [
                {"label": label, "value": sales.get((commercial, month), 0.0), "type": "past"}
                for label, month in zip(labels, months, strict=True)
            ]
            partner.purchase_monthly_graph = json.dumps(
                [{"key": self.env._("Monthly Sales"), "values": values}]
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _refresh_purchase_rhythm(self):
        """Measure the rhythm of every customer in one statement over the
        posted invoice lines of the grading window (of the current company)
        and the last 180 days, and write only the partners whose figures
        changed: most do not from one day to the next, and each rewritten row
        of res_partner costs its indexes. Returns how many changed."""
        self.env.flush_all()
        today = fields.Date.context_today(self)
        window_start = today - relativedelta(months=self.env.company.customer_grade_months)
        since = min(window_start, today - timedelta(days=2 * TREND_DAYS - 1))
        columns = SQL(", ").join(SQL.identifier(column) for column in RHYTHM_COLUMNS)
        rows = self.env.execute_query(
            SQL(
                """
                WITH line AS (
                    SELECT move.commercial_partner_id AS partner_id, move.invoice_date AS day,
                           move.move_type, -line.balance AS amount, line.product_id
                      FROM account_move_line line
                      JOIN account_move move ON move.id = line.move_id
                     WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
                       AND line.display_type = 'product' AND move.invoice_date BETWEEN %(since)s AND %(today)s
                ), day AS (
                    SELECT partner_id, day FROM line WHERE move_type = 'out_invoice' GROUP BY partner_id, day
                ), gap AS (
                    SELECT partner_id, day, day - LAG(day) OVER (PARTITION BY partner_id ORDER BY day) AS gap
                      FROM day WHERE day >= %(window_start)s
                ), by_day AS (
                    SELECT partner_id,
                           COUNT(*) AS purchase_day_count,
                           AVG(gap) AS purchase_gap_avg,
                           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap) AS purchase_gap_median,
                           PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY gap) AS purchase_gap_p90
                      FROM gap GROUP BY partner_id
                ), trend AS (
                    SELECT partner_id, MAX(day) AS last_purchase_date,
                           COUNT(*) FILTER (WHERE day > %(today)s - %(trend)s) AS purchase_days_recent,
                           COUNT(*) FILTER (WHERE day <= %(today)s - %(trend)s) AS purchase_days_previous
                      FROM day WHERE day > %(today)s - 2 * %(trend)s GROUP BY partner_id
                ), by_line AS (
                    SELECT line.partner_id, SUM(line.amount) AS purchase_amount,
                           COUNT(DISTINCT line.product_id) FILTER (WHERE line.move_type = 'out_invoice')
                               AS purchase_product_count,
                           COUNT(DISTINCT template.categ_id) FILTER (WHERE line.move_type = 'out_invoice')
                               AS purchase_category_count,
                           MAX(line.day) FILTER (WHERE line.move_type = 'out_invoice') AS last_day
                      FROM line
                      LEFT JOIN product_product product ON product.id = line.product_id
                      LEFT JOIN product_template template ON template.id = product.product_tmpl_id
                     GROUP BY line.partner_id
                ), measured AS (
                    SELECT partner.id,
                           COALESCE(by_day.purchase_day_count, 0) AS purchase_day_count,
                           COALESCE(by_line.purchase_amount, 0) AS purchase_amount,
                           COALESCE(by_line.purchase_product_count, 0) AS purchase_product_count,
                           COALESCE(by_line.purchase_category_count, 0) AS purchase_category_count,
                           ROUND(by_day.purchase_gap_avg, 1)::float AS purchase_gap_avg,
                           ROUND(by_day.purchase_gap_median::numeric, 1)::float AS purchase_gap_median,
                           ROUND(by_day.purchase_gap_p90::numeric, 1)::float AS purchase_gap_p90,
                           -- a last purchase older than the lines read is kept as it was
                           COALESCE(by_line.last_day, partner.last_purchase_date) AS last_purchase_date,
                           COALESCE(trend.purchase_days_recent, 0)::int AS purchase_days_recent,
                           COALESCE(trend.purchase_days_previous, 0)::int AS purchase_days_previous
                      FROM res_partner partner
                      LEFT JOIN by_line ON by_line.partner_id = partner.id
                      LEFT JOIN by_day ON by_day.partner_id = partner.id
                      LEFT JOIN trend ON trend.partner_id = partner.id
                     WHERE by_line.partner_id IS NOT NULL
                        OR (partner.purchase_day_count > 0 OR partner.purchase_amount != 0
                            OR partner.purchase_days_recent > 0 OR partner.purchase_days_previous > 0)
                )
                UPDATE res_partner partner
                   SET (%(columns)s) = ROW(%(measured_columns)s)
                  FROM measured
                 WHERE measured.id = partner.id
                   AND (%(partner_columns)s) IS DISTINCT FROM (%(measured_columns)s)
                RETURNING partner.id
                """,
                since=since,
                today=today,
                window_start=window_start,
                trend=TREND_DAYS,
                columns=columns,
                partner_columns=SQL(", ").join(
                    SQL.identifier("partner", column) for column in RHYTHM_COLUMNS
                ),
                measured_columns=SQL(", ").join(
                    SQL.identifier("measured", column) for column in RHYTHM_COLUMNS
                ),
            )
        )
        self.invalidate_model(RHYTHM_COLUMNS)
        return len(rows)

    def action_view_monthly_sales(self):
        """Odoo's invoice analysis of the customer, by month, as a bar chart."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_account_invoice_report_all")
        action.update(
            domain=[("commercial_partner_id", "=", self.commercial_partner_id.id)],
            context={"search_default_current": 0, "group_by": ["invoice_date:month"]},
            view_mode="graph,pivot,list",
            views=[(False, "graph"), (False, "pivot"), (False, "list")],
        )
        return action
