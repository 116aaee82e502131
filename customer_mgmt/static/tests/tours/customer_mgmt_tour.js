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
            content: "The change is in the chatter",
            trigger: ".o-mail-Message:contains('以质量求生存')",
        },
    ],
});
