from contextlib import nullcontext

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_list

# Written only by the credit methods (one-time release, hold-back, approval request).
CREDIT_ORDER_FIELDS = frozenset(
    {
        "credit_release_user_id",
        "credit_release_date",
        "credit_release_amount",
        "credit_release_reason",
        "credit_release_partner_id",
        "credit_release_used",
        "credit_block_reason",
        "credit_approval_requested",
    }
)


# What the credit check reads of an order: written together with the state, they
# are written first, so that the check judges the order as it is confirmed.
CREDIT_CHECK_INPUTS = frozenset(
    {
        "company_id",
        "partner_id",
        "partner_invoice_id",
        "order_line",
        "pricelist_id",
        "currency_id",
        "currency_rate",
    }
)
# A confirmed order is judged again when these change: its currency rate is
# taken at its date.
CREDIT_RECHECK_INPUTS = CREDIT_CHECK_INPUTS | {"date_order"}


# Line fields whose change on a confirmed order can raise what it adds to its
# customer's exposure: the order is judged again.
CREDIT_LINE_INPUTS = frozenset(
    {"order_id", "product_id", "product_uom_qty", "product_uom_id", "price_unit", "discount", "tax_ids"}
)
# Clearing a one-time release (cancel, reset to draft, other customer).
VOID_RELEASE = dict.fromkeys(
    CREDIT_ORDER_FIELDS - {"credit_block_reason", "credit_approval_requested"}, False
)


class CreditChecked(frozenset):
    """Ids of orders the credit check already passed under lock in this call.
    A Python object in the context, which no RPC call can forge."""


class CreditRecheckDeferred(frozenset):
    """Ids of confirmed orders whose change is judged once, by the write of
    the order, not again by the writes of their lines it makes (unforgeable,
    as ``CreditChecked``)."""


