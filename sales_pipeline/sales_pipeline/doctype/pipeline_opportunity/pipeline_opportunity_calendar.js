frappe.views.calendar["Pipeline Opportunity"] = sales_pipeline.follow_up_calendar();
