from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CustomerMgmtCase


@tagged("post_install", "-at_install")
class TestComplaint(CustomerMgmtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.service = cls._new_user("cm_service", "customer_mgmt.group_customer_service")
        cls.responsible = cls._new_user(
            "cm_quality", "customer_mgmt.group_customer_user", name="Quality Engineer"
        )
        cls.department = cls.env["hr.department"].sudo().create({"name": "Quality", "company_id": company.id})
        boss = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Boss", "user_id": cls.manager.id, "company_id": company.id})
        )
        cls.env["hr.employee"].sudo().create(
            {
                "name": "Engineer",
                "user_id": cls.responsible.id,
                "parent_id": boss.id,
                "department_id": cls.department.id,
                "company_id": company.id,
            }
        )
        cls.customer.write({"email": "huadong@example.com", "lang": "en_US"})
        cls.category = cls.env.ref("customer_mgmt.complaint_category_quality")
        cls.Complaint = cls.env["customer.complaint"]

    def _record(self, user=None, **vals):
        return (
            self.Complaint.with_user(user or self.service)
            .create(
                {
                    "partner_id": self.customer.id,
                    "category_id": self.category.id,
                    "description": "<p>包装破损</p>",
                    **vals,
                }
            )
            .with_user(user or self.service)
        )

    def _to_state(self, complaint, state):
        """Walk ``complaint`` to ``state`` with the right users."""
        steps = [
            ("accepted", self.service, "action_accept", {}),
            (
                "assigned",
                self.service,
                "action_assign",
                {"department_id": self.department.id, "user_id": self.responsible.id},
            ),
            ("analysed", self.responsible, "action_analyse", {"root_cause": "运输挤压"}),
            ("proposed", self.responsible, "action_propose", {"solution": "换货并加固包装"}),
            ("approved", self.manager, "action_approve", {}),
            ("implemented", self.responsible, "action_implement", {"implementation_notes": "已换货"}),
            ("closed", self.service, "action_close", {"evaluation": "客户满意", "satisfaction": "satisfied"}),
        ]
        done = [target for target, _user, _method, _vals in steps]
        start = done.index(complaint.state) + 1 if complaint.state in done else 0
        for target, user, method, vals in steps[start:]:
            record = complaint.with_user(user)
            if vals:
                record.write(vals)
            getattr(record, method)()
            if target == state:
                break
        return complaint

    def test_full_workflow(self):
        complaint = self._record()
        self.assertTrue(complaint.name.startswith("CMP/"))
        self.assertEqual(complaint.state, "recorded")
        self.assertTrue(complaint.deadline, "every open stage has a deadline")
        self._to_state(complaint, "assigned")
        activity = complaint.activity_ids.filtered(lambda a: a.user_id == self.responsible)
        self.assertTrue(activity, "the responsible user gets an activity")
        self._to_state(complaint, "closed")
        self.assertRecordValues(
            complaint,
            [
                {
                    "state": "closed",
                    "approver_id": self.manager.id,
                    "satisfaction": "satisfied",
                    "deadline": False,
                }
            ],
        )
        self.assertTrue(complaint.closed_date)
        subjects = complaint.message_ids.mapped("subject")
        self.assertIn(f"Your complaint {complaint.name} is being handled", subjects)
        self.assertIn(f"Your complaint {complaint.name} has been resolved", subjects)
        closing = complaint.message_ids.filtered(lambda m: m.subject and "resolved" in m.subject)
        self.assertIn(self.customer, closing.partner_ids, "the customer is e-mailed")
        self.assertIn("换货并加固包装", closing.body)
        self.assertEqual(self.customer.complaint_count, 1)
        self.assertEqual(
            self.customer.action_view_complaints()["domain"], [("partner_id", "=", self.customer.id)]
        )

    def test_rejection_tells_the_customer(self):
        complaint = self._record()
        with self.assertRaisesRegex(UserError, "Decision Reason"):
            complaint.action_reject()
        complaint.validity_reason = "合同已约定"
        complaint.action_reject()
        self.assertEqual(complaint.state, "rejected")
        rejection = complaint.message_ids.filtered(lambda m: m.subject == f"Your complaint {complaint.name}")
        self.assertIn("合同已约定", rejection.body)

    def test_templates_in_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_mgmt"], ["zh_CN"], overwrite=True)
        self.customer.lang = "zh_CN"
        complaint = self._record()
        complaint.action_accept()
        message = complaint.message_ids.filtered(lambda m: m.subject and complaint.name in m.subject)
        self.assertIn("正在处理", message.subject)
        self.assertIn("已受理", message.body)

    def test_refusals(self):
        complaint = self._record()
        with self.assertRaises(AccessError):
            complaint.with_user(self.salesperson).action_accept()
        with self.assertRaisesRegex(UserError, "needs it to be"):
            complaint.action_analyse()
        with self.assertRaisesRegex(UserError, "changes only through their buttons"):
            complaint.write({"state": "closed"})
        with self.assertRaisesRegex(UserError, "changes only through their buttons"):
            complaint.with_user(self.manager).write({"approver_id": self.manager.id})
        # a forged state was ignored; it is now refused (test_create_refuses_workflow_fields)
        with self.assertRaisesRegex(UserError, "are set by the steps that follow"):
            self.Complaint.with_user(self.service).create(
                {
                    "partner_id": self.customer.id,
                    "category_id": self.category.id,
                    "description": "x",
                    "state": "closed",
                }
            )
        forged = self.Complaint.with_user(self.service).create(
            {
                "partner_id": self.customer.id,
                "category_id": self.category.id,
                "description": "x",
                "state": "recorded",
            }
        )
        self.assertEqual(forged.state, "recorded")
        self.assertFalse(
            self.Complaint.search([("state", "=", "closed"), ("partner_id", "=", self.customer.id)])
        )
        complaint.action_accept()
        with self.assertRaisesRegex(UserError, "needs it to be"):
            complaint.action_accept()
        with self.assertRaisesRegex(UserError, "Department, Responsible"):
            complaint.action_assign()
        self._to_state(complaint, "assigned")
        with self.assertRaises(AccessError):
            complaint.with_user(self.service).action_analyse()  # not the responsible user
        with self.assertRaisesRegex(UserError, "Root Cause"):
            complaint.with_user(self.responsible).action_analyse()
        self._to_state(complaint, "proposed")
        with self.assertRaises(AccessError):
            complaint.with_user(self.responsible).action_approve()
        with self.assertRaisesRegex(UserError, "Approval Remark"):
            complaint.with_user(self.manager).action_send_back()
        complaint.with_user(self.manager).approval_remark = "方案不完整"
        complaint.with_user(self.manager).action_send_back()
        self.assertEqual(complaint.state, "analysed")

    def test_cancel_and_no_deletion(self):
        fresh = self._record()
        fresh.unlink()
        complaint = self._record()
        complaint.action_accept()
        with self.assertRaisesRegex(UserError, "cancel them with a reason"):
            complaint.unlink()
        with self.assertRaisesRegex(UserError, "Cancel Reason"):
            complaint.action_cancel()
        complaint.cancel_reason = "客户撤回"
        complaint.action_cancel()
        self.assertEqual(complaint.state, "cancelled")
        with self.assertRaisesRegex(UserError, "cancel them with a reason"):
            complaint.with_user(self.manager).unlink()

    def test_reopen_by_manager_only(self):
        complaint = self._to_state(self._record(), "closed")
        with self.assertRaisesRegex(UserError, "finished"):
            complaint.with_user(self.manager).write({"solution": "事后修改"})
        complaint.reopen_reason = "问题复发"
        with self.assertRaises(AccessError):
            complaint.with_user(self.service).action_reopen()
        complaint.with_user(self.manager).action_reopen()
        self.assertEqual(complaint.state, "assigned")
        self.assertFalse(complaint.closed_date)
        complaint.with_user(self.responsible).write({"root_cause": "包装不合格"})

    def test_deadline_rules_for_every_company(self):
        """Companies there before the module, and those created after, get the stage deadlines."""
        rules = self.env["customer.complaint.deadline"].sudo()
        older = self.env["res.company"].create({"name": "老分公司"})
        rules.search([("company_id", "=", older.id)]).unlink()  # as if it existed before install
        self.env["res.company"]._customer_complaint_deadlines_for_all()
        newer = self.env["res.company"].create({"name": "新分公司"})
        for company in self.env["res.company"].with_context(active_test=False).search([]):
            with self.subTest(company=company.name):
                self.assertEqual(rules.search_count([("company_id", "=", company.id)]), 21)
        self.assertEqual(rules.search_count([("company_id", "=", newer.id)]), 21)

    def test_deadline_escalates_once_per_stage(self):
        self.registry_enter_test_mode()
        cron = self.env.ref("customer_mgmt.ir_cron_complaint_escalation")
        start = fields.Datetime.now()
        with freeze_time(start):
            complaint = self._to_state(self._record(), "assigned")
            rule = self.env["customer.complaint.deadline"].search(
                [("company_id", "=", self.env.company.id), ("state", "=", "assigned"), ("priority", "=", "0")]
            )
            self.assertEqual(complaint.deadline, start + timedelta(hours=rule.hours))

        def manager_activities():
            return complaint.activity_ids.filtered(lambda a: a.user_id == self.manager)

        with freeze_time(start + timedelta(hours=rule.hours - 1)):
            cron.method_direct_trigger()
            self.assertFalse(manager_activities())
        with freeze_time(start + timedelta(hours=rule.hours + 1)):
            cron.method_direct_trigger()
            complaint.invalidate_recordset()
            self.assertEqual(len(manager_activities()), 1, "the responsible user's manager is told")
            self.assertTrue(complaint.escalated)
            cron.method_direct_trigger()
            complaint.invalidate_recordset()
            self.assertEqual(len(manager_activities()), 1, "never a second activity for the same breach")
            complaint.with_user(self.responsible).write({"root_cause": "运输挤压"})
            complaint.with_user(self.responsible).action_analyse()
            self.assertFalse(complaint.escalated, "a new stage, a new deadline")

    def test_return_window(self):
        grade = self.env.ref("customer_mgmt.customer_grade_c")
        grade.return_window_days = 10
        invoice = self._post_move(self.customer, fields.Date.today() - timedelta(days=30))
        late = self._record(return_type="exchange", invoice_id=invoice.id)
        self.assertEqual(late.return_window_days, self.env.company.customer_return_window_days)
        self.assertFalse(late.return_out_of_window, "30 days is within the company's default window")
        self.customer.sudo().customer_grade_id = grade
        late.invalidate_recordset()
        late._compute_return_window()
        self.assertTrue(late.return_out_of_window)
        self._to_state(late, "proposed")
        with self.assertRaisesRegex(UserError, "outside the return window"):
            late.with_user(self.manager).action_approve()
        late.with_user(self.manager).approval_remark = "大客户，特批换货"
        late.with_user(self.manager).action_approve()
        self.assertEqual(late.state, "approved")
        recent = self._record(
            return_type="return", invoice_id=self._post_move(self.customer, fields.Date.today()).id
        )
        self.assertFalse(recent.return_out_of_window)

    def test_record_rules(self):
        mine = self._record()
        other = self._record(partner_id=self.customer_b.id)
        visible = self.Complaint.with_user(self.salesperson).search([("id", "in", (mine | other).ids)])
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            other.with_user(self.salesperson).read(["name"])
        self._to_state(other, "assigned")
        self.assertEqual(
            self.Complaint.with_user(self.responsible).search([("id", "=", other.id)]),
            other,
            "the responsible user sees the complaint assigned to them",
        )

    def test_kanban_folds_finished_stages(self):
        self._record()
        self._to_state(self._record(), "closed")
        self._record(validity_reason="无效").action_reject()
        cancelled = self._record(cancel_reason="重复")
        cancelled.action_cancel()
        groups = self.Complaint.formatted_read_group([], ["state"], ["__count"])
        fold = {group["state"]: group["__fold"] for group in groups}
        self.assertEqual(fold, {"recorded": False, "closed": True, "rejected": True, "cancelled": True})

    # ------------------------------------------------------------------
    # The workflow pattern: check, do, hook; activities; subtypes
    # ------------------------------------------------------------------
    def _activities(self, complaint):
        """All activities of ``complaint``, done (archived) ones included."""
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("res_model", "=", complaint._name), ("res_id", "=", complaint.id)])
        )

    def _flush_tracking(self):
        """Post the pending tracking messages, as the commit would."""
        self.env.flush_all()
        self.env.cr.flush()

    def _tracked(self, record):
        """``record`` with tracking on (the test case turns it off, and a
        record created without tracking is not tracked before the commit)."""
        self._flush_tracking()
        return record.with_context(tracking_disable=False, mail_notrack=False)

    def _tracking_messages(self, complaint):
        """The tracking messages of ``complaint``, newest first."""
        self._flush_tracking()
        messages = self.env["mail.message"].search(
            [("model", "=", complaint._name), ("res_id", "=", complaint.id)], order="id desc"
        )
        return messages.sudo().filtered("tracking_value_ids")

    def test_steps_one_by_one(self):
        complaint = self._record()
        empty = {"approver_id": False, "closed_date": False, "escalated": False}
        self.assertRecordValues(complaint, [{"state": "recorded", **empty}])
        steps = [
            ("accepted", {}),
            ("assigned", {"department_id": self.department.id, "user_id": self.responsible.id}),
            ("analysed", {"root_cause": "运输挤压"}),
            ("proposed", {"solution": "换货并加固包装"}),
            ("approved", {"approver_id": self.manager.id}),
            ("implemented", {"approver_id": self.manager.id}),
        ]
        for state, values in steps:
            self._to_state(complaint, state)
            self.assertRecordValues(complaint, [{**empty, "state": state, **values}])
            self.assertTrue(complaint.deadline, f"stage {state} has a deadline")
        self._to_state(complaint, "closed")
        self.assertRecordValues(
            complaint, [{"state": "closed", "approver_id": self.manager.id, "deadline": False}]
        )
        self.assertTrue(complaint.closed_date)

    def test_assignment_activity_done_when_analysed(self):
        complaint = self._to_state(self._record(), "accepted")
        self.assertFalse(self._activities(complaint))
        self._to_state(complaint, "assigned")
        activity = self._activities(complaint)
        self.assertRecordValues(
            activity,
            [
                {
                    "active": True,
                    "user_id": self.responsible.id,
                    "summary": f"Analyse complaint {complaint.name}",
                    "date_deadline": complaint.deadline.date(),
                }
            ],
        )
        self._to_state(complaint, "analysed")
        self.assertRecordValues(activity, [{"active": False}])
        self.assertFalse(complaint.activity_ids)
        done = complaint.message_ids.filtered(lambda m: m.mail_activity_type_id)
        self.assertEqual(done.author_id, self.responsible.partner_id, "marked done by who analysed")

    def test_reopen_assigns_again_and_cancel_drops_the_assignment(self):
        complaint = self._to_state(self._record(), "closed")
        complaint.reopen_reason = "问题复发"
        complaint.with_user(self.manager).action_reopen()
        self.assertRecordValues(complaint.activity_ids, [{"user_id": self.responsible.id, "active": True}])
        complaint.with_user(self.service).cancel_reason = "客户撤回"
        complaint.with_user(self.service).action_cancel()
        self.assertRecordValues(complaint, [{"state": "cancelled"}])
        self.assertFalse(complaint.activity_ids, "nothing left to analyse")

    def test_refused_step_leaves_the_complaint_unchanged(self):
        complaint = self._to_state(self._record(), "assigned")
        before = {"state": "assigned", "deadline": complaint.deadline, "escalated": False}
        complaint.root_cause = "运输挤压"
        with self.assertRaises(AccessError):
            complaint.with_user(self.service)._check_can_analyse()
        with self.assertRaises(AccessError):
            complaint.with_user(self.service).action_analyse()  # not the responsible user
        self.assertRecordValues(complaint, [before])
        self.assertTrue(complaint.activity_ids, "the assignment is still open")
        with self.assertRaisesRegex(UserError, "needs it to be") as refusal:
            complaint.with_user(self.manager).action_approve()
        self.assertIs(type(refusal.exception), UserError, "a wrong state is not a matter of rights")
        self.assertRecordValues(complaint, [{**before, "approver_id": False}])

    def test_steps_call_their_hook_once_done(self):
        Complaint = self.registry["customer.complaint"]
        complaint = self._record(validity_reason="合同已约定")
        seen = []
        with patch.object(
            Complaint, "_action_reject", autospec=True, side_effect=lambda recs: seen.append(recs.state)
        ) as hook:
            complaint.action_reject()
        hook.assert_called_once()
        self.assertEqual(seen, ["rejected"], "the hook runs after the move")
        refused = self._record()
        with patch.object(Complaint, "_action_accept", autospec=True) as hook:
            with self.assertRaises(AccessError):
                refused.with_user(self.salesperson).action_accept()
            hook.assert_not_called()

    def test_rejection_posts_the_template_and_tracks_the_subtype(self):
        complaint = self._tracked(self._record(validity_reason="合同已约定"))
        self.assertIs(complaint.action_reject(), True)
        rejection = complaint.message_ids.filtered(lambda m: m.subject == f"Your complaint {complaint.name}")
        self.assertRecordValues(
            rejection, [{"subtype_id": self.env.ref("mail.mt_comment").id, "model": complaint._name}]
        )
        self.assertIn(self.customer, rejection.partner_ids)
        self.assertIn("合同已约定", rejection.body)
        self.assertEqual(
            self._tracking_messages(complaint).subtype_id, self.env.ref("customer_mgmt.mt_complaint_rejected")
        )

    def test_state_changes_have_subtypes(self):
        complaint = self._tracked(self._record())
        note = self.env.ref("mail.mt_note")
        expected = [
            ("accepted", self.env.ref("customer_mgmt.mt_complaint_accepted")),
            ("assigned", note),
            ("analysed", note),
            ("proposed", note),
            ("approved", note),
            ("implemented", note),
            ("closed", self.env.ref("customer_mgmt.mt_complaint_closed")),
        ]
        for state, subtype in expected:
            self._to_state(complaint, state)
            self.assertEqual(self._tracking_messages(complaint)[0].subtype_id, subtype, state)
        complaint.reopen_reason = "问题复发"
        complaint.with_user(self.manager).action_reopen()
        self.assertEqual(
            self._tracking_messages(complaint)[0].subtype_id,
            self.env.ref("customer_mgmt.mt_complaint_reopened"),
        )

    # ------------------------------------------------------------------
    # The complaint principles: rules that hold over RPC
    # ------------------------------------------------------------------
    @contextmanager
    def _assert_refused(self, exception, message):
        """The block raises exactly ``exception`` with exactly ``message``."""
        with self.assertRaises(exception) as refusal:
            yield
        self.assertIs(type(refusal.exception), exception)
        self.assertEqual(refusal.exception.args[0], message)

    def _values(self, complaint, fnames):
        """``fnames`` of ``complaint`` as stored."""
        complaint.invalidate_recordset()
        return complaint.sudo().read(fnames)[0]

    def test_assignment_by_customer_service_or_manager_only(self):
        complaint = self._to_state(self._record(), "accepted")
        message = (
            f"Complaints {complaint.name}: only customer service or a manager assigns the department and "
            "the responsible."
        )
        for vals in (
            {"user_id": self.salesperson.id},
            {"department_id": self.department.id},
            {"user_id": self.salesperson.id, "department_id": self.department.id},
        ):
            with self._assert_refused(AccessError, message):
                complaint.with_user(self.salesperson).write(vals)
        self.assertRecordValues(complaint, [{"state": "accepted", "user_id": False, "department_id": False}])
        self._to_state(complaint, "assigned")
        for user in (self.salesperson, self.responsible):
            with self._assert_refused(AccessError, message):
                complaint.with_user(user).write({"user_id": user.id, "department_id": False})
        self.assertRecordValues(
            complaint, [{"user_id": self.responsible.id, "department_id": self.department.id}]
        )
        # customer service and managers do (the assignment, a hand-over)
        complaint.with_user(self.manager).write({"user_id": self.salesperson.id})
        self.assertEqual(complaint.user_id, self.salesperson)

    def test_create_refuses_workflow_fields(self):
        now = fields.Datetime.now()
        forced = {
            "state": ("closed", "State"),
            "approver_id": (self.manager.id, "Approved By"),
            "escalated": (True, "Escalated"),
            "deadline": (now + timedelta(days=365), "Stage Deadline"),
            "closed_date": (now, "Closed Date"),
            "return_window_days": (9999, "Return Window Days"),
            "return_out_of_window": (True, "Outside Return Window"),
            "user_id": (self.responsible.id, "Responsible"),
            "department_id": (self.department.id, "Department"),
            "root_cause": ("运输挤压", "Root Cause"),
            "solution": ("全额退款", "Proposed Solution"),
            "approval_remark": ("经理已同意", "Approval Remark"),
            "implementation_notes": ("已退款", "Implementation Notes"),
            "evaluation": ("客户满意", "Evaluation"),
            "satisfaction": ("very_satisfied", "Customer Satisfaction"),
            "reopen_reason": ("x", "Reopen Reason"),
        }
        domain = [("partner_id", "=", self.customer.id)]
        count = self.Complaint.search_count(domain)
        for user in (self.salesperson, self.service, self.manager):
            for fname, (value, label) in forced.items():
                with self._assert_refused(
                    UserError,
                    f"The complaint of {self.customer.name} is recorded first: {label} are set by the steps "
                    "that follow, not when it is created.",
                ):
                    self._record(user=user, **{fname: value})
        with self._assert_refused(
            UserError,
            f"The complaint of {self.customer.name} is recorded first: State, Responsible, Department, "
            "Customer Satisfaction are set by the steps that follow, not when it is created.",
        ):
            self._record(
                user=self.salesperson,
                satisfaction="satisfied",
                department_id=self.department.id,
                user_id=self.salesperson.id,
                state="implemented",
            )
        self.assertEqual(self.Complaint.search_count(domain), count, "nothing created")
        # what a form sends: the default or empty values
        empty = {"approver_id": False, "escalated": False, "closed_date": False, "user_id": False}
        complaint = self._record(
            user=self.salesperson,
            state="recorded",
            department_id=False,
            evaluation="",
            satisfaction=False,
            approval_remark=False,
            **empty,
        )
        self.assertRecordValues(complaint, [{"state": "recorded", **empty, "department_id": False}])
        # the defaults of the context are ignored, not applied
        defaults = self.Complaint.with_user(self.salesperson).with_context(
            default_state="closed",
            default_user_id=self.salesperson.id,
            default_department_id=self.department.id,
            default_approver_id=self.manager.id,
            default_escalated=True,
            default_approval_remark="经理已同意",
            default_solution="全额退款",
            default_satisfaction="very_satisfied",
            default_closed_date=now,
        )
        complaint = defaults.create(
            {"partner_id": self.customer.id, "category_id": self.category.id, "description": "x"}
        )
        self.assertRecordValues(
            complaint,
            [
                {
                    "state": "recorded",
                    **empty,
                    "department_id": False,
                    "approval_remark": False,
                    "solution": False,
                    "satisfaction": False,
                }
            ],
        )
        self.assertLess(complaint.deadline, now + timedelta(days=2), "the recorded stage's own deadline")
        # a duplicate is a new recorded complaint
        handled = self._to_state(self._record(), "closed")
        duplicate = handled.copy()
        self.assertRecordValues(
            duplicate,
            [
                {
                    "state": "recorded",
                    "user_id": False,
                    "solution": False,
                    "evaluation": False,
                    "approver_id": False,
                }
            ],
        )

    def test_approved_decision_is_frozen(self):
        grade = self.env.ref("customer_mgmt.customer_grade_c")
        grade.return_window_days = 10
        self.customer.sudo().customer_grade_id = grade
        invoice = self._post_move(self.customer, fields.Date.today() - timedelta(days=30))
        other_invoice = self._post_move(self.customer, fields.Date.today())
        complaint = self._record(return_type="exchange", invoice_id=invoice.id)
        self._to_state(complaint, "proposed")
        complaint.with_user(self.manager).approval_remark = "大客户，特批换货"
        self._to_state(complaint, "approved")
        frozen = {
            "solution": ("全额退款", "Proposed Solution"),
            "approval_remark": ("", "Approval Remark"),
            "return_type": ("return", "Asks For"),
            "product_id": (self.product_a.id, "Product"),
            "purchase_date": (fields.Date.today(), "Purchase Date"),
            "invoice_id": (other_invoice.id, "Invoice"),
            "sale_order_id": (self._confirm_order(self.customer).id, "Sales Order"),
            "received_date": (fields.Datetime.now() - timedelta(days=60), "Received On"),
            "partner_id": (self.customer_b.id, "Customer"),
        }
        before = self._values(complaint, [*frozen, "return_out_of_window", "approver_id"])
        self.assertTrue(before["return_out_of_window"])
        for state in ("approved", "implemented"):
            if complaint.state != state:
                self._to_state(complaint, state)
            for user in (self.responsible, self.salesperson, self.service, self.manager):
                for fname, (value, label) in frozen.items():
                    with self._assert_refused(
                        UserError,
                        f"Complaints {complaint.name} are approved: {label} stay as the manager approved "
                        "them (a manager can reopen a closed complaint).",
                    ):
                        complaint.with_user(user).write({fname: value})
            self.assertEqual(self._values(complaint, list(before)), before, state)
        # what is not the decision still moves on
        complaint.with_user(self.service).write({"evaluation": "客户满意", "satisfaction": "satisfied"})
        self._to_state(complaint, "closed")
        with self.assertRaisesRegex(UserError, "finished"):
            complaint.with_user(self.manager).write({"solution": "全额退款"})
        # the way back: a manager reopens it
        complaint.with_user(self.manager).write({"reopen_reason": "客户要求退货"})
        complaint.with_user(self.manager).action_reopen()
        complaint.with_user(self.responsible).write({"solution": "全额退款", "return_type": "return"})
        self.assertRecordValues(
            complaint, [{"state": "assigned", "solution": "全额退款", "return_type": "return"}]
        )

    def test_salesperson_records_for_own_or_unassigned_customers(self):
        unassigned = self.env["res.partner"].create({"name": "无业务员药房", "is_company": True})
        self.assertFalse(unassigned.user_id)
        contact_b = self.env["res.partner"].create(
            {"name": "王经理", "parent_id": self.customer_b.id, "type": "contact"}
        )
        contact_b.sudo().user_id = False
        self.assertFalse(contact_b.user_id)
        own = self._record(user=self.salesperson)
        self._record(user=self.salesperson, partner_id=unassigned.id)
        domain = [("partner_id", "in", (self.customer_b | contact_b).ids)]
        count = self.Complaint.search_count(domain)
        for partner in (self.customer_b, contact_b):
            with self._assert_refused(
                AccessError,
                "You record complaints only for your own or unassigned customers, and "
                f"{self.customer_b.name} is followed by {self.salesperson_b.name}.",
            ):
                self._record(user=self.salesperson, partner_id=partner.id)
        with self.assertRaisesRegex(AccessError, "only for your own or unassigned customers"):
            self.Complaint.with_user(self.salesperson).with_context(
                default_partner_id=self.customer_b.id
            ).create({"category_id": self.category.id, "description": "x"})
        self.assertEqual(self.Complaint.search_count(domain), count, "nothing created")
        with self._assert_refused(
            AccessError,
            f"Complaints {own.name}: you record complaints only for your own or unassigned customers, and "
            f"{self.customer_b.name} is followed by {self.salesperson_b.name}.",
        ):
            own.with_user(self.salesperson).write({"partner_id": self.customer_b.id})
        self.assertEqual(own.partner_id, self.customer)
        own.with_user(self.salesperson).write({"partner_id": unassigned.id})
        self.assertEqual(own.partner_id, unassigned)
        # customer service and managers record for any customer
        for user in (self.service, self.manager):
            self.assertEqual(
                self._record(user=user, partner_id=self.customer_b.id).partner_id, self.customer_b
            )

    def test_complainant_is_a_contact_of_the_customer(self):
        contact = self.env["res.partner"].create({"name": "李药师", "parent_id": self.customer.id})
        stranger = self.env["res.partner"].create({"name": "王经理", "parent_id": self.customer_b.id})
        complaint = self._record(contact_id=contact.id)
        self.assertEqual(complaint.contact_id, contact)
        for user in (self.salesperson, self.service, self.manager):
            with self.assertRaisesRegex(ValidationError, "is not a contact of the customer") as refusal:
                self._record(user=user, contact_id=stranger.id)
            self.assertIs(type(refusal.exception), ValidationError)
            with self._assert_refused(
                ValidationError,
                f"Complaint {complaint.name}: the complainant {stranger.display_name} is not a contact of "
                f"the customer {self.customer.name}.",
            ):
                complaint.with_user(user).write({"contact_id": stranger.id})
        with self._assert_refused(
            ValidationError,
            f"Complaint {complaint.name}: the complainant {contact.display_name} is not a contact of the "
            f"customer {self.customer_b.name}.",
        ):
            complaint.with_user(self.service).write({"partner_id": self.customer_b.id})
        self.assertRecordValues(complaint, [{"partner_id": self.customer.id, "contact_id": contact.id}])
        complaint.with_user(self.service).write({"contact_id": self.customer.id})
        self.assertEqual(complaint.contact_id, self.customer, "the customer itself is its own contact")

    def test_out_of_window_approval_needs_the_managers_remark(self):
        grade = self.env.ref("customer_mgmt.customer_grade_c")
        grade.return_window_days = 10
        self.customer.sudo().customer_grade_id = grade
        invoice = self._post_move(self.customer, fields.Date.today() - timedelta(days=30))
        late = self._to_state(self._record(return_type="exchange", invoice_id=invoice.id), "proposed")
        self.assertTrue(late.return_out_of_window)
        refusal = (
            f"{late.name} ask for a return or exchange outside the return window: explain the exception in "
            "the approval remark."
        )
        # the computed flag is not written...
        with self._assert_refused(
            UserError,
            f"Complaints {late.name}: Outside Return Window are computed from the complaint, not set by "
            "hand.",
        ):
            late.with_user(self.salesperson).write({"return_out_of_window": False})
        with self._assert_refused(
            UserError,
            f"Complaints {late.name}: Return Window Days are computed from the complaint, not set by hand.",
        ):
            late.with_user(self.salesperson).write({"return_window_days": 9999})
        # ...a later purchase date does not move the window past the invoice...
        late.with_user(self.salesperson).write({"purchase_date": fields.Date.today()})
        self.assertTrue(late.return_out_of_window)
        # ...and the check judges the complaint, not the stored flag
        late.sudo().write({"return_out_of_window": False})
        with self._assert_refused(UserError, refusal):
            late.with_user(self.manager)._check_can_approve()
        with self._assert_refused(UserError, refusal):
            late.with_user(self.manager).action_approve()
        # the remark is the manager's
        for user in (self.salesperson, self.responsible, self.service):
            with self._assert_refused(
                AccessError, f"Complaints {late.name}: the approval remark is the manager's to write."
            ):
                late.with_user(user).write({"approval_remark": "特批"})
        self.assertRecordValues(late, [{"state": "proposed", "approval_remark": False, "approver_id": False}])
        with self._assert_refused(UserError, refusal):
            late.with_user(self.manager).action_approve()
        late.with_user(self.manager).approval_remark = "大客户，特批换货"
        late.with_user(self.manager).action_approve()
        self.assertRecordValues(late, [{"state": "approved", "approver_id": self.manager.id}])

    def test_priority_moves_the_stage_deadline(self):
        rules = {
            rule.priority: rule.hours
            for rule in self.env["customer.complaint.deadline"].search(
                [("company_id", "=", self.env.company.id), ("state", "=", "assigned")]
            )
        }
        start = fields.Datetime.now()
        with freeze_time(start):
            complaint = self._to_state(self._record(), "assigned")
        self.assertEqual(complaint.deadline, start + timedelta(hours=rules["0"]))
        with freeze_time(start + timedelta(hours=5)):
            as_salesperson = complaint.with_user(self.salesperson)
            for priority in ("2", "1", "2", "0", "0", "1"):
                as_salesperson.priority = priority
                self.assertEqual(
                    complaint.deadline,
                    start + timedelta(hours=rules[priority]),
                    f"priority {priority}: the stage keeps its start",
                )
        with freeze_time(start + timedelta(hours=rules["2"] + 1)):
            as_salesperson.priority = "2"
            complaint.sudo()._escalate()
            self.assertTrue(complaint.escalated)
            as_salesperson.priority = "0"
            self.assertEqual(complaint.deadline, start + timedelta(hours=rules["0"]))
            self.assertTrue(complaint.escalated, "escalated once for the stage, whatever the priority")
            complaint.with_user(self.responsible).write({"root_cause": "运输挤压"})
            complaint.with_user(self.responsible).action_analyse()
        self.assertFalse(complaint.escalated)

    @freeze_time("2026-03-10 09:00:00")
    def test_received_date_is_not_back_dated(self):
        now = fields.Datetime.now()
        back = now - timedelta(days=60)
        # a salesperson records the complaint now, whatever date (or default) comes along
        mine = self._record(user=self.salesperson, received_date=back)
        self.assertEqual(mine.received_date, now)
        by_default = (
            self.Complaint.with_user(self.salesperson)
            .with_context(default_received_date=back)
            .create({"partner_id": self.customer.id, "category_id": self.category.id, "description": "x"})
        )
        self.assertEqual(by_default.received_date, now)
        with self._assert_refused(
            AccessError,
            f"Complaints {mine.name}: only customer service or a manager corrects the date a complaint was "
            "received.",
        ):
            mine.with_user(self.salesperson).write({"received_date": back})
        self.assertEqual(mine.received_date, now)
        # customer service records a letter received last week, a manager corrects it
        letter = self._record(user=self.service, received_date=now - timedelta(days=7))
        self.assertEqual(letter.received_date, now - timedelta(days=7))
        letter.with_user(self.manager).write({"received_date": now - timedelta(days=6)})
        self.assertEqual(letter.received_date, now - timedelta(days=6))
        # never in the future
        for user in (self.service, self.manager):
            with self.assertRaisesRegex(ValidationError, "which is in the future"), self.env.cr.savepoint():
                self._record(user=user, received_date=now + timedelta(days=1))
            with (
                self.assertRaisesRegex(ValidationError, f"Complaint {letter.name}: .* in the future"),
                self.env.cr.savepoint(),
            ):
                letter.with_user(user).write({"received_date": now + timedelta(hours=1)})
            letter.invalidate_recordset()
            self.assertEqual(letter.received_date, now - timedelta(days=6))
        # never once approved
        self._to_state(letter, "approved")
        with self.assertRaisesRegex(UserError, "are approved: Received On stay as the manager approved"):
            letter.with_user(self.manager).write({"received_date": now - timedelta(days=30)})
        self.assertEqual(letter.received_date, now - timedelta(days=6))

    def test_reference_comes_from_the_sequence(self):
        for user in (self.salesperson, self.service, self.manager):
            with self._assert_refused(
                UserError,
                "Complaint CMP/2020/0001: the reference of a complaint comes from its sequence, it cannot be "
                "chosen.",
            ):
                self._record(user=user, name="CMP/2020/0001")
        self.assertFalse(self.Complaint.search_count([("name", "=", "CMP/2020/0001")]))
        complaint = (
            self.Complaint.with_user(self.service)
            .with_context(default_name="CMP/2020/0002")
            .create({"partner_id": self.customer.id, "category_id": self.category.id, "description": "x"})
        )
        self.assertNotEqual(complaint.name, "CMP/2020/0002")
        self.assertTrue(complaint.name.startswith("CMP/"))
        reference = complaint.name
        for user in (self.salesperson, self.service, self.manager):
            with self._assert_refused(
                UserError,
                f"Complaints {reference}: the reference comes from the sequence and never changes.",
            ):
                complaint.with_user(user).write({"name": "CMP/2020/0003"})
        self.assertEqual(complaint.name, reference)
        complaint.with_user(self.manager).write({"name": reference, "priority": "1"})  # unchanged: fine
        complaint.sudo().name = "CMP/FIXED"  # the superuser (a data fix) still can
        self.assertEqual(complaint.name, "CMP/FIXED")

    def test_salesperson_of_a_contact_is_its_company_s(self):
        # A's name on a contact of B's customer, B's name on a contact of A's customer
        contact_b = self.env["res.partner"].create(
            {"name": "广药 王药师", "parent_id": self.customer_b.id, "user_id": self.salesperson.id}
        )
        contact_a = self.env["res.partner"].create(
            {"name": "华东 李药师", "parent_id": self.customer.id, "user_id": self.salesperson_b.id}
        )
        on_b = self.Complaint.with_user(self.service).create(
            {"partner_id": contact_b.id, "category_id": self.category.id, "description": "x"}
        )
        on_a = self.Complaint.with_user(self.service).create(
            {"partner_id": contact_a.id, "category_id": self.category.id, "description": "x"}
        )
        self.assertEqual(on_b.salesperson_id, self.salesperson_b)
        as_a = self.Complaint.with_user(self.salesperson)
        self.assertEqual(as_a.search([("id", "in", (on_a | on_b).ids)]), on_a)
        with self.assertRaises(AccessError):
            on_b.with_user(self.salesperson).read(["name"])
        with self.assertRaises(AccessError):
            on_b.with_user(self.salesperson).write({"priority": "2"})
        on_a.with_user(self.salesperson).write({"priority": "1"})
        self.assertEqual(self.Complaint.with_user(self.salesperson_b).search([("id", "=", on_a.id)]).ids, [])
        # creating one: the customer's salesperson counts, whichever contact is chosen
        for partner in (self.customer_b, contact_b):
            with self.assertRaisesRegex(AccessError, f"{self.customer_b.name} is followed by"):
                self._record(user=self.salesperson, partner_id=partner.id)
        self.assertEqual(self._record(user=self.salesperson, partner_id=contact_a.id).partner_id, contact_a)
