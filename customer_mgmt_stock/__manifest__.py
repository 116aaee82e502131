# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Customer Management - Inventory",
    "summary": "Credit holds of Customer Management also block deliveries",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "customer_mgmt developers",
    "website": "https://github.com/customer-mgmt/customer_mgmt",
    "depends": ["customer_mgmt", "sale_stock"],
    "auto_install": True,
}
