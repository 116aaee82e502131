from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round, format_amount
from odoo.tools.sql import add_index, index_exists

CHECK_FUNCTION = "customer_mgmt_credit_check"

# Confirmed orders with something left to invoice (an order invoiced or
# upselling has no line left to invoice): the "orders" part of the exposure and
# the partial index it reads through share this one definition ({alias}: the
# table's alias and a dot in the query, nothing in the index).
OPEN_ORDERS = "{alias}state = 'sale' AND {alias}invoice_status NOT IN ('invoiced', 'upselling')"

# An order billed to another address than its customer: the "placed" part's
# predicate and its partial index's, written alike so that the planner matches them.
BILLED_ELSEWHERE = "{alias}partner_invoice_id != {alias}partner_id"

# Each part of the exposure reads through one partial index, created by init():
# (index name, table, definition). Beside each, the part that needs it.
EXPOSURE_INDEXES = (
    # "items": a customer's open receivables, summed from the index alone
    # (index-only scan), whatever its history of paid invoices.
    (
        "account_move_line__customer_mgmt_open_items_idx",
        "account_move_line",
        "(partner_id) INCLUDE (account_id, company_id, amount_residual, date_maturity) "
        "WHERE amount_residual != 0 AND parent_state = 'posted'",
    ),
    # "drafts": draft customer invoices, always few.
    (
        "account_move__customer_mgmt_draft_invoice_idx",
        "account_move",
        "(partner_id) WHERE state = 'draft' AND move_type IN ('out_invoice', 'out_refund')",
    ),
    # "orders": open orders of the invoiced customer (OPEN_ORDERS).
    (
        "sale_order__customer_mgmt_open_orders_idx",
        "sale_order",
        "(partner_invoice_id) WHERE " + OPEN_ORDERS.format(alias=""),
    ),
    # "placed": open orders the customer placed, invoiced to another one; only
    # orders billed to another address than their customer's can be (BILLED_ELSEWHERE),
    # a few of them, so that the customer's own orders are not read twice.
    (
        "sale_order__customer_mgmt_placed_billed_elsewhere_idx",
        "sale_order",
        "(partner_id) WHERE " + OPEN_ORDERS.format(alias="") + " AND " + BILLED_ELSEWHERE.format(alias=""),
    ),
)

# _figures sums each part over all its rows in one pass, then keeps the sums of
# the customers asked for, when they are at least this many and half of the
# partners (as PostgreSQL counts them). Of 100,000 customers with 20 open items
# each, 20,000 took 0.22 s both ways, 50,000 0.53 s in one pass and 0.56 s
# customer by customer through the index, all of them 0.9 s and 1.13 s; a few
# take milliseconds through the index.
SCAN_ALL_MIN = 5000

# Indexes of earlier versions, replaced by one of EXPOSURE_INDEXES under
# another name: dropped by init() at the module's update, and at uninstall.
RETIRED_INDEXES = (
    # "placed" over every open order, when most are billed to their customer
    "sale_order__customer_mgmt_open_orders_placed_idx",
)


