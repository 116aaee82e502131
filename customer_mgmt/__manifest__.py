# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Customer Management",
    "summary": "Customer cards, classification, grading, credit holds, complaints "
    "and warnings for distributors and dealer networks",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "customer_mgmt developers",
    "website": "https://github.com/customer-mgmt/customer_mgmt",
    "depends": [
        "sale_management",
        "account",
        "mail",
        "contract",
        "report_xlsx",
    ],
    "data": [
        "security/customer_mgmt_security.xml",
        "security/ir.model.access.csv",
        "data/customer_certificate_type_data.xml",
        "data/customer_grade_data.xml",
        "data/ir_cron_data.xml",
        "views/customer_certificate_views.xml",
        "views/customer_card_review_views.xml",
        "views/customer_card_access_log_views.xml",
        "views/customer_grade_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/customer_card_review_wizard_views.xml",
        "wizards/customer_handover_wizard_views.xml",
        "wizards/customer_grade_override_wizard_views.xml",
        "views/customer_mgmt_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/product_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/customer_certificate_demo.xml",
        "demo/account_move_demo.xml",
        "demo/sale_order_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_mgmt/static/tests/tours/*.js",
        ],
    },
    "application": True,
}
