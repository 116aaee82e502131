from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.sql import add_index, index_exists

from ..snapshot import temporary_snapshot

CUSTOMER_CHANNELS = [("wholesale", "Wholesale / chain"), ("retail", "Retail / medical")]

KEY_ACCOUNT_TYPES = [
    ("loyal_state", "Loyal state-owned"),
    ("semi_loyal_state", "Semi-loyal state-owned"),
    ("disloyal_state", "Disloyal state-owned"),
    ("loyal_private", "Loyal private"),
    ("semi_loyal_private", "Semi-loyal private"),
    ("disloyal_private", "Disloyal private"),
]

STRATEGIES = [
    ("attack", "Attack"),
    ("defend", "Defend"),
    ("maintain", "Maintain"),
    ("abandon", "Abandon"),
]
# Seed 004 (攻守模型): share of time / people / money out of 10, and what to measure.
STRATEGY_RESOURCES = {"attack": (7, 6, 6), "defend": (2, 2, 2), "maintain": (1, 2, 2), "abandon": (0, 0, 0)}
# "Our products make up most of what the customer buys" (占据多数).
MAJORITY_SHARE = 50.0

# Manual classification axes follow the commercial entity onto its contacts.
COMMERCIAL_CLASSIFICATION_FIELDS = [
    "customer_nature",
    "customer_channel",
    "business_type",
    "terminal_level",
    "market_position",
    "loyalty",
    "ownership_type",
    "is_special_supply_unit",
    "is_key_account",
    "is_bully_customer",
    "is_sme_supported",
    "first_trade_date_override",
]
# Classification fields on the card: in its completeness, edited as the card is.
CARD_CLASSIFICATION_FIELDS = (
    "customer_nature",
    "customer_channel",
    "business_type",
    "ownership_type",
    "loyalty",
    "purchasing_capacity",
    "purchase_share",
)
DEFAULT_REQUIRED_CLASSIFICATION_FIELDS = ("customer_nature", "customer_channel", "business_type")

