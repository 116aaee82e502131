import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Data is created by the Python test (test_tour.py).
registry.category("web_tour.tours").add("customer_mgmt_card_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("customer_mgmt.customer_mgmt_menu_root", "Open the Customers app"),
        {
            content: "The customer kanban shows the test customer with its completeness bar",
            trigger: ".o_customer_mgmt_kanban .o_kanban_record:contains('AAA Tour Customer') .o_progressbar",
        },
        {
            content: "Open the customer card",
            trigger: ".o_kanban_record:contains('AAA Tour Customer')",
            run: "click",
        },
        {
            content: "The card opens on the credit hold, with its reason and the customer's exposure",
            trigger: ".o_form_view .alert-danger:contains('逾期六十天'):contains('exposure')",
        },
        {
            content: "Go to the characteristics tab",
            trigger: ".o_notebook .nav-link[name='card_characteristics']",
            run: "click",
        },
        {
            content: "Describe the customer's business philosophy",
            trigger: "div[name='business_philosophy'] textarea",
            run: "edit 以质量求生存，以服务求发展",
        },
        ...stepUtils.saveForm(),
        {
            content: "Open the card's history (the sections are kept apart from the partner's chatter)",
            trigger: ".oe_stat_button[name='action_open_card_sections']",
            run: "click",
        },
        {
            content: "The change is in the card's chatter",
            trigger: ".o_form_view .o-mail-Message:contains('以质量求生存')",
        },
    ],
});

// A customer-service user records a complaint from the customer card and accepts it.
registry.category("web_tour.tours").add("customer_mgmt_complaint_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("customer_mgmt.customer_mgmt_menu_root", "Open the Customers app"),
        {
            content: "Open the customer card",
            trigger: ".o_kanban_record:contains('AAA Tour Customer')",
            run: "click",
        },
        {
            content: "Open the customer's complaints",
            trigger: "button[name='action_view_complaints']",
            run: "click",
        },
        {
            content: "Record a new complaint",
            trigger: ".o-kanban-button-new, .o_list_button_add",
            run: "click",
        },
        {
            content: "Open the categories",
            trigger: "div[name='category_id'] input",
            run: "click",
        },
        {
            content: "Choose the first one (product quality), once the categories are loaded",
            trigger:
                "div[name='category_id'] .o-autocomplete--dropdown-item:not(.o_m2o_dropdown_option):not(:has(.o_loading)):first",
            run: "click",
        },
        {
            content: "Describe the complaint",
            trigger: "div[name='description'] .odoo-editor-editable",
            run: "editor 一批感冒灵颗粒受潮结块",
        },
        ...stepUtils.saveForm(),
        {
            content: "Accept the complaint",
            trigger: "button[name='action_accept']",
            run: "click",
        },
        {
            content: "The complaint is accepted",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='accepted']",
        },
    ],
});

// A credit controller approves a credit application, then releases a held customer.
registry.category("web_tour.tours").add("customer_mgmt_credit_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Credit Control menu",
            trigger: "[data-menu-xmlid='customer_mgmt.customer_credit_menu_root']",
            run: "click",
        },
        {
            content: "Open the credit applications to approve",
            trigger: "[data-menu-xmlid='customer_mgmt.customer_credit_application_menu']",
            run: "click",
        },
        {
            content: "Open the application of the test customer",
            trigger: ".o_data_row:contains('AAA Tour Credit Customer') .o_data_cell",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view button[name='action_approve']",
            run: "click",
        },
        {
            content: "The application is approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='approved']",
        },
        {
            content: "Open the Credit Control menu again",
            trigger: "[data-menu-xmlid='customer_mgmt.customer_credit_menu_root']",
            run: "click",
        },
        {
            content: "Open the customers on hold",
            trigger: "[data-menu-xmlid='customer_mgmt.customer_credit_hold_menu']",
            run: "click",
        },
        {
            content: "The held customer is there with its hold badge, without its contact person; open it",
            trigger:
                ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tour Held Contact'))) .o_kanban_record:contains('AAA Tour Held Customer'):contains('Credit hold')",
            run: "click",
        },
        {
            content: "The form opens on the hold, with its reason, exposure and limit",
            trigger: ".o_form_view .alert-danger:contains('逾期九十天'):contains('exposure'):contains('limit')",
        },
        {
            content: "Release the hold",
            trigger: ".o_form_view button[name='action_credit_release']",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal div[name='reason'] input",
            run: "edit 客户已电汇付清欠款",
        },
        {
            content: "Confirm the release",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "The customer can be held again: it is released, and the hold alert is gone",
            trigger: ".o_form_view:not(:has(.alert-danger)) button[name='action_credit_hold']",
        },
    ],
});

// A salesperson starts the day in Warnings: acknowledges one, then opens the customer and sees the alert.
registry.category("web_tour.tours").add("customer_mgmt_warning_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("customer_mgmt.customer_mgmt_menu_root", "Open the Customers app"),
        {
            content: "Open the Warnings menu",
            trigger: "[data-menu-xmlid='customer_mgmt.customer_warning_menu_root']",
            run: "click",
        },
        {
            content: "Open My Warnings",
            trigger: "[data-menu-xmlid='customer_mgmt.customer_warning_menu_mine']",
            run: "click",
        },
        {
            content: "The kanban groups the warning under its type",
            trigger: ".o_kanban_group:contains('Credit Limit Expiring') .o_kanban_record:contains('AAA Tour Warned Customer')",
            run: "click",
        },
        {
            content: "The warning says what was measured",
            trigger: ".o_form_view .alert-warning:contains('expired 3 days ago')",
        },
        {
            content: "Acknowledge it",
            trigger: ".o_form_view button[name='action_acknowledge']",
            run: "click",
        },
        {
            content: "It is acknowledged",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Acknowledged')",
        },
        {
            content: "Open the customer card",
            trigger: ".o_form_view button[name='action_open_customer']",
            run: "click",
        },
        {
            content: "The card shows the open warning in its alert line",
            trigger: ".o_form_view div[name='customer_warning_alert']:contains('Credit Limit Expiring')",
        },
    ],
});
