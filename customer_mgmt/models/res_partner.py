import json
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, html_escape
from odoo.tools.mail import generate_tracking_message_id

QUALITY_LEVELS = [
    ("excellent", "Excellent"),
    ("good", "Good"),
    ("average", "Average"),
    ("poor", "Poor"),
]
HIGH_LOW = [("high", "High"), ("medium", "Medium"), ("low", "Low")]
CUSTOMER_CHANNELS = [("wholesale", "Wholesale / chain"), ("retail", "Retail / medical")]

KEY_ACCOUNT_TYPES = [
    ("loyal_state", "Loyal state-owned"),
    ("semi_loyal_state", "Semi-loyal state-owned"),
    ("disloyal_state", "Disloyal state-owned"),
    ("loyal_private", "Loyal private"),
    ("semi_loyal_private", "Semi-loyal private"),
    ("disloyal_private", "Disloyal private"),
]

DECISION_STYLES = [
    ("leader", "Leader"),
    ("influencer", "Influencer"),
    ("follower", "Follower"),
    ("checker", "Checker"),
]

# Personal data of key people: readable only by card custodians, every read logged.
CUSTODIAN = "customer_mgmt.group_card_custodian"
CONFIDENTIAL_FIELDS = frozenset(
    {
        "personality",
        "hobbies",
        "family_info",
        "education",
        "birthday",
        "age",
        "health_info",
        "decision_style",
        "decision_style_advice",
    }
)

# Card fields a company can require (completeness); the default set is the
# card's core of each of the four sections.
CARD_FIELDS = (
    "street",
    "phone",
    "email",
    "user_id",
    "legal_representative",
    "owner_contact_id",
    "manager_contact_id",
    "organization_form",
    "founding_date",
    "registered_capital",
    "total_assets",
    "certificate_ids",
    "service_area_ids",
    "sales_capability",
    "development_potential",
    "business_philosophy",
    "business_direction",
    "business_policy",
    "business_scale",
    "employee_count",
    "business_features",
    "management_quality",
    "sales_staff_quality",
    "competitor_relations",
    "relation_with_us",
    "cooperation_attitude",
    "current_sales_status",
    "existing_problems",
    "strengths",
    "future_strategy",
    "reputation",
    "customer_nature",
    "customer_channel",
    "business_type",
    "ownership_type",
    "loyalty",
    "purchasing_capacity",
    "purchase_share",
)
DEFAULT_REQUIRED_CARD_FIELDS = (
    "street",
    "phone",
    "user_id",
    "legal_representative",
    "organization_form",
    "founding_date",
    "certificate_ids",
    "service_area_ids",
    "sales_capability",
    "business_scale",
    "cooperation_attitude",
    "reputation",
    "customer_nature",
    "customer_channel",
    "business_type",
)
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
ABC_CLASSES = [("a", "A"), ("b", "B"), ("c", "C")]
# Written by the regrade and the manager's override only.
GRADE_FIELDS = frozenset(
    {
        "customer_grade_id",
        "monthly_avg_sales",
        "gross_margin",
        "abc_class",
        "grade_override_until",
        "grade_override_reason",
    }
)

