import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, LazyTranslate, format_list, html_escape
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.translate import LazyGettext

from ..card.customer_card import card_field
from ..snapshot import temporary_snapshot

_lt = LazyTranslate(__name__)

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


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields: grading (客户等级)
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
    # the figures behind the grade: on the card sections, read by whoever reads them
    monthly_avg_sales = card_field(fields.Monetary, "monthly_avg_sales", readonly=True)
    gross_margin = card_field(fields.Float, "gross_margin", readonly=True)
    abc_class = card_field(fields.Selection, "abc_class", readonly=True)
    grade_override_until = fields.Date(string="Grade Fixed Until", readonly=True, copy=False)
    grade_override_reason = fields.Char(readonly=True, copy=False)
    grade_history_ids = fields.One2many("customer.grade.history", "partner_id")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.model
    def _read_group_customer_grade_ids(self, grades, domain):
        # a column per grade in the kanban, empty ones included: grades are a handful of records
        return grades.search([], order=grades._order)  # pylint: disable=no-search-all

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(GRADE_FIELDS.intersection(vals) for vals in vals_list):
            raise AccessError(self.env._("Grades are computed; managers override them with Override Grade."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and GRADE_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "Grades of %(customers)s are computed; managers override them with Override Grade.",
                    customers=format_list(self.env, self.mapped("display_name")),
                )
            )
        return super().write(vals)

    @api.model
    def _customer_kept_by(self):
        return [*super()._customer_kept_by(), ("customer.grade.history", self.env._("the grade history"))]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
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
        # translated in the language of each customer's company, as the notes
        customers._regrade_customers(reason=_lt("Override removed"))
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
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
        (in SQL, see ``_grade_notes_sql``)."""
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

    @api.model
    def _grade_note_texts_sql(self, reason=None):
        """Per company, the texts of the grade changes of its customers, in the
        language of the company (its partner's; else the current one): note
        template, reason of an automatic change (``reason``: a text, or a lazy
        translation translated here; "Automatic" by default) and of an ended
        override, and how to write amounts (currency and separators).

        Each text is rendered once per active language, in Python; the notes
        and history lines pick theirs in SQL (``_grade_notes_sql``).
        """
        reason = reason or _lt("Automatic")
        default_lang = self.env.lang or "en_US"
        codes = {code for code, _name in self.env["res.lang"].get_installed()} | {default_lang}
        texts = []
        for code in sorted(codes):
            env = self.with_context(lang=code).env
            lang = env["res.lang"]._get_data(code=code)
            texts.append(
                {
                    "lang": code,
                    "template": html_escape(self.with_env(env)._grade_note_template()),
                    "reason": env._(reason) if isinstance(reason, LazyGettext) else reason,
                    "ended": env._("Override ended"),
                    "thousands_sep": lang.thousands_sep if lang else ",",
                    "decimal_point": lang.decimal_point if lang else ".",
                }
            )
        return SQL(
            """
            SELECT company.id AS company_id, texts.*,
                   -- as format_amount(): the symbol on its side, the currency's decimals
                   -- (digits grouped by thousands, as in the languages Odoo ships but a few)
                   CASE WHEN currency.position = 'before'
                        THEN %(symbol)s || %(nbsp)s ELSE '' END AS amount_before,
                   CASE WHEN currency.position = 'before'
                        THEN '' ELSE %(nbsp)s || %(symbol)s END AS amount_after,
                   'FM999,999,999,999,990' || CASE WHEN currency.decimal_places > 0
                        THEN '.' || repeat('0', currency.decimal_places) ELSE '' END AS amount_format
              FROM res_company company
              JOIN res_partner company_partner ON company_partner.id = company.partner_id
              JOIN res_currency currency ON currency.id = company.currency_id
              JOIN jsonb_to_recordset(%(texts)s::jsonb)
                   AS texts(lang text, template text, reason text, ended text, thousands_sep text,
                            decimal_point text)
                ON texts.lang = CASE WHEN company_partner.lang = ANY(%(codes)s) THEN company_partner.lang
                                     ELSE %(default_lang)s END
            """,
            symbol=self._sql_html_escape(SQL("COALESCE(currency.symbol, '')")),
            nbsp="\N{NO-BREAK SPACE}",
            texts=json.dumps(texts),
            codes=sorted(codes),
            default_lang=default_lang,
        )

    @api.model
    def _grade_notes_sql(self, history, texts, cards=None):
        """The statement logging a chatter note on the card sections of the
        customer of each grade change of ``history`` (a table or CTE with the
        columns of customer.grade.history), rendered from ``texts`` (a table or
        CTE of ``_grade_note_texts_sql``): the one rendering of these notes, for
        the regrade and for overrides. ``cards``: the customers' cards (``id``,
        ``partner_id``). On the card, not the partner, whose chatter every user
        reads: the notes give the figures behind the grade.

        Inserted in SQL rather than through ``_message_log_batch``: a first
        regrade logs a note for every customer, and posting them through the
        ORM made it 2x slower at 10,000 customers and 3 to 5x at 100,000 (67 s
        against 12 to 24 s), in queries growing with the customers (1,152
        against 109), where this statement keeps them constant.
        """
        thread = self.env["mail.thread"]
        author, email_from = thread._message_compute_author()
        reply_to = thread._notify_get_reply_to(default=email_from, author_id=author)[False]

        def number(value, number_format):
            # to_char() writes ',' and '.'; then the language's separators
            return SQL(
                "replace(replace(replace(to_char(%(value)s, %(format)s), ',', chr(1)), '.', "
                "texts.decimal_point), chr(1), texts.thousands_sep)",
                value=value,
                format=number_format,
            )

        return SQL(
            """
            INSERT INTO mail_message (
                model, res_id, body, message_type, subtype_id, is_internal, author_id, email_from,
                reply_to, message_id, email_add_signature, date,
                create_uid, create_date, write_uid, write_date)
            SELECT 'customer.card', card.id,
                   -- the reason last: it may be typed by hand
                   '<p>' || replace(replace(replace(replace(replace(replace(texts.template,
                       '{old}', COALESCE(%(escape_old)s, '-')),
                       '{new}', COALESCE(%(escape_new)s, '-')),
                       '{sales}', texts.amount_before || %(sales)s || texts.amount_after),
                       '{margin}', %(margin)s),
                       '{abc}', COALESCE(upper(history.abc_class), '-')),
                       '{reason}', COALESCE(%(escape_reason)s, '')) || '</p>',
                   'notification', %(subtype)s, TRUE, %(author)s, %(email_from)s,
                   %(reply_to)s, %(message_id)s, FALSE, %(now)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM %(history)s history
              JOIN %(cards)s card ON card.partner_id = history.partner_id
              JOIN %(texts)s texts ON texts.company_id = history.company_id
         LEFT JOIN customer_grade old ON old.id = history.old_grade_id
         LEFT JOIN customer_grade new ON new.id = history.new_grade_id
            """,
            history=history,
            texts=texts,
            cards=cards or SQL("customer_card"),
            sales=number(SQL("history.monthly_avg_sales"), SQL("texts.amount_format")),
            margin=number(SQL("history.gross_margin"), "FM990.00"),
            escape_old=self._sql_html_escape(SQL("old.code")),
            escape_new=self._sql_html_escape(SQL("new.code")),
            escape_reason=self._sql_html_escape(SQL("history.reason")),
            subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            author=author,
            email_from=email_from,
            reply_to=reply_to,
            message_id=generate_tracking_message_id("message-notify"),
            now=fields.Datetime.now(),
            uid=self.env.uid,
        )

    def _create_grade_history(self, vals_list):
        """Store grade changes made by hand and log them on the customers'
        chatter, as the regrade does."""
        today = fields.Date.context_today(self)
        history = (
            self.env["customer.grade.history"]
            .sudo()
            .create([{"date": today, "user_id": self.env.uid, **vals} for vals in vals_list])
        )
        history.flush_recordset()
        history.partner_id.sudo()._create_missing_cards({})  # where the notes go
        self.env.execute_query(
            SQL(
                """
            WITH texts AS (%(texts)s), history AS (
                SELECT * FROM customer_grade_history WHERE id = ANY(%(ids)s)
            )
            %(notes)s
                """,
                texts=self._grade_note_texts_sql(),
                ids=history.ids,
                notes=self._grade_notes_sql(SQL("history"), SQL("texts")),
            )
        )
        self.env["customer.card"].invalidate_model(["message_ids"])
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
        run), indexed for the batches' lookups (``temporary_snapshot``). Returns
        the SQL that reads it."""
        return temporary_snapshot(self.env.cr, "customer_mgmt_sales_snapshot", self._customer_sales_sql())

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
            WITH sales AS (%(sales)s), amounts AS (
                -- customers with the same sales share a class: one row per amount and company
                SELECT company_id, revenue, revenue * COUNT(*) AS tie_total
                  FROM sales
                 WHERE revenue > 0
              GROUP BY company_id, revenue
            ), ranked AS (
                SELECT company_id, revenue,
                       -- sales of the customers strictly bigger: one sort for both sums
                       SUM(tie_total) OVER (PARTITION BY company_id ORDER BY revenue DESC) - tie_total
                           AS bigger,
                       SUM(tie_total) OVER (PARTITION BY company_id) AS total
                  FROM amounts
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
        self.env.execute_query(
            SQL(
                """
            WITH sales AS (%(sales)s), thresholds AS (
                SELECT * FROM jsonb_to_recordset(%(thresholds)s::jsonb)
                    AS t(company_id int, a numeric, b numeric)
            ), texts AS (%(texts)s), customers AS (
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
            ), bands AS MATERIALIZED (
                -- a few rows, read once rather than looked up for every customer
                SELECT scheme.channel, scheme.company_id AS scheme_company_id, line.amount_min,
                       line.amount_max, line.grade_id, line.margin_quota, line.upgrade_grade_id
                  FROM customer_grade_scheme scheme
                  JOIN customer_grade_scheme_line line ON line.scheme_id = scheme.id
                 WHERE scheme.active
            ), graded AS (
                -- the band of the scheme of the customer's channel, the company's own scheme first
                SELECT DISTINCT ON (figures.id) figures.*,
                       CASE WHEN grade_override_until >= %(today)s THEN customer_grade_id
                            WHEN band.upgrade_grade_id IS NOT NULL AND figures.margin >= band.margin_quota
                            THEN band.upgrade_grade_id
                            ELSE band.grade_id END AS grade_id
                  FROM figures
             LEFT JOIN bands band ON band.channel = figures.customer_channel
                       AND (band.scheme_company_id = figures.company_id OR band.scheme_company_id IS NULL)
                       AND band.amount_min <= GREATEST(figures.monthly, 0)
                       AND (COALESCE(band.amount_max, 0) = 0
                            OR GREATEST(figures.monthly, 0) < band.amount_max)
              ORDER BY figures.id, band.scheme_company_id NULLS LAST
            ), figured AS (
                -- the figures on the card sections, cards opened for those without
                INSERT INTO customer_card AS card (partner_id, monthly_avg_sales, gross_margin, abc_class,
                                                   create_uid, create_date, write_uid, write_date)
                SELECT id, monthly, margin, abc, %(uid)s, %(now)s, %(uid)s, %(now)s FROM graded
                ON CONFLICT (partner_id) DO UPDATE
                   SET monthly_avg_sales = EXCLUDED.monthly_avg_sales,
                       gross_margin = EXCLUDED.gross_margin,
                       abc_class = EXCLUDED.abc_class,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                 WHERE card.monthly_avg_sales IS DISTINCT FROM EXCLUDED.monthly_avg_sales
                    OR card.gross_margin IS DISTINCT FROM EXCLUDED.gross_margin
                    OR card.abc_class IS DISTINCT FROM EXCLUDED.abc_class
             RETURNING card.id, card.partner_id
            ), updated AS (
                UPDATE res_partner p
                   SET customer_grade_id = graded.grade_id,
                       grade_override_until = CASE WHEN graded.override_ended THEN NULL
                                                   ELSE p.grade_override_until END,
                       grade_override_reason = CASE WHEN graded.override_ended THEN NULL
                                                    ELSE p.grade_override_reason END
                  FROM graded
                 WHERE p.commercial_partner_id = graded.id
                   AND (p.customer_grade_id IS DISTINCT FROM graded.grade_id OR graded.override_ended)
             RETURNING p.id
            ), history AS (
                INSERT INTO customer_grade_history (
                    partner_id, company_id, date, old_grade_id, new_grade_id, monthly_avg_sales,
                    gross_margin, abc_class, source, reason, user_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT graded.id, graded.company_id, %(today)s, customer_grade_id, grade_id, monthly, margin,
                       abc, 'auto', CASE WHEN override_ended THEN texts.ended ELSE texts.reason END, %(uid)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM graded
                  JOIN texts ON texts.company_id = graded.company_id
                 WHERE customer_grade_id IS DISTINCT FROM grade_id
             RETURNING *
            )
            %(notes)s
            """,
                sales=sales or self._customer_sales_sql(self.ids),
                thresholds=json.dumps(abc_thresholds, default=str),
                texts=self._grade_note_texts_sql(reason),
                notes=self._grade_notes_sql(
                    SQL("history"),
                    SQL("texts"),
                    # the cards opened by this statement are not in customer_card yet for it;
                    # of the others, this batch's only (not the whole table each batch)
                    SQL(
                        """(SELECT id, partner_id FROM figured
                            UNION SELECT id, partner_id FROM customer_card WHERE partner_id = ANY(%s))""",
                        list(self.ids),
                    ),
                ),
                ids=self.ids,
                today=today,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                company_id=self.env.company.id,
            )
        )
        self.invalidate_model([*GRADE_FIELDS, "grade_history_ids", "customer_card_ids", "customer_card_id"])
        self.env["customer.card"].invalidate_model(
            ["monthly_avg_sales", "gross_margin", "abc_class", "message_ids"]
        )
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
        # an estimate, counted once: customers created during the run are not counted
        remaining = self.search_count(domain)
        last_id = 0
        while partners := self.search(domain & Domain("id", ">", last_id), limit=batch_size, order="id"):
            partners._regrade_customers(abc_thresholds=abc_thresholds, sales=sales)
            last_id = partners[-1].id
            remaining = max(remaining - len(partners), 0)
            if not self.env["ir.cron"]._commit_progress(len(partners), remaining=remaining):
                break