class SaleOrder(models.Model):
    """The credit check at the order checkpoint, where the company's credit
    control blocks (``customer_credit_control`` = block and "Check at Order
    Confirmation"). Every way an order becomes confirmed goes through the same
    check, ``_credit_blocked_orders``, under the customers' lock:

    - ``action_confirm`` by an internal user: through ``write`` below;
    - ``write({'state': 'sale'})`` (any caller, RPC included): the check runs
      before the state is written; values written together with the state
      that the check reads (customer, invoice address, lines, pricelist,
      currency, company) are written first, so the order is judged as it is
      confirmed;
    - ``create`` of an order directly in state ``sale``;
    - ``action_confirm`` as superuser or portal customer (portal signature,
      online payment, automated flows): blocked orders are left unconfirmed
      with their reason and an approval request instead of failing the
      customer's action;
    - ``action_confirm_credit_checked`` (batch from the list): confirms the
      orders that pass, reports the others.

    The decision holds for the whole life of the order: a change to a
    confirmed order that raises what its customers owe (lines added, more
    quantity, higher price, smaller discount, through the order or its lines
    directly: ``sale.order.line``) or moves it onto another customer or company
    is judged again by the same check under the same lock before it stands
    (``_credit_recheck``); a change of a customer's commercial parent is judged
    in ``res.partner``.

    The order's customer and its invoice address (their commercial partners)
    are both judged. A one-time release (``_credit_release_once``) lets one
    order of one customer through once, up to the released amount: it is used
    by the confirmation it allows and voided by a cancellation, a reset to
    draft or a change of customer or company.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "customer.credit.computed.inputs"]

    credit_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    credit_release_user_id = fields.Many2one("res.users", string="Released By", readonly=True, copy=False)
    credit_release_date = fields.Datetime(string="Released On", readonly=True, copy=False)
    credit_release_amount = fields.Monetary(
        string="Released Amount",
        currency_field="credit_currency_id",
        readonly=True,
        copy=False,
        help="A one-time credit release covers this order up to this amount (company currency).",
    )
    credit_release_reason = fields.Char(string="Release Reason", readonly=True, copy=False)
    credit_release_partner_id = fields.Many2one(
        "res.partner", string="Released For", readonly=True, copy=False, index="btree_not_null"
    )
    credit_release_used = fields.Boolean(
        string="Release Used",
        readonly=True,
        copy=False,
        help="The confirmation it allowed used the one-time release: later changes are judged again.",
    )
    credit_block_reason = fields.Text(
        string="Credit Block",
        readonly=True,
        copy=False,
        help="Why the credit check kept this order unconfirmed.",
    )
    credit_approval_requested = fields.Boolean(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(CREDIT_ORDER_FIELDS.intersection(vals) for vals in vals_list):
            raise AccessError(self.env._("Credit releases are given by credit controllers only."))
        orders = super().create(vals_list)
        orders.filtered(lambda order: order.state == "sale")._credit_check_confirmation()
        return orders

    def write(self, vals):
        if not self.env.su and CREDIT_ORDER_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "Credit releases of %(orders)s are given by credit controllers only.",
                    orders=format_list(self.env, self.mapped("display_name")),
                )
            )
        if vals.get("state") in ("draft", "cancel") or {
            "partner_id",
            "partner_invoice_id",
            "company_id",
        } & set(vals):
            self._credit_void_release(vals)
        watched = self._credit_watched(vals)
        confirming = self.browse()
        if vals.get("state") == "sale":
            confirming = self.filtered(lambda order: order.state != "sale")
            checked = self.env.context.get("customer_mgmt_credit_checked")
            if isinstance(checked, CreditChecked):
                confirming = confirming.filtered(lambda order: order.id not in checked)
        # Judge the order as it will be confirmed, not as it was (while the
        # control is off, Odoo's single write is left alone).
        split = bool(
            confirming
            and CREDIT_CHECK_INPUTS.intersection(vals)
            and ("company_id" in vals or confirming._credit_controlled())
        )
        before = watched._credit_state()
        deferred = CreditRecheckDeferred(watched.ids)
        orders = self.with_context(customer_mgmt_credit_recheck_deferred=deferred) if watched else self
        # judged once written: a refused change is undone, even for a caller that goes on
        with self.env.cr.savepoint() if watched or split else nullcontext():
            if confirming:
                if split:
                    super(SaleOrder, orders).write(
                        {name: value for name, value in vals.items() if name != "state"}
                    )
                    vals = {"state": "sale"}
                confirming._credit_check_confirmation()
                released = confirming.filtered(
                    lambda order: order.credit_release_date and not order.credit_release_used
                )
                if released:
                    released.sudo().credit_release_used = True
                if confirming.filtered("credit_block_reason"):
                    vals = {**vals, "credit_block_reason": False}
            res = super(SaleOrder, orders).write(vals)
            if watched:
                watched._credit_recheck(before)
        return res

    def _credit_watched(self, vals):
        """Confirmed orders whose change ``vals`` is judged again: those under
        credit control, and any when they may move to another company."""
        if not CREDIT_RECHECK_INPUTS.intersection(vals):
            return self.browse()
        confirmed = self.filtered(lambda order: order.state == "sale")
        return confirmed if "company_id" in vals else confirmed._credit_controlled()

    def _credit_watched_by_lines(self):
        """Confirmed orders under credit control whose lines are being
        changed, unless the order's own write judges them."""
        deferred = self.env.context.get("customer_mgmt_credit_recheck_deferred")
        orders = self.filtered(lambda order: order.state == "sale")._credit_controlled()
        if isinstance(deferred, CreditRecheckDeferred):
            orders = orders.filtered(lambda order: order.id not in deferred)
        return orders

    def _credit_void_release(self, vals):
        """A release is for one order of one customer in one company: it does
        not survive a cancellation, a reset to draft or another customer."""
        released = self.filtered("credit_release_date")
        for order in released:
            customers = order._credit_customers()
            moved = any(
                name in vals and order[name].id != vals[name]
                for name in ("partner_id", "partner_invoice_id", "company_id")
            )
            if vals.get("state") in ("draft", "cancel") or moved:
                order.sudo().write(VOID_RELEASE)
                customers._credit_log("order_release_void", self.env._("Release voided"), order=order)
                order.message_post(body=self.env._("The one-time credit release no longer applies."))

    def _credit_amount(self):
        """Order total in company currency."""
        return self.amount_total / (self.currency_rate or 1.0)

    def _credit_open_amount(self):
        """What this confirmed order adds to its customer's exposure (its part
        "orders" in ``customer.credit.exposure``), in company currency."""
        self.ensure_one()
        if self.state != "sale" or self.invoice_status in ("invoiced", "upselling"):
            return 0.0
        total = sum(
            (line.product_uom_qty - line.qty_invoiced) * line.price_total / line.product_uom_qty
            for line in self.order_line
            if line.product_uom_qty > 0 and line.qty_invoiced < line.product_uom_qty
        )
        return total / (self.currency_rate or 1.0)

    def _credit_customers(self):
        """The commercial partners an order's credit is judged on: its
        customer's and its invoice address's."""
        return (self.partner_id | self.partner_invoice_id).commercial_partner_id

    def _credit_state(self):
        """{order id: (customers, company, open amount)}, before a change."""
        return {
            order.id: (order._credit_customers(), order.company_id, order._credit_open_amount())
            for order in self
        }

    def _credit_recheck(self, before):
        """Judge again the confirmed orders of ``self`` whose change raised
        what they add to their customers' exposure or moved them onto another
        customer or company (``before``: ``_credit_state`` before the change)."""
        self.env.flush_all()
        changed = self.filtered(
            lambda order: (
                order.state == "sale"
                and (
                    before.get(order.id, (None, None, 0.0))[:2]
                    != (order._credit_customers(), order.company_id)
                    or order.company_id.currency_id.compare_amounts(
                        order._credit_open_amount(), before.get(order.id, (None, None, 0.0))[2]
                    )
                    > 0
                )
            )
        )
        blocked = changed._credit_blocked_orders(amount_of=lambda order: order._credit_open_amount())
        if blocked:
            raise UserError(
                "\n".join(blocked.values())
                + "\n"
                + self.env._("The change to the confirmed order was not saved: ask a credit controller.")
            )

    def _credit_controlled(self, checkpoint="customer_credit_check_order"):
        """Orders whose company blocks at ``checkpoint``."""
        return self.filtered(
            lambda order: order.company_id.customer_credit_control == "block" and order.company_id[checkpoint]
        )

    def _credit_blocked_orders(self, amount_of=None):
        """{order: reason} for the orders of ``self`` the credit check refuses.
        Their customers are locked by the same statement that reads their
        figures, so that two confirmations for the same customer are decided
        one after the other: one query whatever the customers' history. An
        order is judged on each of its customers (``_credit_customers``) with
        ``amount_of(order)``, by default its total."""
        blocked = {}
        exposure_model = self.env["customer.credit.exposure"]
        for company, orders in self._credit_controlled().grouped("company_id").items():
            for figure in exposure_model._check_figures(company, orders).values():
                exposure = figure["exposure"]
                for order in orders.browse(sorted(figure["order_ids"])):
                    amount = amount_of(order) if amount_of else order._credit_amount()
                    reason = order._credit_block_reason(figure, exposure, amount)
                    if reason:
                        blocked[order] = "\n".join(filter(None, [blocked.get(order), reason]))
                    else:
                        exposure += amount
        return blocked

    def _credit_block_reason(self, figure, exposure, amount):
        """Why this order may not be confirmed, or '' (released orders pass).
        ``figure`` is its customer's, ``exposure`` without this order."""
        currency = self.company_id.currency_id
        if (
            self.credit_release_date
            and not self.credit_release_used
            and currency.compare_amounts(amount, self.credit_release_amount) <= 0
        ):
            return ""
        return self.env["customer.credit.exposure"]._refusal_message(
            self.name, figure, self.company_id, exposure=exposure, amount=amount
        )

    def _credit_check_confirmation(self):
        blocked = self._credit_blocked_orders()
        if blocked:
            raise UserError(
                "\n".join(blocked.values())
                + "\n"
                + self.env._("Ask a credit controller for a release (Request Credit Approval).")
            )

    def action_confirm(self):
        # Portal signatures, online payments and other automated confirmations
        # run as superuser or as the customer: keep blocked orders waiting for
        # the credit controllers instead of failing the customer's action.
        if self.env.su or self.env.user.share:
            blocked = self._credit_blocked_orders()
            if blocked:
                self._credit_hold_back(blocked)
            rest = self - self.browse([order.id for order in blocked])
            if not rest:
                return True
            rest = rest.with_context(customer_mgmt_credit_checked=CreditChecked(rest.ids))
            return super(SaleOrder, rest).action_confirm()
        return super().action_confirm()

    def _credit_hold_back(self, blocked):
        """Leave ``blocked`` orders unconfirmed with their reason and ask the
        credit controllers for a decision."""
        for order, reason in blocked.items():
            order.sudo().write({"credit_block_reason": reason})
            order.sudo().message_post(body=reason)
        self.browse([order.id for order in blocked])._credit_request_approval()

    def action_confirm_credit_checked(self):
        """Confirm the orders that pass the credit check, report the others."""
        self.check_access("write")
        blocked = self._credit_blocked_orders()
        for order, reason in blocked.items():
            order.sudo().credit_block_reason = reason
        passing = self - self.browse([order.id for order in blocked])
        if passing:
            passing.with_context(customer_mgmt_credit_checked=CreditChecked(passing.ids)).action_confirm()
        message = self.env._("%(count)s order(s) confirmed.", count=len(passing))
        if blocked:
            message += "\n" + "\n".join(blocked.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Confirm with credit check"),
                "message": message,
                "type": "warning" if blocked else "success",
                "sticky": bool(blocked),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_credit_request_approval(self):
        self.check_access("write")
        blocked = self._credit_blocked_orders()
        if not blocked:
            raise UserError(
                self.env._(
                    "%(orders)s pass the credit check: confirm them directly.",
                    orders=format_list(self.env, self.mapped("display_name")),
                )
            )
        self.browse([order.id for order in blocked])._credit_request_approval()
        return True

    def _credit_request_approval(self):
        for order in self.filtered(lambda o: not o.credit_approval_requested):
            for user in order.company_id._credit_controllers():
                order.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Credit approval requested"),
                    note=order.credit_block_reason or "",
                    user_id=user.id,
                )
        self.sudo().credit_approval_requested = True

    def action_credit_release_once(self):
        self.company_id._check_credit_controller()
        wizard = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_mgmt.customer_credit_action_wizard_action"
        )
        wizard["context"] = {"default_action": "release_order", "default_order_id": self.ensure_one().id}
        return wizard

    def _credit_release_once(self, reason):
        """One-time release by a credit controller: this order, up to its
        current amount, passes the credit check once."""
        self.ensure_one()
        self.company_id._check_credit_controller()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for releasing %(order)s.", order=self.name))
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("%(order)s is not waiting for confirmation.", order=self.name))
        self.sudo().write(
            {
                "credit_release_user_id": self.env.uid,
                "credit_release_date": fields.Datetime.now(),
                "credit_release_amount": self._credit_amount(),
                "credit_release_reason": reason,
                "credit_release_partner_id": self.partner_invoice_id.commercial_partner_id.id,
                "credit_release_used": False,
                "credit_block_reason": False,
            }
        )
        self.partner_invoice_id.commercial_partner_id._credit_log("order_release", reason, order=self)
        self.activity_ids.filtered(
            lambda activity: (
                activity.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
                and activity.user_id in self.company_id._credit_controllers()
            )
        ).sudo().action_feedback(feedback=reason)
        self.message_post(body=self.env._("One-time credit release: %(reason)s", reason=reason))

    @api.depends("company_id", "partner_id", "partner_invoice_id", "amount_total")
    def _compute_partner_credit_warning(self):
        res = super()._compute_partner_credit_warning()
        warned = self.filtered(
            lambda order: (
                order.state in ("draft", "sent")
                and order.partner_invoice_id
                and order.company_id.customer_credit_control in ("warn", "block")
            )
        )
        for company, orders in warned.grouped("company_id").items():
            partners = orders.partner_invoice_id.commercial_partner_id._origin
            figures = partners._credit_figures(company, exclude_order_ids=orders._origin.ids)
            for order in orders:
                partner_id = order.partner_invoice_id.commercial_partner_id._origin.id
                order.partner_credit_warning = order._credit_block_reason(
                    figures[partner_id], figures[partner_id]["exposure"], order._credit_amount()
                )
        return res