# What the classification reads of the invoices: posted customer invoices (sales)
# and vendor bills (purchases). The aggregation of the trade of some customers
# (``_customer_trade_sql`` with partner ids: the button, a declared first trade
# date, any small set) reads them through this partial index; the daily run over
# every customer aggregates them all in one pass instead.
TRADE_MOVES = "state = 'posted' AND move_type IN ('out_invoice', 'in_invoice', 'in_refund')"
TRADE_MOVES_INDEX = (
    "account_move__customer_mgmt_trade_idx",
    "account_move",
    f"(commercial_partner_id) INCLUDE (move_type, invoice_date) WHERE {TRADE_MOVES}",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    first_trade_date_auto = fields.Date(
        string="First Trade (from documents)",
        readonly=True,
        copy=False,
        help="Date of the first posted customer invoice or confirmed sales order.",
    )
    first_trade_date_override = fields.Date(
        string="First Trade (declared)",
        copy=False,
        tracking=True,
        help="Set when trading started before the history recorded in Odoo.",
    )
    first_trade_date = fields.Date(
        compute="_compute_first_trade_date",
        store=True,
        index=True,
        copy=False,
    )

    # ------------------------------------------------------------------
    # Fields: classification (客户分类)
    # ------------------------------------------------------------------
    customer_nature = fields.Selection(
        [
            ("government", "Government"),
            ("special", "Special company"),
            ("company", "Ordinary company"),
            ("individual", "Individual"),
            ("partner", "Business partner"),
        ],
        string="Nature",
        index=True,
        tracking=True,
    )
    customer_channel = fields.Selection(
        CUSTOMER_CHANNELS,
        string="Channel",
        index=True,
        tracking=True,
    )
    trading_stage = fields.Selection(
        [("prospective", "Prospective"), ("current", "Current"), ("former", "Former")],
        readonly=True,
        index=True,
        copy=False,
        help="Prospective: never traded. Current: traded within the former-customer period. "
        "Former: traded before, not within that period.",
    )
    customer_tenure = fields.Selection(
        [("future", "Future"), ("new", "New"), ("old", "Old")],
        string="Old / New",
        readonly=True,
        index=True,
        copy=False,
        help="Future: no trade yet. New: first trade within the new-customer period. Old: earlier.",
    )
    purchase_relation = fields.Selection(
        [
            ("downstream", "Downstream customer"),
            ("upstream", "Upstream supplier"),
            ("both", "Supplier and customer"),
        ],
        readonly=True,
        index=True,
        copy=False,
        help="Computed from posted customer invoices, confirmed sales orders and posted vendor bills.",
    )
    last_sale_date = fields.Date(string="Last Sale", readonly=True, copy=False)
    classification_date = fields.Date(string="Classified On", readonly=True, copy=False, index=True)
    market_position = fields.Selection(
        [("main", "Main"), ("general", "General"), ("scattered", "Scattered")],
        index=True,
        tracking=True,
    )
    business_type = fields.Selection(
        [("distributor", "Distributor"), ("terminal", "Terminal")],
        string="Business Nature",
        index=True,
        tracking=True,
    )
    terminal_level = fields.Selection(
        [
            ("first", "First terminal (public institutions, tenders)"),
            ("second", "Second terminal (chain distribution centres)"),
            ("third", "Third terminal (retail shops, small institutions)"),
        ],
        index=True,
        tracking=True,
    )
    loyalty = fields.Selection(
        [("loyal", "Loyal"), ("semi_loyal", "Semi-loyal"), ("disloyal", "Disloyal")],
        index=True,
        tracking=True,
    )
    ownership_type = fields.Selection(
        [("state_owned", "State-owned"), ("private", "Private")],
        string="Ownership",
        index=True,
        tracking=True,
    )
    key_account_type = fields.Selection(
        KEY_ACCOUNT_TYPES,
        compute="_compute_key_account_type",
        store=True,
        index=True,
    )
    service_focus = fields.Char(compute="_compute_service_focus")
    is_special_supply_unit = fields.Boolean(
        string="Special Support Unit",
        index=True,
        tracking=True,
        help="A-class, loyal, large shop in a busy location, good reputation (特供支持单位).",
    )
    is_key_account = fields.Boolean(string="Key Account", index=True, tracking=True)
    is_bully_customer = fields.Boolean(string="Bully Customer", index=True, tracking=True)
    is_sme_supported = fields.Boolean(string="SME to Support", index=True, tracking=True)

    # ------------------------------------------------------------------
    # Fields: strategy (攻守模型)
    # ------------------------------------------------------------------
    purchasing_capacity = fields.Selection(
        [("high", "High"), ("low", "Low")],
        tracking=True,
        help="The customer's purchasing capacity (采购能力); suggested from its declared scale.",
    )
    purchasing_capacity_suggested = fields.Selection(
        [("high", "High"), ("low", "Low")],
        string="Suggested Capacity",
        compute="_compute_purchasing_capacity_suggested",
    )
    purchase_share = fields.Float(
        string="Our Share (%)",
        digits=(5, 1),
        tracking=True,
        help="Share of the customer's purchases of our kind of products that it buys from us (份额).",
    )
    strategy_quadrant = fields.Selection(
        STRATEGIES,
        string="Strategy",
        compute="_compute_strategy_quadrant",
        store=True,
        index=True,
        help="Attack: new customers and markets. Defend: high capacity, high share. Maintain: high "
        "capacity, low share (or low capacity, high share). Abandon: low capacity, low share.",
    )
    strategy_resources = fields.Char(string="Resource Split", compute="_compute_strategy_guidance")
    strategy_kpi = fields.Char(string="Measure", compute="_compute_strategy_guidance")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("first_trade_date_override", "first_trade_date_auto")
    def _compute_first_trade_date(self):
        for partner in self:
            partner.first_trade_date = partner.first_trade_date_override or partner.first_trade_date_auto

    @api.depends("loyalty", "ownership_type")
    def _compute_key_account_type(self):
        for partner in self:
            if partner.loyalty and partner.ownership_type:
                ownership = "state" if partner.ownership_type == "state_owned" else "private"
                partner.key_account_type = f"{partner.loyalty}_{ownership}"
            else:
                partner.key_account_type = False

    @api.depends("loyalty", "ownership_type")
    def _compute_service_focus(self):
        """Service focus of the six key-account types (seed 003): state-owned
        customers value service, private ones value; loyal ones get added
        value and long-term benefit, disloyal ones short-term benefit."""
        ownership_focus = {
            "state_owned": self.env._("service"),
            "private": self.env._("value"),
        }
        loyalty_focus = {
            "loyal": self.env._("added value and long-term benefit"),
            "semi_loyal": self.env._("win loyalty: added value with near-term benefit"),
            "disloyal": self.env._("short-term, immediate benefit"),
        }
        for partner in self:
            if partner.loyalty and partner.ownership_type:
                partner.service_focus = self.env._(
                    "%(ownership)s; %(loyalty)s",
                    ownership=ownership_focus[partner.ownership_type],
                    loyalty=loyalty_focus[partner.loyalty],
                )
            else:
                partner.service_focus = False

    @api.depends("customer_card_ids.business_scale")
    def _compute_purchasing_capacity_suggested(self):
        for partner in self:
            partner.purchasing_capacity_suggested = partner.business_scale and (
                "high" if partner.business_scale == "large" else "low"
            )

    @api.depends("trading_stage", "purchasing_capacity", "customer_card_ids.business_scale", "purchase_share")
    def _compute_strategy_quadrant(self):
        # One rule, two implementations: this one for edits of a customer's capacity, scale and
        # share, _strategy_quadrant_sql() for the classification refresh, which writes the
        # trading stage in SQL. Change both together (test_strategy_quadrant_sql_matches_python).
        for partner in self:
            capacity = partner.purchasing_capacity or partner.purchasing_capacity_suggested
            high_share = partner.purchase_share >= MAJORITY_SHARE
            if partner.trading_stage == "prospective":
                partner.strategy_quadrant = "attack"
            elif not capacity:
                partner.strategy_quadrant = False
            elif capacity == "high":
                partner.strategy_quadrant = "defend" if high_share else "maintain"
            else:
                partner.strategy_quadrant = "maintain" if high_share else "abandon"

    @api.depends("strategy_quadrant")
    def _compute_strategy_guidance(self):
        kpis = {
            "attack": self.env._("Revenue growth, new customers won"),
            "defend": self.env._(
                "Margin growth, sales expense, receivable days, customers lost, satisfaction"
            ),
            "maintain": self.env._("Serve at low cost and keep screening for growth"),
            "abandon": self.env._("Spend no more time or money: keep them for other customers"),
        }
        for partner in self:
            quadrant = partner.strategy_quadrant
            if quadrant:
                time_share, people, money = STRATEGY_RESOURCES[quadrant]
                partner.strategy_resources = self.env._(
                    "Time %(time)s, people %(people)s, money %(money)s (out of 10)",
                    time=time_share,
                    people=people,
                    money=money,
                )
                partner.strategy_kpi = kpis[quadrant]
            else:
                partner.strategy_resources = partner.strategy_kpi = False

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------
    def init(self):
        res = super().init()
        name, table, definition = TRADE_MOVES_INDEX
        if not index_exists(self.env.cr, name):
            add_index(self.env.cr, name, table, SQL(f"USING btree {definition}"), unique=False)
        return res

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + COMMERCIAL_CLASSIFICATION_FIELDS

    @api.model
    def _customer_card_fields(self):
        return super()._customer_card_fields() + list(CARD_CLASSIFICATION_FIELDS)

    @api.model
    def _customer_card_default_required_fields(self):
        return super()._customer_card_default_required_fields() + list(DEFAULT_REQUIRED_CLASSIFICATION_FIELDS)

    @api.model
    def _customer_card_guarded_fields(self):
        return (
            super()
            ._customer_card_guarded_fields()
            .union(COMMERCIAL_CLASSIFICATION_FIELDS, CARD_CLASSIFICATION_FIELDS)
        )

    def write(self, vals):
        res = super().write(vals)
        if "first_trade_date_override" in vals:
            self.commercial_partner_id._refresh_customer_classification()
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_refresh_classification(self):
        self.commercial_partner_id._refresh_customer_classification()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _strategy_quadrant_sql(self, trading_stage, partner, business_scale):
        """The strategy quadrant as an SQL expression, for the partner row
        ``partner`` (an alias) at the trading stage ``trading_stage`` with the
        scale ``business_scale`` (SQL expressions; the scale is on the card
        sections): the rule of ``_compute_strategy_quadrant``, for the
        refresh, which writes the stage in SQL."""
        # the declared capacity, else the one suggested by the scale; each
        # evaluated once per row (the scale may be a subquery: OFFSET 0 keeps the
        # planner from copying it into each of its uses)
        return SQL(
            """(SELECT CASE WHEN %(stage)s = 'prospective' THEN 'attack'
                           WHEN c.capacity IS NULL THEN NULL
                           WHEN c.capacity = 'high'
                           THEN CASE WHEN COALESCE(%(partner)s.purchase_share, 0) >= %(majority)s
                                     THEN 'defend' ELSE 'maintain' END
                           ELSE CASE WHEN COALESCE(%(partner)s.purchase_share, 0) >= %(majority)s
                                     THEN 'maintain' ELSE 'abandon' END
                      END
                 FROM (SELECT COALESCE(%(partner)s.purchasing_capacity,
                                       CASE WHEN s.scale = 'large' THEN 'high'
                                            WHEN s.scale IS NOT NULL THEN 'low' END) AS capacity
                         FROM (SELECT %(scale)s AS scale OFFSET 0) s) c)""",
            stage=trading_stage,
            partner=SQL.identifier(partner),
            scale=business_scale,
            majority=MAJORITY_SHARE,
        )

    @api.model
    def _customer_trade_sql(self, partner_ids=None):
        """First and last sale, and whether it sells to us, per commercial
        partner (``partner_id``, ``first_date``, ``last_date``, ``buys``).

        Sales are posted customer invoices and confirmed sales orders (of the
        buyer's company); purchases are posted vendor bills. Restricted to
        ``partner_ids`` if given: through ``TRADE_MOVES_INDEX``, for a few
        customers; else one pass over the invoices for all of them.
        """
        move_filter = order_filter = SQL()
        if partner_ids is not None:
            move_filter = SQL("AND commercial_partner_id = ANY(%s)", partner_ids)
            order_filter = SQL("AND buyer.commercial_partner_id = ANY(%s)", partner_ids)
        return SQL(
            """
            SELECT pid AS partner_id, MIN(first_date) AS first_date, MAX(last_date) AS last_date,
                   bool_or(buys) AS buys
              FROM (
                SELECT commercial_partner_id AS pid,
                       MIN(invoice_date) FILTER (WHERE move_type = 'out_invoice') AS first_date,
                       MAX(invoice_date) FILTER (WHERE move_type = 'out_invoice') AS last_date,
                       bool_or(move_type IN ('in_invoice', 'in_refund')) AS buys
                  FROM account_move
                 WHERE %(trade_moves)s %(move_filter)s
              GROUP BY commercial_partner_id
             UNION ALL
                SELECT buyer.commercial_partner_id, MIN(so.date_order)::date, MAX(so.date_order)::date, FALSE
                  FROM sale_order so
                  JOIN res_partner buyer ON buyer.id = so.partner_id
                 WHERE so.state = 'sale' %(order_filter)s
              GROUP BY buyer.commercial_partner_id
                   ) trades
          GROUP BY pid
            """,
            trade_moves=SQL(TRADE_MOVES),
            move_filter=move_filter,
            order_filter=order_filter,
        )

    @api.model
    def _customer_trade_snapshot(self):
        """Aggregate the trade of every customer once, for a run of batches,
        into a temporary table (kept across the batches' commits, rebuilt by
        every run), indexed for the batches' lookups, as the regrade does.
        Returns the SQL that reads it."""
        return temporary_snapshot(self.env.cr, "customer_mgmt_trade_snapshot", self._customer_trade_sql())

    def _refresh_customer_classification(self, trades=None):
        """Recompute trading stage, old/new, purchase relation, first/last
        trade dates and strategy quadrant of the commercial partners in
        ``self`` in one SQL statement, and copy them onto their contacts.

        ``trades`` is a query of the trade of at least these customers (see
        ``_customer_trade_sql``; by default aggregated for them alone).
        Thresholds come from the partner's company, or the current company for
        partners shared between companies.
        """
        if not self:
            return
        self.env.flush_all()
        today = fields.Date.context_today(self)
        self.env.execute_query(
            SQL(
                """
            WITH trades AS (%(trades)s), figures AS (
                SELECT p.id,
                       t.first_date,
                       COALESCE(p.first_trade_date_override, t.first_date) AS first_trade,
                       t.last_date,
                       t.first_date IS NOT NULL AS sells,
                       COALESCE(t.buys, FALSE) AS buys,
                       %(today)s::date - make_interval(months => c.customer_new_months) AS new_since,
                       %(today)s::date - make_interval(months => c.customer_former_months) AS active_since
                  FROM res_partner p
                  JOIN res_company c ON c.id = COALESCE(p.company_id, %(company_id)s)
             LEFT JOIN trades t ON t.partner_id = p.id
                 WHERE p.id = ANY(%(ids)s)
            ), classes AS (
                SELECT id, first_date, first_trade, last_date,
                       CASE WHEN first_trade IS NULL THEN 'prospective'
                            WHEN last_date >= active_since THEN 'current'
                            ELSE 'former' END AS trading_stage,
                       CASE WHEN first_trade IS NULL THEN 'future'
                            WHEN first_trade >= new_since THEN 'new'
                            ELSE 'old' END AS customer_tenure,
                       CASE WHEN sells AND buys THEN 'both'
                            WHEN sells THEN 'downstream'
                            WHEN buys THEN 'upstream' END AS purchase_relation
                  FROM figures
            )
            UPDATE res_partner p
               SET first_trade_date_auto = k.first_date,
                   first_trade_date = k.first_trade,
                   last_sale_date = k.last_date,
                   trading_stage = k.trading_stage,
                   customer_tenure = k.customer_tenure,
                   purchase_relation = k.purchase_relation,
                   strategy_quadrant = %(strategy_quadrant)s,
                   classification_date = %(today)s
              FROM classes k
             WHERE p.commercial_partner_id = k.id
            """,
                trades=trades or self._customer_trade_sql(self.ids),
                ids=list(self.ids),
                today=today,
                company_id=self.env.company.id,
                strategy_quadrant=self._strategy_quadrant_sql(
                    SQL("k.trading_stage"),
                    "p",
                    SQL("(SELECT card.business_scale FROM customer_card card WHERE card.partner_id = p.id)"),
                ),
            )
        )
        self.invalidate_model(
            [
                "first_trade_date_auto",
                "first_trade_date",
                "last_sale_date",
                "trading_stage",
                "customer_tenure",
                "purchase_relation",
                "strategy_quadrant",
                "classification_date",
            ]
        )

    @api.model
    def _cron_refresh_customer_classification(self, batch_size=1000):
        """Classify every commercial partner once a day, batch by batch, from
        one aggregation of the trade of all customers.

        Partners already classified today are skipped, so a run that stopped
        halfway resumes where it was.
        """
        domain = Domain("is_customer_card", "=", True) & Domain(
            "classification_date", "!=", fields.Date.context_today(self)
        )
        # an estimate: customers classified meanwhile by hand are counted, new ones are not
        remaining = self.search_count(domain)
        if not remaining:
            return
        trades = self._customer_trade_snapshot()
        last_id = 0
        while partners := self.search(domain & Domain("id", ">", last_id), limit=batch_size, order="id"):
            partners._refresh_customer_classification(trades=trades)
            last_id = partners[-1].id
            remaining = max(remaining - len(partners), 0)
            if not self.env["ir.cron"]._commit_progress(len(partners), remaining=remaining):
                break
