from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import CustomerMgmtCase

TODAY = "2026-06-30"
WAN = 10000  # 万元


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestGrading(CustomerMgmtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grades = {
            code: cls.env.ref(f"customer_mgmt.customer_grade_{xid}")
            for code, xid in (
                ("AAA", "aaa"),
                ("AA", "aa"),
                ("A", "a"),
                ("B+", "b_plus"),
                ("B", "b"),
                ("C", "c"),
            )
        }

    def _customer(self, name, channel="wholesale", **vals):
        return self.env["res.partner"].create(
            {"name": name, "is_company": True, "customer_channel": channel, **vals}
        )

    def _sell(self, partner, monthly, margin=0.0, date="2026-06-15", move_type="out_invoice", currency=None):
        """Post one invoice worth ``monthly`` x 12 at ``margin`` % gross margin."""
        revenue = round(monthly * 12, 2)
        product = self.env["product.product"].create(
            {"name": f"Product {partner.name}", "standard_price": revenue * (1 - margin / 100)}
        )
        return self._post_move(partner, date, revenue, move_type, currency, product)

    def _regrade(self, *partners):
        records = self.env["res.partner"].browse([p.id for p in partners])
        records.action_regrade()
        return records

    def _assert_grades(self, cases):
        """cases: (channel, monthly sales, margin %, expected grade code)"""
        partners = []
        for i, (channel, monthly, margin, _code) in enumerate(cases):
            partner = self._customer(f"Case {i}", channel)
            self._sell(partner, monthly, margin)
            partners.append(partner)
        self._regrade(*partners)
        for partner, (channel, monthly, margin, code) in zip(partners, cases, strict=True):
            with self.subTest(channel=channel, monthly=monthly, margin=margin):
                self.assertEqual(partner.customer_grade_id.code, code)
                self.assertAlmostEqual(partner.monthly_avg_sales, monthly, places=2)
                self.assertAlmostEqual(partner.gross_margin, margin, places=2)

    def test_wholesale_bands(self):
        self._assert_grades(
            [
                ("wholesale", 150 * WAN, 0.0, "AAA"),
                ("wholesale", 149.99 * WAN, 2.0, "AAA"),
                ("wholesale", 149.99 * WAN, 1.99, "AA"),
                ("wholesale", 105 * WAN, 0.0, "AA"),
                ("wholesale", 104.99 * WAN, 2.5, "AA"),
                ("wholesale", 104.99 * WAN, 2.49, "A"),
                ("wholesale", 75 * WAN, 0.0, "A"),
                ("wholesale", 74.99 * WAN, 3.0, "A"),
                ("wholesale", 60 * WAN, 2.99, "B+"),
                ("wholesale", 59.99 * WAN, 3.5, "B+"),
                ("wholesale", 35 * WAN, 3.49, "B"),
                ("wholesale", 34.99 * WAN, 4.0, "B"),
                ("wholesale", 17 * WAN, 3.99, "C"),
                ("wholesale", 16.99 * WAN, 9.0, "C"),
            ]
        )

    def test_retail_bands(self):
        self._assert_grades(
            [
                ("retail", 20 * WAN, 0.0, "AAA"),
                ("retail", 19.99 * WAN, 2.0, "AAA"),
                ("retail", 19.99 * WAN, 1.99, "AA"),
                ("retail", 10 * WAN, 0.0, "AA"),
                ("retail", 9.99 * WAN, 2.5, "AA"),
                ("retail", 5.5 * WAN, 2.49, "A"),
                ("retail", 5.49 * WAN, 3.0, "A"),
                ("retail", 3 * WAN, 2.99, "B+"),
                ("retail", 2.99 * WAN, 3.5, "B+"),
                ("retail", 1 * WAN, 3.49, "B"),
                ("retail", 0.99 * WAN, 4.0, "B"),
                ("retail", 0.5 * WAN, 3.99, "C"),
                ("retail", 0.49 * WAN, 9.0, "C"),
            ]
        )

    def test_refunds_currency_and_window(self):
        net = self._customer("Refunded")
        self._sell(net, 200 * WAN)
        self._sell(net, 60 * WAN, move_type="out_refund")
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        foreign = self._customer("Foreign currency")
        self._sell(foreign, 300 * WAN, currency=eur)  # 300 万 EUR = 150 万 in company currency
        edge = self._customer("Window edge")
        self._sell(edge, 150 * WAN, date="2025-06-30")  # exactly 12 months ago: outside
        self._sell(edge, 20 * WAN, date="2025-07-01")  # first day of the window
        no_channel = self.env["res.partner"].create({"name": "No channel", "is_company": True})
        self._sell(no_channel, 200 * WAN)
        self._regrade(net, foreign, edge, no_channel)
        self.assertEqual(net.monthly_avg_sales, 140 * WAN)
        self.assertEqual(net.customer_grade_id.code, "AA")
        self.assertEqual(foreign.monthly_avg_sales, 150 * WAN)
        self.assertEqual(foreign.customer_grade_id.code, "AAA")
        self.assertEqual(edge.monthly_avg_sales, 20 * WAN)
        self.assertEqual(edge.customer_grade_id.code, "C")
        self.assertFalse(no_channel.customer_grade_id, "without a channel there is no scheme to grade by")
        self.assertEqual(no_channel.monthly_avg_sales, 200 * WAN)

    def test_cost_taken_at_invoice_time(self):
        partner = self._customer("Cost frozen")
        move = self._sell(partner, 100 * WAN, margin=3.0)
        line = move.invoice_line_ids
        self.assertEqual(line.customer_cost, 100 * WAN * 12 * 0.97)
        line.product_id.standard_price = 1.0
        self._regrade(partner)
        self.assertEqual(partner.gross_margin, 3.0)
        refund = self._sell(partner, 10 * WAN, margin=3.0, move_type="out_refund")
        self.assertLess(refund.invoice_line_ids.customer_cost, 0)

    def test_abc_cutoffs_and_ties(self):
        amounts = {"A1": 50, "A2": 30, "B1": 15, "C1": 5, "Zero": 0}
        partners = {name: self._customer(name) for name in amounts}
        for name, amount in amounts.items():
            if amount:
                self._sell(partners[name], amount)
        refunded = self._customer("Refunds only")
        self._sell(refunded, 5, move_type="out_refund")
        self._regrade(*partners.values(), refunded)
        classes = {name: partner.abc_class for name, partner in partners.items()}
        self.assertEqual(classes, {"A1": "a", "A2": "a", "B1": "b", "C1": "c", "Zero": "c"})
        self.assertEqual(refunded.abc_class, "c")

        self.env.company.write({"customer_abc_a_cutoff": 50.0, "customer_abc_b_cutoff": 80.0})
        self._regrade(*partners.values())
        self.assertEqual(partners["A2"].abc_class, "b", "50% of sales come before it")
        self.assertEqual(partners["B1"].abc_class, "c", "80% of sales come before it")

    def test_abc_ties_share_a_class(self):
        partners = [self._customer(f"Tie {i}") for i in range(3)]
        for partner, amount in zip(partners, (60, 20, 20), strict=True):
            self._sell(partner, amount)
        self.env.company.write({"customer_abc_a_cutoff": 70.0, "customer_abc_b_cutoff": 90.0})
        self._regrade(*partners)
        self.assertEqual([p.abc_class for p in partners], ["a", "a", "a"])
        self.env.company.write({"customer_abc_a_cutoff": 50.0})
        self._regrade(*partners)
        self.assertEqual([p.abc_class for p in partners], ["a", "b", "b"])

    def test_abc_cutoffs_validated(self):
        with self.assertRaisesRegex(ValidationError, "ABC cut-offs"):
            self.env.company.write({"customer_abc_a_cutoff": 96.0})
        with self.assertRaisesRegex(ValidationError, "Grading Window .* must be a number from 1 to"):
            self.env.company.customer_grade_months = 0

    def test_history_and_rerun(self):
        partner = self._customer("History")
        self._sell(partner, 80 * WAN, margin=1.0)
        self._regrade(partner)
        history = partner.grade_history_ids
        self.assertRecordValues(
            history,
            [
                {
                    "old_grade_id": False,
                    "new_grade_id": self.grades["A"].id,
                    "monthly_avg_sales": 80 * WAN,
                    "gross_margin": 1.0,
                    "abc_class": partner.abc_class,
                    "source": "auto",
                }
            ],
        )
        note = partner.customer_card_id.message_ids[0]  # on the card: the figures are not for everyone
        self.assertIn("→ A (Automatic)", note.body)
        self.assertIn("800,000.00", note.body)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self._regrade(partner)
        self.assertEqual(partner.grade_history_ids, history, "a rerun without changes logs nothing")
        self._sell(partner, 30 * WAN, margin=1.0)
        self._regrade(partner)
        self.assertEqual(len(partner.grade_history_ids), 2)
        latest = partner.grade_history_ids.sorted("id")[-1]
        self.assertEqual(latest.old_grade_id, self.grades["A"])
        self.assertEqual(latest.new_grade_id, self.grades["AA"])

    def test_notes_in_company_language(self):
        """The notes of the regrade and of an override are written in the language of the
        customer's company, whoever runs them."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.company.partner_id.lang = "zh_CN"
        partner = self._customer("语言", company_id=self.env.company.id)
        self._sell(partner, 80 * WAN, margin=1.0)
        self.env["res.partner"].with_context(lang="en_US").browse(partner.id)._regrade_customers()
        self.assertEqual(partner.grade_history_ids.reason, "自动")
        note = partner.customer_card_id.message_ids[0]
        self.assertIn("等级 - → A（自动）。月均销售额 ", note.body)
        self.assertIn("800,000.00", note.body)
        self.assertIn("毛利率 1.00%，ABC分类 A。", note.body)

        manager_partner = partner.with_user(self.manager).with_context(lang="en_US")
        manager_partner._override_grade(self.grades["AA"], "战略合作伙伴", "2026-07-31")
        self.assertIn("等级 A → AA（战略合作伙伴）。", partner.customer_card_id.message_ids[0].body)
        manager_partner.action_clear_grade_override()
        self.assertEqual(partner.grade_history_ids.sorted("id")[-1].reason, "取消人工调整")
        self.assertIn("等级 AA → A（取消人工调整）。", partner.customer_card_id.message_ids[0].body)

    def test_contacts_follow_grade(self):
        partner = self._customer("With contact")
        contact = self.env["res.partner"].create({"name": "采购", "parent_id": partner.id})
        self._sell(partner, 160 * WAN)
        self._regrade(partner)
        self.assertEqual(contact.customer_grade_id, self.grades["AAA"])

    def test_override_lifetime(self):
        partner = self._customer("Overridden")
        self._sell(partner, 20 * WAN)
        self._regrade(partner)
        self.assertEqual(partner.customer_grade_id, self.grades["C"])
        wizard = Form(
            self.env["customer.grade.override.wizard"]
            .with_user(self.manager)
            .with_context(**partner.with_user(self.manager).action_open_grade_override()["context"])
        )
        wizard.grade_id = self.grades["A"]
        wizard.reason = "战略合作伙伴"
        wizard.date_until = "2026-07-15"
        wizard.save().action_override()
        self.assertEqual(partner.customer_grade_id, self.grades["A"])
        self.assertRecordValues(
            partner.grade_history_ids.sorted("id")[-1],
            [{"source": "manual", "reason": "战略合作伙伴", "user_id": self.manager.id}],
        )
        self._regrade(partner)
        self.assertEqual(partner.customer_grade_id, self.grades["A"], "the override survives the regrade")
        with freeze_time("2026-07-15"):
            self._regrade(partner)
            self.assertEqual(partner.customer_grade_id, self.grades["A"])
        with freeze_time("2026-07-16"):
            self._regrade(partner)
            self.assertEqual(partner.customer_grade_id, self.grades["C"], "regraded once the override ended")
            self.assertFalse(partner.grade_override_until)
            self.assertEqual(partner.grade_history_ids.sorted("id")[-1].reason, "Override ended")

    def test_override_removed_by_manager(self):
        partner = self._customer("Removed override")
        self._sell(partner, 20 * WAN)
        partner.with_user(self.manager)._override_grade(self.grades["AA"], "试用", partner.create_date.date())
        partner.with_user(self.manager).action_clear_grade_override()
        self.assertEqual(partner.customer_grade_id, self.grades["C"])
        self.assertFalse(partner.grade_override_reason)

    def test_override_refused(self):
        partner = self._customer("Refused")
        salesperson_partner = partner.with_user(self.salesperson)
        with self.assertRaises(AccessError):
            salesperson_partner.action_open_grade_override()
        with self.assertRaises(AccessError):
            salesperson_partner._override_grade(self.grades["AAA"], "self-promotion", "2026-12-31")
        with self.assertRaises(AccessError):
            salesperson_partner.write({"customer_grade_id": self.grades["AAA"].id})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson).create(
                {"name": "Forged", "customer_grade_id": self.grades["AAA"].id}
            )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.manager).browse(partner.id).write(
                {"customer_grade_id": self.grades["AAA"].id}
            )
        manager_partner = partner.with_user(self.manager)
        with self.assertRaises(UserError):
            manager_partner._override_grade(self.grades["AAA"], " ", "2026-12-31")
        with self.assertRaises(UserError):
            manager_partner._override_grade(self.grades["AAA"], "late", "2026-06-29")
        self.assertFalse(partner.customer_grade_id)
        self.assertFalse(partner.grade_history_ids)

    def test_scheme_bands_validated(self):
        scheme = self.env.ref("customer_mgmt.customer_grade_scheme_retail")
        c_band = scheme.line_ids.filtered(lambda band: band.amount_min == 0)
        with self.assertRaisesRegex(ValidationError, "overlap"), self.env.cr.savepoint():
            c_band.amount_max = 0.6 * WAN
        with self.assertRaisesRegex(ValidationError, "gap"), self.env.cr.savepoint():
            c_band.amount_max = 0.4 * WAN
        with self.assertRaisesRegex(ValidationError, "must start at 0"), self.env.cr.savepoint():
            c_band.amount_min = 0.1 * WAN
        top = scheme.line_ids.filtered(lambda band: not band.amount_max)
        with self.assertRaisesRegex(ValidationError, "no upper bound"), self.env.cr.savepoint():
            top.amount_max = 100 * WAN
        with self.assertRaisesRegex(ValidationError, "both a positive margin quota"), self.env.cr.savepoint():
            top.margin_quota = 2.0
        self.assertEqual(c_band.amount_max, 0.5 * WAN, "nothing half-written")

    def test_kanban_grouped_by_grade(self):
        """Grouped by grade, the kanban has a column per grade in grade order, empty ones too."""
        partner = self._customer("Grouped")
        self._sell(partner, 80 * WAN)
        self._regrade(partner)
        result = (
            self.env["res.partner"]
            .with_context(read_group_expand=True)
            .web_read_group([("id", "=", partner.id)], ["customer_grade_id"], ["__count"])
        )
        columns = [group["customer_grade_id"][1] for group in result["groups"]]
        self.assertEqual(columns, ["AAA", "AA", "A", "B+", "B", "C"])
        self.assertEqual({g["customer_grade_id"][1]: g["__count"] for g in result["groups"]}["A"], 1)

    def test_strategy_quadrant(self):
        prospect = self._customer("Prospect")
        customer = self._customer("Trading", purchasing_capacity="high", purchase_share=60)
        self._sell(customer, 10 * WAN)
        self.env["res.partner"].browse([prospect.id, customer.id]).action_refresh_classification()
        self.assertEqual(prospect.strategy_quadrant, "attack")
        self.assertEqual(customer.strategy_quadrant, "defend")
        self.assertIn("2", customer.strategy_resources)
        customer.purchase_share = 20
        self.assertEqual(customer.strategy_quadrant, "maintain")
        customer.purchasing_capacity = "low"
        self.assertEqual(customer.strategy_quadrant, "abandon")
        customer.write({"purchasing_capacity": False, "business_scale": "large"})
        self.assertEqual(customer.purchasing_capacity_suggested, "high")
        self.assertEqual(customer.strategy_quadrant, "maintain")

    def test_regrade_query_count_constant(self):
        """Regrading 10 or 200 customers, all changing grade, costs the same queries."""
        warm_up = self._customer("Warm-up", "retail")
        warm_up._regrade_customers()
        for count, expected in ((10, 2), (200, 2)):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Q{count}-{i}", "is_company": True, "customer_channel": "retail"}
                    for i in range(count)
                ]
            )
            self.env.flush_all()
            with self.assertQueryCount(expected):
                partners._regrade_customers()
            self.assertEqual(set(partners.customer_grade_id.mapped("code")), {"C"})
            self.assertEqual(len(partners.grade_history_ids), count)

    def test_cron_resumes_without_duplicates(self):
        """A run killed after its first batch, then rerun, equals one clean run."""
        self.registry_enter_test_mode()
        cron = self.env.ref("customer_mgmt.ir_cron_customer_regrade")
        cron.code = "model._cron_regrade_customers(batch_size=3)"
        # the cron runs in the main company: these customers belong to the test company
        partners = self.env["res.partner"].browse(
            [self._customer(f"Cron {i}", company_id=self.env.company.id).id for i in range(7)]
        )
        for partner, monthly in zip(partners, (160, 110, 80, 65, 40, 20, 5), strict=True):
            self._sell(partner, monthly * WAN)
        ResPartner = type(self.env["res.partner"])
        real_regrade = ResPartner._regrade_customers
        calls = []

        def die_after_first_batch(records, **kwargs):
            calls.append(records.ids)
            if len(calls) > 1:
                raise RuntimeError("worker killed")
            return real_regrade(records, **kwargs)

        with (
            patch.object(ResPartner, "_regrade_customers", die_after_first_batch),
            mute_logger("odoo.addons.base.models.ir_cron"),
        ):
            cron.method_direct_trigger()
        self.assertGreater(len(calls), 1, "the first run died after its first batch")
        cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(
            [p.customer_grade_id.code for p in partners], ["AAA", "AA", "A", "B+", "B", "C", "C"]
        )
        for partner in partners:
            self.assertEqual(len(partner.grade_history_ids), 1, partner.name)
        # the button gives the same grades
        partners.action_regrade()
        self.assertEqual(len(partners.grade_history_ids), len(partners))
