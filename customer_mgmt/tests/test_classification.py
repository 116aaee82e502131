from itertools import product
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import CustomerMgmtCase

TODAY = "2026-06-30"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestClassification(CustomerMgmtCase):
    def _classify(self, *partners):
        records = self.env["res.partner"].browse([p.id for p in partners])
        records.action_refresh_classification()
        return records

    def test_prospective_without_trade(self):
        draft = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": "2026-06-01"}
        )
        self.assertEqual(draft.state, "draft")
        self._classify(self.customer)
        self.assertRecordValues(
            self.customer,
            [
                {
                    "trading_stage": "prospective",
                    "customer_tenure": "future",
                    "purchase_relation": False,
                    "first_trade_date": False,
                }
            ],
        )
        self.assertEqual(str(self.customer.classification_date), TODAY)

    def test_trading_stage_boundary(self):
        """The last sale exactly on the cut-off keeps a customer current; a day earlier makes it former."""
        self._post_move(self.customer, "2024-01-10")
        self._post_move(self.customer, "2025-06-30")
        self._post_move(self.customer_b, "2025-06-29")
        self._classify(self.customer, self.customer_b)
        self.assertEqual(self.customer.trading_stage, "current")
        self.assertEqual(self.customer_b.trading_stage, "former")
        self.assertEqual(str(self.customer.last_sale_date), "2025-06-30")

    def test_refund_and_cancelled_invoice_do_not_trade(self):
        self._post_move(self.customer, "2026-05-01", move_type="out_refund")
        self._post_move(self.customer_b, "2026-05-01").button_cancel()
        self._classify(self.customer, self.customer_b)
        self.assertEqual(self.customer.trading_stage, "prospective")
        self.assertEqual(self.customer_b.trading_stage, "prospective")

    def test_tenure_boundary(self):
        """First trade exactly 12 months ago is still new; one day earlier is old."""
        self._post_move(self.customer, "2025-06-30")
        self._post_move(self.customer_b, "2025-06-29")
        self._post_move(self.customer_b, "2026-06-01")
        self._classify(self.customer, self.customer_b)
        self.assertEqual(self.customer.customer_tenure, "new")
        self.assertEqual(self.customer_b.customer_tenure, "old")
        self.assertEqual(str(self.customer_b.first_trade_date), "2025-06-29")

    def test_confirmed_order_counts_quotation_does_not(self):
        self._confirm_order(self.customer, "2026-06-15 10:00:00")
        self.env["sale.order"].create({"partner_id": self.customer_b.id})
        self._classify(self.customer, self.customer_b)
        self.assertRecordValues(
            self.customer + self.customer_b,
            [
                {"trading_stage": "current", "customer_tenure": "new", "purchase_relation": "downstream"},
                {"trading_stage": "prospective", "customer_tenure": "future", "purchase_relation": False},
            ],
        )

    def test_order_of_a_contact_counts_for_its_company(self):
        contact = self.env["res.partner"].create({"name": "采购 王建国", "parent_id": self.customer.id})
        self._confirm_order(contact, "2026-06-15 10:00:00")
        self._classify(self.customer)
        self.assertEqual(self.customer.trading_stage, "current")
        self.assertEqual(contact.trading_stage, "current", "contacts follow their company")

    def test_purchase_relation(self):
        supplier = self.env["res.partner"].create({"name": "厦门鹭江药业公司", "is_company": True})
        self._post_move(supplier, "2026-03-01", move_type="in_invoice")
        self._post_move(self.customer, "2026-03-01", move_type="in_invoice")
        self._post_move(self.customer, "2026-04-01")
        self._post_move(self.customer_b, "2026-04-01")
        self._classify(supplier, self.customer, self.customer_b)
        self.assertEqual(supplier.purchase_relation, "upstream")
        self.assertEqual(supplier.trading_stage, "prospective")
        self.assertEqual(self.customer.purchase_relation, "both")
        self.assertEqual(self.customer_b.purchase_relation, "downstream")

    def test_declared_first_trade_date(self):
        """A declared first trade date before Odoo's history makes the customer old at once."""
        self._post_move(self.customer, "2026-06-01")
        self._classify(self.customer)
        self.assertEqual(self.customer.customer_tenure, "new")
        self.customer.with_user(self.salesperson).first_trade_date_override = "2019-03-01"
        self.assertEqual(str(self.customer.first_trade_date), "2019-03-01")
        self.assertEqual(str(self.customer.first_trade_date_auto), "2026-06-01")
        self.assertEqual(self.customer.customer_tenure, "old")

    def test_company_thresholds(self):
        self._post_move(self.customer, "2026-01-15")
        self.env.company.customer_former_months = 3
        self.env.company.customer_new_months = 3
        self.customer.company_id = self.env.company
        self._classify(self.customer)
        self.assertEqual(self.customer.trading_stage, "former")
        self.assertEqual(self.customer.customer_tenure, "old")

    def test_refresh_query_count_constant(self):
        """Classifying 5 or 50 customers costs the same single statement."""
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "is_company": True} for i in range(50)]
        )
        for partner in partners[:10]:
            self._post_move(partner, "2026-02-01")
        self._confirm_order(partners[10])
        self.env.flush_all()
        for batch in (partners[:5], partners):
            self.env.flush_all()
            # the statement alone: it writes the strategy that depends on the stage too
            with self.assertQueryCount(1):
                batch._refresh_customer_classification()
                self.env.flush_all()
        self.assertEqual(set(partners[:11].mapped("trading_stage")), {"current"})
        self.assertEqual(set(partners[11:].mapped("trading_stage")), {"prospective"})

    def test_strategy_quadrant_sql_matches_python(self):
        """The refresh writes the strategy quadrant in SQL by the rule of its compute method:
        both give the same quadrant for every stage, capacity, scale and share."""
        combinations = list(
            product(
                [False, "prospective", "current", "former"],
                [False, "high", "low"],
                [False, "large", "medium", "small"],
                [0.0, 49.9, 50.0, 80.0],
            )
        )
        # as the stored compute runs: as superuser, where the scale given to new() is read back
        Partner = self.env["res.partner"].sudo()
        rows = self.env.execute_query(
            SQL(
                """SELECT %(quadrant)s
                     FROM (VALUES %(values)s)
                       AS p(i, trading_stage, purchasing_capacity, business_scale, purchase_share)
                 ORDER BY i""",
                quadrant=Partner._strategy_quadrant_sql(SQL("p.trading_stage"), "p", SQL("p.business_scale")),
                values=SQL(", ").join(
                    SQL(
                        "(%s, %s::varchar, %s::varchar, %s::varchar, %s::numeric)",
                        i,
                        stage or None,
                        capacity or None,
                        scale or None,
                        share,
                    )
                    for i, (stage, capacity, scale, share) in enumerate(combinations)
                ),
            )
        )
        for (stage, capacity, scale, share), (sql_quadrant,) in zip(combinations, rows, strict=True):
            partner = Partner.new(
                {
                    "trading_stage": stage,
                    "purchasing_capacity": capacity,
                    "business_scale": scale,
                    "purchase_share": share,
                }
            )
            with self.subTest(stage=stage, capacity=capacity, scale=scale, share=share):
                self.assertEqual(sql_quadrant or False, partner.strategy_quadrant)
        self.assertEqual(
            {quadrant for (quadrant,) in rows}, {"attack", "defend", "maintain", "abandon", None}
        )

    def test_cron_batches_and_resumes(self):
        """A run whose worker dies after the first batch keeps that batch; the next run does the rest."""
        # the cron runs on its own cursor: let it see this test's data
        self.registry_enter_test_mode()
        cron = self.env.ref("customer_mgmt.ir_cron_customer_classification")
        cron.code = "model._cron_refresh_customer_classification(batch_size=2)"
        partners = self.env["res.partner"].create(
            [{"name": f"Batch customer {i}", "is_company": True} for i in range(5)]
        )
        self._post_move(partners[0], "2026-06-01")
        unclassified = [("is_customer_card", "=", True), ("classification_date", "!=", TODAY)]
        pending = self.env["res.partner"].search_count(unclassified)
        ResPartner = type(self.env["res.partner"])
        real_refresh = ResPartner._refresh_customer_classification
        batches = []

        def crash_after_first_batch(records, **kwargs):
            batches.append(records.ids)
            if len(batches) > 1:
                raise RuntimeError("worker killed")
            return real_refresh(records, **kwargs)

        with (
            patch.object(ResPartner, "_refresh_customer_classification", crash_after_first_batch),
            mute_logger("odoo.addons.base.models.ir_cron"),
        ):
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertGreater(len(batches), 1, "the job went on after the first batch")
        self.assertEqual(self.env["res.partner"].search_count(unclassified), pending - 2)

        rerun = []

        def record_batch(records, **kwargs):
            rerun.extend(records.ids)
            return real_refresh(records, **kwargs)

        with patch.object(ResPartner, "_refresh_customer_classification", record_batch):
            cron.method_direct_trigger()
        self.assertFalse(set(batches[0]) & set(rerun), "the batch done before the crash is not redone")
        self.env.invalidate_all()
        self.assertFalse(self.env["res.partner"].search_count(unclassified), "the rerun classifies the rest")
        self.assertEqual(partners[0].trading_stage, "current")
        self.assertEqual(set(partners[1:].mapped("trading_stage")), {"prospective"})