# Card fields this module adds (Odoo's own address and phone fields stay as they are).
CORE_CARD_FIELDS = frozenset({"street", "phone", "email", "user_id"})
# Manual classification axes follow the commercial entity onto its contacts.
COMMERCIAL_CARD_FIELDS = [
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
MODULE_CARD_FIELDS = frozenset(CARD_FIELDS).union(COMMERCIAL_CARD_FIELDS) - CORE_CARD_FIELDS
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
CREDIT_CONTROLLER = "customer_mgmt.group_credit_controller"
# Who reads a customer's credit figures: its salespeople, credit control and accounting.
CREDIT_FIGURE_GROUPS = (
    "customer_mgmt.group_customer_user,customer_mgmt.group_credit_controller,"
    "account.group_account_invoice,account.group_account_readonly"
)
NO_CREDIT_FIGURES = dict.fromkeys(
    ("limit", "exposure", "receivable", "draft_invoices", "orders", "overdue_amount", "overdue_days"), 0
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields: basic data (基本资料)
    # ------------------------------------------------------------------
    is_customer_card = fields.Boolean(
        compute="_compute_is_customer_card",
        store=True,
        index=True,
        string="Has Customer Card",
        help="Commercial entities (companies and individuals without a parent) carry the customer card.",
    )
    legal_representative = fields.Char(tracking=True)
    owner_contact_id = fields.Many2one(
        "res.partner",
        string="Owner",
        domain="[('parent_id', '=', id)]",
        tracking=True,
    )
    manager_contact_id = fields.Many2one(
        "res.partner",
        string="Managing Director",
        domain="[('parent_id', '=', id)]",
        tracking=True,
    )
    organization_form = fields.Selection(
        [
            ("state_owned", "State-owned enterprise"),
            ("collective", "Collective enterprise"),
            ("limited", "Limited liability company"),
            ("joint_stock", "Joint-stock company"),
            ("private", "Private enterprise"),
            ("partnership", "Partnership"),
            ("sole_trader", "Individual business"),
            ("foreign", "Foreign-invested enterprise"),
            ("institution", "Public institution"),
            ("other", "Other"),
        ],
        string="Organisation Form",
        tracking=True,
    )
    founding_date = fields.Date(string="Founded On", tracking=True)
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
    registered_capital = fields.Monetary(tracking=True)
    total_assets = fields.Monetary(tracking=True)
    certificate_ids = fields.One2many("customer.certificate", "partner_id", string="Certificates")

    # ------------------------------------------------------------------
    # Fields: characteristics (客户特征)
    # ------------------------------------------------------------------
    service_area_ids = fields.Many2many(
        "res.country.state",
        "res_partner_service_area_rel",
        "partner_id",
        "state_id",
    )
    sales_capability = fields.Selection(HIGH_LOW, tracking=True)
    development_potential = fields.Selection(HIGH_LOW, tracking=True)
    business_philosophy = fields.Text(tracking=True)
    business_direction = fields.Text(tracking=True)
    business_policy = fields.Text(tracking=True)
    business_scale = fields.Selection(
        [("large", "Large"), ("medium", "Medium"), ("small", "Small")],
        string="Scale",
        tracking=True,
    )
    employee_count = fields.Integer(string="Staff Count", tracking=True)
    business_features = fields.Text(tracking=True)

    # ------------------------------------------------------------------
    # Fields: business status (业务状况)
    # ------------------------------------------------------------------
    sales_12_months = fields.Monetary(
        string="Sales (12 months)",
        compute="_compute_sales_12_months",
        help="Untaxed posted customer invoices minus refunds of the current company over the last "
        "12 months, in company currency.",
    )
    management_quality = fields.Selection(QUALITY_LEVELS, tracking=True)
    sales_staff_quality = fields.Selection(QUALITY_LEVELS, tracking=True)
    competitor_relations = fields.Text(string="Relations with Competitors", tracking=True)
    relation_with_us = fields.Text(string="Business Relation with Us", tracking=True)
    cooperation_attitude = fields.Selection(
        [
            ("very_cooperative", "Very cooperative"),
            ("cooperative", "Cooperative"),
            ("neutral", "Neutral"),
            ("uncooperative", "Uncooperative"),
        ],
        tracking=True,
    )

    # ------------------------------------------------------------------
    # Fields: transaction status (交易状况)
    # ------------------------------------------------------------------
    current_sales_status = fields.Text(string="Current Sales", tracking=True)
    existing_problems = fields.Text(string="Problems", tracking=True)
    strengths = fields.Text(tracking=True)
    future_strategy = fields.Text(tracking=True)
    reputation = fields.Selection(QUALITY_LEVELS, string="Image and Reputation", tracking=True)

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
    # Fields: grading (客户等级) and strategy (攻守模型)
    # ------------------------------------------------------------------
    customer_grade_id = fields.Many2one(
        "customer.grade",
        string="Grade",
        readonly=True,
        index=True,
        copy=False,
        group_expand="_read_group_customer_grade_ids",
    )
    customer_grade_color = fields.Integer(related="customer_grade_id.color")
    monthly_avg_sales = fields.Monetary(
        string="Monthly Average Sales",
        readonly=True,
        copy=False,
        help="Untaxed posted customer invoices minus refunds over the grading window, divided by its "
        "months, in company currency.",
    )
    gross_margin = fields.Float(
        string="Gross Margin (%)",
        digits=(5, 2),
        readonly=True,
        copy=False,
        aggregator="avg",
        help="(Sales - cost at invoice time) / sales over the grading window.",
    )
    abc_class = fields.Selection(
        ABC_CLASSES,
        string="ABC Class",
        readonly=True,
        index=True,
        copy=False,
        help="A: the biggest customers making the first share of cumulative sales (about 75%); "
        "B: the next share (about 20%); C: the rest, future potential.",
    )
    grade_override_until = fields.Date(string="Grade Fixed Until", readonly=True, copy=False)
    grade_override_reason = fields.Char(readonly=True, copy=False)
    grade_history_ids = fields.One2many("customer.grade.history", "partner_id")
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
    # Fields: card management (建档管理)
    # ------------------------------------------------------------------
    card_completeness = fields.Float(
        string="Card Completeness (%)",
        compute="_compute_card_completeness",
        store=True,
        digits=(5, 1),
        aggregator="avg",
    )
    card_review_ids = fields.One2many("customer.card.review", "partner_id", string="Card Reviews")
    card_last_review_date = fields.Date(string="Last Reviewed", readonly=True, copy=False, index=True)
    card_last_reviewer_id = fields.Many2one("res.users", string="Last Reviewer", readonly=True, copy=False)
    card_review_overdue = fields.Boolean(
        string="Review Overdue",
        compute="_compute_card_review_overdue",
        search="_search_card_review_overdue",
    )
    complaint_ids = fields.One2many("customer.complaint", "partner_id", string="Complaints")
    complaint_count = fields.Integer(compute="_compute_complaint_count")
    key_contact_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Key People",
        domain=[("is_key_person", "=", True)],
    )

    # ------------------------------------------------------------------
    # Fields: key people (on contact persons)
    # ------------------------------------------------------------------
    is_key_person = fields.Boolean(string="Key Person")
    personality = fields.Text(groups=CUSTODIAN)
    hobbies = fields.Text(groups=CUSTODIAN)
    family_info = fields.Text(string="Family", groups=CUSTODIAN)
    education = fields.Selection(
        [
            ("secondary", "Secondary school"),
            ("college", "College"),
            ("bachelor", "Bachelor"),
            ("master", "Master"),
            ("doctor", "Doctorate"),
        ],
        groups=CUSTODIAN,
    )
    birthday = fields.Date(groups=CUSTODIAN)
    age = fields.Integer(compute="_compute_age", groups=CUSTODIAN)
    health_info = fields.Text(string="Health", groups=CUSTODIAN)
    decision_style = fields.Selection(DECISION_STYLES, groups=CUSTODIAN)
    decision_style_advice = fields.Char(
        string="How to Work with Them", compute="_compute_decision_style_advice", groups=CUSTODIAN
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("is_company", "parent_id")
    def _compute_is_customer_card(self):
        for partner in self:
            partner.is_customer_card = partner.is_company or not partner.parent_id

    @api.depends("first_trade_date_override", "first_trade_date_auto")
    def _compute_first_trade_date(self):
        for partner in self:
            partner.first_trade_date = partner.first_trade_date_override or partner.first_trade_date_auto

    @api.depends_context("company")
    def _compute_sales_12_months(self):
        date_from = fields.Date.context_today(self) - relativedelta(months=12)
        totals = dict(
            self.env["account.move"]._read_group(
                [
                    ("company_id", "=", self.env.company.id),
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("invoice_date", ">=", date_from),
                ],
                ["commercial_partner_id"],
                ["amount_untaxed_signed:sum"],
            )
        )
        for partner in self:
            partner.sales_12_months = totals.get(partner.commercial_partner_id, 0.0)

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

    @api.model
    def _read_group_customer_grade_ids(self, grades, domain):
        # a column per grade in the kanban, empty ones included: grades are a handful of records
        return grades.search([], order=grades._order)  # pylint: disable=no-search-all

    @api.depends("business_scale")
    def _compute_purchasing_capacity_suggested(self):
        for partner in self:
            partner.purchasing_capacity_suggested = partner.business_scale and (
                "high" if partner.business_scale == "large" else "low"
            )

    @api.depends("trading_stage", "purchasing_capacity", "business_scale", "purchase_share")
    def _compute_strategy_quadrant(self):
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

    @api.depends(*CARD_FIELDS)
    def _compute_card_completeness(self):
        required_by_company = {}
        for partner in self:
            if not partner.is_customer_card:
                partner.card_completeness = 0.0
                continue
            company = partner.company_id or self.env.company
            if company not in required_by_company:
                required_by_company[company] = company._customer_card_required_fields()
            required = required_by_company[company]
            filled = sum(1 for fname in required if partner[fname])
            partner.card_completeness = 100.0 * filled / len(required) if required else 100.0

    @api.depends("card_last_review_date")
    def _compute_card_review_overdue(self):
        for partner in self:
            cutoff = partner._card_review_cutoff()
            partner.card_review_overdue = partner.is_customer_card and (
                not partner.card_last_review_date or partner.card_last_review_date < cutoff
            )

    def _search_card_review_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        overdue = Domain("is_customer_card", "=", True) & (
            Domain("card_last_review_date", "=", False)
            | Domain("card_last_review_date", "<", self._card_review_cutoff())
        )
        return overdue if True in value else ~overdue

    def _card_review_cutoff(self):
        company = (self[:1].company_id or self.env.company) if self else self.env.company
        return fields.Date.context_today(self) - relativedelta(days=company.customer_card_stale_days)

    def _compute_complaint_count(self):
        counts = dict(
            self.env["customer.complaint"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.complaint_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends("birthday")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.age = relativedelta(today, partner.birthday).years if partner.birthday else 0

    @api.depends("decision_style")
    def _compute_decision_style_advice(self):
        advice = {
            "leader": self.env._(
                "Values goals and decides fast: show simply and directly why working with us pays."
            ),
            "influencer": self.env._(
                "Decides with department heads: build relations with those departments too."
            ),
            "follower": self.env._("Seeks safety and consensus: let our executives agree with theirs first."),
            "checker": self.env._(
                "Task-minded, wants precision and logic: bring exact specifications and figures."
            ),
        }
        for partner in self:
            partner.decision_style_advice = advice.get(partner.decision_style, False)

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + COMMERCIAL_CARD_FIELDS + sorted(CREDIT_FIELDS)

    @api.model
    def _customer_card_fields(self):
        return list(CARD_FIELDS)

    @api.model
    def _customer_card_default_required_fields(self):
        return list(DEFAULT_REQUIRED_CARD_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(GRADE_FIELDS.intersection(vals) for vals in vals_list):
            raise AccessError(self.env._("Grades are computed; managers override them with Override Grade."))
        # Forms send every field's default on creation: only a value set is refused.
        if not self.env.su and any(vals.get(name) for vals in vals_list for name in CREDIT_FIELDS):
            raise AccessError(self.env._("Credit holds and limits are set by credit controllers only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and GRADE_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "Grades of %(customers)s are computed; managers override them with Override Grade.",
                    customers=", ".join(self.mapped("display_name")),
                )
            )
        if not self.env.su and (MODULE_CARD_FIELDS.intersection(vals) or "user_id" in vals):
            self.filtered("is_customer_card")._check_card_write_access(vals)
        if not self.env.su and (CREDIT_FIELDS.intersection(vals) or "credit_limit" in vals):
            self._check_credit_write_access(vals)
        res = super().write(vals)
        if "first_trade_date_override" in vals:
            self.commercial_partner_id._refresh_customer_classification()
        return res

    def _check_card_write_access(self, vals):
        """Card fields are edited by customer management users only, and a
        salesperson edits (or reassigns) only their own or unassigned customers."""
        card_fields = set(vals) & MODULE_CARD_FIELDS
        user = self.env.user
        if not self or user.has_group("customer_mgmt.group_customer_manager"):
            return
        is_salesperson = user.has_group("customer_mgmt.group_customer_user")
        if card_fields and not is_salesperson:
            raise AccessError(
                self.env._(
                    "Only customer management users may edit customer cards (%(customers)s).",
                    customers=", ".join(self.mapped("display_name")),
                )
            )
        if is_salesperson and (card_fields or "user_id" in vals):
            foreign = self.filtered(lambda p: p.user_id and p.user_id != user)
            if foreign:
                raise AccessError(
                    self.env._(
                        "You can only edit the cards of your own customers; %(customers)s "
                        "belong to another salesperson.",
                        customers=", ".join(foreign.mapped("display_name")),
                    )
                )

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        self._log_confidential_access(fnames, "read")
        return result

    def export_data(self, fields_to_export):
        result = super().export_data(fields_to_export)
        # "child_ids/hobbies" exports the contacts' hobbies too: look at every step of each path
        self._log_confidential_access(
            {step for path in fields_to_export for step in path.split("/")}, "export"
        )
        return result

    def _log_confidential_access(self, fnames, access_type):
        """One log line per customer whose key people's personal data was read."""
        read_fields = CONFIDENTIAL_FIELDS.intersection(fnames)
        if not read_fields or not self or self.env.su:
            return
        contacts = self.filtered("id")
        field_list = ", ".join(sorted(read_fields))
        self.env["customer.card.access.log"].sudo().create(
            [
                {
                    "user_id": self.env.uid,
                    "partner_id": customer.id,
                    "access_type": access_type,
                    "contact_count": len(customer_contacts),
                    "field_names": field_list,
                }
                for customer, customer_contacts in contacts.grouped("commercial_partner_id").items()
            ]
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_refresh_classification(self):
        self.commercial_partner_id._refresh_customer_classification()
        return True

    def action_open_card_review(self):
        self._check_can_review_card()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.card.review.wizard",
            "name": self.env._("Review Customer Card"),
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_can_review_card(self):
        if not self.env.user.has_group("customer_mgmt.group_customer_manager"):
            raise AccessError(self.env._("Only sales managers can review customer cards."))

    def _do_card_review(self, remarks):
        """Record a manager's review on each card of ``self``."""
        self._check_can_review_card()
        if not (remarks or "").strip():
            raise UserError(self.env._("A card review needs remarks."))
        today = fields.Date.context_today(self)
        customers = self.commercial_partner_id
        self.env["customer.card.review"].create(
            [
                {
                    "partner_id": customer.id,
                    "salesperson_id": customer.user_id.id,
                    "reviewer_id": self.env.uid,
                    "review_date": today,
                    "completeness": customer.card_completeness,
                    "remarks": remarks,
                }
                for customer in customers
            ]
        )
        customers.sudo().write({"card_last_review_date": today, "card_last_reviewer_id": self.env.uid})
        customers._message_log_batch(
            {
                customer.id: self.env._(
                    "Card reviewed by %(reviewer)s: %(remarks)s",
                    reviewer=self.env.user.name,
                    remarks=remarks,
                )
                for customer in customers
            }
        )

    def _refresh_customer_classification(self):
        """Recompute trading stage, old/new, purchase relation and first/last
        trade dates of the commercial partners in ``self`` in one SQL statement,
        and copy them onto their contacts.

        Sales are posted customer invoices and confirmed sales orders; purchases
        are posted vendor bills. Thresholds come from the partner's company, or
        the current company for partners shared between companies.
        """
        if not self:
            return
        self.env.flush_all()
        today = fields.Date.context_today(self)
        self.env.execute_query(
            SQL(
                """
            WITH sales AS (
                SELECT commercial_partner_id AS pid, MIN(invoice_date) AS first_date,
                       MAX(invoice_date) AS last_date
                  FROM account_move
                 WHERE state = 'posted' AND move_type = 'out_invoice'
                   AND commercial_partner_id = ANY(%(ids)s)
              GROUP BY commercial_partner_id
             UNION ALL
                SELECT buyer.commercial_partner_id, MIN(so.date_order)::date, MAX(so.date_order)::date
                  FROM sale_order so
                  JOIN res_partner buyer ON buyer.id = so.partner_id
                 WHERE so.state = 'sale' AND buyer.commercial_partner_id = ANY(%(ids)s)
              GROUP BY buyer.commercial_partner_id
            ), sales_by_partner AS (
                SELECT pid, MIN(first_date) AS first_date, MAX(last_date) AS last_date
                  FROM sales GROUP BY pid
            ), suppliers AS (
                SELECT DISTINCT commercial_partner_id AS pid
                  FROM account_move
                 WHERE state = 'posted' AND move_type IN ('in_invoice', 'in_refund')
                   AND commercial_partner_id = ANY(%(ids)s)
            ), figures AS (
                SELECT p.id,
                       s.first_date,
                       COALESCE(p.first_trade_date_override, s.first_date) AS first_trade,
                       s.last_date,
                       s.pid IS NOT NULL AS sells,
                       sup.pid IS NOT NULL AS buys,
                       %(today)s::date - make_interval(months => c.customer_new_months) AS new_since,
                       %(today)s::date - make_interval(months => c.customer_former_months) AS active_since
                  FROM res_partner p
                  JOIN res_company c ON c.id = COALESCE(p.company_id, %(company_id)s)
             LEFT JOIN sales_by_partner s ON s.pid = p.id
             LEFT JOIN suppliers sup ON sup.pid = p.id
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
                   classification_date = %(today)s
              FROM classes k
             WHERE p.commercial_partner_id = k.id
            """,
                ids=list(self.ids),
                today=today,
                company_id=self.env.company.id,
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
                "classification_date",
            ]
        )
        # the strategy quadrant of prospects depends on the trading stage just written
        self.env.add_to_compute(self._fields["strategy_quadrant"], self)

    @api.model
    def _cron_refresh_customer_classification(self, batch_size=1000):
        """Classify every commercial partner once a day, batch by batch.

        Partners already classified today are skipped, so a run that stopped
        halfway resumes where it was.
        """
        domain = Domain("is_customer_card", "=", True) & Domain(
            "classification_date", "!=", fields.Date.context_today(self)
        )
        while partners := self.search(domain, limit=batch_size, order="id"):
            partners._refresh_customer_classification()
            remaining = self.search_count(domain)
            if not self.env["ir.cron"]._commit_progress(len(partners), remaining=remaining):
                break

    # ------------------------------------------------------------------
    # Grading (客户等级)
    # ------------------------------------------------------------------
    def action_view_complaints(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.customer_complaint_action")
        customer = self.commercial_partner_id[:1]
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action

    def action_regrade(self):
        self.check_access("read")
        self.commercial_partner_id._regrade_customers()
        return True

    def action_open_grade_override(self):
        self._check_can_override_grade()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.grade.override.wizard",
            "name": self.env._("Override Grade"),
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    def action_clear_grade_override(self):
        self._check_can_override_grade()
        customers = self.commercial_partner_id.filtered("grade_override_until")
        self.env["res.partner"].sudo().search([("commercial_partner_id", "in", customers.ids)]).write(
            {"grade_override_until": False, "grade_override_reason": False}
        )
        customers._regrade_customers(reason=self.env._("Override removed"))
        return True

    def _check_can_override_grade(self):
        if not self.env.user.has_group("customer_mgmt.group_customer_manager"):
            raise AccessError(self.env._("Only sales managers can override customer grades."))

    def _override_grade(self, grade, reason, date_until):
        """Fix the grade of the customers in ``self`` until ``date_until``: the
        automatic regrade leaves them alone until then."""
        self._check_can_override_grade()
        today = fields.Date.context_today(self)
        date_until = fields.Date.to_date(date_until)
        if not grade or not (reason or "").strip():
            raise UserError(self.env._("A grade override needs a grade and a reason."))
        if not date_until or date_until < today:
            raise UserError(
                self.env._(
                    "The override of a grade must end today or later, not on %(date)s.", date=date_until
                )
            )
        customers = self.commercial_partner_id
        self._create_grade_history(
            [
                {
                    "partner_id": customer.id,
                    "company_id": (customer.company_id or self.env.company).id,
                    "old_grade_id": customer.customer_grade_id.id,
                    "new_grade_id": grade.id,
                    "monthly_avg_sales": customer.monthly_avg_sales,
                    "gross_margin": customer.gross_margin,
                    "abc_class": customer.abc_class,
                    "source": "manual",
                    "reason": reason,
                }
                for customer in customers
            ]
        )
        self.env["res.partner"].sudo().search([("commercial_partner_id", "in", customers.ids)]).write(
            {
                "customer_grade_id": grade.id,
                "grade_override_until": date_until,
                "grade_override_reason": reason,
            }
        )

    def _grade_note_template(self):
        """Translated chatter note of a grade change, with {tokens} to fill in
        (in Python for overrides, in SQL for the regrade)."""
        return self.env._(
            "Grade %(old)s → %(new)s (%(reason)s). Monthly average sales %(sales)s, gross margin "
            "%(margin)s%%, ABC class %(abc)s.",
            old="{old}",
            new="{new}",
            reason="{reason}",
            sales="{sales}",
            margin="{margin}",
            abc="{abc}",
        )

    def _create_grade_history(self, vals_list):
        """Store grade changes made by hand and log them on the customers' chatter."""
        today = fields.Date.context_today(self)
        history = (
            self.env["customer.grade.history"]
            .sudo()
            .create([{"date": today, "user_id": self.env.uid, **vals} for vals in vals_list])
        )
        template = self._grade_note_template()
        bodies = {}
        for line in history:
            tokens = {
                "{old}": line.old_grade_id.code or "-",
                "{new}": line.new_grade_id.code or "-",
                "{reason}": line.reason or "",
                "{sales}": format_amount(self.env, line.monthly_avg_sales, line.currency_id),
                "{margin}": f"{line.gross_margin:.2f}",
                "{abc}": (line.abc_class or "-").upper(),
            }
            body = template
            for token, value in tokens.items():
                body = body.replace(token, value)
            bodies[line.partner_id.id] = body
        history.partner_id.sudo()._message_log_batch(bodies)
        return history

    @api.model
    def _customer_sales_sql(self, partner_ids=None):
        """Sales and cost per (company, customer) over each company's grading
        window, in company currency; restricted to ``partner_ids`` if given."""
        return SQL(
            """
            SELECT move.company_id, move.commercial_partner_id AS partner_id,
                   SUM(-line.balance) AS revenue, SUM(COALESCE(line.customer_cost, 0)) AS cost
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_company company ON company.id = move.company_id
             WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
               AND line.display_type = 'product'
               AND move.invoice_date
                   > (%(today)s::date - make_interval(months => company.customer_grade_months))
               AND move.invoice_date <= %(today)s
               %(partner_filter)s
          GROUP BY move.company_id, move.commercial_partner_id
            """,
            today=fields.Date.context_today(self),
            partner_filter=SQL("AND move.commercial_partner_id = ANY(%s)", partner_ids)
            if partner_ids is not None
            else SQL(),
        )

    @api.model
    def _customer_sales_snapshot(self):
        """Aggregate the sales of every customer once, for a run of batches, into
        a temporary table (kept across the batches' commits, rebuilt by every
        run). Returns the SQL that reads it."""
        self.env.cr.execute(
            SQL(
                """
            CREATE TEMPORARY TABLE IF NOT EXISTS customer_mgmt_sales_snapshot (
                company_id int, partner_id int, revenue numeric, cost numeric);
            TRUNCATE customer_mgmt_sales_snapshot;
            INSERT INTO customer_mgmt_sales_snapshot %s;
            ANALYZE customer_mgmt_sales_snapshot;
                """,
                self._customer_sales_sql(),
            )
        )
        return SQL("SELECT * FROM customer_mgmt_sales_snapshot")

    @api.model
    def _customer_abc_thresholds(self, sales=None):
        """Per company, the smallest sales of an A and of a B customer: customers
        are ranked by sales, a customer is A while the sales of the customers
        strictly bigger than it are under the A cut-off of the total, B under
        the B cut-off. The class only grows with sales, so these two figures
        classify any customer without ranking them all again."""
        rows = self.env.execute_query(
            SQL(
                """
            WITH sales AS (%(sales)s), ranked AS (
                SELECT sales.company_id, revenue,
                       -- sales of the customers strictly bigger: the running sum (ties included)
                       -- minus the ties' own sales; a frame exclusion would be quadratic
                       SUM(revenue) OVER (PARTITION BY sales.company_id ORDER BY revenue DESC)
                       - SUM(revenue) OVER (PARTITION BY sales.company_id, revenue) AS bigger,
                       SUM(revenue) OVER (PARTITION BY sales.company_id) AS total
                  FROM sales
                 WHERE revenue > 0
            )
            SELECT ranked.company_id,
                   MIN(revenue) FILTER (WHERE bigger < total * company.customer_abc_a_cutoff / 100),
                   MIN(revenue) FILTER (WHERE bigger < total * company.customer_abc_b_cutoff / 100)
              FROM ranked
              JOIN res_company company ON company.id = ranked.company_id
          GROUP BY ranked.company_id
                """,
                sales=sales or self._customer_sales_sql(),
            )
        )
        return [{"company_id": company, "a": a, "b": b} for company, a, b in rows]

    def _regrade_customers(self, reason=None, abc_thresholds=None, sales=None):
        """Regrade the commercial partners in ``self`` in one SQL statement.

        Figures per customer and company, over the company's grading window:
        sales = untaxed posted customer invoices minus refunds (company
        currency), cost = the lines' cost at invoice time; ABC classes from
        ``abc_thresholds`` (see ``_customer_abc_thresholds``, computed when not
        given). ``sales`` is a query of the figures of at least these customers
        (by default aggregated for them from the invoices). The band of the
        scheme of the customer's channel gives the grade, upgraded when the
        margin reaches the band's quota. Customers
        whose grade is overridden keep it until the override ends. Only changed
        rows are written, so a rerun writes nothing and logs no history twice.

        The history lines and the chatter notes are inserted by the same
        statement: a constant number of queries for any number of customers
        (the ORM would insert them 100 rows at a time), and a grade never
        changes without its history.
        """
        if not self:
            return
        self.env.flush_all()
        if abc_thresholds is None:
            abc_thresholds = self._customer_abc_thresholds()
        today = fields.Date.context_today(self)
        author, email_from = self.env["mail.thread"]._message_compute_author()
        self.env.execute_query(
            SQL(
                """
            WITH sales AS (%(sales)s), thresholds AS (
                SELECT * FROM jsonb_to_recordset(%(thresholds)s::jsonb)
                    AS t(company_id int, a numeric, b numeric)
            ), customers AS (
                SELECT p.id, p.customer_channel, p.customer_grade_id, p.grade_override_until,
                       COALESCE(p.company_id, %(company_id)s) AS company_id,
                       COALESCE(sales.revenue, 0) AS revenue, COALESCE(sales.cost, 0) AS cost
                  FROM res_partner p
             LEFT JOIN sales ON sales.partner_id = p.id
                       AND sales.company_id = COALESCE(p.company_id, %(company_id)s)
                 WHERE p.id = ANY(%(ids)s) AND p.is_customer_card AND p.active
            ), figures AS (
                SELECT customers.*,
                       ROUND(revenue / company.customer_grade_months, 2) AS monthly,
                       CASE WHEN revenue > 0 THEN ROUND(100 * (revenue - cost) / revenue, 2)
                            ELSE 0 END AS margin,
                       CASE WHEN revenue > 0 AND revenue >= thresholds.a THEN 'a'
                            WHEN revenue > 0 AND revenue >= thresholds.b THEN 'b'
                            ELSE 'c' END AS abc,
                       grade_override_until < %(today)s AS override_ended
                  FROM customers
                  JOIN res_company company ON company.id = customers.company_id
             LEFT JOIN thresholds ON thresholds.company_id = customers.company_id
            ), graded AS (
                -- the band of the scheme of the customer's channel, the company's own scheme first
                SELECT DISTINCT ON (figures.id) figures.*,
                       CASE WHEN grade_override_until >= %(today)s THEN customer_grade_id
                            WHEN band.upgrade_grade_id IS NOT NULL AND figures.margin >= band.margin_quota
                            THEN band.upgrade_grade_id
                            ELSE band.grade_id END AS grade_id
                  FROM figures
             LEFT JOIN (
                    SELECT scheme.channel, scheme.company_id AS scheme_company_id, line.amount_min,
                           line.amount_max, line.grade_id, line.margin_quota, line.upgrade_grade_id
                      FROM customer_grade_scheme scheme
                      JOIN customer_grade_scheme_line line ON line.scheme_id = scheme.id
                     WHERE scheme.active
                    ) band ON band.channel = figures.customer_channel
                       AND (band.scheme_company_id = figures.company_id OR band.scheme_company_id IS NULL)
                       AND band.amount_min <= GREATEST(figures.monthly, 0)
                       AND (COALESCE(band.amount_max, 0) = 0
                            OR GREATEST(figures.monthly, 0) < band.amount_max)
              ORDER BY figures.id, band.scheme_company_id NULLS LAST
            ), updated AS (
                UPDATE res_partner p
                   SET customer_grade_id = graded.grade_id,
                       monthly_avg_sales = graded.monthly,
                       gross_margin = graded.margin,
                       abc_class = graded.abc,
                       grade_override_until = CASE WHEN graded.override_ended THEN NULL
                                                   ELSE p.grade_override_until END,
                       grade_override_reason = CASE WHEN graded.override_ended THEN NULL
                                                    ELSE p.grade_override_reason END
                  FROM graded
                 WHERE p.commercial_partner_id = graded.id
                   AND (p.customer_grade_id IS DISTINCT FROM graded.grade_id
                        OR p.monthly_avg_sales IS DISTINCT FROM graded.monthly
                        OR p.gross_margin IS DISTINCT FROM graded.margin
                        OR p.abc_class IS DISTINCT FROM graded.abc
                        OR graded.override_ended)
             RETURNING p.id
            ), history AS (
                INSERT INTO customer_grade_history (
                    partner_id, company_id, date, old_grade_id, new_grade_id, monthly_avg_sales,
                    gross_margin, abc_class, source, reason, user_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT id, company_id, %(today)s, customer_grade_id, grade_id, monthly, margin, abc, 'auto',
                       CASE WHEN override_ended THEN %(ended)s ELSE %(reason)s END, %(uid)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM graded
                 WHERE customer_grade_id IS DISTINCT FROM grade_id
             RETURNING partner_id, company_id, old_grade_id, new_grade_id, monthly_avg_sales,
                       gross_margin, abc_class, reason
            )
            INSERT INTO mail_message (
                model, res_id, body, message_type, subtype_id, is_internal, author_id, email_from,
                reply_to, message_id, email_add_signature, date,
                create_uid, create_date, write_uid, write_date)
            SELECT 'res.partner', history.partner_id,
                   '<p>' || replace(replace(replace(replace(replace(replace(%(template)s,
                       '{old}', COALESCE(%(escape_old)s, '-')),
                       '{new}', COALESCE(%(escape_new)s, '-')),
                       '{reason}', %(escape_reason)s),
                       '{sales}',
                       to_char(history.monthly_avg_sales, 'FM999,999,999,990.00') || ' ' || currency.name),
                       '{margin}', to_char(history.gross_margin, 'FM990.00')),
                       '{abc}', upper(history.abc_class)) || '</p>',
                   'notification', %(subtype)s, TRUE, %(author)s, %(email_from)s,
                   %(reply_to)s, %(message_id)s, FALSE, %(now)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM history
              JOIN res_company company ON company.id = history.company_id
              JOIN res_currency currency ON currency.id = company.currency_id
         LEFT JOIN customer_grade old ON old.id = history.old_grade_id
         LEFT JOIN customer_grade new ON new.id = history.new_grade_id
            """,
                sales=sales or self._customer_sales_sql(self.ids),
                thresholds=json.dumps(abc_thresholds, default=str),
                ids=self.ids,
                today=today,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                company_id=self.env.company.id,
                ended=self.env._("Override ended"),
                reason=reason or self.env._("Automatic"),
                template=html_escape(self._grade_note_template()),
                escape_old=self._sql_html_escape(SQL("old.code")),
                escape_new=self._sql_html_escape(SQL("new.code")),
                escape_reason=self._sql_html_escape(SQL("history.reason")),
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author,
                email_from=email_from,
                reply_to=self.env["mail.thread"]._notify_get_reply_to(default=email_from, author_id=author)[
                    False
                ],
                message_id=generate_tracking_message_id("message-notify"),
            )
        )
        self.invalidate_model([*GRADE_FIELDS, "grade_history_ids", "message_ids"])
        self.env["customer.grade.history"].invalidate_model()

    @api.model
    def _sql_html_escape(self, expression):
        return SQL(
            "replace(replace(replace(%s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')",
            expression,
        )

    @api.model
    def _cron_regrade_customers(self, batch_size=5000):
        """Monthly regrade of every customer, batch by batch. A run that stops
        halfway is simply run again: unchanged customers are not written."""
        domain = Domain("is_customer_card", "=", True)
        sales = self._customer_sales_snapshot()
        abc_thresholds = self._customer_abc_thresholds(sales)
        last_id = 0
        while partners := self.search(domain & Domain("id", ">", last_id), limit=batch_size, order="id"):
            partners._regrade_customers(abc_thresholds=abc_thresholds, sales=sales)
            last_id = partners[-1].id
            remaining = self.search_count(domain & Domain("id", ">", last_id))
            if not self.env["ir.cron"]._commit_progress(len(partners), remaining=remaining):
                break

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
        ids = self._credit_over_limit_ids(self.env.company)
        positive = (operator == "in") == (True in value)
        return Domain("id", "in" if positive else "not in", ids)

    @api.model
    def _credit_over_limit_ids(self, company):
        """Commercial partners whose exposure exceeds their limit in ``company``."""
        partners = (
            self.with_company(company).sudo().search([("credit_limit", ">", 0), ("parent_id", "=", False)])
        )
        currency = company.currency_id
        return [
            pid
            for pid, figure in partners._credit_figures(company).items()
            if currency.compare_amounts(figure["exposure"], figure["limit"]) > 0
        ]

    def _credit_figures(self, company, exclude_order_ids=()):
        """{partner id: figures} of the commercial partners ``self`` in
        ``company``, in its currency, leaving out of the exposure the orders
        ``exclude_order_ids`` (the ones being confirmed): see
        ``_credit_figures_query``. One query whatever their history."""
        if not self:
            return {}
        self.env.flush_all()
        query = self._credit_figures_query(
            customers=SQL("SELECT unnest(%s::int[]) AS id, NULL::int[] AS order_ids", self.ids),
            company=SQL("%s", company.id),
            limit_fallback=SQL("%s", self._credit_limit_fallback(company)),
            today=SQL("%s", fields.Date.context_today(self)),
            exclude=SQL("%s", list(exclude_order_ids)),
            lock=SQL("SELECT NULL"),
        )
        return self._credit_figures_by_partner(company, self.env.execute_query(query))

    @api.model
    def _credit_check_figures(self, company, orders):
        """Figures of the customers that ``orders`` are invoiced to, without
        these orders, their ids under ``order_ids``; the customers stay locked
        until the end of the transaction, so that a concurrent transaction
        deciding on one of them waits for this one and then fails to serialize
        (Odoo retries it with a fresh snapshot) instead of deciding on figures
        that miss this one's orders. Through ``customer_mgmt_credit_check``,
        whose plan PostgreSQL keeps: the check costs no planning."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT * FROM customer_mgmt_credit_check(%s, %s, %s, %s)",
                orders.ids,
                company.id,
                self._credit_limit_fallback(company),
                fields.Date.context_today(self),
            )
        )
        return self._credit_figures_by_partner(company, rows)

    def _credit_limit_fallback(self, company):
        """Odoo's default credit limit in ``company`` (the ``ir.default`` of a
        company-dependent field), for customers without their own."""
        credit_limit = self._fields["credit_limit"]
        return credit_limit.get_company_dependent_fallback(self.with_company(company)) or 0.0

    @api.model
    def _credit_figures_query(
        self, customers, company, limit_fallback, today, exclude, lock, per_customer=False
    ):
        """The figures of the commercial partners that the query ``customers``
        yields (columns ``id`` and ``order_ids``, returned as they are):
        exposure = posted unpaid receivables (residuals are in company currency)
        + draft customer invoices and refunds + what confirmed orders invoiced
        to them have not yet invoiced (at the order's rate), leaving out the
        orders ``exclude``; the overdue amount and days; Odoo's credit limit in
        ``company`` (0 = none) and the hold flag. ``lock`` runs first (a
        data-modifying CTE). Every input is SQL, so that the same statement runs
        with values and as the body of ``customer_mgmt_credit_check``.

        Each part is summed for all the customers at once, grouped by customer,
        or, with ``per_customer``, customer by customer: cheaper for the one or
        two customers of a confirmation, far dearer for thousands."""
        # Each part reads through one of our partial indexes: open items of move
        # lines, draft customer invoices, confirmed orders not fully invoiced
        # (an order invoiced or upselling has no line left to invoice).
        due = SQL("line.date_maturity < %s AND line.amount_residual > 0", today)
        parts = [
            self._credit_figures_part(
                "items",
                SQL(
                    """SUM(line.amount_residual) AS receivable,
                       SUM(line.amount_residual) FILTER (WHERE %(due)s) AS overdue,
                       MIN(line.date_maturity) FILTER (WHERE %(due)s) AS oldest_due""",
                    due=due,
                ),
                SQL("account_move_line line"),
                SQL("line.partner_id"),
                SQL(
                    """line.amount_residual != 0 AND line.parent_state = 'posted' AND line.company_id = %s
                       AND line.account_id = ANY(ARRAY(
                           SELECT account.id FROM account_account account
                            WHERE account.account_type = 'asset_receivable'))""",
                    company,
                ),
                per_customer,
            ),
            self._credit_figures_part(
                "drafts",
                SQL("SUM(move.amount_total_signed) AS amount"),
                SQL("account_move move"),
                SQL("move.partner_id"),
                SQL(
                    """move.state = 'draft' AND move.move_type IN ('out_invoice', 'out_refund')
                       AND move.company_id = %s""",
                    company,
                ),
                per_customer,
            ),
            self._credit_figures_part(
                "orders",
                SQL(
                    """SUM((line.product_uom_qty - line.qty_invoiced) * line.price_total
                           / line.product_uom_qty / COALESCE(NULLIF(sale.currency_rate, 0), 1)) AS amount"""
                ),
                SQL("sale_order sale JOIN sale_order_line line ON line.order_id = sale.id"),
                SQL("sale.partner_invoice_id"),
                SQL(
                    """sale.state = 'sale' AND sale.invoice_status NOT IN ('invoiced', 'upselling')
                       AND sale.company_id = %s AND sale.id != ALL(%s)
                       AND line.product_uom_qty > 0 AND line.qty_invoiced < line.product_uom_qty""",
                    company,
                    exclude,
                ),
                per_customer,
            ),
        ]
        members = SQL(
            """CROSS JOIN LATERAL (
                   SELECT array_agg(member.id) AS ids FROM res_partner member
                    WHERE member.commercial_partner_id = customers.id) members"""
        )
        return SQL(
            """
            WITH customers AS (%(customers)s), locked AS (%(lock)s)
            SELECT customers.id, customers.order_ids,
                   COALESCE((partner.credit_limit ->> %(company)s::text)::float, %(limit_fallback)s)::float,
                   partner.credit_hold IS TRUE, COALESCE(items.receivable, 0)::float,
                   COALESCE(drafts.amount, 0)::float, COALESCE(orders.amount, 0)::float,
                   COALESCE(items.overdue, 0)::float, COALESCE(%(today)s - items.oldest_due, 0)::int
              FROM customers
              JOIN res_partner partner ON partner.id = customers.id
            %(members)s %(parts)s
            """,
            customers=customers,
            lock=lock,
            company=company,
            limit_fallback=limit_fallback,
            today=today,
            members=members if per_customer else SQL(),
            parts=SQL("\n").join(parts),
        )

    @api.model
    def _credit_figures_part(self, alias, sums, source, partner, where, per_customer):
        """Join the ``sums`` of the rows of ``source`` matching ``where`` whose
        ``partner`` belongs to the customer, as the table ``alias``."""
        if per_customer:
            return SQL(
                "LEFT JOIN LATERAL (SELECT %s FROM %s WHERE %s = ANY(members.ids) AND %s) %s ON TRUE",
                sums,
                source,
                partner,
                where,
                SQL.identifier(alias),
            )
        return SQL(
            """LEFT JOIN (
                   SELECT member.commercial_partner_id AS customer_id, %(sums)s
                     FROM %(source)s JOIN res_partner member ON member.id = %(partner)s
                    WHERE member.commercial_partner_id IN (SELECT customers.id FROM customers) AND %(where)s
                 GROUP BY 1
               ) %(alias)s ON %(alias)s.customer_id = customers.id""",
            sums=sums,
            source=source,
            partner=partner,
            where=where,
            alias=SQL.identifier(alias),
        )

    def init(self):
        res = super().init()
        # The credit check at order confirmation: a function, so that PostgreSQL
        # plans it once per connection instead of at every confirmation.
        body = self._credit_figures_query(
            customers=SQL(
                """SELECT partner.commercial_partner_id AS id, array_agg(sale.id) AS order_ids
                     FROM sale_order sale JOIN res_partner partner ON partner.id = sale.partner_invoice_id
                    WHERE sale.id = ANY(p_order_ids) GROUP BY 1"""
            ),
            company=SQL("p_company"),
            limit_fallback=SQL("p_limit_fallback"),
            today=SQL("p_today"),
            exclude=SQL("p_order_ids"),
            lock=SQL(
                "UPDATE res_partner SET write_date = write_date "
                "WHERE res_partner.id IN (SELECT customers.id FROM customers) RETURNING res_partner.id"
            ),
            per_customer=True,
        )
        self.env.cr.execute(SQL("DROP FUNCTION IF EXISTS customer_mgmt_credit_check"))
        self.env.cr.execute(
            SQL(
                """CREATE FUNCTION customer_mgmt_credit_check(
                       p_order_ids int[], p_company int, p_limit_fallback float, p_today date)
                   RETURNS TABLE (id int, order_ids int[], credit_limit float, hold boolean,
                                  receivable float, draft float, orders float, overdue float,
                                  overdue_days int)
                   LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan
                   AS $check$ BEGIN RETURN QUERY %s; END $check$""",
                body,
            )
        )
        return res

    @api.model
    def _credit_figures_by_partner(self, company, rows):
        round_ = company.currency_id.round
        return {
            pid: {
                "order_ids": order_ids or [],
                "limit": limit,
                "hold": hold,
                "receivable": round_(receivable),
                "draft_invoices": round_(draft),
                "orders": round_(orders),
                "exposure": round_(receivable + draft + orders),
                "overdue_amount": round_(overdue),
                "overdue_days": overdue_days,
            }
            for pid, order_ids, limit, hold, receivable, draft, orders, overdue, overdue_days in rows
        }

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

    def _check_credit_write_access(self, vals):
        if CREDIT_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "Credit holds, grades and limit validity of %(customers)s change only through the credit "
                    "actions (hold, release, approved applications).",
                    customers=self._names(),
                )
            )
        if self.env.company.customer_credit_control != "off" and not self.env.user.has_group(
            CREDIT_CONTROLLER
        ):
            raise AccessError(
                self.env._(
                    "Credit control is on: only credit controllers change the credit limit of %(customers)s, "
                    "through an approved credit application.",
                    customers=self._names(),
                )
            )

    def _check_credit_controller(self):
        if not self.env.user.has_group(CREDIT_CONTROLLER):
            raise AccessError(
                self.env._(
                    "Only credit controllers hold and release customers and orders, confirm scorecards "
                    "and decide on credit applications."
                )
            )

    def action_credit_hold(self):
        return self._credit_wizard_action("hold")

    def action_credit_release(self):
        return self._credit_wizard_action("release")

    def _credit_wizard_action(self, action):
        self._check_credit_controller()
        return self.env["customer.credit.action.wizard"]._action_open(
            action, partner_ids=self.commercial_partner_id.ids
        )

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
            self._check_credit_controller()
        if not (reason or "").strip():
            raise UserError(
                self.env._("Give the reason for holding %(customers)s.", customers=self._names())
                if hold
                else self.env._("Give the reason for releasing %(customers)s.", customers=self._names())
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

    def _names(self):
        return ", ".join(self.mapped("display_name"))

    def _credit_review(self, companies):
        """Apply the credit policy of ``companies`` to the commercial partners
        ``self``. A hold is on the partner, not per company: it is held when it
        is outside the policy of any of the companies it trades with, and its
        automatic hold is released only once it is within all of them. Expired
        limits are flagged. Idempotent, so a cron run can be repeated."""
        figures, breaches = {}, {}  # company -> its figures; partner -> (company, reason)
        for company in companies:
            partners = self.filtered(lambda p, c=company: not p.company_id or p.company_id == c)
            figures[company] = partners._credit_figures(company)
            for partner in partners:
                reason = partner._credit_policy_breach(company, figures[company][partner.id])
                if reason and partner not in breaches:
                    breaches[partner] = (company, reason)
        to_hold = defaultdict(list)
        for partner, company_reason in breaches.items():
            if not partner.credit_hold:
                to_hold[company_reason].append(partner.id)
        for (company, reason), ids in to_hold.items():
            self.browse(ids).with_company(company)._credit_hold(reason, auto=True, figures=figures[company])
        to_release = self.filtered(lambda p: p.credit_hold and p.credit_hold_auto and p not in breaches)
        for company, partners in to_release.grouped(lambda p: p.company_id or companies[0]).items():
            partners.with_company(company)._credit_release(
                self.env._("Back within the credit policy."), auto=True
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
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Credit limit expired: review the customer's credit"),
                user_id=user.id,
            )

    @api.model
    def _cron_credit_review(self, batch_size=1000):
        """Daily credit review of every company that has credit control on,
        batch by batch of customers (each batch for all those companies), so
        an interrupted run still covers every company; safe to rerun."""
        companies = self.env["res.company"].search([("customer_credit_control", "!=", "off")])
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

    def action_view_credit_hold_log(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_mgmt.customer_credit_hold_log_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id[:1].id)]
        return action
