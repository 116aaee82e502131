from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..classification.res_partner import CUSTOMER_CHANNELS


class BandsChecked(frozenset):
    """Ids of schemes whose write checks their bands once all its commands
    are done: a band it deletes is not judged alone (a Python object in the
    context, which no RPC call can forge)."""


class CustomerGradeScheme(models.Model):
    """Grading table of one channel: sales bands with a base grade and a margin quota
    (批发、连锁类 / 零售、医疗机构 A、B、C分类标准)."""

    _name = "customer.grade.scheme"
    _description = "Customer Grading Scheme"
    _order = "channel, company_id, id"

    name = fields.Char(required=True, translate=True)
    channel = fields.Selection(CUSTOMER_CHANNELS, required=True, index=True)
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share the scheme.")
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", help="Bands are in the company currency."
    )
    line_ids = fields.One2many("customer.grade.scheme.line", "scheme_id", string="Bands", copy=True)
    active = fields.Boolean(default=True)

    _channel_company_uniq = models.UniqueIndex(
        "(channel, COALESCE(company_id, 0)) WHERE active IS TRUE",
        "There is already an active grading scheme for this channel and company.",
    )

    @api.depends("company_id")
    def _compute_currency_id(self):
        for scheme in self:
            scheme.currency_id = (scheme.company_id or self.env.company).currency_id

    @api.constrains("line_ids")
    def _check_bands(self):
        """Bands cover [0, +inf) exactly once: sorted by lower bound, each band
        starts where the previous one ends and only the last one is open."""
        for scheme in self:
            bands = scheme.line_ids.sorted(lambda band: (band.amount_min, band.id))
            if not bands:
                continue

            def refuse(message, band, other=None, scheme=scheme):
                raise ValidationError(
                    message % {"scheme": scheme.name, "band": band.display_name, "other": other.display_name}
                    if other
                    else message % {"scheme": scheme.name, "band": band.display_name}
                )

            if bands[0].amount_min != 0:
                refuse(self.env._("Scheme %(scheme)s: the lowest band %(band)s must start at 0."), bands[0])
            for band, following in pairwise(bands):
                if not band.amount_max or band.amount_max > following.amount_min:
                    refuse(
                        self.env._("Scheme %(scheme)s: bands %(band)s and %(other)s overlap."),
                        band,
                        following,
                    )
                if band.amount_max < following.amount_min:
                    refuse(
                        self.env._("Scheme %(scheme)s: bands %(band)s and %(other)s leave a gap."),
                        band,
                        following,
                    )
            if bands[-1].amount_max:
                refuse(
                    self.env._("Scheme %(scheme)s: the highest band %(band)s must have no upper bound."),
                    bands[-1],
                )

    def write(self, vals):
        return super(
            CustomerGradeScheme, self.with_context(customer_mgmt_bands_checked=BandsChecked(self.ids))
        ).write(vals)
