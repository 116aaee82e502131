from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomerCardTour(HttpCase):
    def test_edit_card_from_kanban(self):
        salesperson = new_test_user(
            self.env, "cm_tour_sales", groups="customer_mgmt.group_customer_user", name="Tour Salesperson"
        )
        customer = self.env["res.partner"].create(
            {
                "name": "AAA Tour Customer",
                "is_company": True,
                "customer_rank": 1,
                "user_id": salesperson.id,
            }
        )
        self.start_tour("/odoo", "customer_mgmt_card_tour", login="cm_tour_sales")
        self.assertEqual(customer.business_philosophy, "以质量求生存，以服务求发展")
