from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_list

QUALITY_LEVELS = [
    ("excellent", "Excellent"),
    ("good", "Good"),
    ("average", "Average"),
    ("poor", "Poor"),
]
HIGH_LOW = [("high", "High"), ("medium", "Medium"), ("low", "Low")]

# The sections of the card a salesperson keeps for their own customers
# (专人负责): characteristics, business status, transaction status. They live
# here, not on res.partner, so that record rules keep them from the other
# salespeople on every path (read, search, grouping, export, chatter), while
# Odoo's own flows go on reading the partner's name, addresses and salesperson.
# res.partner shows them through related fields of the same names.
CARD_SECTION_FIELDS = (
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
)


def card_field(field_class, fname, **kwargs):
    """The field of res.partner that shows the card's ``fname``: read through
    the cards the user may read (compute_sudo=False: their record rules apply),
    tracked on the card only (the partner's chatter is read by every user)."""
    options = {"readonly": False, "compute_sudo": False, "tracking": False, **kwargs}
    return field_class(related=f"customer_card_id.{fname}", **options)


class CustomerCard(models.Model):
    _name = "customer.card"
    _description = "Customer Card Sections"
    _inherit = ["mail.thread"]
    _rec_name = "partner_id"
    _order = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        ondelete="cascade",
        domain="[('is_customer_card', '=', True)]",
    )

    # Characteristics (客户特征)
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

    # Business status (业务状况)
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

    # Transaction status (交易状况)
    current_sales_status = fields.Text(string="Current Sales", tracking=True)
    existing_problems = fields.Text(string="Problems", tracking=True)
    strengths = fields.Text(tracking=True)
    future_strategy = fields.Text(tracking=True)
    reputation = fields.Selection(QUALITY_LEVELS, string="Image and Reputation", tracking=True)

    # partner_id is looked up through this constraint's index (no second one from index=True)
    _partner_unique = models.Constraint("UNIQUE(partner_id)", "A customer has one card.")

    # The record rules keep a salesperson to their own or unassigned customers'
    # cards; these checks say so in words before the rules refuse.
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.env["res.partner"].browse(vals["partner_id"] for vals in vals_list)._check_customer_owner()
        cards = super().create(vals_list)
        # a card opens with the first sections written: their history starts
        # with them, as changes from empty (mail tracks writes only)
        tracked = self._track_get_fields()
        cards.sudo()._message_track(tracked, {card.id: dict.fromkeys(tracked, False) for card in cards})
        return cards

    def write(self, vals):
        if "partner_id" in vals:
            raise UserError(
                self.env._(
                    "A customer card cannot be moved to another customer (%(cards)s).",
                    cards=format_list(self.env, self.mapped("display_name")),
                )
            )
        if not self.env.su:
            # read past the rules that are about to refuse, to say why
            self.sudo().partner_id.with_env(self.env)._check_customer_owner()
        return super().write(vals)
