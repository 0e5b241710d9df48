frappe.views.calendar["Pipeline Lead"] = sales_pipeline.follow_up_calendar();
