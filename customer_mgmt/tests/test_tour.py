from datetime import date, timedelta

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomerCardTour(HttpCase):
    def test_edit_card_from_kanban(self):
        salesperson = new_test_user(
            self.env,
            "cm_tour_sales",
            groups="customer_mgmt.group_customer_user",
            name="Tour Salesperson",
            lang="en_US",
        )
        customer = self.env["res.partner"].create(
            {
                "name": "AAA Tour Customer",
                "is_company": True,
                "customer_rank": 1,
                "user_id": salesperson.id,
            }
        )
        customer._credit_hold("逾期六十天", auto=True)
        self.start_tour("/odoo", "customer_mgmt_card_tour", login="cm_tour_sales")
        self.assertEqual(customer.business_philosophy, "以质量求生存，以服务求发展")

    def test_record_and_accept_complaint(self):
        service = new_test_user(
            self.env,
            "cm_tour_service",
            groups="customer_mgmt.group_customer_service,customer_mgmt.group_customer_user",
            name="Tour Service",
            lang="en_US",
        )
        customer = self.env["res.partner"].create(
            {"name": "AAA Tour Customer", "is_company": True, "customer_rank": 1, "email": "tour@example.com"}
        )
        self.start_tour("/odoo", "customer_mgmt_complaint_tour", login="cm_tour_service")
        complaint = self.env["customer.complaint"].search([("partner_id", "=", customer.id)])
        self.assertEqual(complaint.state, "accepted")
        self.assertEqual(complaint.create_uid, service)
        self.assertIn("受潮结块", complaint.description)
        self.assertEqual(complaint.category_id, self.env.ref("customer_mgmt.complaint_category_quality"))

    def test_controller_approves_and_releases(self):
        controller = new_test_user(
            self.env,
            "cm_tour_credit",
            groups="customer_mgmt.group_credit_controller",
            name="Tour Credit Controller",
            lang="en_US",
        )
        customer, held = self.env["res.partner"].create(
            [
                {"name": "AAA Tour Credit Customer", "is_company": True, "customer_rank": 1},
                {"name": "AAA Tour Held Customer", "is_company": True, "customer_rank": 1},
            ]
        )
        application = self.env["customer.credit.application"].create(
            {"partner_id": customer.id, "requested_limit": 8000.0, "justification": "旺季备货"}
        )
        application.action_submit()
        self.env["res.partner"].create({"name": "Tour Held Contact", "parent_id": held.id})
        held.with_user(controller)._credit_hold("逾期九十天")
        self.start_tour("/odoo", "customer_mgmt_credit_tour", login="cm_tour_credit")
        self.assertEqual(application.state, "approved")
        self.assertEqual(application.approver_id, controller)
        self.assertEqual(customer.credit_limit, 8000.0)
        self.assertFalse(held.credit_hold)
        release = held.credit_hold_log_ids.filtered(lambda log: log.action == "release")
        self.assertEqual((release.user_id, release.reason), (controller, "客户已电汇付清欠款"))

    def test_salesperson_acknowledges_a_warning(self):
        salesperson = new_test_user(
            self.env,
            "cm_tour_warned",
            groups="customer_mgmt.group_customer_user",
            name="Tour Warned Salesperson",
            lang="en_US",
        )
        customer = self.env["res.partner"].create(
            {
                "name": "AAA Tour Warned Customer",
                "is_company": True,
                "customer_rank": 1,
                "user_id": salesperson.id,
            }
        )
        customer.sudo().credit_limit_date_end = date.today() - timedelta(days=3)
        self.env["customer.warning.rule"].sudo()._scan()
        self.start_tour("/odoo", "customer_mgmt_warning_tour", login="cm_tour_warned")
        warning = self.env["customer.warning"].search([("partner_id", "=", customer.id)])
        self.assertEqual(warning.state, "acknowledged")
        self.assertEqual(warning.warning_type, "credit_limit_expiring")