class CustomerCreditExposure(models.AbstractModel):
    """A customer's credit exposure, computed in SQL from its open items,
    draft invoices and open orders, in two shapes built from the same parts:

    - for any set of customers (card, lists, search, credit review), one
      statement grouped by customer: ``_figures``;
    - for the customers of the orders being confirmed, the database function
      ``customer_mgmt_credit_check`` (planned once per connection) that also
      locks them: ``_check_figures``.

    Both return what a refusal needs (name, hold and its reason, limit and
    figures), so a checkpoint reads nothing else: see ``_refusal_message``.
    """

    _name = "customer.credit.exposure"
    _description = "Customer Credit Exposure"

    def init(self):
        res = super().init()
        for name in RETIRED_INDEXES:
            self.env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
        for name, table, definition in EXPOSURE_INDEXES:
            if not index_exists(self.env.cr, name):
                add_index(self.env.cr, name, table, SQL(f"USING btree {definition}"), unique=False)
        body = self._figures_query(
            customers=SQL(
                # an order is judged on its invoice address's and its customer's
                # commercial partners
                """SELECT partner.commercial_partner_id AS id, array_agg(DISTINCT sale.id) AS order_ids
                     FROM sale_order sale
                     JOIN res_partner partner
                       ON partner.id IN (sale.partner_invoice_id, sale.partner_id)
                    WHERE sale.id = ANY(p_order_ids) GROUP BY 1"""
            ),
            company=SQL("p_company"),
            limit_fallback=SQL("p_limit_fallback"),
            today=SQL("p_today"),
            exclude=SQL("p_order_ids"),
            lock=self._lock_sql(),
            per_customer=True,
        )
        self.env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL.identifier(CHECK_FUNCTION)))
        self.env.cr.execute(
            SQL(
                """CREATE FUNCTION %s(
                       p_order_ids int[], p_company int, p_limit_fallback float, p_today date)
                   RETURNS TABLE (id int, order_ids int[], name varchar, hold_reason varchar,
                                  credit_limit float, hold boolean, receivable float, draft float,
                                  orders float, overdue float, overdue_days int)
                   LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan
                   AS $check$ BEGIN RETURN QUERY %s; END $check$""",
                SQL.identifier(CHECK_FUNCTION),
                body,
            )
        )
        return res

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _figures(self, partners, company, exclude_order_ids=(), lock=False):
        """{partner id: figures} of the commercial ``partners`` in ``company``,
        in its currency, leaving out of the exposure the orders
        ``exclude_order_ids``; with ``lock``, the partners stay locked as by
        the check at confirmation. One query whatever their history."""
        if not partners:
            return {}
        self.env.flush_all()
        # each customer once: the parts join them (see _figures_part)
        ids = list(dict.fromkeys(partners.ids))
        query = self._figures_query(
            # the ids as one array literal: PostgreSQL reads 100,000 of them in
            # 0.03 s, and in 0.12 s as the ARRAY[...] of a Python list
            customers=SQL(
                "SELECT unnest(%s::int[]) AS id, NULL::int[] AS order_ids",
                "{" + ",".join(map(str, ids)) + "}",
            ),
            company=SQL("%s", company.id),
            limit_fallback=SQL("%s", self._limit_fallback(company)),
            today=SQL("%s", fields.Date.context_today(self)),
            exclude=SQL("%s", list(exclude_order_ids)),
            lock=self._lock_sql() if lock else SQL("SELECT NULL"),
            scan_all=len(ids) >= SCAN_ALL_MIN and 2 * len(ids) >= self._partners_estimate(),
        )
        return self._figures_by_partner(company, self._execute_without_jit(query))

    @api.model
    def _partners_estimate(self):
        """The number of partners as PostgreSQL's statistics count them."""
        [(count,)] = self.env.execute_query(
            SQL("SELECT reltuples FROM pg_class WHERE oid = 'res_partner'::regclass")
        )
        return max(count, 0)

    @api.model
    def _execute_without_jit(self, query):
        """Run a statement over many customers without JIT compilation: its
        estimated cost over 100,000 customers passes PostgreSQL's JIT
        thresholds, and compiling took longer (5 s) than running it (3 s)."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        rows = self.env.execute_query(query)
        # (a failed statement rolls the setting back with it)
        self.env.cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        return rows

    @api.model
    def _over_limit_ids(self, company):
        """Active commercial partners whose exposure exceeds their limit in
        ``company``: compared in the statement, so that only their ids come
        back, whatever the number of customers."""
        self.env.flush_all()
        limit_fallback = self._limit_fallback(company)
        figures = self._figures_query(
            customers=SQL(
                """SELECT partner.id, NULL::int[] AS order_ids FROM res_partner partner
                    WHERE partner.parent_id IS NULL AND partner.active
                      AND COALESCE((partner.credit_limit ->> %s)::float, %s) > 0""",
                str(company.id),
                limit_fallback,
            ),
            company=SQL("%s", company.id),
            limit_fallback=SQL("%s", limit_fallback),
            today=SQL("%s", fields.Date.context_today(self)),
            exclude=SQL("%s", []),
            lock=SQL("SELECT NULL"),
            # whoever has a limit: most customers, as far as the index can tell
            scan_all=True,
        )
        # rounded as _figures_by_partner rounds, compared as compare_amounts does
        rows = self._execute_without_jit(
            SQL(
                """SELECT id FROM (%(figures)s) figures(id, order_ids, name, hold_reason, credit_limit, hold,
                                                        receivable, draft, orders, overdue, overdue_days)
                    WHERE ROUND(ROUND(receivable::numeric, %(digits)s)
                                + ROUND(draft::numeric, %(digits)s)
                                + ROUND(orders::numeric, %(digits)s)
                                - credit_limit::numeric, %(digits)s) > 0""",
                figures=figures,
                digits=company.currency_id.decimal_places,
            )
        )
        return [pid for (pid,) in rows]

    @api.model
    def _check_figures(self, company, orders):
        """Figures of the customers that ``orders`` are invoiced to, without
        these orders, their ids under ``order_ids``; the customers stay locked
        until the end of the transaction, so that a concurrent transaction
        deciding on one of them waits for this one and then fails to serialize
        (Odoo retries it with a fresh snapshot) instead of deciding on figures
        that miss this one's orders."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT * FROM %s(%s, %s, %s, %s)",
                SQL.identifier(CHECK_FUNCTION),
                orders.ids,
                company.id,
                self._limit_fallback(company),
                fields.Date.context_today(self),
            )
        )
        return self._figures_by_partner(company, rows)

    @api.model
    def _lock_sql(self):
        """Lock the customers being decided on, so that concurrent decisions
        on one of them are taken one after the other."""
        return SQL(
            "UPDATE res_partner SET write_date = write_date "
            "WHERE res_partner.id IN (SELECT customers.id FROM customers) RETURNING res_partner.id"
        )

    @api.model
    def _limit_fallback(self, company):
        """Odoo's default credit limit in ``company`` (the ``ir.default`` of a
        company-dependent field), for customers without their own."""
        # a decision may involve a company the user does not work in (a contact moved)
        partners = self.env["res.partner"].sudo().with_company(company)
        return partners._fields["credit_limit"].get_company_dependent_fallback(partners) or 0.0

    @api.model
    def _figures_query(
        self, customers, company, limit_fallback, today, exclude, lock, per_customer=False, scan_all=False
    ):
        """The figures of the commercial partners that the query ``customers``
        yields (columns ``id`` and ``order_ids``, returned as they are):
        exposure = posted unpaid receivables (residuals are in company currency)
        + draft customer invoices + what confirmed orders invoiced to them, or
        placed by them and invoiced to another, have not yet invoiced (at the
        order's rate), leaving out the
        orders ``exclude``; the overdue amount and days; Odoo's credit limit in
        ``company`` (0 = none), the hold and its reason. ``lock`` runs first (a
        data-modifying CTE). Every input is SQL, so that the same statement runs
        with values and as the body of the check function.

        Each part is summed for all the customers at once, grouped by customer,
        or, with ``per_customer``, customer by customer: cheaper for the one or
        two customers of a confirmation, far dearer for thousands. Grouped, the
        rows of each part are read through the index for the ``customers``
        only, or, with ``scan_all``, all of them in one pass (most customers):
        see ``_figures_part``. The ``customers`` must be distinct."""
        due = SQL("line.date_maturity < %s AND line.amount_residual > 0", today)
        open_amount = SQL(
            """SUM((line.product_uom_qty - line.qty_invoiced) * line.price_total
                   / line.product_uom_qty / COALESCE(NULLIF(sale.currency_rate, 0), 1)) AS amount"""
        )
        open_lines = SQL(
            """%s AND sale.company_id = %s AND sale.id != ALL(%s)
               AND line.product_uom_qty > 0 AND line.qty_invoiced < line.product_uom_qty""",
            SQL(OPEN_ORDERS.format(alias="sale.")),
            company,
            exclude,
        )
        parts = [
            # through account_move_line__customer_mgmt_open_items_idx
            self._figures_part(
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
                scan_all,
                # the sums of a customer's members (most have one)
                totals=SQL(
                    """SUM(part.receivable) AS receivable, SUM(part.overdue) AS overdue,
                       MIN(part.oldest_due) AS oldest_due"""
                ),
            ),
            # through account_move__customer_mgmt_draft_invoice_idx
            self._figures_part(
                "drafts",
                SQL("SUM(move.amount_total_signed) AS amount"),
                SQL("account_move move"),
                SQL("move.partner_id"),
                SQL(
                    # a draft refund lowers nothing until it is posted
                    """move.state = 'draft' AND move.move_type = 'out_invoice' AND move.company_id = %s""",
                    company,
                ),
                per_customer,
                scan_all,
            ),
            # through sale_order__customer_mgmt_open_orders_idx
            self._figures_part(
                "orders",
                open_amount,
                SQL("sale_order sale JOIN sale_order_line line ON line.order_id = sale.id"),
                SQL("sale.partner_invoice_id"),
                open_lines,
                per_customer,
                scan_all,
            ),
            # through sale_order__customer_mgmt_placed_billed_elsewhere_idx: an
            # order counts for the customer who placed it too, when another is billed
            self._figures_part(
                "placed",
                open_amount,
                SQL(
                    "sale_order sale JOIN sale_order_line line ON line.order_id = sale.id%s",
                    SQL()
                    if per_customer
                    else SQL(" JOIN res_partner invoiced ON invoiced.id = sale.partner_invoice_id"),
                ),
                SQL("sale.partner_id"),
                SQL(
                    "%s AND %s AND %s",
                    open_lines,
                    SQL(BILLED_ELSEWHERE.format(alias="sale.")),
                    # the customer placed it (through one of its members): it is
                    # billed to another when not to one of these members
                    SQL("sale.partner_invoice_id != ALL(members.ids)")
                    if per_customer
                    else SQL("invoiced.commercial_partner_id != member.commercial_partner_id"),
                ),
                per_customer,
                scan_all,
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
            SELECT customers.id, customers.order_ids, partner.complete_name, partner.credit_hold_reason,
                   COALESCE((partner.credit_limit ->> %(company)s::text)::float, %(limit_fallback)s)::float,
                   partner.credit_hold IS TRUE, COALESCE(items.receivable, 0)::float,
                   COALESCE(drafts.amount, 0)::float,
                   (COALESCE(orders.amount, 0) + COALESCE(placed.amount, 0))::float,
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
    def _figures_part(self, alias, sums, source, partner, where, per_customer, scan_all, totals=None):
        """Join, as the table ``alias``, the ``sums`` of the rows of ``source``
        matching ``where`` whose ``partner`` is a member of the customer.

        Grouped by customer, the rows read are those of the customers' members
        (index lookups), or, with ``scan_all``, all of them in one pass, the
        final join keeping the customers'. In one pass, a part given ``totals``
        (its members' sums summed, from ``part``) is summed by partner first,
        in the order of its index: its rows (open items, 20 and more per
        customer) are joined to their partner once per partner, not per row."""
        if per_customer:
            return SQL(
                "LEFT JOIN LATERAL (SELECT %s FROM %s WHERE %s = ANY(members.ids) AND %s) %s ON TRUE",
                sums,
                source,
                partner,
                where,
                SQL.identifier(alias),
            )
        # a join, not IN (...): the planner then counts the customers (the
        # rows of the CTE) instead of assuming 200 of them
        customers = (
            SQL()
            if scan_all
            else SQL("JOIN customers customer ON customer.id = member.commercial_partner_id")
        )
        if scan_all and totals:
            return SQL(
                """LEFT JOIN (
                       SELECT member.commercial_partner_id AS customer_id, %(totals)s
                         FROM (SELECT %(partner)s AS partner_id, %(sums)s
                                 FROM %(source)s WHERE %(where)s GROUP BY 1) part
                         JOIN res_partner member ON member.id = part.partner_id
                     GROUP BY 1
                   ) %(alias)s ON %(alias)s.customer_id = customers.id""",
                totals=totals,
                partner=partner,
                sums=sums,
                source=source,
                where=where,
                alias=SQL.identifier(alias),
            )
        return SQL(
            """LEFT JOIN (
                   SELECT member.commercial_partner_id AS customer_id, %(sums)s
                     FROM %(source)s JOIN res_partner member ON member.id = %(partner)s %(customers)s
                    WHERE %(where)s
                 GROUP BY 1
               ) %(alias)s ON %(alias)s.customer_id = customers.id""",
            sums=sums,
            source=source,
            partner=partner,
            customers=customers,
            where=where,
            alias=SQL.identifier(alias),
        )

    @api.model
    def _figures_by_partner(self, company, rows):
        # currency.round() without reading the currency's rounding each time,
        # once per amount (five figures per customer, often equal or zero)
        rounding = company.currency_id.rounding
        rounded = {}

        def round_(amount):
            if amount not in rounded:
                rounded[amount] = float_round(amount, precision_rounding=rounding)
            return rounded[amount]

        figures = {}
        for pid, order_ids, name, reason, limit, hold, receivable, draft, orders, overdue, days in rows:
            figures[pid] = {
                "order_ids": order_ids or [],
                "name": name,
                "hold_reason": reason or "",
                "limit": limit,
                "hold": hold,
                "receivable": round_(receivable),
                "draft_invoices": round_(draft),
                "orders": round_(orders),
                "exposure": round_(receivable + draft + orders),
                "overdue_amount": round_(overdue),
                "overdue_days": days,
            }
        return figures

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------
    @api.model
    def _refusal_message(self, document, figure, company, exposure=None, amount=None):
        """Why ``document`` (its name) of the customer of ``figure`` is refused
        at a checkpoint, or '' when it passes: the customer is on hold, or the
        exposure without the document (``exposure``, by default the figure's)
        plus its ``amount`` in company currency goes over the limit. The
        checkpoint adds what the user can do about it."""
        currency, limit = company.currency_id, figure["limit"]
        exposure = figure["exposure"] if exposure is None else exposure
        over_limit = (
            amount is not None and bool(limit) and currency.compare_amounts(exposure + amount, limit) > 0
        )
        if not figure["hold"] and not over_limit:
            return ""
        values = {
            "document": document,
            "customer": figure["name"],
            "exposure": format_amount(self.env, exposure, currency),
            "amount": format_amount(self.env, amount or 0.0, currency),
            "limit": format_amount(self.env, limit, currency) if limit else self.env._("none"),
        }
        if figure["hold"] and amount is None:
            return self.env._(
                "%(document)s: %(customer)s is on credit hold (%(reason)s). Exposure %(exposure)s, credit "
                "limit %(limit)s.",
                reason=figure["hold_reason"],
                **values,
            )
        if figure["hold"]:
            return self.env._(
                "%(document)s: %(customer)s is on credit hold (%(reason)s). Exposure %(exposure)s, this "
                "document %(amount)s, credit limit %(limit)s.",
                reason=figure["hold_reason"],
                **values,
            )
        return self.env._(
            "%(document)s: %(customer)s would go over its credit limit. Exposure %(exposure)s + this "
            "document %(amount)s > credit limit %(limit)s.",
            **values,
        )

    @api.model
    def _check_holds(self, documents, customers_of, consequence):
        """Refuse ``documents`` (invoices, deliveries) one of whose customers
        (``customers_of(document)``, commercial partners) is on credit hold,
        each named with its customer's figures, then ``consequence``."""
        held = documents.filtered(lambda document: any(customers_of(document).mapped("credit_hold")))
        if not held:
            return
        refusals = []
        for company, company_documents in held.grouped("company_id").items():
            figures = self._figures(company_documents.mapped(customers_of), company)
            refusals += [
                self._refusal_message(document.display_name, figures[customer.id], company)
                for document in company_documents
                for customer in customers_of(document).filtered("credit_hold")
            ]
        raise UserError("\n".join([*refusals, consequence]))
