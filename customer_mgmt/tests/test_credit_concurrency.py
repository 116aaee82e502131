from odoo.tests import TransactionCase, tagged

from .common import CommittedRaceMixin


@tagged("post_install", "-at_install")
class TestCreditConcurrency(CommittedRaceMixin, TransactionCase):
    """Two real database connections confirm orders of the same customer at
    the same time: only one may pass when only one fits under the limit."""

    def test_two_confirmations_do_not_both_pass(self):
        def confirm(order):
            order.action_confirm()

        product = {"name": "Credit concurrency product", "list_price": 600.0}
        with self._committed_orders("并发测试客户", product, 600.0) as (connection, order_ids):
            outcome = self._race(connection, order_ids, confirm, confirm)
            states = self._committed_values(connection, order_ids, "state")
        self.assertTrue(outcome["waited"], "the second confirmation must wait for the first")
        self.assertEqual(outcome["second"], "serialization failure")
        # Odoo retries a serialization failure; the retry sees the first order and refuses.
        self.assertEqual(outcome["retry"], "refused")
        self.assertIn("并发测试客户", outcome["message"])
        self.assertEqual(states, ["sale", "draft"])
