"""The card sections (characteristics, business and transaction status) are
read by the customer's own salesperson, managers, credit controllers and
custodians only: kept on customer.card under record rules, shown on the
partner through related fields."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CustomerMgmtBaseCase


@tagged("post_install", "-at_install")
class TestCardSections(CustomerMgmtBaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credit_controller = cls._new_user("cm_credit", "customer_mgmt.group_credit_controller")
        cls.sales_user = cls._new_user("cm_plain_sales", "sales_team.group_sale_salesman")
        cls.unassigned = cls.env["res.partner"].create({"name": "无主商贸有限公司", "is_company": True})
        for partner, attitude in (
            (cls.customer, "cooperative"),
            (cls.customer_b, "uncooperative"),
            (cls.unassigned, "neutral"),
        ):
            partner.write(
                {"cooperation_attitude": attitude, "competitor_relations": f"{partner.name} 与竞品关系"}
            )
        cls.card_b = cls.customer_b.customer_card_id

    def test_salesperson_reads_own_and_unassigned_only(self):
        partners = (self.customer | self.customer_b | self.unassigned).with_user(self.salesperson)
        rows = {row["id"]: row for row in partners.read(["cooperation_attitude", "competitor_relations"])}
        self.assertEqual(rows[self.customer.id]["cooperation_attitude"], "cooperative")
        self.assertEqual(rows[self.unassigned.id]["cooperation_attitude"], "neutral")
        self.assertFalse(rows[self.customer_b.id]["cooperation_attitude"])
        self.assertFalse(rows[self.customer_b.id]["competitor_relations"])
        self.assertEqual(
            partners.mapped("can_read_card_sections"), [True, False, True], "the form says whose card it is"
        )
        # Odoo's own fields stay readable to everyone
        self.assertEqual(partners[1].name, self.customer_b.name)

    def test_every_reader_of_all_cards(self):
        for user in (self.manager, self.custodian, self.credit_controller):
            with self.subTest(user=user.login):
                self.assertEqual(self.customer_b.with_user(user).cooperation_attitude, "uncooperative")

    def test_a_user_without_customer_management_reads_no_sections_and_no_error(self):
        partner = self.customer.with_user(self.sales_user)
        self.assertFalse(partner.cooperation_attitude)
        self.assertEqual(partner.name, self.customer.name)
        self.assertFalse(partner.search([("cooperation_attitude", "=", "cooperative")]))

    def test_superuser_reads_do_not_fill_the_salespersons_cache(self):
        """One cache per transaction: what sudo read must not show to the user."""
        self.assertEqual(self.customer_b.sudo().cooperation_attitude, "uncooperative")
        self.assertFalse(self.customer_b.with_user(self.salesperson).cooperation_attitude)
        self.assertEqual(self.customer_b.sudo().cooperation_attitude, "uncooperative")

    def test_search_and_grouping_find_only_readable_cards(self):
        Partner = self.env["res.partner"].with_user(self.salesperson)
        self.assertFalse(Partner.search([("cooperation_attitude", "=", "uncooperative")]))
        self.assertFalse(Partner.search([("competitor_relations", "ilike", "竞品")]) & self.customer_b)
        self.assertIn(self.customer, Partner.search([("competitor_relations", "ilike", "竞品")]))
        # negations answer the same for a foreign customer whatever its card holds
        self.assertEqual(
            self.customer_b in Partner.search([("cooperation_attitude", "!=", "neutral")]),
            self.customer_b in Partner.search([("cooperation_attitude", "!=", "uncooperative")]),
        )
        groups = (
            self.env["customer.card"]
            .with_user(self.salesperson)
            ._read_group([], ["cooperation_attitude"], ["__count"])
        )
        self.assertNotIn("uncooperative", dict(groups))
        self.assertEqual(dict(groups).get("cooperative"), 1)

    def test_card_records_are_refused_directly(self):
        Card = self.env["customer.card"].with_user(self.salesperson)
        self.assertNotIn(self.card_b, Card.search([]))
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.salesperson).read(["cooperation_attitude"])
        with self.assertRaisesRegex(AccessError, "belong to another salesperson"):
            self.card_b.with_user(self.salesperson).write({"cooperation_attitude": "cooperative"})
        self.customer_b.customer_card_ids.unlink()
        with self.assertRaisesRegex(AccessError, "belong to another salesperson"):
            Card.create({"partner_id": self.customer_b.id, "cooperation_attitude": "cooperative"})

    def test_export_leaves_foreign_sections_empty(self):
        self.salesperson.group_ids |= self.env.ref("base.group_allow_export")
        rows = (
            (self.customer | self.customer_b)
            .with_user(self.salesperson)
            .export_data(["name", "cooperation_attitude"])["datas"]
        )
        self.assertEqual([row[1] for row in rows], ["Cooperative", ""])

    def test_history_is_on_the_card(self):
        self.env.flush_all()
        self.env.cr.precommit.run()  # as if the card had been created in an earlier transaction
        self.customer_b.with_user(self.salesperson_b).cooperation_attitude = "neutral"
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking is written before the commit
        tracked = self.card_b.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "cooperation_attitude"
        )
        self.assertEqual(tracked[:1].new_value_char, "Neutral")
        messages = self.env["mail.message"].with_user(self.salesperson)
        self.assertFalse(messages.search([("model", "=", "customer.card"), ("res_id", "=", self.card_b.id)]))
        self.assertFalse(
            self.customer_b.message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "cooperation_attitude"
            ),
            "nothing of the sections in the partner's chatter, which every user reads",
        )

    def test_first_write_creates_the_card_and_completeness_follows(self):
        mine = self.env["res.partner"].create(
            {"name": "新客户有限公司", "is_company": True, "user_id": self.salesperson.id}
        )
        self.assertFalse(mine.customer_card_ids)
        before = mine.card_completeness
        mine.with_user(self.salesperson).write(
            {"business_scale": "large", "cooperation_attitude": "cooperative"}
        )
        self.assertEqual(mine.customer_card_ids.business_scale, "large")
        filled = mine.card_completeness
        self.assertGreater(filled, before)
        mine.customer_card_ids.with_user(self.salesperson).cooperation_attitude = False
        self.assertLess(mine.card_completeness, filled, "a change on the card itself counts too")
        self.assertEqual(mine.purchasing_capacity_suggested, "high", "the classification reads the scale")
        created = self.env["res.partner"].create(
            {"name": "带卡新客户", "is_company": True, "reputation": "good", "user_id": self.salesperson.id}
        )
        self.assertEqual(created.customer_card_ids.reputation, "good")

    def test_card_cannot_move_to_another_customer(self):
        with self.assertRaisesRegex(UserError, "cannot be moved"):
            self.customer.customer_card_id.write({"partner_id": self.unassigned.id})

    def test_customer_cards_menu_opens_on_my_customers_for_salespeople(self):
        Partner = self.env["res.partner"]
        context = Partner.with_user(self.salesperson)._action_customer_cards()["context"]
        self.assertEqual(context.get("search_default_my_customers"), 1)
        self.assertNotIn("search_default_customers", context, "the two filters would be OR-ed")
        service = self._new_user(
            "cm_service", "customer_mgmt.group_customer_service,customer_mgmt.group_customer_user"
        )
        for user in (self.manager, service):
            context = str(Partner.with_user(user)._action_customer_cards()["context"])
            self.assertNotIn("search_default_my_customers", context)
            self.assertIn("search_default_customers", context)

    def test_grade_figures_follow_the_card(self):
        """The grade is everyone's; the figures behind it are the card's."""
        self.card_b.sudo().write({"monthly_avg_sales": 120000.0, "gross_margin": 1.55, "abc_class": "a"})
        foreign = self.customer_b.with_user(self.salesperson)
        self.assertEqual(
            (foreign.monthly_avg_sales, foreign.gross_margin, foreign.abc_class), (0.0, 0.0, False)
        )
        self.assertFalse(foreign.sales_12_months)
        self.assertFalse(foreign.search([("abc_class", "=", "a")]) & self.customer_b)
        self.assertEqual(self.customer_b.with_user(self.manager).abc_class, "a")
        mine = self.customer.customer_card_id.with_user(self.salesperson)
        with self.assertRaisesRegex(AccessError, "computed by the regrade"):
            mine.write({"monthly_avg_sales": 1.0})
        with self.assertRaisesRegex(AccessError, "computed"):
            self.customer.with_user(self.salesperson).write({"abc_class": "a"})
