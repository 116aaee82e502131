from contextlib import nullcontext

from odoo import api, models

from .sale_order import CREDIT_LINE_INPUTS


class SaleOrderLine(models.Model):
    """Lines changed directly (not through their order's write) are judged as
    a change of their confirmed order: see ``sale.order._credit_recheck``. A
    refused change is undone (savepoint), even for a caller that goes on."""

    _name = "sale.order.line"
    _inherit = ["sale.order.line", "customer.credit.computed.inputs"]

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        watched = orders._credit_watched_by_lines()
        before = watched._credit_state()
        with self.env.cr.savepoint() if watched else nullcontext():
            lines = super().create(vals_list)
            if watched:
                watched._credit_recheck(before)
        return lines

    def write(self, vals):
        orders = self.order_id | self.env["sale.order"].browse(vals.get("order_id"))
        watched = (
            orders._credit_watched_by_lines() if CREDIT_LINE_INPUTS.intersection(vals) else orders.browse()
        )
        before = watched._credit_state()
        with self.env.cr.savepoint() if watched else nullcontext():
            res = super().write(vals)
            if watched:
                watched._credit_recheck(before)
        return res
