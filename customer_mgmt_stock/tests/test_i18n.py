from odoo.tests import tagged

from odoo.addons.customer_mgmt.tests import test_i18n


@tagged("post_install", "-at_install")
class TestStockTranslations(test_i18n.TestTranslations):
    addon = "customer_mgmt_stock"
