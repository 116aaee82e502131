from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import format_list
from odoo.tools.safe_eval import safe_eval

from .customer_card import CARD_SECTION_FIELDS, card_field

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

# Groups whose record rule on customer.card covers every customer
CARD_READERS_OF_ALL = (
    "customer_mgmt.group_customer_manager",
    "customer_mgmt.group_credit_controller",
    CUSTODIAN,
)

# Card fields a company can require (completeness); the default set is the
# card's core of each of the four sections. Other concerns add theirs through
# _customer_card_fields() and _customer_card_default_required_fields().
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
    *CARD_SECTION_FIELDS,
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
)

# Card fields that only customer management users edit, a salesperson on their
# own customers only (Odoo's own address, phone and salesperson stay as they are).
CARD_GUARDED_FIELDS = frozenset(CARD_FIELDS) - {"street", "phone", "email", "user_id"}


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
    registered_capital = fields.Monetary(tracking=True)
    total_assets = fields.Monetary(tracking=True)
    certificate_ids = fields.One2many("customer.certificate", "partner_id", string="Certificates")

    # ------------------------------------------------------------------
    # Fields: the sections kept on customer.card (characteristics, business
    # and transaction status), read here through the cards the user may read;
    # tracked on the card only (the partner's chatter is read by everyone)
    # ------------------------------------------------------------------
    customer_card_ids = fields.One2many("customer.card", "partner_id", string="Card Sections", copy=True)
    customer_card_id = fields.Many2one(
        "customer.card",
        string="Card Sections Record",
        compute="_compute_customer_card_id",
        search="_search_customer_card_id",
        compute_sudo=False,
    )
    can_read_card_sections = fields.Boolean(compute="_compute_customer_card_id", compute_sudo=False)
    service_area_ids = fields.Many2many(
        "res.country.state",
        "res_partner_service_area_rel",
        "partner_id",
        "state_id",
    )
    sales_12_months = fields.Monetary(
        string="Sales (12 months)",
        compute="_compute_sales_12_months",
        help="Untaxed posted customer invoices minus refunds of the current company over the last "
        "12 months, in company currency.",
    )
    sales_capability = card_field(fields.Selection, "sales_capability")
    development_potential = card_field(fields.Selection, "development_potential")
    business_philosophy = card_field(fields.Text, "business_philosophy")
    business_direction = card_field(fields.Text, "business_direction")
    business_policy = card_field(fields.Text, "business_policy")
    business_scale = card_field(fields.Selection, "business_scale")
    employee_count = card_field(fields.Integer, "employee_count")
    business_features = card_field(fields.Text, "business_features")
    management_quality = card_field(fields.Selection, "management_quality")
    sales_staff_quality = card_field(fields.Selection, "sales_staff_quality")
    competitor_relations = card_field(fields.Text, "competitor_relations")
    relation_with_us = card_field(fields.Text, "relation_with_us")
    cooperation_attitude = card_field(fields.Selection, "cooperation_attitude")
    current_sales_status = card_field(fields.Text, "current_sales_status")
    existing_problems = card_field(fields.Text, "existing_problems")
    strengths = card_field(fields.Text, "strengths")
    future_strategy = card_field(fields.Text, "future_strategy")
    reputation = card_field(fields.Selection, "reputation")

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

    @api.depends_context("company", "uid")
    def _compute_sales_12_months(self):
        date_from = fields.Date.context_today(self) - relativedelta(months=12)
        # a figure of the card sections: for whoever reads them, invoicing rights or not
        readable = self.filtered("can_read_card_sections")
        totals = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", self.env.company.id),
                    ("commercial_partner_id", "in", readable.commercial_partner_id.ids),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("invoice_date", ">=", date_from),
                ],
                ["commercial_partner_id"],
                ["amount_untaxed_signed:sum"],
            )
        )
        for partner in self:
            partner.sales_12_months = partner in readable and totals.get(partner.commercial_partner_id, 0.0)

    @api.depends("customer_card_ids")
    @api.depends_context("uid")
    def _compute_customer_card_id(self):
        """The card sections this user may read (record rules of customer.card):
        empty for another salesperson's customer, as for users without access."""
        readable = self.env["customer.card"].has_access("read")
        partners = self._origin.filtered("id")
        cards = (
            self.env["customer.card"].search([("partner_id", "in", partners.ids)]).grouped("partner_id")
            if readable and partners
            else {}
        )
        for partner in self:
            partner.customer_card_id = cards.get(partner._origin, False)
            partner.can_read_card_sections = readable and partner._may_keep_card()

    def _search_customer_card_id(self, operator, value):
        Card = self.env["customer.card"]
        if not Card.has_access("read"):
            return (
                NotImplemented
                if operator not in ("in", "any")
                else Domain(operator == "in" and False in value)
            )
        if operator == "any":
            return Domain("id", "in", Card._search(value).subselect("partner_id"))
        if operator != "in":
            return NotImplemented
        domain = Domain(
            "id", "in", Card._search([("id", "in", [v for v in value if v])]).subselect("partner_id")
        )
        if False in value:
            domain |= Domain("id", "not in", Card._search([]).subselect("partner_id"))
        return domain

    def _may_keep_card(self):
        """Whether the user reads this card's sections: what customer.card's
        record rules say, for a partner that may have no card yet."""
        user = self.env.user
        return (
            self.env.su
            or self.commercial_partner_id.user_id in (user, self.env["res.users"])
            or any(user.has_group(group) for group in CARD_READERS_OF_ALL)
        )

    @api.depends(lambda self: self._customer_card_completeness_depends())
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
    def _customer_card_fields(self):
        return list(CARD_FIELDS)

    @api.model
    def _customer_card_completeness_depends(self):
        # the sections' stored source, not the user-dependent related fields
        return [
            f"customer_card_ids.{fname}" if fname in CARD_SECTION_FIELDS else fname
            for fname in self._customer_card_fields()
        ]

    @api.model
    def _customer_card_default_required_fields(self):
        return list(DEFAULT_REQUIRED_CARD_FIELDS)

    @api.model
    def _customer_card_guarded_fields(self):
        """Fields that only customer management users edit, a salesperson on
        their own or unassigned customers only."""
        return CARD_GUARDED_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.browse(
                {vals["parent_id"] for vals in vals_list if vals.get("parent_id")}
            )._check_customer_owner()
        # the card sections go on the new partners' cards, created with them in one batch
        sections = [
            {fname: vals.pop(fname) for fname in CARD_SECTION_FIELDS if fname in vals} for vals in vals_list
        ]
        partners = super().create(vals_list)
        self.env["customer.card"].create(
            [
                {"partner_id": partner.id, **partner_sections}
                for partner, partner_sections in zip(partners, sections, strict=True)
                if partner_sections
            ]
        )
        return partners

    def write(self, vals):
        if not self.env.su:
            if self._customer_card_guarded_fields().intersection(vals):
                self.filtered("is_customer_card")._check_card_write_access()
            (self | self.browse(vals.get("parent_id")))._check_customer_owner()
        if sections := {fname: vals[fname] for fname in CARD_SECTION_FIELDS if fname in vals}:
            self._create_missing_cards(sections)
        return super().write(vals)

    def _create_missing_cards(self, sections):
        """Cards are created with the first sections written, by the writer:
        the record rules of customer.card decide whether they may."""
        kept = self.env["customer.card"].sudo().search([("partner_id", "in", self.ids)]).partner_id
        if missing := self - kept:
            self.env["customer.card"].create([{"partner_id": partner.id, **sections} for partner in missing])

    @api.ondelete(at_uninstall=False)
    def _unlink_except_foreign_customer(self):
        if not self.env.su:
            self._check_customer_owner()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_kept_customers(self):
        self._check_customers_kept()

    @api.model
    def _customer_kept_by(self):
        """(model, what) of the records that keep a customer from being
        deleted (by their partner_id): each concern adds its logs."""
        return [("customer.card.access.log", self.env._("the confidential access log"))]

    def _check_card_write_access(self):
        """Card fields are edited by customer management users only."""
        user = self.env.user
        if self and not user.has_group("customer_mgmt.group_customer_user"):
            raise AccessError(
                self.env._(
                    "Only customer management users may edit customer cards (%(customers)s).",
                    customers=format_list(self.env, self.mapped("display_name")),
                )
            )

    def _check_customer_owner(self):
        """A salesperson (a customer management user who is no manager)
        changes only their own or unassigned customers, all of them: any
        field, archiving, deleting, their contacts, moving a contact in or
        out. Odoo's plain sales users are left as Odoo has them."""
        user = self.env.user
        if (
            not self
            or user.has_group("customer_mgmt.group_customer_manager")
            or not user.has_group("customer_mgmt.group_customer_user")
        ):
            return
        foreign = self.commercial_partner_id.filtered(lambda p: p.user_id and p.user_id != user)
        if foreign:
            raise AccessError(
                self.env._(
                    "You can only change your own or unassigned customers; %(customers)s belong to another "
                    "salesperson.",
                    customers=format_list(self.env, foreign.mapped("display_name")),
                )
            )

    def _check_customers_kept(self):
        """Customers that a log, a history or complaints refer to are
        archived, not deleted (nor merged away): those records must survive
        them, about them."""
        for model, records in self._customer_kept_by():
            kept = self.env[model].sudo()._read_group([("partner_id", "in", self.ids)], ["partner_id"])
            if kept:
                raise UserError(
                    self.env._(
                        "%(customers)s cannot be deleted: they are kept in %(records)s. Archive them "
                        "instead.",
                        customers=format_list(self.env, [partner.display_name for (partner,) in kept]),
                        records=records,
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

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        result = super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        # Grouping by a confidential field, or aggregating one, reveals it for
        # every contact of the groups: logged as a read of each of them.
        fnames = {spec.split(":")[0].split(".")[0] for spec in (*groupby, *aggregates)}
        read_fields = CONFIDENTIAL_FIELDS.intersection(fnames)
        if read_fields and not self.env.su:
            revealed = Domain.OR(Domain(fname, "!=", False) for fname in read_fields)
            self.search(Domain(domain) & revealed)._log_confidential_access(read_fields, "group")
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
                    "company_id": self.env.company.id,
                }
                for customer, customer_contacts in contacts.grouped("commercial_partner_id").items()
            ]
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def _action_customer_cards(self):
        """The Customer Cards menu: a salesperson's opens on their own customers
        (managers and customer service, who answer every customer, on all)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.res_partner_action_customer")
        user = self.env.user
        if not (
            user.has_group("customer_mgmt.group_customer_manager")
            or user.has_group("customer_mgmt.group_customer_service")
        ):
            # instead of "Is a Customer", in the same group of filters (they would add up)
            context = safe_eval(action["context"] or "{}")
            context.pop("search_default_customers", None)
            action["context"] = {**context, "search_default_my_customers": 1}
        return action

    def action_open_card_sections(self):
        """The card sections with their history (the chatter of customer.card)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.card",
            "res_id": self.customer_card_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_card_review(self):
        self.env["customer.card.review"]._check_can_review()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_mgmt.customer_card_review_wizard_action"
        )
        action["context"] = {"default_partner_ids": self.commercial_partner_id.ids}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _do_card_review(self, remarks):
        """Record a manager's review on each card of ``self``."""
        self.env["customer.card.review"]._record(self.commercial_partner_id, remarks)
