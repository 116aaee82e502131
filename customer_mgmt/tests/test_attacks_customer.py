"""Hostile salespeople against customer ownership, over real HTTP (JSON-2).

6. A salesperson edits only their own or unassigned customers, all of the
customer; customers kept by a log, a history or a complaint are archived, not
deleted. See ``test_attacks_credit.py`` for how the calls are made and asserted.
"""

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged

from .test_attacks_credit import CreditAttackCase

FOREIGN = "belong to another salesperson"
KEPT = "cannot be deleted: they are kept in"


@tagged("post_install", "-at_install")
class TestAttackOwnership(CreditAttackCase):
    """Salesperson A (``salesperson``) against salesperson B's customer
    ``customer_b`` and its contact; A owns ``mine``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b_contact = cls.env["res.partner"].create(
            {"name": "广药 采购部 陈经理", "parent_id": cls.customer_b.id, "email": "chen@gy.example.com"}
        )
        cls.customer_b.write({"street": "沙面北街 45 号", "email": "info@gy.example.com"})
        cls.mine = cls.env["res.partner"].create(
            {"name": "南京自有医药有限公司", "is_company": True, "user_id": cls.salesperson.id}
        )
        cls.my_contact = cls.env["res.partner"].create({"name": "自有 联系人", "parent_id": cls.mine.id})
        cls.unassigned = cls.env["res.partner"].create({"name": "无主商贸有限公司", "is_company": True})
        cls.term = cls.env["account.payment.term"].create(
            {
                "name": "Pay in 365 days (attacks)",
                "line_ids": [Command.create({"nb_days": 365, "value": "percent", "value_amount": 100})],
            }
        )

    def _snapshot(self, partner):
        return partner.with_context(active_test=False).read(
            [
                "name",
                "street",
                "email",
                "property_payment_term_id",
                "active",
                "user_id",
                "parent_id",
                "child_ids",
            ]
        )[0]

    def test_write_foreign_customer(self):
        for vals in (
            {"name": "改名"},
            {"street": "伪造地址"},
            {"email": "attacker@example.com"},
            {"property_payment_term_id": self.term.id},
            {"active": False},
            {"user_id": self.salesperson.id},  # take the customer over
            {"comment": "<p>note</p>"},
        ):
            with self.subTest(vals=vals):
                before = self._snapshot(self.customer_b)
                response = self.rpc(self.salesperson, "res.partner", "write", self.customer_b.ids, vals=vals)
                self.assertRefused(response, "AccessError", FOREIGN, self.customer_b.name)
                self.assertEqual(self._snapshot(self.customer_b), before)

    def test_archive_foreign_customer_with_the_button(self):
        response = self.rpc(self.salesperson, "res.partner", "action_archive", self.customer_b.ids)
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertTrue(self.customer_b.active)

    def test_unlink_foreign_customer(self):
        response = self.rpc(self.salesperson, "res.partner", "unlink", self.customer_b.ids)
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertTrue(self.customer_b.exists())

    def test_create_contact_under_foreign_customer(self):
        count = self.env["res.partner"].search_count([("parent_id", "=", self.customer_b.id)])
        response = self.rpc(
            self.salesperson,
            "res.partner",
            "create",
            vals_list=[{"name": "插入联系人", "parent_id": self.customer_b.id}],
        )
        self.assertRefused(response, "AccessError", FOREIGN)
        # the same, as an x2many create on the customer
        response = self.rpc(
            self.salesperson,
            "res.partner",
            "write",
            self.customer_b.ids,
            vals={"child_ids": [Command.create({"name": "插入联系人"})]},
        )
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertEqual(
            self.env["res.partner"].search_count([("parent_id", "=", self.customer_b.id)]), count
        )

    def test_write_contact_of_foreign_customer(self):
        for vals in ({"name": "改名"}, {"email": "attacker@example.com"}, {"active": False}):
            with self.subTest(vals=vals):
                before = self._snapshot(self.b_contact)
                response = self.rpc(self.salesperson, "res.partner", "write", self.b_contact.ids, vals=vals)
                self.assertRefused(response, "AccessError", FOREIGN)
                self.assertEqual(self._snapshot(self.b_contact), before)
        # through the customer's x2many
        response = self.rpc(
            self.salesperson,
            "res.partner",
            "write",
            self.mine.ids,
            vals={"child_ids": [Command.update(self.b_contact.id, {"name": "改名"})]},
        )
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertEqual(self.b_contact.name, "广药 采购部 陈经理")

    def test_unlink_contact_of_foreign_customer(self):
        response = self.rpc(self.salesperson, "res.partner", "unlink", self.b_contact.ids)
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertTrue(self.b_contact.exists())

    def test_move_own_contact_into_foreign_customer(self):
        response = self.rpc(
            self.salesperson,
            "res.partner",
            "write",
            self.my_contact.ids,
            vals={"parent_id": self.customer_b.id},
        )
        self.assertRefused(response, "AccessError", FOREIGN, self.customer_b.name)
        self.assertEqual(self.my_contact.parent_id, self.mine)

    def test_take_foreign_contact_into_own_customer(self):
        # Moving B's contact out: by its parent_id, or linked from A's customer.
        for label, call in (
            (
                "parent_id",
                lambda: self.rpc(
                    self.salesperson,
                    "res.partner",
                    "write",
                    self.b_contact.ids,
                    vals={"parent_id": self.mine.id},
                ),
            ),
            (
                "child_ids",
                lambda: self.rpc(
                    self.salesperson,
                    "res.partner",
                    "write",
                    self.mine.ids,
                    vals={"child_ids": [Command.link(self.b_contact.id)]},
                ),
            ),
        ):
            with self.subTest(label=label):
                self.assertRefused(call(), "AccessError", FOREIGN)
                self.assertEqual(self.b_contact.parent_id, self.customer_b)

    def test_merge_foreign_customer_into_own(self):
        # HOLE: Odoo's contact merge wizard (open to partner managers, which every
        # salesperson is) re-points everything of B's customer to A's by SQL and
        # deletes B's customer as superuser: the ownership guard never runs.
        self.mine.email = self.customer_b.email  # the wizard merges contacts sharing an e-mail
        wizard_ids = self.assertPassed(
            self.rpc(
                self.salesperson,
                "base.partner.merge.automatic.wizard",
                "create",
                vals_list=[
                    {
                        "partner_ids": [Command.set([self.customer_b.id, self.mine.id])],
                        "dst_partner_id": self.mine.id,
                    }
                ],
            )
        )
        response = self.rpc(
            self.salesperson, "base.partner.merge.automatic.wizard", "action_merge", wizard_ids
        )
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertTrue(self.customer_b.exists())
        self.assertEqual(self.b_contact.parent_id, self.customer_b)

    def test_add_bank_account_to_foreign_customer(self):
        # HOLE: the customer's bank accounts (its form's Accounting tab, where its
        # payments go) are a model of their own, with no ownership guard: A adds
        # one to B's customer.
        count = self.env["res.partner.bank"].sudo().search_count([("partner_id", "=", self.customer_b.id)])
        response = self.rpc(
            self.salesperson,
            "res.partner.bank",
            "create",
            vals_list=[{"partner_id": self.customer_b.id, "acc_number": "6222 0000 1111 2222"}],
        )
        self.assertRefused(response, "AccessError", FOREIGN)
        self.assertEqual(
            self.env["res.partner.bank"].sudo().search_count([("partner_id", "=", self.customer_b.id)]), count
        )

    def test_own_and_unassigned_customers_are_editable(self):
        # Not an attack: A edits their own and unassigned customers, all of them.
        for partner, vals in (
            (
                self.mine,
                {
                    "name": "南京自有医药股份有限公司",
                    "street": "中山路 1 号",
                    "property_payment_term_id": self.term.id,
                },
            ),
            (self.my_contact, {"email": "me@example.com"}),
            (self.unassigned, {"street": "无主路 9 号", "email": "x@example.com"}),
        ):
            with self.subTest(partner=partner.name):
                self.assertPassed(self.rpc(self.salesperson, "res.partner", "write", partner.ids, vals=vals))
                self.assertRecordValues(partner, [vals])
        contact_ids = self.assertPassed(
            self.rpc(
                self.salesperson,
                "res.partner",
                "create",
                vals_list=[
                    {"name": "新联系人", "parent_id": self.mine.id},
                    {"name": "无主联系人", "parent_id": self.unassigned.id},
                ],
            )
        )
        self.assertEqual(self.env["res.partner"].browse(contact_ids).parent_id, self.mine | self.unassigned)
        self.assertPassed(self.rpc(self.salesperson, "res.partner", "action_archive", self.my_contact.ids))
        self.assertFalse(self.my_contact.active)
        self.assertPassed(self.rpc(self.salesperson, "res.partner", "unlink", contact_ids[:1]))
        self.assertFalse(self.env["res.partner"].browse(contact_ids[:1]).exists())


@tagged("post_install", "-at_install")
class TestAttackDeleteKeptCustomers(CreditAttackCase):
    """Customers kept by a log, a history or a complaint cannot be deleted, by
    their own salesperson or a sales manager: the record must survive."""

    def _kept(self, name, model, make):
        """A customer of salesperson A and the record ``make(partner)`` of ``model`` keeping it."""
        partner = self.env["res.partner"].create(
            {"name": name, "is_company": True, "user_id": self.salesperson.id}
        )
        make(partner)
        return partner, model

    def _cases(self):
        company = self.company
        return [
            self._kept(
                "留痕一公司",
                "customer.credit.hold.log",
                lambda partner: (
                    partner.with_user(self.controller)._credit_hold("Late"),
                    partner.with_user(self.controller)._credit_release("Paid"),
                ),
            ),
            self._kept(
                "留痕二公司",
                "customer.grade.history",
                lambda partner: (
                    self.env["customer.grade.history"]
                    .sudo()
                    .create(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "date": fields.Date.today(),
                            "source": "manual",
                            "user_id": self.manager.id,
                            "reason": "downgraded",
                        }
                    )
                ),
            ),
            self._kept(
                "留痕三公司",
                "customer.complaint",
                lambda partner: (
                    self.env["customer.complaint"]
                    .sudo()
                    .create(
                        {
                            "partner_id": partner.id,
                            "category_id": self.env.ref("customer_mgmt.complaint_category_quality").id,
                            "description": "<p>包装破损</p>",
                        }
                    )
                ),
            ),
            self._kept(
                "留痕四公司",
                "customer.card.access.log",
                lambda partner: (
                    self.env["customer.card.access.log"]
                    .sudo()
                    .create({"user_id": self.custodian.id, "partner_id": partner.id, "access_type": "read"})
                ),
            ),
        ]

    def test_delete_kept_customer(self):
        for partner, model in self._cases():
            for user in (self.salesperson, self.manager):
                with self.subTest(model=model, user=user.login):
                    kept = self.env[model].sudo().search_count([("partner_id", "=", partner.id)])
                    self.assertTrue(kept)
                    response = self.rpc(user, "res.partner", "unlink", partner.ids)
                    self.assertRefused(response, "UserError", KEPT, partner.name, "Archive them instead")
                    self.assertTrue(partner.exists())
                    self.assertEqual(
                        self.env[model].sudo().search_count([("partner_id", "=", partner.id)]), kept
                    )

    def test_rewrite_or_delete_the_hold_log(self):
        # The log itself is read-only, for everyone who can read it.
        partner, model = self._cases()[0]
        log = self.env[model].search([("partner_id", "=", partner.id)])
        for user in (self.manager, self.controller, self.credit_manager):
            for method, kwargs in (("write", {"vals": {"reason": "never happened"}}), ("unlink", {})):
                with self.subTest(user=user.login, method=method):
                    self.assertRefused(self.rpc(user, model, method, log.ids, **kwargs), "AccessError")
                    self.assertEqual(sorted(log.exists().mapped("reason")), ["Late", "Paid"])

    def test_archive_kept_customer_passes(self):
        # Not an attack: what cannot be deleted is archived.
        partner, _model = self._cases()[0]
        self.assertPassed(self.rpc(self.salesperson, "res.partner", "action_archive", partner.ids))
        self.assertFalse(partner.active)

    def test_delete_kept_customer_by_merging_it(self):
        # HOLE: merging a customer whose hold log keeps it into another customer deletes
        # it (as superuser, after its log was re-pointed by SQL): the log now tells
        # another customer's story, and the customer is gone.
        partner, model = self._cases()[0]
        other = self.env["res.partner"].create(
            {"name": "接收方公司", "is_company": True, "user_id": self.salesperson.id}
        )
        wizard_ids = self.assertPassed(
            self.rpc(
                self.manager,
                "base.partner.merge.automatic.wizard",
                "create",
                vals_list=[
                    {"partner_ids": [Command.set([partner.id, other.id])], "dst_partner_id": other.id}
                ],
            )
        )
        response = self.rpc(self.manager, "base.partner.merge.automatic.wizard", "action_merge", wizard_ids)
        self.assertRefused(response, "UserError", KEPT)
        self.assertTrue(partner.exists())
        self.assertTrue(self.env[model].sudo().search_count([("partner_id", "=", partner.id)]))


@tagged("post_install", "-at_install")
class TestAttackCardSections(CreditAttackCase):
    """Salesperson A reads salesperson B's card sections over JSON-2 by every
    route a client offers: nothing of them comes back."""

    SECRET = "与竞品华润签了独家协议"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_b.write({"competitor_relations": cls.SECRET, "cooperation_attitude": "uncooperative"})
        cls.card_b = cls.customer_b.customer_card_id
        cls.card_b.sudo().write({"monthly_avg_sales": 120000.0, "gross_margin": 1.55, "abc_class": "a"})
        grade = cls.env["customer.grade"].search([], limit=1)
        cls.customer_b.with_user(cls.manager)._override_grade(grade, cls.SECRET, fields.Date.today())
        cls.customer.cooperation_attitude = "cooperative"
        cls.salesperson.group_ids |= cls.env.ref("base.group_allow_export")

    def assertNoSecret(self, response):
        self.assertNotIn(self.SECRET, response.text)
        self.assertNotIn("uncooperative", response.text)
        self.assertNotIn("1.55", response.text)

    def test_read_routes_return_nothing_of_the_sections(self):
        fields = ["competitor_relations", "cooperation_attitude", "abc_class", "gross_margin"]
        for method, kwargs in (
            ("read", {"fields": fields}),
            ("web_read", {"specification": {fname: {} for fname in fields}}),
            ("export_data", {"fields_to_export": fields}),
        ):
            with self.subTest(method=method):
                response = self.rpc(self.salesperson, "res.partner", method, self.customer_b.ids, **kwargs)
                self.assertPassed(response)
                self.assertNoSecret(response)

    def test_search_and_group_reveal_nothing(self):
        for domain in (
            [("competitor_relations", "ilike", "华润")],
            [("cooperation_attitude", "=", "uncooperative")],
        ):
            with self.subTest(domain=domain):
                ids = self.assertPassed(self.rpc(self.salesperson, "res.partner", "search", domain=domain))
                self.assertNotIn(self.customer_b.id, ids)
        response = self.rpc(
            self.salesperson,
            "customer.card",
            "formatted_read_group",
            domain=[],
            groupby=["cooperation_attitude"],
            aggregates=["__count"],
        )
        self.assertPassed(response)
        self.assertNoSecret(response)

    def test_the_card_record_and_its_history_are_refused(self):
        self.assertRefused(
            self.rpc(
                self.salesperson, "customer.card", "read", self.card_b.ids, fields=["competitor_relations"]
            ),
            "AccessError",
        )
        # the card's history, where the regrade's notes give the figures behind the grade
        for domain in (
            [("model", "=", "customer.card"), ("res_id", "=", self.card_b.id)],
            [("model", "=", "res.partner"), ("res_id", "=", self.customer_b.id)],
        ):
            response = self.rpc(
                self.salesperson, "mail.message", "search_read", domain=domain, fields=["body"]
            )
            self.assertNoSecret(response)
            self.assertNotIn("ABC", response.text)
        before = self.card_b.competitor_relations
        response = self.rpc(
            self.salesperson, "customer.card", "write", self.card_b.ids, vals={"competitor_relations": "改写"}
        )
        self.assertRefused(response, "AccessError", FOREIGN)
        # nor by moving their own card onto B's customer
        my_card = self.customer.customer_card_id
        response = self.rpc(
            self.salesperson, "customer.card", "write", my_card.ids, vals={"partner_id": self.customer_b.id}
        )
        self.assertRefused(response, "UserError", "cannot be moved")
        self.assertEqual(self.card_b.competitor_relations, before)
        self.assertEqual(my_card.partner_id, self.customer)
